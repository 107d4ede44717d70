/**
 * Property-based tests for what registries send back: WWW-Authenticate challenges, error bodies and
 * upload locations never crash the client, and no digest string becomes a path outside the store.
 * DECKHAND_FUZZ_RUNS raises the number of cases.
 */
import { test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, isAbsolute } from 'node:path';
import fc from 'fast-check';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseChallenges } from './challenge.ts';
import { parseErrorBody } from './errors.ts';
import { checkLocation } from './location.ts';
import { parseContentRange } from './client.ts';
import { parseEndpoint } from '../transfer/copy.ts';
import { Store } from '../store/layout.ts';

const RUNS = Number(process.env.DECKHAND_FUZZ_RUNS ?? 500);

const typed = (fn: () => unknown) => {
  try {
    fn();
    return true;
  } catch (e) {
    return e instanceof DeckhandError;
  }
};

test('challenges and error bodies: never throw, whatever the registry sends', () => {
  const header = fc.oneof(
    fc.string(),
    fc.stringMatching(/^(Bearer|Basic|bearer) [a-z]+="[^"]{0,30}"(,[a-z]+=("[^"]{0,20}"|[a-z0-9]{0,9})){0,4}$/),
  );
  fc.assert(
    fc.property(header, (h) => Array.isArray(parseChallenges(h))),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json()), (body) => Array.isArray(parseErrorBody(body))),
    { numRuns: RUNS },
  );
});

test('upload locations: a URL on an allowed host, or a typed refusal', () => {
  const registry = new URL('https://registry.example.com');
  const request = new URL('https://registry.example.com/v2/a/blobs/uploads/');
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.webPath()), (loc) => {
      try {
        const url = checkLocation(loc, request, registry);
        return url.protocol === 'https:';
      } catch (e) {
        return e instanceof DeckhandError;
      }
    }),
    { numRuns: RUNS },
  );
});

test('copy endpoints: parsed or refused with a typed error', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.constantFrom('oci:', 'docker://', 'oci-archive:').chain((p) => fc.string().map((s) => p + s)),
      ),
      (s) => typed(() => parseEndpoint(s)),
    ),
    { numRuns: RUNS },
  );
});

test('no digest string names a path outside blobs/', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-fuzz-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await Store.open(dir);
  const blobs = join(dir, 'blobs');
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.stringMatching(/^sha(256|512):[./a-f0-9\\]{0,140}$/)), (s) => {
      try {
        const path = store.blobPath(s);
        const rel = relative(blobs, path);
        return !rel.startsWith('..') && !isAbsolute(rel);
      } catch (e) {
        return e instanceof DeckhandError;
      }
    }),
    { numRuns: RUNS },
  );
});

test('Content-Range: a well-formed, possible range or null, never a throw', () => {
  const header = fc.oneof(
    fc.string(),
    fc.tuple(fc.nat(), fc.nat(), fc.oneof(fc.nat().map(String), fc.constant('*'))).map(([a, b, c]) => `bytes ${a}-${b}/${c}`),
    fc.bigInt({ min: 0n, max: 10n ** 20n }).map((n) => `bytes ${n}-${n}/*`),
  );
  fc.assert(
    fc.property(header, (h) => {
      const r = parseContentRange(h);
      return r === null || (Number.isSafeInteger(r.start) && r.end >= r.start && (r.total === undefined || r.end < r.total));
    }),
    { numRuns: RUNS },
  );
});
