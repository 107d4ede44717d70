import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { isDeckhandError } from '../../../../src-shared/errors.ts';
import { Store } from '../../store/layout.ts';
import { storeTestImage } from '../../../test/fixtures/store-images.ts';
import { dir, file, fill, marker, tarOf, type TarItem } from '../../../test/fixtures/layer-tars.ts';
import { analyzeImage, cachedLayer, sweepLayerCache } from './analyze.ts';
import { analyzeLayers, cleanPath, type LayerContents, type LayerEntry } from './model.ts';
import { readLayerFile } from './read.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A directory or a file entry for the model's own tests (a file's hash: its path, so paths differ). */
const entry = (path: string, type: 'dir' | 'file', size: number): LayerEntry => ({
  path,
  type,
  mode: 0o755,
  uid: 0,
  gid: 0,
  size,
  linkTarget: null,
  hash: type === 'file' ? path : null,
});

/**
 * Three layers with every case that matters:
 * 0: /etc/conf (100 B), /bin/sh (50 B) with a symlink and a hard link to it, /data/big (300 B), /opt/x (40 B) and /opt/y (60 B), /var/t (10 B).
 * 1: /etc/conf overwritten (120 B), /bin/sh deleted, /data deleted (a directory), /opt made opaque with /opt/z (5 B), /var/t turned into a symlink.
 * 2: /etc/conf back to layer 0's bytes (100 B).
 */
const CONF0 = fill(100, 'a');
const CONF1 = fill(120, 'b');
const LAYERS: TarItem[][] = [
  [
    dir('etc/'),
    file('etc/conf', CONF0),
    dir('bin/'),
    file('bin/sh', fill(50, 's'), 0o755),
    { header: { name: 'bin/link', type: 'symlink', linkname: 'sh', mode: 0o777 } },
    { header: { name: 'bin/hard', type: 'link', linkname: 'bin/sh', mode: 0o755 } },
    dir('data/'),
    file('data/big', fill(300, 'd')),
    dir('opt/'),
    file('opt/x', fill(40, 'x')),
    file('opt/y', fill(60, 'y')),
    dir('var/'),
    file('var/t', fill(10, 't'), 0o600, 1000),
  ],
  [
    dir('etc/'),
    file('etc/conf', CONF1),
    marker('bin/.wh.sh'),
    marker('.wh.data'),
    dir('opt/'),
    marker('opt/.wh..wh..opq'),
    file('opt/z', fill(5, 'z')),
    { header: { name: 'var/t', type: 'symlink', linkname: '/etc/conf', mode: 0o777 } },
  ],
  [dir('./etc/'), file('./etc/conf', CONF0)],
];

async function fixture(t: { after: (fn: () => Promise<void>) => void }) {
  const root = await mkdtemp(join(tmpdir(), 'deckhand-layers-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const tars = await Promise.all(LAYERS.map(tarOf));
  return { root, tars };
}

test('cleanPath makes tar names absolute and clean', () => {
  assert.equal(cleanPath('./a//b/'), '/a/b');
  assert.equal(cleanPath('a/../../b'), '/b');
  assert.equal(cleanPath('./'), '/');
});

test('a layer is read streaming from gzip, zstd and a plain tar into the same entries', async (t) => {
  const { root, tars } = await fixture(t);
  const forms = { gzip: gzipSync(tars[0]!), zstd: zstdCompressSync(tars[0]!), plain: tars[0]! };
  const read: Record<string, LayerContents> = {};
  for (const [name, blob] of Object.entries(forms)) {
    await writeFile(join(root, name), blob);
    read[name] = await readLayerFile(join(root, name), `sha256:${name}`);
  }
  assert.deepEqual(read.zstd, read.gzip);
  assert.deepEqual(read.plain, read.gzip);
  const byPath = new Map(read.gzip!.entries.map((e) => [e.path, e]));
  assert.deepEqual(
    [...byPath.keys()],
    ['/etc', '/etc/conf', '/bin', '/bin/sh', '/bin/link', '/bin/hard', '/data', '/data/big', '/opt', '/opt/x', '/opt/y', '/var', '/var/t'],
  );
  assert.deepEqual(byPath.get('/etc/conf'), {
    path: '/etc/conf',
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: 100,
    linkTarget: null,
    hash: sha256(CONF0),
  });
  assert.deepEqual(byPath.get('/bin/link'), {
    path: '/bin/link',
    type: 'symlink',
    mode: 0o777,
    uid: 0,
    gid: 0,
    size: 0,
    linkTarget: 'sh',
    hash: null,
  });
  assert.deepEqual(byPath.get('/bin/hard'), {
    path: '/bin/hard',
    type: 'hardlink',
    mode: 0o755,
    uid: 0,
    gid: 0,
    size: 0,
    linkTarget: '/bin/sh',
    hash: null,
  });
  assert.equal(byPath.get('/var/t')!.uid, 1000);
  assert.equal(byPath.get('/etc')!.type, 'dir');

  await writeFile(join(root, 'l1'), gzipSync(tars[1]!));
  const l1 = await readLayerFile(join(root, 'l1'), 'sha256:l1');
  assert.deepEqual(l1.whiteouts, ['/bin/sh', '/data']);
  assert.deepEqual(l1.opaque, ['/opt']);
  assert.deepEqual(
    l1.entries.map((e) => e.path),
    ['/etc', '/etc/conf', '/opt', '/opt/z', '/var/t'],
  );
});

test('a corrupt or non-layer blob is refused with an error naming the layer', async (t) => {
  const { root, tars } = await fixture(t);
  const cases = {
    truncated: gzipSync(tars[0]!).subarray(0, 200),
    garbage: Buffer.from('{"this is": "a config, not a layer"}'.repeat(20)),
    empty: Buffer.alloc(0),
  };
  for (const [name, blob] of Object.entries(cases)) {
    await writeFile(join(root, name), blob);
    await assert.rejects(readLayerFile(join(root, name), `sha256:${name}`), (e: unknown) => {
      assert.ok(isDeckhandError(e, 'EINVALID'), `${name}: ${String(e)}`);
      assert.match(e.message, new RegExp(`Layer sha256:${name} cannot be read`));
      return true;
    });
  }
});

test("statuses, trees and every efficiency figure, worked out by hand; dive's figure without opaque directories", async (t) => {
  const { root, tars } = await fixture(t);
  const layers: LayerContents[] = [];
  for (const [i, tar] of tars.entries()) {
    await writeFile(join(root, `l${i}`), tar);
    layers.push(await readLayerFile(join(root, `l${i}`), `l${i}`));
  }
  const { layers: changes, efficiency } = analyzeLayers(layers);

  // Layer 0 adds its 13 entries: 100 + 50 + 300 + 40 + 60 + 10 bytes.
  assert.deepEqual(changes[0]!.added, { count: 13, bytes: 560 });
  assert.deepEqual(changes[0]!.modified, { count: 0, bytes: 0 });
  assert.deepEqual(changes[0]!.removed, { count: 0, bytes: 0 });
  // Layer 1: /opt/z added; /etc/conf (content) and /var/t (type) modified; /bin/sh, /data (300 B under it), /opt/x, /opt/y removed.
  const status1 = Object.fromEntries(changes[1]!.changes.map((c) => [c.path, [c.status, c.size]]));
  assert.deepEqual(status1, {
    '/etc': ['unchanged', 0],
    '/etc/conf': ['modified', 120],
    '/opt': ['unchanged', 0],
    '/opt/z': ['added', 5],
    '/var/t': ['modified', 0],
    '/bin/sh': ['removed', 50],
    '/data': ['removed', 300],
    '/opt/x': ['removed', 40],
    '/opt/y': ['removed', 60],
  });
  assert.deepEqual(changes[1]!.added, { count: 1, bytes: 5 });
  assert.deepEqual(changes[1]!.modified, { count: 2, bytes: 120 });
  assert.deepEqual(changes[1]!.removed, { count: 4, bytes: 450 });
  // Layer 2 puts layer 0's bytes back: still a modification, against layer 1.
  assert.deepEqual(changes[2]!.modified, { count: 1, bytes: 100 });
  assert.deepEqual(changes[2]!.added, { count: 0, bytes: 0 });

  // Leaf paths (cumulative, smallest): /bin/hard (0,0) /bin/link (0,0) /bin/sh (50+0, 0) /data/big (300,300)
  // /data (300 removed under it, 300) /etc/conf (100+120+100, 100) /opt/x (40+0, 0) /opt/y (60+0, 0) /opt/z (5,5) /var/t (10+0, 0).
  const cumulative = 0 + 0 + 50 + 300 + 300 + 320 + 40 + 60 + 5 + 10;
  const smallest = 0 + 0 + 0 + 300 + 300 + 100 + 0 + 0 + 5 + 0;
  assert.equal(efficiency.score, smallest / cumulative);
  assert.deepEqual(
    efficiency.inefficiencies.map((d) => [d.path, d.cumulativeSize, d.count, d.layers]),
    [
      ['/etc/conf', 320, 3, [0, 1, 2]],
      ['/opt/y', 60, 2, [0, 1]],
      ['/bin/sh', 50, 2, [0, 1]],
      ['/opt/x', 40, 2, [0, 1]],
      ['/var/t', 10, 2, [0, 1]],
    ],
  );
  assert.equal(efficiency.wastedBytes, 480);
  // Layers 1 and 2 hold 120 + 5 and 100 bytes.
  assert.equal(efficiency.userBytes, 225);
  assert.equal(efficiency.userWastedPercent, 480 / 225);

  // dive ignores the opaque /opt: /opt/x and /opt/y are seen once, at their full size.
  const dive = analyzeLayers(layers, { diveCompatible: true }).efficiency;
  assert.equal(dive.score, (smallest + 40 + 60) / cumulative);
  assert.equal(dive.wastedBytes, 380);
  assert.deepEqual(
    dive.inefficiencies.map((d) => d.path),
    ['/etc/conf', '/bin/sh', '/var/t'],
  );
});

test('an image in the store: created_by per layer, the inefficiencies named, the second analysis from the cache', async (t) => {
  const { root, tars } = await fixture(t);
  const store = await Store.open(root);
  const img = await storeTestImage(store, {
    name: 'layers-test:1',
    layers: [{ content: tars[0]!, gzip: true }, { content: zstdCompressSync(tars[1]!) }, { content: tars[2]! }],
  });
  const first: Array<[number, number, boolean]> = [];
  const report = await analyzeImage(store, 'layers-test:1', { onLayer: (p) => first.push([p.index, p.layers, p.cached]) });
  // Two layers are read at a time, so the calls may come in either order.
  assert.deepEqual(
    first.sort((a, b) => a[0] - b[0]),
    [
      [0, 3, false],
      [1, 3, false],
      [2, 3, false],
    ],
  );
  assert.deepEqual(
    report.layers.map((l) => [l.digest, l.size, l.createdBy, l.added.count, l.modified.count, l.removed.count]),
    [
      [img.layers[0]!.digest, img.layers[0]!.size, 'RUN step 0', 13, 0, 0],
      [img.layers[1]!.digest, img.layers[1]!.size, 'RUN step 1', 1, 2, 4],
      [img.layers[2]!.digest, img.layers[2]!.size, 'RUN step 2', 0, 1, 0],
    ],
  );
  assert.equal(report.efficiency.wastedBytes, 480);
  assert.deepEqual(report.efficiency.inefficiencies[0], {
    path: '/etc/conf',
    cumulativeSize: 320,
    count: 3,
    layers: img.layers.map((l, index) => ({ index, digest: l.digest, createdBy: `RUN step ${index}` })),
  });
  assert.equal(report.layers[0]!.files, undefined);

  // Every layer is cached; with the blobs gone, the second analysis still answers, from the cache alone.
  for (const l of img.layers) assert.ok(await cachedLayer(store, l.digest));
  for (const l of img.layers) await rm(store.blobPath(l.digest));
  const seen: boolean[] = [];
  const again = await analyzeImage(store, 'layers-test:1', { files: true, onLayer: (p) => seen.push(p.cached) });
  assert.deepEqual(seen, [true, true, true]);
  assert.deepEqual(again.efficiency, report.efficiency);
  assert.equal(again.layers[1]!.files!.length, 9);
  // One file per layer, and the image's figures (per manifest digest).
  const reportFile = `${img.descriptor.digest.replace(':', '-')}.report.json`;
  assert.deepEqual(
    (await readdir(join(root, '.deckhand', 'layer-files'))).sort(),
    [...img.layers.map((l) => `${l.digest.replace(':', '-')}.json`), reportFile].sort(),
  );
  // The blobs are gone: a sweep (what prune does) deletes their cached contents; the manifest is still stored.
  assert.equal(await sweepLayerCache(store), 3);
  assert.deepEqual(await readdir(join(root, '.deckhand', 'layer-files')), [reportFile]);
});

test('a cancelled read stops with ECANCELLED naming the layer', async (t) => {
  const { root, tars } = await fixture(t);
  await writeFile(join(root, 'l0'), gzipSync(tars[0]!));
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(readLayerFile(join(root, 'l0'), 'sha256:l0', controller.signal), (e: unknown) => {
    assert.ok(isDeckhandError(e, 'ECANCELLED'), String(e));
    assert.match(e.message, /sha256:l0/);
    return true;
  });
});

test('a directory only an opaque marker names: a leaf of size 0 for dive, and what it hides is wasted for Deckhand', () => {
  const layers: LayerContents[] = [
    { entries: [entry('/opt', 'dir', 0), entry('/opt/a', 'file', 10)], whiteouts: [], opaque: [] },
    { entries: [], whiteouts: [], opaque: ['/opt'] },
  ];
  // dive: /opt/a (10, 10) once, /opt (0, 0) once: nothing wasted.
  const dive = analyzeLayers(layers, { diveCompatible: true }).efficiency;
  assert.equal(dive.score, 1);
  assert.equal(dive.wastedBytes, 0);
  // Deckhand: /opt/a is hidden by layer 1 as if whited out (a file: 0): 10 cumulative, 0 smallest, wasted.
  const { layers: changes, efficiency } = analyzeLayers(layers);
  assert.equal(efficiency.score, 0);
  assert.equal(efficiency.wastedBytes, 10);
  assert.deepEqual(
    efficiency.inefficiencies.map((d) => [d.path, d.cumulativeSize, d.count]),
    [['/opt/a', 10, 2]],
  );
  assert.deepEqual(changes[1]!.removed, { count: 1, bytes: 10 });
  // No bytes above the first layer but 10 wasted: no ratio (dive divides by zero).
  assert.equal(efficiency.userWastedPercent, null);
});

test('an opaque directory whose layer puts a file back under a directory it only implies', () => {
  const layers: LayerContents[] = [
    {
      entries: [
        entry('/opt', 'dir', 0),
        entry('/opt/sub', 'dir', 0),
        entry('/opt/sub/a', 'file', 10),
        entry('/opt/sub/b', 'file', 20),
        entry('/opt/c', 'file', 5),
      ],
      whiteouts: [],
      opaque: [],
    },
    // /opt opaque; /opt/sub/a put back (same bytes), /opt/sub only implied by its path.
    { entries: [entry('/opt/sub/a', 'file', 10)], whiteouts: [], opaque: ['/opt'] },
  ];
  const { layers: changes, efficiency } = analyzeLayers(layers);
  // /opt/sub/a (10 + 10, 10), /opt/sub/b (20 + 0 hidden, 0), /opt/c (5 + 0 hidden, 0).
  assert.equal(efficiency.score, 10 / 45);
  assert.equal(efficiency.wastedBytes, 45);
  assert.deepEqual(changes[1]!.added, { count: 1, bytes: 10 });
  assert.deepEqual(
    changes[1]!.changes.filter((c) => c.status === 'removed').map((c) => [c.path, c.size]),
    [
      ['/opt/c', 5],
      ['/opt/sub/b', 20],
    ],
  );
  // dive: only /opt/sub/a is seen twice.
  const dive = analyzeLayers(layers, { diveCompatible: true }).efficiency;
  assert.equal(dive.score, 35 / 45);
  assert.equal(dive.wastedBytes, 20);
});

test('an image with a layer that is not a tar: the analysis names that layer and caches nothing for it', async (t) => {
  const { root, tars } = await fixture(t);
  const store = await Store.open(root);
  const img = await storeTestImage(store, {
    name: 'broken:1',
    layers: [{ content: tars[0]!, gzip: true }, { content: Buffer.from('not a tar at all, '.repeat(40)) }],
  });
  await assert.rejects(analyzeImage(store, 'broken:1'), (e: unknown) => {
    assert.ok(isDeckhandError(e, 'EINVALID'), String(e));
    assert.match(e.message, new RegExp(`Layer ${img.layers[1]!.digest} cannot be read as a layer`));
    return true;
  });
  assert.equal(await cachedLayer(store, img.layers[1]!.digest), null);
});
