/**
 * The Electron entry: one window, locked down per Electron's security checklist, and the IPC
 * handlers of the contract. Wiring only; the work is the engine's.
 */
import { app, BrowserWindow, ipcMain, session, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CALLS, channelOf, type CallResult, type DeckhandApi } from '../../src-shared/ipc/contract.ts';
import { DeckhandError } from '../../src-shared/errors.ts';
import { Store } from '../engine/store/layout.ts';
import { resolveStoreDir } from '../engine/store/location.ts';
import { listImages } from '../engine/insight/images.ts';
import { CONTENT_SECURITY_POLICY, isTrustedSender, webPreferences } from './security.ts';

const rendererFile = join(__dirname, 'renderer', 'index.html');
const appUrl = pathToFileURL(rendererFile).href;
const storeDir = resolveStoreDir(undefined);
let storePromise: Promise<Store> | undefined;
const store = () => (storePromise ??= Store.open(storeDir));

const handlers: DeckhandApi = {
  listImages: async () => listImages(await store()),
  storeLocation: async () => storeDir,
};

function register(): void {
  for (const call of CALLS) {
    ipcMain.handle(channelOf(call), async (event: IpcMainInvokeEvent): Promise<CallResult<unknown>> => {
      if (!isTrustedSender(event.senderFrame?.url, appUrl, event.senderFrame === event.sender.mainFrame)) {
        return { ok: false, error: { code: 'EFORBIDDEN', message: 'This frame may not call Deckhand.' } };
      }
      try {
        return { ok: true, value: await handlers[call]() };
      } catch (e) {
        const code = e instanceof DeckhandError ? e.code : 'EINTERNAL';
        return { ok: false, error: { code, message: (e as Error).message } };
      }
    });
  }
}

function createWindow(): void {
  const win = new BrowserWindow({ width: 1280, height: 800, title: 'Deckhand', webPreferences: webPreferences(join(__dirname, 'preload.cjs')) });
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void win.loadFile(rendererFile);
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault());
});

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  register();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
