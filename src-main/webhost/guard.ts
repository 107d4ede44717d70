/**
 * The web host's gatekeeping as pure functions: a random per-run token that every path must start
 * with, a Host header that must name the loopback interface (so a DNS-rebound name cannot reach
 * us), and an Origin that, when a browser sends one, must be this very host.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokenMatches(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Splits `/<token>/rest?query` into the rest (`''` for the index), or null when the token is
 * missing or wrong. `redirect` is set for `/<token>` without its slash.
 */
export function routeOf(url: string, token: string): { rest: string; redirect: boolean } | null {
  const path = url.split('?')[0]!;
  const m = /^\/([^/]+)(\/.*)?$/.exec(path);
  if (!m || !tokenMatches(m[1]!, token)) return null;
  if (m[2] === undefined) return { rest: '', redirect: true };
  return { rest: m[2].slice(1), redirect: false };
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

function hostnameOf(hostHeader: string): string | null {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return null;
  }
}

/**
 * The Host header names the loopback address this host serves on (any port: an SSH tunnel may remap
 * it). Narrower than the registry's notion of loopback: only the names in LOOPBACK_NAMES, so a DNS
 * rebinding name never passes.
 */
export function isLoopbackHostHeader(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const name = hostnameOf(hostHeader);
  return name !== null && LOOPBACK_NAMES.has(name);
}

/** No Origin (not a browser, or a same-origin GET), or exactly the origin of the page this host serves. */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!hostHeader || !isLoopbackHostHeader(hostHeader)) return false;
  return origin === `http://${hostHeader}`;
}
