import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isDeckhandError } from '../../../src-shared/errors.ts';
import { parseManifestDocument } from '../../../src-shared/oci/manifest.ts';
import { DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from '../../../src-shared/oci/mediatypes.ts';
import { buildList, modelOf, overrideEntry, type ListEntry } from './list-document.ts';

const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const arm: ListEntry = { mediaType: OCI_MANIFEST, digest: d(1), size: 500, platform: { os: 'linux', architecture: 'arm64' } };
const amd: ListEntry = { mediaType: OCI_MANIFEST, digest: d(2), size: 600, platform: { os: 'linux', architecture: 'amd64' } };

test('an OCI index of the entries, in order, whose digest is the sha256 of its bytes; the same entries make the same bytes', () => {
  const built = buildList({ entries: [arm, amd] });
  assert.equal(built.mediaType, OCI_INDEX);
  assert.equal(built.digest, `sha256:${createHash('sha256').update(built.bytes).digest('hex')}`);
  assert.equal(built.size, built.bytes.length);
  const doc = parseManifestDocument(built.bytes);
  assert.equal(doc.kind, 'index');
  assert.deepEqual(doc.kind === 'index' && doc.index.manifests.map((m) => [m.digest, m.size, m.mediaType, m.platform]), [
    [d(1), 500, OCI_MANIFEST, { architecture: 'arm64', os: 'linux' }],
    [d(2), 600, OCI_MANIFEST, { architecture: 'amd64', os: 'linux' }],
  ]);
  assert.deepEqual(buildList({ entries: [arm, amd] }).bytes, built.bytes);
  assert.notEqual(buildList({ entries: [amd, arm] }).digest, built.digest);
});

test('an entry with features makes a Docker manifest list (features in its platform); without, they are gone again', () => {
  const withFeatures = overrideEntry(amd, { features: ['sse4'] });
  const built = buildList({ entries: [arm, withFeatures] });
  assert.equal(built.mediaType, DOCKER_MANIFEST_LIST);
  const raw = JSON.parse(built.bytes.toString()) as { mediaType: string; manifests: Array<{ platform: Record<string, unknown> }> };
  assert.equal(raw.mediaType, DOCKER_MANIFEST_LIST);
  assert.deepEqual(raw.manifests[1]!.platform, { architecture: 'amd64', os: 'linux', features: ['sse4'] });
  // Read back, the model keeps the features; edited away, the list is OCI again.
  const model = modelOf((parseManifestDocument(built.bytes) as { index: Parameters<typeof modelOf>[0] }).index);
  assert.deepEqual(model.entries[1]!.features, ['sse4']);
  const back = buildList({ entries: [arm, { ...model.entries[1]!, features: [] }] });
  assert.equal(back.mediaType, OCI_INDEX);
  assert.equal(back.digest, buildList({ entries: [arm, amd] }).digest);
});

test('a Docker manifest list cannot carry annotations: refused rather than dropped', () => {
  const e = overrideEntry(amd, { features: ['sse4'], annotations: { a: 'b' } });
  assert.throws(
    () => buildList({ entries: [e] }),
    (err: unknown) => isDeckhandError(err, 'EUSAGE') && /cannot carry annotations/.test(err.message),
  );
  assert.throws(
    () => buildList({ entries: [overrideEntry(amd, { features: ['x'] })], annotations: { k: 'v' } }),
    (err: unknown) => isDeckhandError(err, 'EUSAGE'),
  );
});

test('annotate overrides what the config said, field by field, and checks the result', () => {
  const armv7: ListEntry = { ...arm, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } };
  assert.deepEqual(overrideEntry(armv7, { variant: 'v6' }).platform, { os: 'linux', architecture: 'arm', variant: 'v6' });
  // Another architecture drops the old one's variant unless a new one is given.
  assert.deepEqual(overrideEntry(armv7, { architecture: 'arm64' }).platform, { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(overrideEntry(amd, { architecture: 'arm64', variant: 'v8' }).platform, { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(overrideEntry(amd, { os: 'windows', osVersion: '10.0.20348.1' }).platform, {
    os: 'windows',
    architecture: 'amd64',
    'os.version': '10.0.20348.1',
  });
  assert.deepEqual(overrideEntry({ ...amd, annotations: { a: '1' } }, { annotations: { b: '2' } }).annotations, { a: '1', b: '2' });
  assert.throws(
    () => overrideEntry(amd, { architecture: 'amd65' }),
    (e: unknown) => isDeckhandError(e, 'EPLATFORM'),
  );
  assert.throws(
    () => overrideEntry(amd, { os: 'plan10' }),
    (e: unknown) => isDeckhandError(e, 'EPLATFORM'),
  );
});

test('the same image twice is refused, pointing at annotate', () => {
  assert.throws(
    () => buildList({ entries: [arm, { ...arm }] }),
    (e: unknown) => isDeckhandError(e, 'EUSAGE') && /annotate/.test(e.message),
  );
});

test('an empty list is an empty OCI index; index annotations go on the OCI index', () => {
  const built = buildList({ entries: [], annotations: { 'org.opencontainers.image.description': 'app' } });
  assert.deepEqual(JSON.parse(built.bytes.toString()), {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [],
    annotations: { 'org.opencontainers.image.description': 'app' },
  });
});

test('every entry is checked when the list is built (an attestation entry excepted); an override can correct a config', () => {
  const odd: ListEntry = { ...amd, platform: { os: 'linux', architecture: 'amd65' } };
  assert.throws(
    () => buildList({ entries: [odd] }),
    (e: unknown) => isDeckhandError(e, 'EPLATFORM') && /"amd65"/.test(e.message),
  );
  assert.equal(buildList({ entries: [overrideEntry(odd, { architecture: 'amd64' })] }).mediaType, OCI_INDEX);
  const attestation: ListEntry = { ...arm, platform: { os: 'unknown', architecture: 'unknown' } };
  assert.equal(buildList({ entries: [amd, attestation] }).index.manifests.length, 2);
});
