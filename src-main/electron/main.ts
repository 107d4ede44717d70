/**
 * The Electron entry: one sandboxed window, the app-wide security handlers, and the contract's
 * IPC over the shared host. Wiring only; the work is the engine's.
 */
import { app, BrowserWindow, ipcMain, safeStorage, session } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveStoreDir } from '../engine/store/location.ts';
import { createHost } from '../host/host.ts';
import { appFrameOnly, forwardEvents, registerCalls } from './ipc.ts';
import { keychainFile, safeStorageCipher } from './keychain.ts';
import { createWindow, lockDownContents, lockDownSession } from './window.ts';

const rendererFile = join(__dirname, 'renderer', 'index.html');
const preloadFile = join(__dirname, 'preload.cjs');
// Logins saved in the app go to a credential helper, else are encrypted with the OS keychain (never plain text).
const host = createHost({
  kind: 'electron',
  storeDir: resolveStoreDir(undefined),
  keychain: { file: keychainFile(app.getPath('userData')), cipher: safeStorageCipher(safeStorage) },
});

app.enableSandbox();
app.on('web-contents-created', (_e, contents) => lockDownContents(contents));

void app.whenReady().then(() => {
  lockDownSession(session.defaultSession);
  registerCalls(ipcMain, host.dispatch, appFrameOnly(pathToFileURL(rendererFile).href));
  forwardEvents(host.events, () => BrowserWindow.getAllWindows().map((w) => w.webContents));
  // Each window counts as connected while open (the host watches engines' event streams meanwhile).
  const open = () => createWindow(rendererFile, preloadFile).once('closed', host.events.connected());
  open();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// Running transfers are cancelled (their partial downloads stay for a resume) before the app exits.
let closing = false;
app.on('will-quit', (e) => {
  if (closing) return;
  closing = true;
  e.preventDefault();
  void host.close().finally(() => app.quit());
});
