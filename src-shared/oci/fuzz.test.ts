/**
 * Property-based tests: malformed input to the parsers always gives a typed DeckhandError, never
 * another exception or a hang; references (random strings and canonical ones built from the
 * grammar) format and parse back to themselves, with EREFERENCE as the only accepted error.
 * DECKHAND_FUZZ_RUNS raises the number of cases (the reliability run uses 20,000; npm test uses 500).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DeckhandError } from '../errors.ts';
import { parseDigest } from './digest.ts';
import { formatReference, NAME_TOTAL_LENGTH_MAX, parseReference, parseTaggedName, type ImageReference } from './reference.ts';
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
  fc
    .tuple(
      fc.constantFrom('', 'docker.io/', 'index.docker.io/', 'localhost:5000/', 'reg.example/', 'Reg.Example:443/', '[::1]:5000/'),
      fc.stringMatching(/^[a-zA-Z0-9._/-]{0,40}$/),
      fc.constantFrom('', ':latest', ':1.0', '@sha256:', `@sha256:${'a'.repeat(64)}`, `:1.0@sha256:${'b'.repeat(64)}`, ':@'),
    )
    .map(([a, b, c]) => `${a}${b}${c}`),
);

/** Throws unless `e` is the reference error: any other DeckhandError is a bug too. */
function assertEREFERENCE(e: unknown, s: string): void {
  assert.ok(e instanceof DeckhandError && e.code === 'EREFERENCE', `${JSON.stringify(s)} threw ${String(e)}, not EREFERENCE`);
}

/** A parsed reference formats to a string that parses back to it (no catch here: a formatted reference that does not parse fails). */
function assertRoundTrip(r: ImageReference): void {
  const text = formatReference(r);
  assert.deepEqual(
    parseReference(text, { defaultTag: false }),
    r,
    `${JSON.stringify(text)} does not parse back to what it was formatted from`,
  );
  assert.equal(formatReference(parseReference(text, { defaultTag: false })), text);
}

test('references: a string either throws EREFERENCE or parses to a reference that formats and parses back to itself', () => {
  fc.assert(
    fc.property(refLike, (s) => {
      let r: ImageReference;
      try {
        r = parseReference(s);
      } catch (e) {
        assertEREFERENCE(e, s);
        return;
      }
      assertRoundTrip(r);
      let named: ReturnType<typeof parseTaggedName>;
      try {
        named = parseTaggedName(s);
      } catch (e) {
        assertEREFERENCE(e, s);
        return;
      }
      if (!('bareTag' in named)) assertRoundTrip(named);
    }),
    { numRuns: RUNS },
  );
});

// Canonical references built from the grammar's parts (reference.ts): a registry that reads as one
// (has a "." or a port, is localhost or an [IPv6] address) and is not index.docker.io, a path that
// docker.io would not prefix with library/, an optional tag and digest.
const domainComponent = fc.stringMatching(/^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,10}[a-zA-Z0-9])$/);
const host = fc.oneof(
  fc.array(domainComponent, { minLength: 2, maxLength: 4 }).map((c) => c.join('.')),
  fc.constant('localhost'),
  fc.stringMatching(/^\[[a-fA-F0-9]{0,4}(?::[a-fA-F0-9]{0,4}){1,7}\]$/),
  fc.constantFrom('docker.io', 'ghcr.io', 'Reg.Example'),
);
const domain = fc
  .oneof(
    host,
    fc.tuple(fc.oneof(host, domainComponent), fc.integer({ min: 0, max: 65535 })).map(([h, p]) => `${h}:${p}`),
  )
  .filter((d) => d !== 'index.docker.io');
const pathComponent = fc.stringMatching(/^[a-z0-9]{1,8}(?:(?:[._]|__|-{1,3})[a-z0-9]{1,8}){0,3}$/);
const canonicalRef = fc
  .record(
    {
      domain,
      path: fc.array(pathComponent, { minLength: 1, maxLength: 4 }).map((c) => c.join('/')),
      tag: fc.stringMatching(/^\w[\w.-]{0,127}$/),
      digest: fc.oneof(
        fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`),
        fc.stringMatching(/^[a-f0-9]{128}$/).map((h) => `sha512:${h}`),
      ),
    },
    { requiredKeys: ['domain', 'path'], noNullPrototype: true },
  )
  .filter((r) => !(r.domain === 'docker.io' && !r.path.includes('/')) && r.domain.length + 1 + r.path.length <= NAME_TOTAL_LENGTH_MAX);

test('references: every canonical reference formats to a string that parses back to exactly it', () => {
  fc.assert(
    fc.property(canonicalRef, (r: ImageReference) => {
      assertRoundTrip(r);
      const text = formatReference(r);
      assert.deepEqual(parseTaggedName(text), r);
      if (r.tag !== undefined || r.digest !== undefined) assert.deepEqual(parseReference(text), r);
      else assert.deepEqual(parseReference(text), { ...r, tag: 'latest' });
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
  fc
    .record(
      {
        schemaVersion: fc.constantFrom(1, 2, '2', null),
        mediaType: fc.option(fc.string()),
        config: fc.option(fc.jsonValue()),
        layers: fc.option(fc.array(fc.jsonValue())),
        manifests: fc.option(fc.array(fc.jsonValue())),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
);
const contentType = fc.option(
  fc.constantFrom(
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/json',
    'text/html',
  ),
  { nil: undefined },
);

test('manifests and indexes: typed error or a document of the kind its media type says', () => {
  fc.assert(
    fc.property(jsonish, contentType, (text, ct) => typedOrOk(() => parseManifestDocument(Buffer.from(text), ct))),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), contentType, (bytes, ct) => typedOrOk(() => parseManifestDocument(bytes, ct))),
    { numRuns: RUNS },
  );
});

test('image configs and platforms: typed error or a value', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        jsonish,
        fc
          .jsonValue()
          .map((v) =>
            JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: v }, history: v, config: v }),
          ),
      ),
      (text) => typedOrOk(() => parseImageConfig(Buffer.from(text))),
    ),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(fc.string(), (s) => typedOrOk(() => parsePlatform(s))),
    { numRuns: RUNS },
  );
});

test('a known-good reference survives the round trip', () => {
  assert.equal(parseReference('alpine').path, 'library/alpine');
});
