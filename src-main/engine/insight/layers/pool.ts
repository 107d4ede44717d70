/**
 * The layer reader threads: min(2, cores) workers (worker.ts), started on the first layer read
 * and shared by the whole process, one layer per job, the rest queued. A thread holds the process
 * open only while it reads (it is unref'd when idle, so the CLI exits as soon as it is done), and
 * idle threads end after IDLE_MS. A cancelled job's thread is terminated (the next job starts a new
 * one); a queued job is dropped. Errors come back as they were thrown (worker-protocol.ts).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DeckhandError } from '../../../../src-shared/errors.ts';
import { deserializeError, type Job, type ReadJob, type WorkerReply } from './worker-protocol.ts';

const IDLE_MS = 15_000;

export interface ReadOptions {
  signal?: AbortSignal;
  /** Called when a thread starts on the job. */
  onStart?: () => void;
  /** Compressed bytes read since the last call. */
  onBytes?: (bytes: number) => void;
}

interface Queued {
  job: Job;
  opts: ReadOptions;
  resolve: (result: unknown) => void;
  reject: (e: unknown) => void;
  /** Drops the job while it waits for a thread. */
  dropOnAbort: () => void;
}

/**
 * The reader's file: worker.ts beside this one when running from source; the bundle
 * layer-worker.mjs beside the bundle that holds this code (dist/main.cjs) or one directory up
 * (dist/cli-commands/NAME.mjs). In the packaged app it is unpacked beside app.asar
 * (electron-builder.yml's asarUnpack), so that the thread loads it from a plain file.
 */
export function workerFile(moduleUrl: string = import.meta.url): URL {
  if (moduleUrl.endsWith('.ts')) return new URL('./worker.ts', moduleUrl);
  const bases = moduleUrl.includes('.asar/') ? [moduleUrl.replace('.asar/', '.asar.unpacked/'), moduleUrl] : [moduleUrl];
  const candidates = bases.flatMap((base) => [new URL('./layer-worker.mjs', base), new URL('../layer-worker.mjs', base)]);
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new DeckhandError(
      'EINTERNAL',
      `The layer reader is missing (looked for ${candidates.map((c) => fileURLToPath(c)).join(' and ')}). Run \`npm run build\` again.`,
    );
  return found;
}

const doing = (job: Job) => (job.kind === 'read' ? `reading layer ${job.layer}` : `analysing ${job.layers.length} layers`);

export const cancelled = (job: Job) => new DeckhandError('ECANCELLED', `${doing(job).replace(/^./, (c) => c.toUpperCase())} was cancelled`);

class ReaderPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Queued[] = [];
  private alive = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  private readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  run<T>(job: Job, opts: ReadOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(cancelled(job));
      const queued: Queued = {
        job,
        opts,
        resolve: resolve as (result: unknown) => void,
        reject,
        dropOnAbort: () => {
          const at = this.queue.indexOf(queued);
          if (at >= 0) {
            this.queue.splice(at, 1);
            reject(cancelled(job));
          }
        },
      };
      opts.signal?.addEventListener('abort', queued.dropOnAbort, { once: true });
      this.queue.push(queued);
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && (this.idle.length > 0 || this.alive < this.size)) {
      const next = this.queue.shift()!;
      let worker = this.idle.pop();
      if (!worker) {
        try {
          worker = new Worker(workerFile());
        } catch (e) {
          next.opts.signal?.removeEventListener('abort', next.dropOnAbort);
          next.reject(e);
          continue;
        }
        this.alive++;
        // A thread that fails or ends while idle is forgotten (a job's own listeners handle it while busy).
        const self = worker;
        self
          .on('error', () => undefined)
          .on('exit', () => {
            const at = this.idle.indexOf(self);
            if (at >= 0) {
              this.idle.splice(at, 1);
              this.alive--;
            }
          });
      }
      this.start(worker, next);
    }
    clearTimeout(this.idleTimer);
    if (this.idle.length > 0 && this.queue.length === 0) {
      this.idleTimer = setTimeout(() => {
        for (const w of this.idle.splice(0)) {
          this.alive--;
          void w.terminate();
        }
      }, IDLE_MS).unref();
    }
  }

  private start(worker: Worker, { job, opts, resolve, reject, dropOnAbort }: Queued): void {
    opts.signal?.removeEventListener('abort', dropOnAbort);
    worker.ref();
    let settled = false;
    const finish = (keep: boolean) => {
      settled = true;
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      opts.signal?.removeEventListener('abort', onAbort);
      if (keep) {
        worker.unref();
        this.idle.push(worker);
      } else {
        this.alive--;
        void worker.terminate();
      }
      this.pump();
    };
    const onMessage = (m: WorkerReply) => {
      if (settled) return;
      if (m.type === 'bytes') opts.onBytes?.(m.bytes);
      else if (m.type === 'done') {
        finish(true);
        resolve(m.result);
      } else {
        finish(true);
        reject(deserializeError(m.error));
      }
    };
    // The thread itself failed (it could not load, or ran out of memory): it is gone.
    const onError = (e: Error) => {
      if (settled) return;
      finish(false);
      reject(e);
    };
    const onExit = (code: number) => {
      if (settled) return;
      finish(false);
      reject(
        new DeckhandError('EINTERNAL', `The layer reader thread stopped (exit code ${code}) while ${doing(job)}.`, {
          detail: { exitCode: code },
        }),
      );
    };
    const onAbort = () => {
      if (settled) return;
      finish(false);
      reject(cancelled(job));
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    opts.onStart?.();
    worker.postMessage(job);
  }
}

let shared: ReaderPool | undefined;

/** Runs a job on a reader thread (worker.ts says what each kind answers). */
export function runOnThread<T>(job: Job, opts: ReadOptions = {}): Promise<T> {
  shared ??= new ReaderPool(Math.max(1, Math.min(2, availableParallelism())));
  return shared.run<T>(job, opts);
}

/** Reads a layer blob on a reader thread; resolves with its cache text (cache.ts). */
export function readOnThread(job: Omit<ReadJob, 'kind'>, opts: ReadOptions = {}): Promise<string> {
  return runOnThread<string>({ kind: 'read', ...job }, opts);
}
