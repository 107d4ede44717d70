/**
 * Property-based tests: malformed input to the parsers always gives a typed DeckhandError, never
 * another exception or a hang. DECKHAND_FUZZ_RUNS raises the number of cases (the reliability run
 * uses 20,000; npm test uses 500).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DeckhandError } from '../errors.ts';
import { parseDigest } from './digest.ts';
import { formatReference, parseReference, parseTaggedName } from './reference.ts';
import { parseManifestDocument } from './manifest.ts';
import { parseImageConfig } from './config.ts';
import { parsePlatform } from './platform.ts';

const RUNS = Number(process.env.DECKHAND_FUZZ_RUNS ?? 500);

/** Calls `fn`; anything it throws must be a DeckhandError. */
function typedOrOk(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    return e instanceof DeckhandError;
  }
}

const refLike = fc.oneof(
  fc.string(),
  fc.stringMatching(/^[a-zA-Z0-9._:/@-]{0,80}$/),
  fc.tuple(fc.constantFrom('', 'docker.io/', 'localhost:5000/', 'reg.example/'), fc.stringMatching(/^[a-z0-9._/-]{0,40}$/), fc.constantFrom('', ':latest', ':1.0', '@sha256:', `@sha256:${'a'.repeat(64)}`, ':@')).map(([a, b, c]) => `${a}${b}${c}`),
);

test('references: typed error or a normalized reference that formats back to itself', () => {
  fc.assert(
    fc.property(refLike, (s) => {
      if (!typedOrOk(() => parseTaggedName(s))) return false;
      try {
        const r = parseReference(s);
        assert.deepEqual(parseReference(formatReference(r)), r);
        return true;
      } catch (e) {
        return e instanceof DeckhandError;
      }
    }),
    { numRuns: RUNS },
  );
});

test('digests: only sha256/sha512 hex of the right length pass; nothing else escapes as a path', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.stringMatching(/^(sha256|sha512|md5):[0-9a-fA-F./]{0,130}$/)), (s) => {
      try {
        const d = parseDigest(s);
        return /^[0-9a-f]+$/.test(d.hex) && !d.hex.includes('/') && !d.hex.includes('.');
      } catch (e) {
        return e instanceof DeckhandError;
      }
    }),
    { numRuns: RUNS },
  );
});

const jsonish = fc.oneof(
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify({ schemaVersion: 2, manifests: v })),
  fc.jsonValue().map((v) => JSON.stringify({ schemaVersion: 2, config: v, layers: [v] })),
  fc.record({ schemaVersion: fc.constantFrom(1, 2, '2', null), mediaType: fc.option(fc.string()), config: fc.option(fc.jsonValue()), layers: fc.option(fc.array(fc.jsonValue())), manifests: fc.option(fc.array(fc.jsonValue())) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
);
const contentType = fc.option(fc.constantFrom('application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.v2+json', 'application/json', 'text/html'), { nil: undefined });

test('manifests and indexes: typed error or a document of the kind its media type says', () => {
  fc.assert(fc.property(jsonish, contentType, (text, ct) => typedOrOk(() => parseManifestDocument(Buffer.from(text), ct))), { numRuns: RUNS });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), contentType, (bytes, ct) => typedOrOk(() => parseManifestDocument(bytes, ct))), { numRuns: RUNS });
});

test('image configs and platforms: typed error or a value', () => {
  fc.assert(
    fc.property(fc.oneof(jsonish, fc.jsonValue().map((v) => JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: v }, history: v, config: v }))), (text) => typedOrOk(() => parseImageConfig(Buffer.from(text)))),
    { numRuns: RUNS },
  );
  fc.assert(fc.property(fc.string(), (s) => typedOrOk(() => parsePlatform(s))), { numRuns: RUNS });
});

test('a known-good reference survives the round trip', () => {
  assert.equal(parseReference('alpine').path, 'library/alpine');
});
