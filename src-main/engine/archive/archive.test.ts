import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { pack as tarPack, type Header } from 'tar-stream';
import { Store } from '../store/layout.ts';
import { sha, storeTestImage } from '../../test/fixtures/store-images.ts';
import { putBlob } from '../store/ingest.ts';
import { setTag } from '../store/catalog.ts';
import { parseReference } from '../../../src-shared/oci/reference.ts';
import { OCI_INDEX } from '../../../src-shared/oci/mediatypes.ts';
import { execFileSync } from 'node:child_process';
import { listImages } from '../insight/images.ts';
import { fsck } from '../insight/fsck.ts';
import { saveArchive } from './save.ts';
import { loadArchive } from './load.ts';
import { Writable } from 'node:stream';
import { ArchiveDestination } from './archive-destination.ts';
import { copyImage } from '../transfer/copy-image.ts';
import { LayoutSource } from '../transfer/layout.ts';

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-archive-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await Store.open(join(dir, 'store'));
  const img = await storeTestImage(store, {
    name: 'reg.example/team/app:1',
    layers: [
      { content: randomBytes(5_000), gzip: true },
      { content: randomBytes(3_000), gzip: true },
    ],
  });
  return { dir, store, img };
}

test('oci-archive round trip: same digests, same name, fsck clean', async (t) => {
  const { dir, store, img } = await setup(t);
  const file = join(dir, 'x.tar');
  const saved = await saveArchive(store, ['reg.example/team/app:1'], file, { format: 'oci-archive' });
  assert.deepEqual(saved.images, [{ ref: 'reg.example/team/app:1', digest: img.descriptor.digest }]);
  assert.equal((await readdir(dir)).includes('x.tar.partial'), false);
  const other = await Store.open(join(dir, 'other'));
  const loaded = await loadArchive(other, file);
  assert.equal(loaded.format, 'oci-archive');
  assert.deepEqual(loaded.images, [{ ref: 'reg.example/team/app:1', digest: img.descriptor.digest }]);
  assert.equal((await fsck(other)).ok, true);
  const again = await loadArchive(other, file);
  assert.equal(again.loadedBlobs, 0);
});

test('docker-archive round trip, also gzip-compressed as a whole: config and diff IDs match', async (t) => {
  const { dir, store, img } = await setup(t);
  const file = join(dir, 'd.tar');
  await saveArchive(store, ['reg.example/team/app:1'], file, {
    format: 'docker-archive',
    platform: { os: 'linux', architecture: 'amd64' },
  });
  const manifest = JSON.parse((await (await import('node:child_process')).execFileSync('tar', ['-xOf', file, 'manifest.json'])).toString());
  assert.deepEqual(manifest[0].RepoTags, ['reg.example/team/app:1']);
  await (await import('node:fs/promises')).writeFile(`${file}.gz`, gzipSync(await readFile(file)));
  for (const f of [file, `${file}.gz`]) {
    const other = await Store.open(join(dir, `other-${f.length}`));
    const loaded = await loadArchive(other, f);
    assert.equal(loaded.format, 'docker-archive');
    const [row] = await listImages(other);
    assert.equal(row?.id, sha(img.config));
    assert.equal(row?.tag, '1');
    assert.equal((await fsck(other)).ok, true);
  }
});

async function tarOf(file: string, entries: Array<{ header: Partial<Header> & { name: string }; body?: Buffer | string }>): Promise<void> {
  const tar = tarPack();
  const done = pipeline(tar, createWriteStream(file));
  for (const e of entries) await new Promise<void>((r, j) => tar.entry(e.header as Header, e.body ?? '', (err) => (err ? j(err) : r())));
  tar.finalize();
  await done;
}

test('hostile archives are refused with a clear error and nothing reaches the store', async (t) => {
  const { dir, store } = await setup(t);
  const before = {
    index: await readFile(join(store.root, 'index.json'), 'utf8'),
    blobs: (await readdir(join(store.root, 'blobs', 'sha256'))).sort(),
  };
  const layer = gzipSync(Buffer.from('layer'));
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(Buffer.from('layer'))] } }),
  );
  const good = (extra: Array<{ header: Partial<Header> & { name: string }; body?: Buffer | string }>, manifest?: string) => [
    {
      header: { name: 'manifest.json' },
      body: manifest ?? JSON.stringify([{ Config: 'c.json', RepoTags: ['evil:1'], Layers: ['l.tar'] }]),
    },
    { header: { name: 'c.json' }, body: config },
    { header: { name: 'l.tar' }, body: layer },
    ...extra,
  ];
  const cases: Array<[string, Array<{ header: Partial<Header> & { name: string }; body?: Buffer | string }>, RegExp]> = [
    ['dotdot', good([{ header: { name: '../evil' }, body: 'x' }]), /outside the archive/],
    ['absolute', good([{ header: { name: '/etc/cron.d/x' }, body: 'x' }]), /absolute path/],
    ['symlink out', good([{ header: { name: 'link', type: 'symlink', linkname: '/etc/passwd' } }]), /absolute path/],
    ['symlink up', good([{ header: { name: 'a/b', type: 'symlink', linkname: '../../x' } }]), /outside the archive/],
    ['hardlink out', good([{ header: { name: 'h', type: 'link', linkname: '../x' } }]), /outside the archive/],
    ['duplicate', good([{ header: { name: 'manifest.json' }, body: '[]' }]), /appears twice/],
    ['device', good([{ header: { name: 'dev', type: 'character-device' } }]), /character-device/],
    ['diff id', good([], JSON.stringify([{ Config: 'c.json', RepoTags: ['evil:1'], Layers: ['c.json'] }])), /diff ID/],
    ['missing file', good([], JSON.stringify([{ Config: 'c.json', RepoTags: ['evil:1'], Layers: ['nope.tar'] }])), /not in the archive/],
    ['not an image', [{ header: { name: 'hello.txt' }, body: 'hi' }], /not an image archive/],
    [
      'huge config',
      good(
        [{ header: { name: 'big.json' }, body: Buffer.alloc(5 * 1024 * 1024, 0x20) }],
        JSON.stringify([{ Config: 'big.json', RepoTags: ['evil:1'], Layers: ['l.tar'] }]),
      ),
      /limit/,
    ],
  ];
  for (const [label, entries, message] of cases) {
    const file = join(dir, `${label.replace(/ /g, '-')}.tar`);
    await tarOf(file, entries);
    await assert.rejects(
      loadArchive(store, file),
      (e: Error & { code?: string }) => e.code === 'EARCHIVE' && message.test(e.message) && /Nothing from/.test(e.message),
      label,
    );
  }
  // A truncated archive (its last entry's header says more bytes than the file has).
  const ok = join(dir, 'ok.tar');
  await tarOf(ok, good([{ header: { name: 'pad.bin' }, body: Buffer.alloc(100_000, 1) }]));
  const bytes = await readFile(ok);
  const cut = join(dir, 'cut.tar');
  await (await import('node:fs/promises')).writeFile(cut, bytes.subarray(0, bytes.length - 60_000));
  await assert.rejects(loadArchive(store, cut), (e: Error & { code?: string }) => e.code === 'EARCHIVE', 'truncated');
  assert.equal(await readFile(join(store.root, 'index.json'), 'utf8'), before.index);
  assert.deepEqual((await readdir(join(store.root, 'blobs', 'sha256'))).sort(), before.blobs);
  // The good archive itself loads.
  const loaded = await loadArchive(store, ok);
  assert.deepEqual(
    loaded.images.map((i) => i.ref),
    ['docker.io/library/evil:1'],
  );
});

test('oci-archive names are read as podman reads them', async () => {
  const { archiveName } = await import('./plan.ts');
  const { formatReference } = await import('../../../src-shared/oci/reference.ts');
  const name = (a: Record<string, string>) => {
    const r = archiveName(a);
    return r && formatReference(r);
  };
  // docker save since 25: the tag in ref.name, the full name in containerd's annotation.
  assert.equal(
    name({ 'org.opencontainers.image.ref.name': '3.20', 'io.containerd.image.name': 'docker.io/library/alpine:3.20' }),
    'docker.io/library/alpine:3.20',
  );
  assert.equal(name({ 'org.opencontainers.image.ref.name': 'reg.example:5000/team/app:1' }), 'reg.example:5000/team/app:1');
  assert.equal(name({ 'org.opencontainers.image.ref.name': 'latest' }), 'localhost/latest:latest');
  assert.equal(name({ 'org.opencontainers.image.ref.name': 'alpine:3' }), 'localhost/alpine:3');
  assert.equal(name({ 'org.opencontainers.image.ref.name': '3.20' }), 'localhost/3.20:latest');
  assert.equal(name({}), null);
});

test('a missing archive is a clear error', async (t) => {
  const { store, dir } = await setup(t);
  await assert.rejects(
    loadArchive(store, join(dir, 'nope.tar')),
    (e: Error & { code?: string }) => e.code === 'ENOT_FOUND' && e.message.includes('nope.tar'),
  );
});

test('an oci-archive of a sparse index is refused unless the stored platforms are saved as a new index', async (t) => {
  const { dir, store, img } = await setup(t);
  const absentArm = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: sha(Buffer.from('arm64 manifest, never pulled')),
    size: 512,
    platform: { os: 'linux', architecture: 'arm64' },
  };
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ ...img.descriptor, platform: { os: 'linux', architecture: 'amd64' } }, absentArm],
      annotations: { 'org.example/kept': 'yes' },
    }),
  );
  await putBlob(store, sha(index), index);
  await setTag(store, parseReference('reg.example/team/multi:1'), { mediaType: OCI_INDEX, digest: sha(index), size: index.length });

  const refused = join(dir, 'refused.tar');
  await assert.rejects(
    saveArchive(store, ['reg.example/team/multi:1'], refused, { format: 'oci-archive' }),
    (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ENO_PLATFORM');
      assert.match(e.message, /linux\/arm64 is not stored/);
      assert.match(e.message, /--present-platforms/);
      return true;
    },
  );
  assert.deepEqual(
    (await readdir(dir)).filter((f) => f.startsWith('refused')),
    [],
    'nothing written, not even a .partial',
  );

  const file = join(dir, 'cut.tar');
  const saved = await saveArchive(store, ['reg.example/team/multi:1'], file, { format: 'oci-archive', presentPlatforms: true });
  const cut = saved.images[0]!.digest;
  assert.notEqual(cut, sha(index), 'a new index: another digest');
  const entries = execFileSync('tar', ['-tf', file]).toString().trim().split('\n');
  assert.ok(
    !entries.includes(`blobs/sha256/${sha(index).slice(7)}`),
    'the stored index, which names a platform the archive lacks, is not in it',
  );
  const written = JSON.parse(execFileSync('tar', ['-xOf', file, `blobs/sha256/${cut.slice(7)}`]).toString());
  assert.deepEqual(
    written.manifests.map((m: { digest: string }) => m.digest),
    [img.descriptor.digest],
  );
  assert.deepEqual(written.annotations, { 'org.example/kept': 'yes' }, 'the rest of the index is kept as it was');

  const other = await Store.open(join(dir, 'other'));
  const loaded = await loadArchive(other, file);
  assert.deepEqual(loaded.images, [{ ref: 'reg.example/team/multi:1', digest: cut }]);
  const rows = await listImages(other);
  assert.deepEqual(
    rows.map((r) => [r.name, r.platforms, r.sparse]),
    [['reg.example/team/multi:1', ['linux/amd64'], false]],
  );
  assert.equal((await fsck(other)).ok, true);

  // docker-archive takes one platform anyway: no flag needed.
  await saveArchive(store, ['reg.example/team/multi:1'], join(dir, 'd.tar'), {
    format: 'docker-archive',
    platform: { os: 'linux', architecture: 'amd64' },
  });
});

test('cancelling a save or a load says so, and leaves no archive and no name', async (t) => {
  const { dir, store } = await setup(t);
  await storeTestImage(store, {
    name: 'reg.example/team/big:1',
    layers: [{ content: randomBytes(6 << 20) }, { content: randomBytes(6 << 20) }],
  });
  const full = join(dir, 'full.tar');
  await saveArchive(store, ['reg.example/team/big:1'], full, { format: 'oci-archive' });
  const abortOnFirstBytes = () => {
    const c = new AbortController();
    return {
      signal: c.signal,
      onEvent: (e: { type: string; done?: number }) => void (e.type === 'blob' && (e.done ?? 0) > 0 && c.abort()),
    };
  };

  await assert.rejects(
    saveArchive(store, ['reg.example/team/big:1'], join(dir, 'cancelled.tar'), { format: 'oci-archive', ...abortOnFirstBytes() }),
    (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ECANCELLED');
      assert.match(e.message, /was cancelled; the partial archive was removed/);
      return true;
    },
  );
  assert.deepEqual(
    (await readdir(dir)).filter((f) => f.startsWith('cancelled')),
    [],
  );

  const other = await Store.open(join(dir, 'other'));
  await assert.rejects(loadArchive(other, full, abortOnFirstBytes()), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'ECANCELLED', 'not reported as a damaged archive');
    assert.match(e.message, /was cancelled; no name was set/);
    return true;
  });
  assert.deepEqual(await listImages(other), []);
  assert.equal((await fsck(other)).ok, true);
  const again = await loadArchive(other, full);
  assert.deepEqual(again.images, [{ ref: 'reg.example/team/big:1', digest: again.images[0]!.digest }]);
});

test('a docker-archive written into a stream is byte for byte the one written to a file', async (t) => {
  const { dir, store } = await setup(t);
  const file = join(dir, 'f.tar');
  const platform = { os: 'linux', architecture: 'amd64' };
  await saveArchive(store, ['reg.example/team/app:1'], file, { format: 'docker-archive', platform });
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  const destination = new ArchiveDestination({ stream: sink, description: 'a stream' }, 'docker-archive');
  const source = new LayoutSource(store, 'reg.example/team/app:1', { sparse: { mode: 'keep' }, onePlatform: { want: platform } });
  try {
    await copyImage(source, destination, {
      selection: { platform, allPlatforms: false },
      operation: 'Writing',
      cancelled: '',
      resolved: () => {
        destination.name(source.entry!.refName);
        return { ref: 'reg.example/team/app:1', endpoint: store.root };
      },
    });
    const bytes = await destination.finish();
    const streamed = Buffer.concat(chunks);
    assert.equal(bytes, streamed.length);
    assert.ok(streamed.equals(await readFile(file)));
  } finally {
    await source.close();
  }
});
