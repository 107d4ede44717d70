/**
 * The transfers the renderer shows, folded from the contract's transfer events: a pure reducer, so
 * it is tested without a DOM. Blob events carry each blob's latest state; totals sum them. Each
 * progress batch also records when it arrived (`now` on the action; the slice passes Date.now())
 * and how many bytes had moved by then, so throughput and ETA come from timestamps, smoothed over
 * the last few seconds.
 */
import type { WireError } from '../../src-shared/errors.ts';
import type { EventPayload, TransferKind } from '../../src-shared/ipc/contract.ts';
import type { BlobKind, BlobState } from '../../src-shared/transfer.ts';

export interface BlobProgress {
  kind: BlobKind;
  state: BlobState;
  done: number;
  total: number;
  /** Times the engine retried or resumed this blob. */
  retries: number;
}

/** The engine's final figures: what a pull fetched and skipped, what a push uploaded, found or mounted. */
export type TransferSummary =
  | { type: 'pull'; fetchedBytes: number; fetchedBlobs: number; skippedBlobs: number }
  | { type: 'push'; uploadedBytes: number; uploadedBlobs: number; existingBlobs: number; mountedBlobs: number };

/** Bytes moved (not counting blobs already there) as of a moment, in ms since the epoch. */
export interface RateSample {
  at: number;
  moved: number;
}

export interface TransferView {
  id: string;
  kind: TransferKind;
  ref: string;
  status: 'running' | 'done' | 'failed';
  blobs: Record<string, BlobProgress>;
  /** The latest step worth a line of text: resolving, resolved, a retry. */
  note: string | null;
  digest: string | null;
  /** The registries.conf mirror (its location) that served a pull, from the resolved event; null when the primary did. */
  mirror: string | null;
  error: WireError | null;
  /** Retries over the whole transfer, and the latest one's reason. */
  retries: number;
  lastRetry: string | null;
  summary: TransferSummary | null;
  /** When this window first heard of it, and when it ended (ms since the epoch; null when unknown). */
  startedAt: number | null;
  endedAt: number | null;
  /** Recent progress samples, oldest first, covering a little more than RATE_WINDOW_MS. */
  samples: RateSample[];
}

export type TransferAction = (
  | { event: 'transferStarted'; payload: EventPayload<'transferStarted'> }
  | { event: 'transferProgress'; payload: EventPayload<'transferProgress'> }
  | { event: 'transferEnded'; payload: EventPayload<'transferEnded'> }
) & {
  /** When the event arrived (ms since the epoch). Without it no timing is recorded. */
  now?: number;
};

/** Throughput is averaged over this much recent time. */
export const RATE_WINDOW_MS = 5000;
/** With no progress for this long, the transfer is shown as stalled (rate 0). */
export const STALL_MS = 3000;
/** Samples closer together than this give no rate yet. */
const MIN_SPAN_MS = 250;
const MAX_SAMPLES = 200;

const MOVED_STATES: ReadonlySet<BlobState> = new Set(['downloading', 'uploading', 'writing', 'verifying', 'done', 'error']);
const FINISHED_STATES: ReadonlySet<BlobState> = new Set(['exists', 'mounted', 'done']);

export const isCancelled = (t: TransferView): boolean => t.error?.code === 'ECANCELLED';

function fresh(id: string): TransferView {
  return {
    id,
    kind: 'pull',
    ref: '…',
    status: 'running',
    blobs: {},
    note: null,
    digest: null,
    mirror: null,
    error: null,
    retries: 0,
    lastRetry: null,
    summary: null,
    startedAt: null,
    endedAt: null,
    samples: [],
  };
}

function update(list: TransferView[], id: string, now: number | undefined, change: (t: TransferView) => TransferView): TransferView[] {
  const i = list.findIndex((t) => t.id === id);
  // Progress for a transfer whose start this page missed (opened mid-transfer) still shows.
  const base: TransferView = i >= 0 ? list[i]! : { ...fresh(id), startedAt: now ?? null };
  const next = change(base);
  return i >= 0 ? list.map((t, j) => (j === i ? next : t)) : [next, ...list];
}

/** Bytes that actually moved: blobs the destination already had (or mounted) moved nothing. */
export function movedBytes(t: TransferView): number {
  let moved = 0;
  for (const b of Object.values(t.blobs)) if (MOVED_STATES.has(b.state)) moved += b.done;
  return moved;
}

function addSample(samples: RateSample[], sample: RateSample): RateSample[] {
  const next = [...samples, sample];
  // Keep the newest sample older than the window as the anchor the rate is measured from.
  let first = 0;
  while (first + 1 < next.length && next[first + 1]!.at <= sample.at - RATE_WINDOW_MS) first++;
  return next.slice(Math.max(first, next.length - MAX_SAMPLES));
}

export function reduceTransfers(list: TransferView[], action: TransferAction): TransferView[] {
  const { now } = action;
  switch (action.event) {
    case 'transferStarted': {
      const { transferId, kind, ref } = action.payload;
      return update(list, transferId, now, (t) => ({ ...t, kind, ref, startedAt: t.startedAt ?? now ?? null }));
    }
    case 'transferProgress':
      return update(list, action.payload.transferId, now, (t) => {
        const blobs = { ...t.blobs };
        let { note, retries, lastRetry, summary, mirror } = t;
        for (const e of action.payload.events) {
          switch (e.type) {
            case 'blob':
              blobs[e.digest] = { kind: e.kind, state: e.state, done: e.done, total: e.total, retries: blobs[e.digest]?.retries ?? 0 };
              break;
            case 'resolving':
              note = `Resolving ${e.ref}`;
              break;
            case 'resolved':
              note = `Resolved ${e.digest.slice(0, 19)}`;
              mirror = e.mirror ?? null;
              break;
            case 'retry': {
              note = e.reason;
              // Attempt 0 is a warning (a compatible platform, a sparse index), not a retry.
              if (e.attempt > 0) {
                retries++;
                lastRetry = e.reason;
                const b = blobs[e.digest];
                if (b) blobs[e.digest] = { ...b, retries: b.retries + 1 };
              }
              break;
            }
            case 'manifest':
              note = `Manifest ${e.ref}: ${e.state === 'exists' ? 'already there' : 'written'}`;
              break;
            case 'done':
              summary = { type: 'pull', fetchedBytes: e.fetchedBytes, fetchedBlobs: e.fetchedBlobs, skippedBlobs: e.skippedBlobs };
              break;
            case 'pushed':
              summary = {
                type: 'push',
                uploadedBytes: e.uploadedBytes,
                uploadedBlobs: e.uploadedBlobs,
                existingBlobs: e.existingBlobs,
                mountedBlobs: e.mountedBlobs,
              };
              break;
            case 'error':
              note = e.message;
              break;
          }
        }
        const next: TransferView = { ...t, blobs, note, retries, lastRetry, summary, mirror };
        if (now !== undefined) next.samples = addSample(t.samples, { at: now, moved: movedBytes(next) });
        return next;
      });
    case 'transferEnded': {
      const { transferId, kind, ref, digest, error } = action.payload;
      return update(list, transferId, now, (t) => ({
        ...t,
        kind,
        ref,
        digest,
        error,
        status: error ? 'failed' : 'done',
        note: error ? error.message : null,
        endedAt: now ?? null,
      }));
    }
  }
}

/** Bytes done and expected over the transfer's blobs (blobs already present count as done). */
export function totals(t: TransferView): { done: number; total: number } {
  let done = 0;
  let total = 0;
  for (const b of Object.values(t.blobs)) {
    total += b.total;
    done += FINISHED_STATES.has(b.state) ? b.total : b.done;
  }
  return { done, total };
}

/** Blobs finished (done, already there or mounted) out of those known. */
export function blobCounts(t: TransferView): { finished: number; count: number } {
  const all = Object.values(t.blobs);
  return { finished: all.filter((b) => FINISHED_STATES.has(b.state)).length, count: all.length };
}

/**
 * Bytes per second over the RATE_WINDOW_MS before `now`, measured up to `now` (so a burst followed
 * by a pause reads lower as the pause lasts); 0 when nothing has arrived for STALL_MS; null while
 * there is too little history to tell.
 */
export function throughput(t: TransferView, now: number): number | null {
  const s = t.samples;
  const last = s.at(-1);
  if (!last) return null;
  if (now - last.at >= STALL_MS) return 0;
  let i = 0;
  while (i + 1 < s.length && s[i + 1]!.at <= now - RATE_WINDOW_MS) i++;
  const anchor = s[i]!;
  const span = Math.max(now, last.at) - anchor.at;
  if (span < MIN_SPAN_MS) return null;
  return Math.max(0, ((last.moved - anchor.moved) * 1000) / span);
}

/** Seconds left at the current rate; null when the rate or the total is unknown or nothing moves. */
export function eta(t: TransferView, now: number): number | null {
  if (t.status !== 'running') return null;
  const rate = throughput(t, now);
  const { done, total } = totals(t);
  if (!rate || total === 0) return null;
  return Math.max(0, (total - done) / rate);
}
