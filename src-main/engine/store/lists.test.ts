import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeckhandError } from '../../../src-shared/errors.ts';
import { DOCKER_MANIFEST_LIST, OCI_INDEX } from '../../../src-shared/oci/mediatypes.ts';
import { prune } from '../insight/prune.ts';
import { sha, storeTestImage, storeTestIndex } from '../../test/fixtures/store-images.ts';
import { PLATFORMS } from './annotations.ts';
import { listEntries } from './catalog.ts';
import { readIndex } from './index-file.ts';
import { Store } from './layout.ts';
import { addToList, annotateList, createList, entriesOf, readList, removeFromList, writeList } from './lists.ts';
import { removeImages } from './remove.ts';

async function tempStore(t: { after: (fn: () => Promise<void>) => void }): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-lists-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return Store.open(join(dir, 'store'));
}

async function twoImages(store: Store) {
  const arm = await storeTestImage(store, { name: 'app:arm64', layers: [{ content: randomBytes(2000) }], architecture: 'arm64' });
  const amd = await storeTestImage(store, { name: 'app:amd64', layers: [{ content: randomBytes(3000) }], architecture: 'amd64' });
  return { arm, amd };
}

test('create: an OCI index of the stored images with their configs platforms, stored and named in one step', async (t) => {
  const store = await tempStore(t);
  const { arm, amd } = await twoImages(store);
  const built = await createList(store, 'team/app:1', [{ image: 'app:arm64' }, { image: 'app:amd64' }]);
  assert.equal(built.mediaType, OCI_INDEX);
  assert.deepEqual((await store.readBlob(built.digest)).equals(built.bytes), true);
  const list = await readList(store, 'team/app:1');
  assert.equal(list.name, 'docker.io/team/app:1');
  assert.deepEqual(
    list.model.entries.map((e) => [e.digest, e.platform]),
    [
      [arm.descriptor.digest, { os: 'linux', architecture: 'arm64' }],
      [amd.descriptor.digest, { os: 'linux', architecture: 'amd64' }],
    ],
  );
  const entry = (await readIndex(store)).manifests.find((d) => d.digest === built.digest)!;
  assert.equal(entry.annotations?.[PLATFORMS], 'linux/arm64,linux/amd64');
  // The name is taken now.
  await assert.rejects(
    createList(store, 'team/app:1', []),
    (e: unknown) => isDeckhandError(e, 'EUSAGE') && /already names/.test(e.message),
  );
});

test('add, annotate and remove write a new version of the list in place: no dangling old versions', async (t) => {
  const store = await tempStore(t);
  const { arm, amd } = await twoImages(store);
  await createList(store, 'list:1', [{ image: 'app:arm64' }]);
  await addToList(store, 'list:1', { image: 'app:amd64', override: { variant: 'v2' } });
  let list = await readList(store, 'list:1');
  assert.deepEqual(list.model.entries[1]!.platform, { os: 'linux', architecture: 'amd64', variant: 'v2' });
  await assert.rejects(addToList(store, 'list:1', { image: 'app:amd64' }), (e: unknown) => isDeckhandError(e, 'EUSAGE'));
  await annotateList(store, 'list:1', amd.descriptor.digest.slice(0, 15), { features: ['sse4'] });
  list = await readList(store, 'list:1');
  assert.equal(list.descriptor.mediaType, DOCKER_MANIFEST_LIST);
  assert.deepEqual(list.model.entries[1]!.features, ['sse4']);
  await annotateList(store, 'list:1', amd.descriptor.digest, { features: [] });
  await annotateList(store, 'list:1', undefined, { annotations: { 'org.opencontainers.image.version': '1' } }, { index: true });
  list = await readList(store, 'list:1');
  assert.equal(list.descriptor.mediaType, OCI_INDEX);
  assert.deepEqual(list.model.annotations, { 'org.opencontainers.image.version': '1' });
  await removeFromList(store, 'list:1', arm.descriptor.digest);
  list = await readList(store, 'list:1');
  assert.deepEqual(
    list.model.entries.map((e) => e.digest),
    [amd.descriptor.digest],
  );
  // Every edit replaced the list: the catalog holds the two images and the list, nothing dangling.
  const entries = await listEntries(store);
  assert.deepEqual(entries.map((e) => e.refName).sort(), [
    'docker.io/library/app:amd64',
    'docker.io/library/app:arm64',
    'docker.io/library/list:1',
  ]);
  await assert.rejects(annotateList(store, 'list:1', 'sha256:0000', {}), (e: unknown) => isDeckhandError(e, 'ENOT_FOUND'));
  await assert.rejects(
    annotateList(store, 'app:arm64', arm.descriptor.digest, {}),
    (e: unknown) => isDeckhandError(e, 'EUSAGE') && /not a manifest list/.test(e.message),
  );
  await assert.rejects(annotateList(store, 'list:1', amd.descriptor.digest, { architecture: 'amd65' }), (e: unknown) =>
    isDeckhandError(e, 'EPLATFORM'),
  );
});

test('an edit of a version that changed meanwhile is refused, and nothing is written', async (t) => {
  const store = await tempStore(t);
  await twoImages(store);
  await createList(store, 'list:1', [{ image: 'app:arm64' }]);
  const stale = await readList(store, 'list:1');
  await addToList(store, 'list:1', { image: 'app:amd64' });
  const before = await readIndex(store);
  await assert.rejects(
    writeList(store, 'docker.io/library/list:1', { entries: [] }, stale.descriptor.digest),
    (e: unknown) => isDeckhandError(e, 'EUSAGE') && /changed meanwhile/.test(e.message),
  );
  assert.deepEqual(await readIndex(store), before);
});

test("a multi-platform image adds this machine's platform, or with --all every one; an absent platform is named", async (t) => {
  const store = await tempStore(t);
  const amd = await storeTestImage(store, { layers: [{ content: randomBytes(100) }], architecture: 'amd64' });
  const arm = await storeTestImage(store, { layers: [{ content: randomBytes(100) }], architecture: 'arm64' });
  await storeTestIndex(store, 'reg.example/multi:1', amd, arm);
  const one = await entriesOf(store, 'reg.example/multi:1', { host: { os: 'linux', architecture: 'arm64' } });
  assert.deepEqual(
    one.map((e) => e.digest),
    [arm.descriptor.digest],
  );
  const all = await entriesOf(store, 'reg.example/multi:1', { all: true });
  assert.deepEqual(
    all.map((e) => e.digest),
    [amd.descriptor.digest, arm.descriptor.digest],
  );
  await assert.rejects(
    entriesOf(store, 'reg.example/multi:1', { host: { os: 'linux', architecture: 's390x' } }),
    (e: unknown) => isDeckhandError(e, 'ENO_PLATFORM') && /--all/.test(e.message),
  );
  // A sparse index: --all names what is not stored.
  await removeImages(store, ['reg.example/multi:1']);
  const amd2 = await storeTestImage(store, { layers: [{ content: randomBytes(100) }], architecture: 'amd64' });
  const arm2 = await storeTestImage(store, { layers: [{ content: randomBytes(100) }], architecture: 'arm64' });
  await storeTestIndex(store, 'reg.example/sparse:1', amd2, arm2);
  await rm(store.blobPath(arm2.descriptor.digest));
  await assert.rejects(
    entriesOf(store, 'reg.example/sparse:1', { all: true }),
    (e: unknown) => isDeckhandError(e, 'ENO_PLATFORM') && /linux\/arm64/.test(e.message),
  );
});

test('the list keeps its images through rmi and prune; removing the list frees them', async (t) => {
  const store = await tempStore(t);
  const { arm, amd } = await twoImages(store);
  const built = await createList(store, 'list:1', [{ image: 'app:arm64' }, { image: 'app:amd64' }]);
  const blobs = [arm, amd].flatMap((i) => [i.descriptor.digest, sha(i.config), ...i.layers.map((l) => l.digest)]);
  await removeImages(store, ['app:arm64', 'app:amd64']);
  const { result } = await prune(store);
  assert.equal(result?.deletedBlobs, 0);
  for (const d of blobs) assert.ok(await store.hasBlob(d), `${d} kept by the list`);
  await removeImages(store, ['list:1']);
  for (const d of [...blobs, built.digest]) assert.equal(await store.hasBlob(d), false, `${d} freed with the list`);
});

test('an image whose config names an unknown architecture is refused, unless --arch corrects it', async (t) => {
  const store = await tempStore(t);
  await storeTestImage(store, { name: 'odd:1', layers: [{ content: randomBytes(20) }], architecture: 'x86-65' });
  await createList(store, 'list:1', []);
  await assert.rejects(
    addToList(store, 'list:1', { image: 'odd:1' }),
    (e: unknown) => isDeckhandError(e, 'EPLATFORM') && /"x86-65"/.test(e.message),
  );
  assert.equal((await readList(store, 'list:1')).model.entries.length, 0, 'nothing was written');
  await addToList(store, 'list:1', { image: 'odd:1', override: { architecture: 'amd64' } });
  assert.deepEqual((await readList(store, 'list:1')).model.entries[0]!.platform, { os: 'linux', architecture: 'amd64' });
});
