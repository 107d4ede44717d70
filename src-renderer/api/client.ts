/**
 * The renderer's typed client of the main side. In the Electron app the sandboxed preload provides
 * `window.deckhand`; in a browser served by `deckhand serve` the web transport carries the same
 * calls. Either way the methods come from the contract, and events are checked against it.
 */
import type { DeckhandApi, RawApi } from '../../src-shared/ipc/contract.ts';
import { clientApi } from '../../src-shared/ipc/proxy.ts';
import { webRawApi } from './web-transport.ts';

declare global {
  interface Window {
    deckhand?: RawApi;
  }
}

let client: DeckhandApi | undefined;

export function api(): DeckhandApi {
  client ??= clientApi(window.deckhand ?? webRawApi(window.location.href), (problem) => console.error(`Deckhand: ${problem}`));
  return client;
}
