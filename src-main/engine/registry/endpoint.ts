/**
 * Which URL a registry host is reached at. As Docker does, plain HTTP is used automatically only
 * for loopback registries (127.0.0.0/8, ::1, localhost); any other host is HTTPS with verified TLS
 * unless the user turns verification off for it (`--tls-verify=false`), in which case HTTPS
 * without verification is tried first and plain HTTP after. A loopback registry that serves only
 * HTTPS answers the plain-HTTP try with a 400 (Go's "Client sent an HTTP request to an HTTPS server")
 * or drops it, and the HTTPS candidate, with the host's certs.d, follows.
 */
import { hostnameOf, isLoopbackRegistryHost } from '../../../src-shared/oci/loopback.ts';

// The rule is shared with the app, which says what happens (registry settings, pull dialog).
export { hostnameOf, isLoopbackRegistryHost };

export interface Endpoint {
  /** Base URL without trailing slash, e.g. `https://registry-1.docker.io`. */
  base: string;
  /** Verify the server's TLS certificate. */
  verifyTls: boolean;
}

/** The API host for a reference's domain: docker.io is served from registry-1.docker.io. */
export function apiHost(domain: string): string {
  return domain === 'docker.io' ? 'registry-1.docker.io' : domain;
}

/** Candidate endpoints for a registry host, in the order to try them. */
export function endpointsFor(domain: string, opts: { tlsVerify?: boolean } = {}): Endpoint[] {
  const host = apiHost(domain);
  if (isLoopbackRegistryHost(host))
    return [
      { base: `http://${host}`, verifyTls: true },
      { base: `https://${host}`, verifyTls: opts.tlsVerify !== false },
    ];
  if (opts.tlsVerify === false)
    return [
      { base: `https://${host}`, verifyTls: false },
      { base: `http://${host}`, verifyTls: false },
    ];
  return [{ base: `https://${host}`, verifyTls: true }];
}
