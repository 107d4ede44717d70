/**
 * Starting, cancelling and retrying transfers with the window's client. The transfers themselves
 * (their live progress) and the request behind each one are UI state, in the transfers slice.
 */
import { useMemo } from 'react';
import type { DeckhandApi, TransferStarted } from '../../src-shared/ipc/contract.ts';
import { useApi } from '../api/provider.tsx';
import { deckhand } from '../store/index.ts';
import type { TransferRequest } from '../store/transfers.ts';

function send(api: DeckhandApi, request: TransferRequest): Promise<TransferStarted> {
  // One switch keeps each call's input type tied to its name.
  switch (request.call) {
    case 'pull':
      return api.pull(request.input);
    case 'push':
      return api.push(request.input);
    case 'copy':
      return api.copy(request.input);
    case 'load':
      return api.load(request.input);
    case 'save':
      return api.save(request.input);
  }
}

/** Starts a transfer; rejects with the call's error (a bad reference, say) before anything runs. */
export async function startTransfer(api: DeckhandApi, request: TransferRequest): Promise<TransferStarted> {
  const started = await send(api, request);
  deckhand.getState().recordRequest(started.transferId, request);
  return started;
}

/** Starts a failed or cancelled transfer again with its request; the new one replaces its row. */
export async function retryTransfer(api: DeckhandApi, id: string): Promise<TransferStarted | null> {
  const request = deckhand.getState().requests[id];
  if (!request) return null;
  const started = await startTransfer(api, request);
  deckhand.getState().forgetTransfer(id);
  return started;
}

export function useTransferActions() {
  const api = useApi();
  return useMemo(
    () => ({
      startTransfer: (request: TransferRequest) => startTransfer(api, request),
      retryTransfer: (id: string) => retryTransfer(api, id),
      cancelTransfer: async (id: string) => {
        await api.cancelTransfer({ transferId: id });
      },
    }),
    [api],
  );
}
