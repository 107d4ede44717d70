import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isDeckhandError } from '../../../src-shared/errors.ts';
import { Store } from './layout.ts';
import { matchImages, MIN_ID_PREFIX, resolveOne, toEntry, type CatalogEntry } from './catalog.ts';
import { removeImages } from './remove.ts';
import { sha, storeTestImage } from '../../test/fixtures/store-images.ts';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const hex = (c: string) => c.repeat(64);

function entry(digest: string, name?: string): CatalogEntry {
  return toEntry({
    mediaType: MANIFEST,
    digest,
    size: 1,
    ...(name ? { annotations: { 'org.opencontainers.image.ref.name': name } } : {}),
  });
}

test('an image ID (config digest) or a manifest digest names an image, in full or as a prefix, with or without sha256:', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-catalog-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await Store.open(dir);
  const a = await storeTestImage(store, { name: 'reg.example/a:1', layers: [{ content: randomBytes(64) }] });
  const b = await storeTestImage(store, { name: 'reg.example/b:1', layers: [{ content: randomBytes(64) }] });
  const idOf = (img: typeof a) => sha(img.config);
  // Prefixes long enough to tell a and b apart, whatever their random digests are.
  const unique = (d: string, other: string[]) => {
    let n = MIN_ID_PREFIX;
    while (other.some((o) => o.slice(7, 7 + n) === d.slice(7, 7 + n))) n++;
    return d.slice(7, 7 + Math.max(n, 12));
  };
  const everyOtherDigest = (img: typeof a) => [a, b].filter((x) => x !== img).flatMap((x) => [idOf(x), x.descriptor.digest]);
  for (const img of [a, b]) {
    const others = everyOtherDigest(img);
    for (const input of [
      idOf(img),
      idOf(img).slice(7),
      unique(idOf(img), others),
      `sha256:${unique(idOf(img), others)}`,
      img.descriptor.digest,
      unique(img.descriptor.digest, others),
      `sha256:${unique(img.descriptor.digest, others)}`,
    ]) {
      assert.equal((await resolveOne(store, input)).descriptor.digest, img.descriptor.digest, input);
    }
  }
  // Shorter than podman's minimum: not an ID, so not found (as a name).
  await assert.rejects(resolveOne(store, idOf(a).slice(7, 9)), (e) => isDeckhandError(e, 'ENOT_FOUND'));
  // rmi takes an ID too.
  const removed = await removeImages(store, [idOf(a).slice(7, 19)]);
  assert.deepEqual(removed.removed, ['reg.example/a:1']);
});

test('a name comes before an ID; an ambiguous prefix lists every candidate', () => {
  const named = entry(`sha256:${hex('1')}`, 'docker.io/library/abc:latest');
  const byId = entry(`sha256:abc${hex('2').slice(3)}`);
  const other = entry(`sha256:${hex('3')}`, 'reg.example/x:1');
  const ids = new Map([
    [named, [`sha256:${hex('4')}`]],
    [byId, [`sha256:${hex('5')}`]],
    [other, [`sha256:abc${hex('6').slice(3)}`]],
  ]);
  const idsOf = (e: CatalogEntry) => ({ ids: ids.get(e) ?? [], manifests: e === named ? [`sha256:${hex('7')}`] : [] });
  const entries = [named, byId, other];
  assert.deepEqual(matchImages(entries, 'abc', idsOf), { found: [named], by: 'name' });
  // With sha256: it can only be an ID or digest: the manifest digest of one, the config digest of the other.
  assert.deepEqual(matchImages(entries, 'sha256:abc', idsOf), { found: [byId, other], by: 'id' });
  assert.deepEqual(matchImages(entries, '555555', idsOf), { found: [byId], by: 'id' });
  assert.deepEqual(matchImages(entries, hex('5'), idsOf), { found: [byId], by: 'id' });
  // A platform manifest of an index names the index.
  assert.deepEqual(matchImages(entries, '7777777', idsOf), { found: [named], by: 'id' });
});

test('an ambiguous prefix is refused with its candidates; a missing ID is never offered to pull', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-catalog-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await Store.open(dir);
  // Images until two manifest digests share a 3-character prefix (4096 possibilities: a few dozen images).
  const seen = new Map<string, string>();
  let pair: [string, string] | undefined;
  for (let i = 0; !pair; i++) {
    const img = await storeTestImage(store, { name: `reg.example/many:${i}`, layers: [{ content: randomBytes(16) }] });
    const p = img.descriptor.digest.slice(7, 10);
    const before = seen.get(p);
    if (before) pair = [before, img.descriptor.digest];
    seen.set(p, img.descriptor.digest);
  }
  const prefix = pair[0].slice(7, 10);
  await assert.rejects(resolveOne(store, prefix), (e) => {
    assert.ok(isDeckhandError(e, 'EUSAGE'));
    assert.match(e.message, new RegExp(`^${prefix} matches 2 different images: `));
    for (const d of pair!) assert.ok(e.message.includes(`digest ${d.slice(7, 19)}`), e.message);
    assert.match(e.message, /reg\.example\/many:\d+ \(ID [0-9a-f]{12}, digest/);
    return true;
  });
  await assert.rejects(removeImages(store, [prefix]), (e) => isDeckhandError(e, 'EUSAGE') && /nothing was removed/.test(e.message));
  for (const input of ['d5562784636f', `sha256:${hex('d')}`]) {
    await assert.rejects(resolveOne(store, input), (e) => {
      assert.ok(isDeckhandError(e, 'ENOT_FOUND'));
      assert.equal(e.message, `No image with ID or digest ${input} in the store. Run \`deckhand images\` to see what is stored.`);
      return true;
    });
  }
  await assert.rejects(
    resolveOne(store, 'reg.example/nothing:1'),
    (e) => isDeckhandError(e, 'ENOT_FOUND') && /deckhand pull reg\.example\/nothing:1/.test(e.message),
  );
});
