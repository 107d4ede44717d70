/**
 * Gives the host's memory back once a burst of store-wide work is over. Building the store graph
 * and answering the views from it (10,000 image rows, df, the layer forest) leave V8's young
 * generation grown to its maximum (about 134 MB here: it doubles whenever what survives its
 * collections outgrows it, and the graph's build is 50 MB of survivors) and the old generation
 * full of finished answers. V8 shrinks the young generation again only when it sees the process
 * allocating little for seconds (its memory reducer): minutes later in practice, while the page
 * is still being used. So once the host has been quiet for a moment after such work (no call in
 * flight for QUIET_MS), it asks V8 for one last-resort collection: the full collection V8 runs
 * before giving up on memory, which also shrinks the young generation to what is live in it
 * (nothing, after a full collection). It costs one pause of 0.1–0.3 s on a 10,000-image store,
 * taken while nothing is waiting for the host.
 *
 * The collection is reached through V8's gc extension, exposed for a context of our own
 * (`--expose-gc` set from inside the process, then taken back): no command-line flag, so the
 * Electron main process gets it as `deckhand serve` does (both start V8 with its flags unfrozen,
 * which `v8.setFlagsFromString` needs). Where it is not available the trim does nothing.
 */
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * How long the host must have had no call in flight after graph work before it trims: by then the
 * page has its answers (a view's calls come together), and a call that arrives during the pause
 * waits for it. 300 ms was tried first: the bench's back-to-back reloads then met the pause, and
 * their first table row came later. Trimming at once after the host's first build (before the page
 * asks) was tried too: the page's first calls then met the pause, for a lower peak only in some runs.
 */
export const QUIET_MS = 1000;

type GcExtension = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => unknown;

/** V8's last-resort full collection, or null where the gc extension cannot be had. */
export function lastResortCollection(): (() => void) | null {
  let gc: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof gc !== 'function') {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc');
    } catch {
      return null;
    } finally {
      // Only this context keeps it: contexts made later (vm, workers) do not get a gc global.
      setFlagsFromString('--no-expose-gc');
    }
  }
  if (typeof gc !== 'function') return null;
  const extension = gc as GcExtension;
  return () => void extension({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

const MB = 1024 * 1024;

export interface HeapSize {
  /** V8's young generation as committed now (it starts at 1 MB). */
  young: number;
  /** The whole heap as committed now. */
  total: number;
}

export function heapSize(): HeapSize {
  return {
    young: getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0,
    total: getHeapStatistics().total_heap_size,
  };
}

/**
 * Whether a collection would give much back, so that a small call (one image's details) does not
 * cost a full collection: the young generation grown past 8 MB (it starts at 1; a graph build
 * takes it to 128), or the heap 32 MB larger than right after the last trim.
 */
export const YOUNG_WORTH_TRIMMING = 8 * MB;
export const GROWTH_WORTH_TRIMMING = 32 * MB;

export class HeapTrim {
  private readonly collect: (() => void) | null;
  private readonly quietMs: number;
  private readonly measure: () => HeapSize;
  /** The heap's size right after the last trim (or at the start): growth is measured from it. */
  private settled: number;
  private inFlight = 0;
  private dirty = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Collections run so far (for tests and diagnostics). */
  trims = 0;

  /** `collect` null: a host that cannot trim (a V8 without the gc extension). */
  constructor(collect: (() => void) | null = lastResortCollection(), quietMs = QUIET_MS, measure: () => HeapSize = heapSize) {
    this.collect = collect;
    this.quietMs = quietMs;
    this.measure = measure;
    this.settled = measure().total;
  }

  /** Work that left a large heap behind (a view answered from the graph): trim when quiet. */
  worked(): void {
    this.dirty = true;
    this.arm();
  }

  /** A call starts: no trim while it runs. */
  begin(): void {
    this.inFlight++;
    this.disarm();
  }

  /** A call ended. */
  end(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.arm();
  }

  close(): void {
    this.disarm();
    this.dirty = false;
  }

  private arm(): void {
    if (!this.collect || !this.dirty || this.inFlight > 0) return;
    this.disarm();
    this.timer = setTimeout(() => this.run(), this.quietMs);
    // A pending trim never keeps the process alive.
    this.timer.unref?.();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.timer = undefined;
    if (!this.dirty || this.inFlight > 0) return;
    this.dirty = false;
    const now = this.measure();
    // The heap may also have shrunk on its own since the last trim.
    this.settled = Math.min(this.settled, now.total);
    if (now.young <= YOUNG_WORTH_TRIMMING && now.total <= this.settled + GROWTH_WORTH_TRIMMING) return;
    this.trims++;
    this.collect!();
    this.settled = this.measure().total;
  }
}
