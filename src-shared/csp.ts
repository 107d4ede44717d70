/**
 * The renderer's Content-Security-Policy, one definition for every place it is applied: the
 * Electron session's response headers, the web host's HTML responses, and the <meta> tag the
 * build writes into index.html (for file:// loads, which carry no headers). No inline or remote
 * script, no eval; the page talks only to its own origin (which includes ws: to the same host).
 */
const DIRECTIVES = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
];

export const CONTENT_SECURITY_POLICY = [...DIRECTIVES, "frame-ancestors 'none'"].join('; ');

/** For the <meta> tag: frame-ancestors is ignored there (and Chromium logs an error for it). */
export const META_CONTENT_SECURITY_POLICY = DIRECTIVES.join('; ');
