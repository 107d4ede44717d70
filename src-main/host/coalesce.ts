/**
 * Coalesces one transfer's engine events into batches, at most one batch per `intervalMs`, so a
 * 200-layer pull sends about ten messages a second instead of thousands. Within a batch each blob
 * (and an engine's export or load) keeps only its latest event; every other event (resolved, retry, done, error) is kept in order.
 * `close()` delivers whatever is pending at once, so final states always arrive.
 */
import type { TransferEvent } from '../../src-shared/transfer.ts';

export class ProgressCoalescer {
  private readonly pending = new Map<string, TransferEvent>();
  private readonly deliver: (events: TransferEvent[]) => void;
  private readonly intervalMs: number;
  private seq = 0;
  private lastFlush = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(deliver: (events: TransferEvent[]) => void, intervalMs = 100) {
    this.deliver = deliver;
    this.intervalMs = intervalMs;
  }

  readonly push = (event: TransferEvent): void => {
    if (this.closed) return;
    const key = event.type === 'blob' ? `blob ${event.digest}` : event.type === 'engine' ? `engine ${event.phase}` : `#${this.seq++}`;
    // Re-inserting moves the blob behind events that came before its newest state.
    this.pending.delete(key);
    this.pending.set(key, event);
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.lastFlush + this.intervalMs - performance.now()));
  };

  /** Delivers what is pending and stops accepting events. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const events = [...this.pending.values()];
    this.pending.clear();
    this.lastFlush = performance.now();
    this.deliver(events);
  }
}
