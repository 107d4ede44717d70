import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { DOCKER_MANIFEST, OCI_INDEX } from '../../../src-shared/oci/mediatypes.ts';
import type { ImageIndex } from '../../../src-shared/oci/manifest.ts';
import { errorFor } from '../registry/errors.ts';
import type { ManifestHead } from '../registry/manifest-head.ts';
import { decideFromError, decideFromHead, decideFromIndex, type StoredTag } from './decide.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const head = (digest: string | null, mediaType: string | null = OCI_INDEX, ratelimitRemaining: string | null = null): ManifestHead => ({
  digest,
  mediaType,
  ratelimitRemaining,
  endpoint: 'http://127.0.0.1:5000',
});
const single: StoredTag = { localDigest: d('a'), partOf: null };
const onePlatform: StoredTag = { localDigest: d('1'), partOf: [{ platform: 'linux/amd64', digest: d('a') }] };
const index = (entries: Array<[string, string]>): ImageIndex =>
  ({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: entries.map(([platform, digest]) => {
      const [os, architecture, variant] = platform.split('/');
      return {
        mediaType: DOCKER_MANIFEST,
        digest,
        size: 500,
        platform: { os: os!, architecture: architecture!, ...(variant ? { variant } : {}) },
      };
    }),
  }) as ImageIndex;

test('the same digest is current; another is stale; no digest header is unknown', () => {
  assert.deepEqual(decideFromHead(single, head(d('a'), DOCKER_MANIFEST, '99;w=21600'), false), {
    verdict: {
      state: 'current',
      remoteDigest: d('a'),
      reason: 'The registry’s tag names the stored digest.',
      ratelimitRemaining: '99;w=21600',
      retryAfterSeconds: null,
    },
  });
  const stale = decideFromHead(single, head(d('b'), DOCKER_MANIFEST), false);
  assert.ok('verdict' in stale);
  assert.equal(stale.verdict.state, 'stale');
  assert.equal(stale.verdict.remoteDigest, d('b'));
  const unknown = decideFromHead(single, head(null), false);
  assert.ok('verdict' in unknown);
  assert.equal(unknown.verdict.state, 'unknown');
  assert.equal(unknown.verdict.remoteDigest, null);
});

test('one platform of a moved index: fetch the index, unless head-only or the tag is a single manifest now', () => {
  assert.deepEqual(decideFromHead(onePlatform, head(d('2')), false), { fetchIndex: d('2') });
  assert.deepEqual(decideFromHead(onePlatform, head(d('2'), null), false), { fetchIndex: d('2') });
  const headOnly = decideFromHead(onePlatform, head(d('2')), true);
  assert.ok('verdict' in headOnly);
  assert.equal(headOnly.verdict.state, 'stale');
  assert.match(headOnly.verdict.reason, /--head-only/);
  const nowSingle = decideFromHead(onePlatform, head(d('2'), DOCKER_MANIFEST), false);
  assert.ok('verdict' in nowSingle);
  assert.equal(nowSingle.verdict.state, 'stale');
  // The index did not move: current, nothing fetched.
  const same = decideFromHead(onePlatform, head(d('1')), false);
  assert.ok('verdict' in same && same.verdict.state === 'current');
});

test('the new index: the stored platform unchanged, changed, or gone', () => {
  const unchanged = decideFromIndex(
    onePlatform,
    d('2'),
    index([
      ['linux/amd64', d('a')],
      ['linux/arm64', d('c')],
    ]),
  );
  assert.equal(unchanged.state, 'platform-unchanged');
  assert.equal(unchanged.remoteDigest, d('2'));
  const changed = decideFromIndex(
    onePlatform,
    d('2'),
    index([
      ['linux/amd64', d('b')],
      ['linux/arm64', d('c')],
    ]),
  );
  assert.equal(changed.state, 'stale');
  assert.match(changed.reason, /linux\/amd64 \(now /);
  const gone = decideFromIndex(onePlatform, d('2'), index([['linux/arm64', d('c')]]));
  assert.equal(gone.state, 'stale');
  assert.match(gone.reason, /no longer in the index/);
  // arm64's default variant v8 is the same platform as no variant.
  const arm: StoredTag = { localDigest: d('1'), partOf: [{ platform: 'linux/arm64', digest: d('a') }] };
  assert.equal(decideFromIndex(arm, d('2'), index([['linux/arm64/v8', d('a')]])).state, 'platform-unchanged');
});

test('errors: 404 local-only, 401/403 auth-required, 429 rate-limited with its numbers, the rest unreachable', () => {
  const what = { registry: 'r', repository: 'team/app', object: 'Manifest team/app:1', authenticated: false };
  assert.equal(decideFromError(errorFor(404, '', what)).state, 'local-only');
  assert.equal(decideFromError(errorFor(401, '', what)).state, 'auth-required');
  assert.equal(decideFromError(errorFor(403, '', what)).state, 'auth-required');
  const limited = errorFor(429, '', what);
  Object.assign(limited.detail!, { retryAfterMs: 30_000, ratelimitRemaining: '0;w=21600' });
  const v = decideFromError(limited);
  assert.equal(v.state, 'rate-limited');
  assert.equal(v.retryAfterSeconds, 30);
  assert.equal(v.ratelimitRemaining, '0;w=21600');
  assert.equal(decideFromError(errorFor(429, '', what)).retryAfterSeconds, null);
  assert.equal(decideFromError(errorFor(503, '', what)).state, 'unreachable');
  assert.equal(decideFromError(new DeckhandError('ENETWORK', 'Cannot reach registry r')).state, 'unreachable');
  assert.equal(decideFromError(new DeckhandError('EBLOCKED', 'r is blocked in registries.conf')).state, 'unreachable');
});
