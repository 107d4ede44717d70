/**
 * The app window and the app-wide security handlers from Electron's checklist: no navigation,
 * no new windows, no webviews, every permission denied, the CSP on every response.
 */
import { BrowserWindow, type Session, type WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY, webPreferences } from './security.ts';

export function lockDownContents(contents: WebContents): void {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function lockDownSession(session: Session): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

export function createWindow(rendererFile: string, preloadFile: string): BrowserWindow {
  const win = new BrowserWindow({ width: 1280, height: 800, title: 'Deckhand', show: false, webPreferences: webPreferences(preloadFile) });
  win.once('ready-to-show', () => win.show());
  void win.loadFile(rendererFile);
  return win;
}
