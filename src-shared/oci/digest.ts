/**
 * Content digests, as the OCI image spec defines them:
 * https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
 *
 *   digest    ::= algorithm ":" encoded
 *
 * The spec allows other algorithms in principle; Deckhand accepts only the two registered ones,
 * sha256 (64 lowercase hex) and sha512 (128 lowercase hex), so a digest can always be turned into
 * a blob path (`blobs/<alg>/<hex>`) without any risk of path traversal.
 */
import { DeckhandError } from '../errors.ts';

export type Digest = string;

export type DigestAlgorithm = 'sha256' | 'sha512';

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
}

/** Hex length of the encoded part for each supported algorithm. */
export const DIGEST_HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = { sha256: 64, sha512: 128 };

const DIGEST_RE = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

const EXAMPLE =
  'sha256: followed by 64 lowercase hex characters (or sha512: and 128), e.g. sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Renders an untrusted value for an error message: quoted, control characters escaped, at most ~80 chars. */
export function describeValue(v: unknown, max = 80): string {
  if (typeof v !== 'string') return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
  if (v === '') return 'an empty string';
  const shown = v.length > max ? `${v.slice(0, max)}…` : v;
  return JSON.stringify(shown);
}

function why(s: string): string {
  const colon = s.indexOf(':');
  if (colon < 0) return 'it has no "algorithm:" prefix';
  const alg = s.slice(0, colon);
  const hex = s.slice(colon + 1);
  if (alg !== 'sha256' && alg !== 'sha512') return `the algorithm ${describeValue(alg, 20)} is not supported (only sha256 and sha512 are)`;
  if (/[A-F]/.test(hex) && /^[0-9a-fA-F]*$/.test(hex)) return 'the hex part must be lowercase';
  if (!/^[0-9a-f]*$/.test(hex)) return 'the part after the colon is not hexadecimal';
  return `the hex part has ${hex.length} characters, ${alg} needs ${DIGEST_HEX_LENGTH[alg]}`;
}

/** Parses `sha256:<64 hex>` or `sha512:<128 hex>`; throws DeckhandError('EDIGEST') on anything else. */
export function parseDigest(s: string): ParsedDigest {
  return parseDigestAs(s, 'digest');
}

function parseDigestAs(s: unknown, what: string): ParsedDigest {
  if (typeof s !== 'string' || !DIGEST_RE.test(s)) {
    const reason = typeof s === 'string' && s !== '' ? ` because ${why(s)}` : '';
    throw new DeckhandError('EDIGEST', `Invalid ${what} ${describeValue(s)}${reason}. A digest is ${EXAMPLE}.`, {
      detail: { value: typeof s === 'string' ? s.slice(0, 200) : typeof s, what },
    });
  }
  const colon = s.indexOf(':');
  return { algorithm: s.slice(0, colon) as DigestAlgorithm, hex: s.slice(colon + 1) };
}

export function isDigest(s: unknown): s is string {
  return typeof s === 'string' && DIGEST_RE.test(s);
}

/** Returns `s` if it is a valid digest; `what` names it in the error (e.g. 'layer digest'). */
export function assertDigest(s: unknown, what = 'digest'): string {
  parseDigestAs(s, what);
  return s as string;
}

/** The first `n` hex characters without the algorithm, like docker's short image ID. Lenient on input. */
export function shortDigest(d: string, n = 12): string {
  const colon = d.indexOf(':');
  return (colon >= 0 ? d.slice(colon + 1) : d).slice(0, Math.max(0, n));
}
