/** The typed client of the main side: the preload's `window.deckhand` object. */
import type { DeckhandApi } from '../../src-shared/ipc/contract.ts';

declare global {
  interface Window {
    deckhand?: DeckhandApi;
  }
}

export function api(): DeckhandApi {
  if (!window.deckhand) throw new Error('Deckhand API not available: the page was not loaded by the Deckhand app.');
  return window.deckhand;
}
