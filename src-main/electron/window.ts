/**
 * The app window and the app-wide security handlers from Electron's checklist: no navigation,
 * no new windows, no webviews, every permission denied, the CSP on every response.
 */
import { BrowserWindow, type Session, type WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from './security.ts';

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
    // The policy is src-shared/csp.ts's constant, which the scanner cannot read from here; it
    // judges the same policy where the build writes it into index.html, and security.test.ts checks it.
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } }); // eng-disable CSP_GLOBAL_CHECK
  });
}

export function createWindow(rendererFile: string, preloadFile: string): BrowserWindow {
  // Written out here, at the call, so that Electronegativity (in `npm run lint`) checks each one.
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    title: 'Deckhand',
    show: false,
    webPreferences: {
      // Reviewed: the sandboxed preload (preload.ts) exposes only the contract's named calls and
      // events as payloads, never ipcRenderer or an event object.
      preload: preloadFile, // eng-disable PRELOAD_JS_CHECK
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      // A middle click on a link would otherwise try to open it in a new window.
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadFile(rendererFile);
  return win;
}
