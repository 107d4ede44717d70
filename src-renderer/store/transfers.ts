/**
 * Every transfer this window has heard of (pull, push, copy, load, save), folded from the
 * contract's events by the pure reducer in transfer-model.ts (each event stamped with the time it
 * arrived, for throughput), plus the request that started each one here, so a failed or cancelled
 * transfer can be retried with the same input (data/transfers.ts starts, retries and cancels them).
 */
import type { CallInput } from '../../src-shared/ipc/contract.ts';
import type { Slice } from './slice.ts';
import { reduceTransfers, type TransferAction, type TransferView } from './transfer-model.ts';

export type TransferRequest =
  | { call: 'pull'; input: CallInput<'pull'> }
  | { call: 'push'; input: CallInput<'push'> }
  | { call: 'copy'; input: CallInput<'copy'> }
  | { call: 'load'; input: CallInput<'load'> }
  | { call: 'save'; input: CallInput<'save'> };

export interface TransfersSlice {
  /** Newest first. */
  transfers: TransferView[];
  requests: Record<string, TransferRequest>;
  applyTransferEvent(action: TransferAction): void;
  /** Remembers the request that started a transfer (for Retry). */
  recordRequest(id: string, request: TransferRequest): void;
  /** Drops a transfer's row and request (a retry's new transfer replaces it). */
  forgetTransfer(id: string): void;
  clearFinished(): void;
}

export const createTransfersSlice: Slice<TransfersSlice> = (set) => ({
  transfers: [],
  requests: {},
  applyTransferEvent: (action) => {
    const stamped: TransferAction = { ...action, now: action.now ?? Date.now() };
    set((s) => ({ transfers: reduceTransfers(s.transfers, stamped) }));
  },
  recordRequest: (id, request) => set((s) => ({ requests: { ...s.requests, [id]: request } })),
  forgetTransfer: (id) =>
    set((s) => ({
      transfers: s.transfers.filter((t) => t.id !== id),
      requests: Object.fromEntries(Object.entries(s.requests).filter(([key]) => key !== id)),
    })),
  clearFinished: () =>
    set((s) => {
      const transfers = s.transfers.filter((t) => t.status === 'running');
      // Keep the requests of transfers still listed (running ones, and any whose start is in flight).
      const gone = new Set(s.transfers.filter((t) => t.status !== 'running').map((t) => t.id));
      const requests = Object.fromEntries(Object.entries(s.requests).filter(([id]) => !gone.has(id)));
      return { transfers, requests };
    }),
});
