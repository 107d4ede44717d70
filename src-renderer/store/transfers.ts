/**
 * Every transfer this window has heard of (pull, push, copy, load, save), folded from the
 * contract's events by the pure reducer in transfer-model.ts, plus the request that started each
 * one here, so a failed or cancelled transfer can be retried with the same input.
 */
import type { CallInput, TransferStarted } from '../../src-shared/ipc/contract.ts';
import { api } from '../api/client.ts';
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
  /** Starts a transfer; rejects with the call's error (a bad reference, say) before anything runs. */
  startTransfer(request: TransferRequest): Promise<TransferStarted>;
  cancelTransfer(id: string): Promise<void>;
  retryTransfer(id: string): Promise<TransferStarted | null>;
  clearFinished(): void;
}

function send(request: TransferRequest): Promise<TransferStarted> {
  // One switch keeps each call's input type tied to its name.
  switch (request.call) {
    case 'pull':
      return api().pull(request.input);
    case 'push':
      return api().push(request.input);
    case 'copy':
      return api().copy(request.input);
    case 'load':
      return api().load(request.input);
    case 'save':
      return api().save(request.input);
  }
}

export const createTransfersSlice: Slice<TransfersSlice> = (set, get) => ({
  transfers: [],
  requests: {},
  applyTransferEvent: (action) => set((s) => ({ transfers: reduceTransfers(s.transfers, action) })),
  startTransfer: async (request) => {
    const started = await send(request);
    set((s) => ({ requests: { ...s.requests, [started.transferId]: request } }));
    return started;
  },
  cancelTransfer: async (id) => {
    await api().cancelTransfer({ transferId: id });
  },
  retryTransfer: async (id) => {
    const request = get().requests[id];
    return request ? get().startTransfer(request) : null;
  },
  clearFinished: () => set((s) => ({ transfers: s.transfers.filter((t) => t.status === 'running') })),
});
