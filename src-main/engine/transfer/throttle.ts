/**
 * Coalesces byte-progress updates to at most one per `intervalMs` per key; state changes and final
 * figures always go through, so listeners see every transition and the last number.
 */
import type { TransferEvent, TransferListener } from '../../../src-shared/transfer.ts';

export function throttleProgress(listener: TransferListener | undefined, intervalMs = 100): TransferListener {
  if (!listener) return () => undefined;
  const last = new Map<string, { at: number; state: string }>();
  return (event: TransferEvent) => {
    if (event.type !== 'blob') return listener(event);
    const prev = last.get(event.digest);
    const now = Date.now();
    const passthrough = !prev || prev.state !== event.state || event.done === event.total || now - prev.at >= intervalMs;
    if (!passthrough) return;
    last.set(event.digest, { at: now, state: event.state });
    listener(event);
  };
}
