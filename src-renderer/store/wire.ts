/**
 * Connects the contract's events to the store's actions, once per window: transfer events fold
 * into the transfers slice; a store change refetches the image rows and marks the other views stale.
 */
import type { DeckhandApi } from '../../src-shared/ipc/contract.ts';
import { deckhand } from './index.ts';

export function wireEvents(api: DeckhandApi): () => void {
  const s = deckhand.getState;
  const offs = [
    api.on('transferStarted', (payload) => s().applyTransferEvent({ event: 'transferStarted', payload })),
    api.on('transferProgress', (payload) => s().applyTransferEvent({ event: 'transferProgress', payload })),
    api.on('transferEnded', (payload) => s().applyTransferEvent({ event: 'transferEnded', payload })),
    api.on('storeChanged', () => s().storeChanged()),
  ];
  return () => offs.forEach((off) => off());
}
