/**
 * Electron's security checklist as data and pure checks, so they are unit-tested without a
 * binary: sandboxed, context-isolated renderer; a strict CSP; no navigation or new windows; IPC
 * accepted only from the app's own top frame.
 * https://www.electronjs.org/docs/latest/tutorial/security
 */
export { CONTENT_SECURITY_POLICY } from '../../src-shared/csp.ts';

export function webPreferences(preload: string) {
  return {
    preload,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  } as const;
}

/** The renderer is loaded from this file URL; only frames at exactly this URL may call the main side. */
export function isTrustedSender(senderUrl: string | undefined, appUrl: string, isMainFrame: boolean): boolean {
  if (!isMainFrame || !senderUrl) return false;
  try {
    const a = new URL(senderUrl);
    const b = new URL(appUrl);
    return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
  } catch {
    return false;
  }
}
