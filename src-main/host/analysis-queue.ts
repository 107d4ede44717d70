/**
 * The host's layer analyses, one image at a time: the engine reads an image's layers in parallel
 * already, so a table asking for the efficiency of many images queues them here instead of
 * flooding the machine. Requests for the same image (same key) share one analysis; an urgent
 * request (the Files tab someone is looking at) goes before the waiting ones. A request made with
 * a requestId gets `layersProgress` events and can be cancelled; the analysis itself stops (its
 * AbortSignal) once no request wants it any more.
 */
import { DeckhandError } from '../../src-shared/errors.ts';
import type { EventPayload } from '../../src-shared/ipc/contract.ts';
import type { LayersReport } from '../engine/insight/layers/analyze.ts';

const EARLY_CANCELS = 256;

export interface LayerStep {
  index: number;
  layers: number;
  cached: boolean;
}

/** How many of the layers' compressed bytes have been read (analyzeImage's onProgress). */
export interface BytesStep {
  bytesDone: number;
  bytesTotal: number;
}

/**
 * An analysis to run: it reads until `signal` aborts, calls `onLayer` before each layer and, as
 * bytes are read, `onBytes`.
 */
export type AnalysisWork = (
  signal: AbortSignal,
  onLayer: (step: LayerStep) => void,
  onBytes: (step: BytesStep) => void,
) => Promise<LayersReport>;

interface Waiter {
  requestId: string | undefined;
  resolve: (r: LayersReport) => void;
  reject: (e: unknown) => void;
}

interface Job {
  key: string;
  ref: string;
  work: AnalysisWork;
  waiters: Set<Waiter>;
  controller: AbortController;
  running: boolean;
  urgent: boolean;
}

export class AnalysisQueue {
  private readonly waiting: Job[] = [];
  private readonly jobs = new Map<string, Job>();
  private readonly requests = new Map<string, { job: Job; waiter: Waiter }>();
  /** Requests cancelled before they reached the queue (the host was still finding the image). */
  private readonly early = new Set<string>();
  private current: Promise<void> | null = null;
  private running: Job | null = null;
  private closed = false;
  private readonly progress: (p: EventPayload<'layersProgress'>) => void;

  constructor(progress: (p: EventPayload<'layersProgress'>) => void) {
    this.progress = progress;
  }

  /** Runs (or joins) the analysis under `key`; `ref` is what progress events name. */
  run(
    key: string,
    ref: string,
    work: AnalysisWork,
    opts: { requestId?: string | undefined; urgent?: boolean } = {},
  ): Promise<LayersReport> {
    if (this.closed) return Promise.reject(new DeckhandError('ECANCELLED', `The analysis of ${ref} was cancelled: the app is closing.`));
    if (opts.requestId !== undefined && this.early.delete(opts.requestId)) return Promise.reject(cancelled(ref));
    if (opts.requestId !== undefined && this.requests.has(opts.requestId)) {
      return Promise.reject(
        new DeckhandError('EUSAGE', `Request ${opts.requestId} is already waiting for an analysis; use a new requestId.`),
      );
    }
    let job = this.jobs.get(key);
    if (!job) {
      job = { key, ref, work, waiters: new Set(), controller: new AbortController(), running: false, urgent: false };
      this.jobs.set(key, job);
      this.waiting.push(job);
    }
    if (opts.urgent && !job.running && !job.urgent) {
      job.urgent = true;
      this.waiting.splice(this.waiting.indexOf(job), 1);
      const firstNotUrgent = this.waiting.findIndex((j) => !j.urgent);
      this.waiting.splice(firstNotUrgent < 0 ? this.waiting.length : firstNotUrgent, 0, job);
    }
    const joined = job;
    return new Promise<LayersReport>((resolve, reject) => {
      const waiter: Waiter = { requestId: opts.requestId, resolve, reject };
      joined.waiters.add(waiter);
      if (opts.requestId !== undefined) this.requests.set(opts.requestId, { job: joined, waiter });
      this.pump();
    });
  }

  /**
   * Stops waiting for request `requestId` (it fails with ECANCELLED); false when it is not waiting
   * (it may still be on its way: then it fails as soon as it arrives).
   */
  cancel(requestId: string): boolean {
    const hit = this.requests.get(requestId);
    if (!hit) {
      this.early.add(requestId);
      // Bounded: ids of requests that had already finished are forgotten, oldest first.
      if (this.early.size > EARLY_CANCELS) this.early.delete(this.early.values().next().value!);
      return false;
    }
    const { job, waiter } = hit;
    this.requests.delete(requestId);
    job.waiters.delete(waiter);
    waiter.reject(cancelled(job.ref));
    if (job.waiters.size === 0) {
      if (job.running) {
        // A request for the same image from now on starts afresh instead of joining one that is stopping.
        this.jobs.delete(job.key);
        job.controller.abort();
      } else {
        this.waiting.splice(this.waiting.indexOf(job), 1);
        this.jobs.delete(job.key);
      }
    }
    return true;
  }

  /** Analyses waiting (not started) and running, for tests and diagnostics. */
  get size(): { waiting: number; running: number } {
    return { waiting: this.waiting.length, running: this.current ? 1 : 0 };
  }

  /** Cancels everything and waits for the running analysis to stop. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) this.finish(job, { error: cancelled(job.ref) });
    for (const job of this.jobs.values()) job.controller.abort();
    this.running?.controller.abort();
    await this.current;
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const job = this.waiting.shift();
    if (!job) return;
    job.running = true;
    this.running = job;
    // Only the event's fields: the engine's progress carries more (the layer's digest). Each event
    // says the layer last begun and the bytes read so far, whichever of the two moved.
    let step: LayerStep | null = null;
    let bytes: BytesStep | null = null;
    const emit = () => {
      if (!step) return;
      const { index, layers, cached } = step;
      for (const w of job.waiters) {
        if (w.requestId !== undefined)
          this.progress({ requestId: w.requestId, ref: job.ref, index, layers, cached, ...(bytes ? { ...bytes } : {}) });
      }
    };
    const onLayer = (s: LayerStep) => {
      step = s;
      emit();
    };
    const onBytes = ({ bytesDone, bytesTotal }: BytesStep) => {
      bytes = { bytesDone, bytesTotal };
      emit();
    };
    this.current = Promise.resolve()
      .then(() => job.work(job.controller.signal, onLayer, onBytes))
      .then(
        (report) => this.finish(job, { report }),
        (e: unknown) =>
          this.finish(job, { error: job.controller.signal.aborted && !(e instanceof DeckhandError) ? cancelled(job.ref, e) : e }),
      )
      .finally(() => {
        this.current = null;
        this.running = null;
        this.pump();
      });
  }

  private finish(job: Job, outcome: { report: LayersReport } | { error: unknown }): void {
    if (this.jobs.get(job.key) === job) this.jobs.delete(job.key);
    for (const w of job.waiters) {
      if (w.requestId !== undefined) this.requests.delete(w.requestId);
      if ('report' in outcome) w.resolve(outcome.report);
      else w.reject(outcome.error);
    }
    job.waiters.clear();
  }
}

function cancelled(ref: string, cause?: unknown): DeckhandError {
  return new DeckhandError('ECANCELLED', `The analysis of ${ref} was cancelled.`, cause === undefined ? {} : { cause });
}
