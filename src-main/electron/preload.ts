/**
 * The sandboxed preload: exposes one object, `window.deckhand`, with one named method per call of
 * the contract plus `on(event, listener)`, all derived from the contract by rawApi. The page never
 * gets ipcRenderer or an IPC event object, only payloads.
 */
import { contextBridge, ipcRenderer } from 'electron';
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
contextBridge.exposeInMainWorld('deckhand', api);
