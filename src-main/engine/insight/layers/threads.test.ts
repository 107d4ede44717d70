import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { isDeckhandError } from '../../../../src-shared/errors.ts';
import { Store } from '../../store/layout.ts';
import { storeTestImage } from '../../../test/fixtures/store-images.ts';
import { dir, file, fill, marker, tarOf } from '../../../test/fixtures/layer-tars.ts';
import { analyzeImage, cachedLayer, type AnalyzeProgress } from './analyze.ts';
import { layerCachePath } from './cache.ts';
import { analyzeLayers } from './model.ts';
import { readOnThread, workerFile } from './pool.ts';
import { readLayerFile } from './read.ts';

async function tempStore(t: { after: (fn: () => Promise<void>) => void }) {
  const root = await mkdtemp(join(tmpdir(), 'deckhand-layer-threads-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  return { root, store: await Store.open(root) };
}

/** Bytes that do not compress, the same every run. */
const noise = (n: number, seed: number) => createCipheriv('aes-128-ctr', Buffer.alloc(16, seed), Buffer.alloc(16)).update(Buffer.alloc(n));

/** `count` gzip layers of `mib` MiB each: a file of their own, and one that each overwrites. */
async function bigLayers(count: number, mib: number) {
  const layers = [];
  for (let i = 0; i < count; i++) {
    const tar = await tarOf([
      dir('data/'),
      file(`data/own-${i}`, noise(mib * 1024 * 1024, i + 1)),
      file('data/shared', fill(1000 + i, String(i))),
    ]);
    layers.push({ content: tar, gzip: true });
  }
  return layers;
}

const layerFiles = async (root: string) => (await readdir(join(root, '.deckhand', 'layer-files')).catch(() => [])).sort();

test('the report from the reader threads is exactly what reading in this thread and the model give', async (t) => {
  const { root, store } = await tempStore(t);
  const tars = [
    await tarOf([dir('etc/'), file('etc/conf', fill(100, 'a')), dir('opt/'), file('opt/x', fill(40, 'x')), file('bin/sh', fill(50, 's'))]),
    await tarOf([dir('etc/'), file('etc/conf', fill(120, 'b')), marker('bin/.wh.sh'), dir('opt/'), marker('opt/.wh..wh..opq')]),
    await tarOf([dir('./etc/'), file('./etc/conf', fill(100, 'a'))]),
  ];
  const blobs = [gzipSync(tars[0]!), zstdCompressSync(tars[1]!), tars[2]!];
  await storeTestImage(store, {
    name: 'same:1',
    layers: [{ content: tars[0]!, gzip: true }, { content: blobs[1]! }, { content: blobs[2]! }],
  });
  const here = [];
  for (const [i, blob] of blobs.entries()) {
    await writeFile(join(root, `l${i}`), blob);
    here.push(await readLayerFile(join(root, `l${i}`), `l${i}`));
  }
  for (const diveCompatible of [false, true]) {
    const expected = analyzeLayers(here, { diveCompatible });
    const report = await analyzeImage(store, 'same:1', { files: true, diveCompatible });
    assert.deepEqual(
      report.layers.map((l) => ({ added: l.added, modified: l.modified, removed: l.removed, changes: l.files })),
      expected.layers.map((l) => ({ added: l.added, modified: l.modified, removed: l.removed, changes: l.changes })),
    );
    const { inefficiencies, ...figures } = expected.efficiency;
    const { inefficiencies: got, ...gotFigures } = report.efficiency;
    assert.deepEqual(gotFigures, figures);
    assert.deepEqual(
      got.map((d) => [d.path, d.cumulativeSize, d.count, d.layers.map((l) => l.index)]),
      inefficiencies.map((d) => [d.path, d.cumulativeSize, d.count, d.layers]),
    );
    // Again, from the cache: the per-manifest figures (without files) are the same figures.
    const { image: _image, layers: withFiles, ...rest } = report;
    const again = await analyzeImage(store, 'same:1', { diveCompatible });
    assert.deepEqual(again, { image: 'same:1', ...rest, layers: withFiles.map(({ files: _files, ...l }) => l) });
  }
});

test('progress: from nothing to every compressed byte and layer, never going back; a cached layer counts as read', async (t) => {
  const { store } = await tempStore(t);
  const img = await storeTestImage(store, { name: 'progress:1', layers: await bigLayers(3, 2) });
  const total = img.layers.reduce((n, l) => n + l.size, 0);
  const run = async () => {
    const seen: AnalyzeProgress[] = [];
    await analyzeImage(store, 'progress:1', { onProgress: (p) => seen.push(p) });
    return seen;
  };
  for (const seen of [await run(), await run()]) {
    assert.deepEqual(seen[0], { bytesDone: 0, bytesTotal: total, layersDone: 0, layers: 3 });
    assert.deepEqual(seen.at(-1), { bytesDone: total, bytesTotal: total, layersDone: 3, layers: 3 });
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i]!.bytesDone >= seen[i - 1]!.bytesDone, `bytes went back at ${i}: ${JSON.stringify(seen)}`);
      assert.ok(seen[i]!.layersDone >= seen[i - 1]!.layersDone);
      assert.ok(seen[i]!.bytesDone <= total);
    }
    assert.equal(seen.filter((p) => p.layersDone === 3).length, 1);
  }
});

test('a cancel mid-analysis rejects with ECANCELLED, caches no unfinished layer and no report; the next analysis works', async (t) => {
  const { root, store } = await tempStore(t);
  const img = await storeTestImage(store, { name: 'cancel:1', layers: await bigLayers(6, 2) });
  const controller = new AbortController();
  // Cancelled as soon as the first layer is done: two threads, so at least two layers are not started yet.
  await assert.rejects(
    analyzeImage(store, 'cancel:1', { signal: controller.signal, onProgress: (p) => p.layersDone === 1 && controller.abort() }),
    (e: unknown) => {
      assert.ok(isDeckhandError(e, 'ECANCELLED'), String(e));
      assert.match(e.message, /analysis of cancel:1 was cancelled/);
      return true;
    },
  );
  const names = await layerFiles(root);
  // No temporary file left, no report for the image, and only whole layers cached.
  assert.deepEqual(
    names.filter((n) => !/^sha256-[0-9a-f]{64}\.json$/.test(n)),
    [],
  );
  assert.ok(names.length >= 1 && names.length <= 4, names.join());
  for (const l of img.layers) {
    const cached = await cachedLayer(store, l.digest);
    if (names.includes(`${l.digest.replace(':', '-')}.json`)) assert.equal(cached?.entries.length, 3);
    else assert.equal(cached, null);
  }
  // Cancelled before it starts: nothing read at all.
  const before = new AbortController();
  before.abort();
  await assert.rejects(analyzeImage(store, 'cancel:1', { signal: before.signal }), (e: unknown) => isDeckhandError(e, 'ECANCELLED'));
  // The terminated threads were replaced: the same image analyses whole.
  const report = await analyzeImage(store, 'cancel:1');
  assert.equal(report.layers.length, 6);
  assert.deepEqual(
    report.efficiency.inefficiencies.map((d) => [d.path, d.count]),
    [['/data/shared', 6]],
  );
});

test("a reader thread's error arrives whole: a damaged layer's DeckhandError, a missing file's errno", async (t) => {
  const { root, store } = await tempStore(t);
  const good = await tarOf([file('a', fill(10, 'a'))]);
  const img = await storeTestImage(store, {
    name: 'damaged:1',
    layers: [{ content: good, gzip: true }, { content: gzipSync(good).subarray(0, 30) }],
  });
  const broken = img.layers[1]!.digest;
  await assert.rejects(analyzeImage(store, 'damaged:1'), (e: unknown) => {
    assert.ok(isDeckhandError(e, 'EINVALID'), String(e));
    assert.match(e.message, new RegExp(`^Layer ${broken} cannot be read as a layer \\(.+\\)\\. Run \`deckhand fsck\``));
    assert.equal(e.detail?.layer, broken);
    assert.equal(typeof e.detail?.problem, 'string');
    return true;
  });
  assert.equal(await cachedLayer(store, broken), null);
  // The good layer is cached only if it was read whole before the failure stopped it; nothing else is.
  const names = await layerFiles(root);
  assert.ok(
    names.every((n) => n === `${img.layers[0]!.digest.replace(':', '-')}.json`),
    names.join(),
  );

  await assert.rejects(readOnThread({ file: join(root, 'not-there'), layer: 'sha256:gone' }), (e: NodeJS.ErrnoException) => {
    assert.equal(e.code, 'ENOENT');
    assert.match(e.message, /not-there/);
    return true;
  });
});

test('the reader is found beside a bundle or one directory up, and a missing one is named', async (t) => {
  const { root } = await tempStore(t);
  assert.equal(workerFile(import.meta.url.replace(/threads\.test\.ts$/, 'pool.ts')).pathname.endsWith('/layers/worker.ts'), true);
  await writeFile(join(root, 'layer-worker.mjs'), '');
  assert.equal(workerFile(pathToFileURL(join(root, 'main.cjs')).href).pathname, join(root, 'layer-worker.mjs'));
  assert.equal(workerFile(pathToFileURL(join(root, 'cli-commands', 'layers.mjs')).href).pathname, join(root, 'layer-worker.mjs'));
  // The packaged app: the reader unpacked beside app.asar.
  await mkdir(join(root, 'app.asar.unpacked', 'dist'), { recursive: true });
  await writeFile(join(root, 'app.asar.unpacked', 'dist', 'layer-worker.mjs'), '');
  assert.equal(
    workerFile(pathToFileURL(join(root, 'app.asar', 'dist', 'main.cjs')).href).pathname,
    join(root, 'app.asar.unpacked', 'dist', 'layer-worker.mjs'),
  );
  assert.throws(
    () => workerFile(pathToFileURL(join(root, 'a', 'b', 'c.mjs')).href),
    (e: unknown) => isDeckhandError(e, 'EINTERNAL') && /layer-worker\.mjs.*npm run build/.test(e.message),
  );
});

test('a cached layer cut short (a crash mid-write) is read again from its blob, and the report is the same', async (t) => {
  const { store } = await tempStore(t);
  const img = await storeTestImage(store, { name: 'short:1', layers: await bigLayers(2, 1) });
  const first = await analyzeImage(store, 'short:1', { files: true });
  const file = layerCachePath(store, img.layers[1]!.digest);
  const whole = await readFile(file, 'utf8');
  await writeFile(file, whole.slice(0, Math.floor(whole.length / 2)));
  const seen: boolean[] = [];
  const again = await analyzeImage(store, 'short:1', { files: true, onLayer: (p) => p.index === 1 && seen.push(p.cached) });
  assert.deepEqual(again, first);
  // Seen first as cached (its text looked right), then read from the blob; the file is whole again.
  assert.deepEqual(seen, [true, false]);
  assert.equal(await readFile(file, 'utf8'), whole);
});
