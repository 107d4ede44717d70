import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from './layout.ts';
import { CHUNK_DONE, Ingest, putBlob } from './ingest.ts';
import { listEntries, setTag } from './catalog.ts';
import { parseReference } from '../../../src-shared/oci/reference.ts';
import { removeImages } from './remove.ts';
import { Lease } from './leases.ts';

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function tempStore(t: { after: (fn: () => Promise<void>) => void }): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return Store.open(join(dir, 'store'));
}

async function* chunks(b: Buffer, size = 1000): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

test('a new store is an OCI image layout', async (t) => {
  const store = await tempStore(t);
  assert.deepEqual(JSON.parse(await readFile(join(store.root, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
  const index = JSON.parse(await readFile(join(store.root, 'index.json'), 'utf8'));
  assert.equal(index.schemaVersion, 2);
  assert.deepEqual(index.manifests, []);
});

test('opening a store to read creates nothing where there is none; it reads as empty', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const absent = await Store.openToRead(join(dir, 'none'));
  assert.equal(absent.exists, false);
  assert.deepEqual(await listEntries(absent), []);
  await assert.rejects(removeImages(absent, ['x:1']), { code: 'ENOT_FOUND' });
  await assert.rejects(stat(join(dir, 'none')), { code: 'ENOENT' });
  // A directory without a layout in it is left as it is, too.
  await writeFile(join(dir, 'notes.txt'), 'x');
  assert.equal((await Store.openToRead(dir)).exists, false);
  assert.deepEqual(await readdir(dir), ['notes.txt']);
  await Store.open(join(dir, 'store'));
  assert.equal((await Store.openToRead(join(dir, 'store'))).exists, true);
});

test('ingest verifies the digest before a blob becomes visible', async (t) => {
  const store = await tempStore(t);
  const data = randomBytes(10_000);
  const wrong = { digest: sha(Buffer.from('something else')), size: data.length };
  const ingest = (await Ingest.begin(store, wrong))!;
  await ingest.write(chunks(data));
  await assert.rejects(ingest.commit(), (e: Error & { code?: string }) => e.code === 'EDIGEST_MISMATCH');
  assert.equal(await store.hasBlob(wrong.digest), false);
  assert.deepEqual(await readdir(join(store.root, 'blobs', 'sha256')), []);
  assert.deepEqual(
    (await readdir(store.ingestDir)).filter((n) => n.endsWith('.partial')),
    [],
    'rejected bytes are discarded',
  );

  const good = (await Ingest.begin(store, { digest: sha(data), size: data.length }))!;
  await good.write(chunks(data));
  await good.commit();
  assert.deepEqual(await readFile(store.blobPath(sha(data))), data);
  assert.equal(await Ingest.begin(store, { digest: sha(data), size: data.length }), null, 'a stored blob is not ingested again');
});

test('an interrupted ingest keeps its bytes and resumes from them', async (t) => {
  const store = await tempStore(t);
  const data = randomBytes(50_000);
  const target = { digest: sha(data), size: data.length };
  const first = (await Ingest.begin(store, target))!;
  async function* broken() {
    yield data.subarray(0, 20_000);
    throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  }
  await assert.rejects(first.write(broken()));
  await first.abort();
  const resumed = (await Ingest.begin(store, target))!;
  assert.equal(resumed.offset, 20_000);
  await resumed.write(chunks(data.subarray(20_000)));
  await resumed.commit();
  assert.equal(sha(await readFile(store.blobPath(target.digest))), target.digest);
});

test('ingest hands each chunk back to its source (CHUNK_DONE) only once it is on disk', async (t) => {
  const store = await tempStore(t);
  const data = randomBytes(3 * 1024 * 1024 + 40_000);
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += 65536) chunks.push(Buffer.from(data.subarray(i, i + 65536)));
  const back: Uint8Array[] = [];
  const source = {
    // The source frees each chunk when it comes back, as a registry body does: a chunk handed back
    // before its bytes were written would leave a hole in the blob.
    [CHUNK_DONE]: (c: Uint8Array) => {
      back.push(c);
      (c.buffer as ArrayBuffer & { transfer(n: number): ArrayBuffer }).transfer(0);
    },
    async *[Symbol.asyncIterator]() {
      yield* chunks;
    },
  };
  const ingest = (await Ingest.begin(store, { digest: sha(data), size: data.length }))!;
  await ingest.write(source);
  await ingest.commit();
  assert.deepEqual(await readFile(store.blobPath(sha(data))), data, 'the blob is intact');
  assert.equal(back.length, chunks.length, 'every chunk came back, once');
  assert.ok(back.every((c, i) => c === chunks[i]));

  const kept = [Buffer.from('plain sources keep their chunks')];
  const plain = (await Ingest.begin(store, { digest: sha(kept[0]!), size: kept[0]!.length }))!;
  await plain.write(kept);
  await plain.commit();
  assert.equal(kept[0]!.toString(), 'plain sources keep their chunks');
});

test('a failed early sync discards the partial bytes instead of leaving them for a resume', async (t) => {
  const store = await tempStore(t);
  const data = randomBytes(20 * 1024 * 1024);
  const probe = await open(join(store.root, 'oci-layout'), 'r');
  const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
  await probe.close();
  const original = proto.datasync;
  // The kernel reports a write-back error to one fsync only: the commit's own fsync would miss it.
  proto.datasync = async () => {
    throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
  };
  t.after(() => {
    proto.datasync = original;
  });
  const ingest = (await Ingest.begin(store, { digest: sha(data), size: data.length }))!;
  await assert.rejects(ingest.write(chunks(data, 65536)), (e: Error & { code?: string }) => e.code === 'EIO');
  await ingest.abort();
  proto.datasync = original;
  assert.deepEqual(
    (await readdir(store.ingestDir)).filter((n) => n.endsWith('.partial')),
    [],
    'nothing is left to resume from',
  );
  const again = (await Ingest.begin(store, { digest: sha(data), size: data.length }))!;
  assert.equal(again.offset, 0);
  await again.write(chunks(data, 65536));
  await again.commit();
  assert.equal(sha(await readFile(store.blobPath(sha(data)))), sha(data));
});

test('more bytes than declared stop the ingest', async (t) => {
  const store = await tempStore(t);
  const data = randomBytes(2_000);
  const ingest = (await Ingest.begin(store, { digest: sha(data), size: 1_000 }))!;
  await assert.rejects(ingest.write(chunks(data)), (e: Error & { code?: string }) => e.code === 'ESIZE_MISMATCH');
  await ingest.abort(true);
  assert.equal(await store.hasBlob(sha(data)), false);
});

test('digests are validated before they become paths', async (t) => {
  const store = await tempStore(t);
  assert.throws(
    () => store.blobPath('sha256:../../etc/passwd'),
    (e: Error & { code?: string }) => e.code === 'EDIGEST',
  );
  await assert.rejects(Ingest.begin(store, { digest: 'sha256:../../x' }), (e: Error & { code?: string }) => e.code === 'EDIGEST');
});

/** Stores a tiny image (config + one layer + manifest) and returns its manifest descriptor. */
async function storeImage(store: Store, seed: string, sharedLayer?: Buffer) {
  const layer = sharedLayer ?? Buffer.from(`layer-${seed}`);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'arm64',
      os: 'linux',
      created: '2026-01-01T00:00:00Z',
      rootfs: { type: 'layers', diff_ids: [sha(layer)] },
      history: [{ created_by: `ADD ${seed}` }],
    }),
  );
  const own = Buffer.from(`own-${seed}`);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length },
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(own), size: own.length },
      ],
    }),
  );
  for (const b of [layer, config, own, manifest]) await putBlob(store, sha(b), b);
  return {
    descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length },
    layer,
    own,
    config,
  };
}

test('moving a tag keeps the old image as a dangling entry that remembers its name', async (t) => {
  const store = await tempStore(t);
  const a = await storeImage(store, 'a');
  const b = await storeImage(store, 'b');
  const ref = parseReference('nginx:1.25');
  await setTag(store, ref, a.descriptor);
  const moved = await setTag(store, ref, b.descriptor);
  assert.equal(moved.previous, a.descriptor.digest);
  const entries = await listEntries(store);
  assert.equal(entries.length, 2);
  const tagged = entries.find((e) => e.refName === 'docker.io/library/nginx:1.25');
  assert.equal(tagged?.descriptor.digest, b.descriptor.digest);
  const dangling = entries.find((e) => e.refName === null);
  assert.equal(dangling?.descriptor.digest, a.descriptor.digest);
  assert.equal(dangling?.descriptor.annotations?.['io.deckhand.previous-ref'], 'docker.io/library/nginx:1.25');
  // Tagging the dangling digest again absorbs the dangling entry.
  await setTag(store, parseReference('nginx:old'), a.descriptor);
  assert.equal((await listEntries(store)).filter((e) => e.refName === null).length, 0);
});

test('rmi deletes only blobs no other image uses, and never leased ones', async (t) => {
  const store = await tempStore(t);
  const shared = Buffer.from('shared base layer');
  const a = await storeImage(store, 'a', shared);
  const b = await storeImage(store, 'b', shared);
  await setTag(store, parseReference('app:a'), a.descriptor);
  await setTag(store, parseReference('app:b'), b.descriptor);
  await setTag(store, parseReference('app:also-a'), a.descriptor);

  const untagOnly = await removeImages(store, ['app:also-a']);
  assert.deepEqual(untagOnly.deleted, [], 'another tag still names the image');

  const lease = await Lease.create(store, 'test');
  await lease.add(sha(a.own));
  const r = await removeImages(store, ['app:a']);
  const deleted = new Set(r.deleted.map((d) => d.digest));
  assert.ok(deleted.has(a.descriptor.digest));
  assert.ok(deleted.has(sha(a.config)));
  assert.ok(!deleted.has(sha(shared)), 'the shared layer stays for app:b');
  assert.ok(!deleted.has(sha(a.own)), 'leased content stays');
  assert.equal(
    r.freedBytes,
    r.deleted.reduce((n, d) => n + d.size, 0),
  );
  assert.equal(await store.hasBlob(sha(shared)), true);
  await lease.release();
  await assert.rejects(removeImages(store, ['app:nope']), (e: Error & { code?: string }) => e.code === 'ENOT_FOUND');
  assert.equal((await stat(store.blobPath(b.descriptor.digest))).isFile(), true);
});

test('layouts with bare tags (as skopeo writes them) are read', async (t) => {
  const store = await tempStore(t);
  const a = await storeImage(store, 'a');
  const index = JSON.parse(await readFile(store.indexPath, 'utf8'));
  index.manifests.push({ ...a.descriptor, annotations: { 'org.opencontainers.image.ref.name': '3.20' } });
  await writeFile(store.indexPath, JSON.stringify(index));
  const [entry] = await listEntries(store);
  assert.equal(entry?.bareTag, '3.20');
  assert.equal(entry?.ref, null);
});
