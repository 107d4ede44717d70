/**
 * Electron's security checklist, the parts that are pure checks, unit-tested without a binary: a
 * strict CSP and IPC accepted only from the app's own top frame. The window's preferences are
 * written at the BrowserWindow call (window.ts), where Electronegativity checks them.
 * https://www.electronjs.org/docs/latest/tutorial/security
 */
export { CONTENT_SECURITY_POLICY } from '../../src-shared/csp.ts';

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
