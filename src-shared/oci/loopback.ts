/**
 * Which registry hosts are on this machine's loopback (all of 127/8, ::1, localhost and
 * *.localhost). The engine reaches them over plain HTTP first, as Docker does
 * (src-main/engine/registry/endpoint.ts); the app says so in the registry settings and the pull
 * dialog. One rule for both, here, with no node: imports.
 */

/** The host name of `host[:port]` or `[v6]:port`. */
export function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** A registry host on this machine's loopback: reached over plain HTTP first. */
export function isLoopbackRegistryHost(host: string): boolean {
  const name = hostnameOf(host).toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (IPV4.test(name)) return name.startsWith('127.');
  return name === '::1' || name === '0:0:0:0:0:0:0:1';
}
