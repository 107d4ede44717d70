/**
 * Runs transfers (pull, push, copy, load, save) in the background of the host: each gets an id, an abort
 * controller and a progress coalescer; its start, batched progress and outcome go out as events.
 */
import { randomUUID } from 'node:crypto';
import { DeckhandError, toWireError } from '../../src-shared/errors.ts';
import type { TransferKind, TransferStarted } from '../../src-shared/ipc/contract.ts';
import type { TransferListener } from '../../src-shared/transfer.ts';
import { ProgressCoalescer } from './coalesce.ts';
import type { EventHub } from './events.ts';

/** A transfer's work; it resolves to the digest it produced (the first image's for a load or save; null when none). */
export type TransferRun = (onEvent: TransferListener, signal: AbortSignal) => Promise<{ digest: string | null }>;

interface Active {
  controller: AbortController;
  done: Promise<void>;
}

export class TransferManager {
  private readonly active = new Map<string, Active>();
  private readonly hub: EventHub;
  private readonly intervalMs: number;

  constructor(hub: EventHub, intervalMs = 100) {
    this.hub = hub;
    this.intervalMs = intervalMs;
  }

  start(kind: TransferKind, ref: string, run: TransferRun): TransferStarted {
    const transferId = randomUUID();
    const controller = new AbortController();
    const progress = new ProgressCoalescer((events) => this.hub.emit('transferProgress', { transferId, events }), this.intervalMs);
    this.hub.emit('transferStarted', { transferId, kind, ref });
    const done = Promise.resolve()
      .then(() => run(progress.push, controller.signal))
      .then(
        (r) => ({ digest: r.digest, error: null }),
        // Whatever a cancelled run threw (an AbortError from a stream, say), the transfer was cancelled.
        (e: unknown) => ({
          digest: null,
          error: toWireError(
            controller.signal.aborted && !(e instanceof DeckhandError)
              ? new DeckhandError('ECANCELLED', `The ${kind} of ${ref} was cancelled.`, { cause: e })
              : e,
          ),
        }),
      )
      .then((outcome) => {
        progress.close();
        this.active.delete(transferId);
        this.hub.emit('transferEnded', { transferId, kind, ref, ...outcome });
      });
    this.active.set(transferId, { controller, done });
    return { transferId };
  }

  cancel(transferId: string): boolean {
    const t = this.active.get(transferId);
    t?.controller.abort();
    return t !== undefined;
  }

  get size(): number {
    return this.active.size;
  }

  /** Cancels every running transfer and waits until each has ended. */
  async close(): Promise<void> {
    const all = [...this.active.values()];
    for (const t of all) t.controller.abort();
    await Promise.all(all.map((t) => t.done));
  }
}
