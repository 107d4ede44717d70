/**
 * The renderer's typed client of the main side. In the Electron app the sandboxed preload provides
 * `window.deckhand`; in a browser served by `deckhand serve` the web transport carries the same
 * calls. Either way the methods come from the contract, and events are checked against it.
 *
 * main.tsx makes one client and hands it down through ApiProvider (provider.tsx); components take
 * it with useApi(), and tests pass a fake the same way.
 */
import type { DeckhandApi, RawApi } from '../../src-shared/ipc/contract.ts';
import { clientApi } from '../../src-shared/ipc/proxy.ts';
import { webRawApi } from './web-transport.ts';

declare global {
  interface Window {
    deckhand?: RawApi;
  }
}

/** The window's client: the preload's API in the app, the web transport in a browser. */
export function createApi(): DeckhandApi {
  return clientApi(window.deckhand ?? webRawApi(window.location.href), (problem) => console.error(`Deckhand: ${problem}`));
}
