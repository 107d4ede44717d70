/**
 * The sandboxed preload: exposes one object, `window.deckhand`, with one named method per call
 * of the contract (derived from CALLS, never ipcRenderer itself).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { CALLS, channelOf, type CallResult, type DeckhandApi } from '../../src-shared/ipc/contract.ts';

const api: Record<string, () => Promise<unknown>> = {};
for (const call of CALLS) {
  api[call] = async () => {
    const result = (await ipcRenderer.invoke(channelOf(call))) as CallResult<unknown>;
    if (result.ok) return result.value;
    throw Object.assign(new Error(result.error.message), { code: result.error.code });
  };
}
contextBridge.exposeInMainWorld('deckhand', api as unknown as DeckhandApi);
