/**
 * The sandboxed preload: exposes one object, `window.deckhand`, with one named method per call of
 * the contract plus `on(event, listener)`, all derived from the contract by rawApi, and
 * `pathForFile(file)`, the path of a file dropped on the page (so a dropped archive can be loaded
 * where it lies). The page never gets ipcRenderer, webUtils or an IPC event object, only payloads.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { callChannel, eventChannel, type CallResult } from '../../src-shared/ipc/contract.ts';
import { rawApi } from '../../src-shared/ipc/proxy.ts';

const api = rawApi(
  (call, input) => ipcRenderer.invoke(callChannel(call), input) as Promise<CallResult<unknown>>,
  (event, listener) => {
    const channel = eventChannel(event);
    const handler = (_e: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => void ipcRenderer.removeListener(channel, handler);
  },
);
/** The local path of a File the user dropped or picked ('' for a file that has none, such as one built in the page). */
function pathForFile(file: File): string {
  return webUtils.getPathForFile(file);
}

contextBridge.exposeInMainWorld('deckhand', { ...api, pathForFile });
