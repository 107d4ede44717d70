/**
 * Upload session URLs come from the registry's `Location` header. They may be relative (resolved
 * against the URL that answered) or point at another host (a storage frontend); one that points a
 * public registry at a private or loopback address is refused, since following it would let a
 * registry aim our requests (and the blob bytes) into the user's own network. This looks at the
 * URL only; the addresses a host name resolves to are checked when connecting (http.ts).
 */
import { BlockList, isIP } from 'node:net';
import { DeckhandError } from '../../../src-shared/errors.ts';

/** Loopback, private (RFC 1918, ULA), link-local, carrier-grade NAT and unspecified addresses; IPv4-mapped IPv6 addresses match the IPv4 ranges. */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** True for an IP address (no brackets) in the ranges above; false for anything else, names included. */
export function isPrivateAddress(address: string): boolean {
  const kind = isIP(address);
  return kind !== 0 && PRIVATE.check(address, kind === 6 ? 'ipv6' : 'ipv4');
}

/** True for loopback, private, link-local and carrier-grade NAT addresses, and `localhost`. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host);
}

export function checkLocation(location: string | undefined, requestUrl: URL, registry: URL): URL {
  if (!location)
    throw new DeckhandError(
      'EREGISTRY',
      `${registry.host} opened an upload without a Location header; it does not follow the distribution spec.`,
    );
  let url: URL;
  try {
    url = new URL(location, requestUrl);
  } catch {
    throw new DeckhandError('EREGISTRY', `${registry.host} gave an upload Location that is not a URL (${location.slice(0, 100)}).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new DeckhandError('EREGISTRY', `${registry.host} gave an upload Location with scheme ${url.protocol}; refusing it.`);
  if (registry.protocol === 'https:' && url.protocol === 'http:')
    throw new DeckhandError('EREGISTRY', `${registry.host} moved an upload from HTTPS to plain HTTP (${url.host}); refusing to downgrade.`);
  if (url.host !== registry.host && isPrivateHost(url.hostname) && !isPrivateHost(registry.hostname)) {
    throw new DeckhandError(
      'EREGISTRY',
      `${registry.host} pointed an upload at a private address (${url.host}); refusing to send data there. If this is intended, push to that host directly.`,
      { detail: { location: url.href } },
    );
  }
  return url;
}
