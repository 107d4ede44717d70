/**
 * Upload session URLs come from the registry's `Location` header. They may be relative (resolved
 * against the URL that answered) or point at another host (a storage frontend); one that points a
 * public registry at a private or loopback address is refused, since following it would let a
 * registry aim our requests (and the blob bytes) into the user's own network.
 */
import { isIP } from 'node:net';
import { DeckhandError } from '../../../src-shared/errors.ts';

function ipv4Private(ip: string): boolean {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
}

function ipv6Private(ip: string): boolean {
  const v = ip.toLowerCase();
  if (v === '::1' || v === '::') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v);
  if (mapped) return ipv4Private(mapped[1]!);
  // WHATWG URLs print IPv4-mapped addresses in hex (::ffff:a00:1 for 10.0.0.1).
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return ipv4Private(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  return /^f[cd]/.test(v) || /^fe[89ab]/.test(v);
}

/** True for loopback, private, link-local and carrier-grade NAT addresses, and `localhost`. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const kind = isIP(host);
  if (kind === 4) return ipv4Private(host);
  if (kind === 6) return ipv6Private(host);
  return false;
}

export function checkLocation(location: string | undefined, requestUrl: URL, registry: URL): URL {
  if (!location) throw new DeckhandError('EREGISTRY', `${registry.host} opened an upload without a Location header; it does not follow the distribution spec.`);
  let url: URL;
  try {
    url = new URL(location, requestUrl);
  } catch {
    throw new DeckhandError('EREGISTRY', `${registry.host} gave an upload Location that is not a URL (${location.slice(0, 100)}).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DeckhandError('EREGISTRY', `${registry.host} gave an upload Location with scheme ${url.protocol}; refusing it.`);
  if (registry.protocol === 'https:' && url.protocol === 'http:') throw new DeckhandError('EREGISTRY', `${registry.host} moved an upload from HTTPS to plain HTTP (${url.host}); refusing to downgrade.`);
  if (url.host !== registry.host && isPrivateHost(url.hostname) && !isPrivateHost(registry.hostname)) {
    throw new DeckhandError('EREGISTRY', `${registry.host} pointed an upload at a private address (${url.host}); refusing to send data there. If this is intended, push to that host directly.`, { detail: { location: url.href } });
  }
  return url;
}
