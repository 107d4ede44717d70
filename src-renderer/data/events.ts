/**
 * Connects the contract's events, once per window: transfer events fold into the transfers slice
 * (live progress is UI state); storeChanged invalidates the store's queries, engineChanged one
 * engine's, enginesChanged the list of engines and the engines' views (one may answer again); a
 * copy into an engine refreshes that engine when it ends; a push that succeeded
 * refetches the destination registry's repository list where the sidebar has loaded it, so a new
 * repository appears.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { DeckhandApi } from '../../src-shared/ipc/contract.ts';
import { parseReference } from '../../src-shared/oci/reference.ts';
import { deckhand } from '../store/index.ts';
import type { TransferRequest } from '../store/transfers.ts';
import { mergeFreshness } from './freshness.ts';
import { keys } from './keys.ts';
import { sourceChanged } from './queries.ts';

/** The registry host a push wrote to: its request's destination (or source), else the ended event's ref. */
export function pushedHost(request: TransferRequest | undefined, ref: string): string | null {
  const target = request?.call === 'push' ? (request.input.destination ?? request.input.source) : ref;
  try {
    return parseReference(target).domain;
  } catch {
    return null;
  }
}

export function wireEvents(api: DeckhandApi, client: QueryClient): () => void {
  const s = deckhand.getState;
  const offs = [
    api.on('transferStarted', (payload) => s().applyTransferEvent({ event: 'transferStarted', payload })),
    api.on('transferProgress', (payload) => s().applyTransferEvent({ event: 'transferProgress', payload })),
    api.on('transferEnded', (payload) => {
      s().applyTransferEvent({ event: 'transferEnded', payload });
      const request = s().requests[payload.transferId];
      if (request?.call === 'copy' && request.input.destinationEngine && !payload.error)
        void sourceChanged(client, request.input.destinationEngine);
      if (payload.kind !== 'push' || payload.error) return;
      const host = pushedHost(s().requests[payload.transferId], payload.ref);
      if (host) void client.refetchQueries({ queryKey: keys.repositories(host) });
    }),
    api.on('storeChanged', () => void sourceChanged(client)),
    api.on('freshnessChanged', ({ results }) => mergeFreshness(client, results)),
    // An engine's event stream: only that engine's queries.
    api.on('engineChanged', ({ source }) => void sourceChanged(client, source)),
    // An engine came, went, stopped or answers again: the list, and whatever was read (or failed) from engines.
    api.on('enginesChanged', () => {
      void client.invalidateQueries({ queryKey: keys.engines() });
      void client.invalidateQueries({ queryKey: ['engine'] });
    }),
  ];
  return () => offs.forEach((off) => off());
}
