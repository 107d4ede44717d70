/**
 * Every transfer this window has heard of (pull, push, copy, load, save), folded from the
 * contract's events by the pure reducer in transfer-model.ts (each event stamped with the time it
 * arrived, for throughput), plus the request that started each one here, so a failed or cancelled
 * transfer can be retried with the same input. A push that succeeds refreshes the destination
 * registry's repository list when the sidebar has it loaded, so a new repository appears.
 */
import type { CallInput, TransferStarted } from '../../src-shared/ipc/contract.ts';
import { api } from '../api/client.ts';
import { parseReference } from '../../src-shared/oci/reference.ts';
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
  /** Starts a failed or cancelled transfer again with its request; the new one replaces its row. */
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

/** The registry host a push wrote to: its request's destination (or source), else the ended event's ref. */
function pushedHost(request: TransferRequest | undefined, ref: string): string | null {
  const target = request?.call === 'push' ? (request.input.destination ?? request.input.source) : ref;
  try {
    return parseReference(target).domain;
  } catch {
    return null;
  }
}

export const createTransfersSlice: Slice<TransfersSlice> = (set, get) => ({
  transfers: [],
  requests: {},
  applyTransferEvent: (action) => {
    const stamped: TransferAction = { ...action, now: action.now ?? Date.now() };
    set((s) => ({ transfers: reduceTransfers(s.transfers, stamped) }));
    if (stamped.event === 'transferEnded' && stamped.payload.kind === 'push' && !stamped.payload.error) {
      const host = pushedHost(get().requests[stamped.payload.transferId], stamped.payload.ref);
      if (host && get().repositories[host]?.items) void get().loadRepositories(host);
    }
  },
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
    if (!request) return null;
    const started = await get().startTransfer(request);
    set((s) => ({
      transfers: s.transfers.filter((t) => t.id !== id),
      requests: Object.fromEntries(Object.entries(s.requests).filter(([key]) => key !== id)),
    }));
    return started;
  },
  clearFinished: () =>
    set((s) => {
      const transfers = s.transfers.filter((t) => t.status === 'running');
      // Keep the requests of transfers still listed (running ones, and any whose start is in flight).
      const gone = new Set(s.transfers.filter((t) => t.status !== 'running').map((t) => t.id));
      const requests = Object.fromEntries(Object.entries(s.requests).filter(([id]) => !gone.has(id)));
      return { transfers, requests };
    }),
});
