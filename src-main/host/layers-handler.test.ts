import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageEfficiency, ImageLayers } from '../../src-shared/ipc/types.ts';
import { analyzeImage } from '../engine/insight/layers/analyze.ts';
import { checkEvent } from '../../src-shared/ipc/validate.ts';
import { Store } from '../engine/store/layout.ts';
import { dir, file, fill, marker, tarOf } from '../test/fixtures/layer-tars.ts';
import { storeTestImage } from '../test/fixtures/store-images.ts';
import { engineRow, engineStatus, fakeEngineApi } from '../test/fixtures/fake-engine-api.ts';
import { createHost } from './host.ts';

test('imageLayers: every layer of a stored image with its files and statuses, and the efficiency', async () => {
  const root = await mkdtemp(join(tmpdir(), 'deckhand-host-layers-'));
  const storeDir = join(root, 'store');
  const host = createHost({ kind: 'web', storeDir, env: {} });
  try {
    const store = await Store.open(storeDir);
    const layers = [
      await tarOf([dir('etc/'), file('etc/conf', fill(100, 'a')), dir('tmp/'), file('tmp/cache', fill(300, 'c'))]),
      await tarOf([dir('etc/'), file('etc/conf', fill(120, 'b')), marker('tmp/.wh.cache')]),
    ];
    await storeTestImage(store, { name: 'example.com/app:1', layers: layers.map((content) => ({ content, gzip: true })) });

    const r = await host.dispatch('imageLayers', { ref: 'example.com/app:1' });
    assert.ok(r.ok, JSON.stringify(r));
    const report = r.value as ImageLayers;
    assert.equal(report.platform, 'linux/amd64');
    assert.equal(report.layers.length, 2);
    assert.equal(report.layers[1]!.createdBy, 'RUN step 1');
    const top = new Map(report.layers[1]!.files!.map((f) => [f.path, f]));
    assert.equal(top.get('/etc/conf')?.status, 'modified');
    assert.equal(top.get('/etc/conf')?.size, 120);
    assert.equal(top.get('/tmp/cache')?.status, 'removed');
    assert.equal(top.get('/tmp/cache')?.size, 300);
    assert.equal(report.layers[0]!.files!.find((f) => f.path === '/tmp/cache')?.status, 'added');
    assert.deepEqual(
      report.efficiency.inefficiencies.map((i) => [i.path, i.cumulativeSize, i.count]),
      [
        ['/tmp/cache', 300, 2],
        ['/etc/conf', 220, 2],
      ],
    );
    assert.ok(report.efficiency.wastedBytes > 0);

    const missing = await host.dispatch('imageLayers', { ref: 'example.com/none:1' });
    assert.equal(!missing.ok && missing.error.code, 'ENOT_FOUND');
    const wrongPlatform = await host.dispatch('imageLayers', { ref: 'example.com/app:1', platform: 'linux/s390x' });
    assert.equal(wrongPlatform.ok, false);
  } finally {
    await host.close();
    await rm(root, { recursive: true, force: true });
  }
});

const REQ = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

test('imageEfficiency: the figures only, with progress for a request id, then from memory; cancelAnalysis stops a request', async () => {
  const root = await mkdtemp(join(tmpdir(), 'deckhand-host-eff-'));
  const storeDir = join(root, 'store');
  const host = createHost({ kind: 'web', storeDir, env: {} });
  const progress: unknown[] = [];
  host.events.subscribe((e) => (e.event === 'layersProgress' ? progress.push(e.payload) : undefined));
  try {
    const store = await Store.open(storeDir);
    const layers = [await tarOf([dir('tmp/'), file('tmp/cache', fill(300, 'c'))]), await tarOf([marker('tmp/.wh.cache')])];
    await storeTestImage(store, { name: 'example.com/app:1', layers: layers.map((content) => ({ content, gzip: true })) });

    const r = await host.dispatch('imageEfficiency', { ref: 'example.com/app:1', requestId: REQ(1) });
    assert.ok(r.ok, JSON.stringify(r));
    const e = r.value as ImageEfficiency;
    assert.equal(e.image, 'example.com/app:1');
    assert.equal(e.wastedBytes, 300);
    assert.ok(e.score < 1);
    assert.ok(!('inefficiencies' in e));
    // Checked against the event's schema, as the renderer checks it.
    const steps = progress as Array<{ requestId: string; index: number; bytesDone?: number; bytesTotal?: number }>;
    assert.ok(steps.every((p) => checkEvent('layersProgress', p).ok && p.requestId === REQ(1)));
    // Both layers begun, and the bytes read reach the layers' whole compressed size.
    assert.deepEqual([...new Set(steps.map((p) => p.index))], [0, 1]);
    const last = steps.at(-1)!;
    const seen = steps.length;
    assert.ok(last.bytesTotal! > 0 && last.bytesDone === last.bytesTotal, JSON.stringify(last));
    // Again (by another name of the same image): from memory, nothing read, no progress.
    const again = await host.dispatch('imageEfficiency', { ref: e.manifest, requestId: REQ(2) });
    assert.ok(again.ok);
    assert.equal((again.value as ImageEfficiency).wastedBytes, 300);
    assert.equal(progress.length, seen);

    // A cancel for a request that is not (or no longer) waiting says so.
    const none = await host.dispatch('cancelAnalysis', { requestId: REQ(3) });
    assert.deepEqual(none, { ok: true, value: { cancelled: false } });
    // ...and a request that arrives after its cancel fails at once.
    const late = await host.dispatch('imageLayers', { ref: 'example.com/app:1', requestId: REQ(3) });
    assert.equal(!late.ok && late.error.code, 'ECANCELLED');
    const bad = await host.dispatch('cancelAnalysis', { requestId: 'nope' });
    assert.equal(!bad.ok && bad.error.code, 'EINVALID');
  } finally {
    await host.close();
    await rm(root, { recursive: true, force: true });
  }
});

test("the Efficiency column's figures of a store image come from its analysed report, without the layers' files", async () => {
  const root = await mkdtemp(join(tmpdir(), 'deckhand-host-fig-'));
  const storeDir = join(root, 'store');
  const first = createHost({ kind: 'web', storeDir, env: {} });
  try {
    const store = await Store.open(storeDir);
    const layers = [await tarOf([dir('tmp/'), file('tmp/cache', fill(300, 'c'))]), await tarOf([marker('tmp/.wh.cache')])];
    await storeTestImage(store, { name: 'example.com/app:1', layers: layers.map((content) => ({ content, gzip: true })) });
    // The Files tab analyses it (every layer's files cached, and the image's report).
    assert.ok((await first.dispatch('imageLayers', { ref: 'example.com/app:1' })).ok);
  } finally {
    await first.close();
  }
  // The layers' own cache goes; the report stays. A new host's figures must not need the layers.
  const cacheDir = join(storeDir, '.deckhand', 'layer-files');
  const names = await readdir(cacheDir);
  assert.ok(
    names.some((n) => n.endsWith('.report.json')),
    names.join(' '),
  );
  for (const n of names) if (!n.endsWith('report.json')) await rm(join(cacheDir, n));
  const host = createHost({ kind: 'web', storeDir, env: {} });
  const progress: Array<{ cached: boolean }> = [];
  host.events.subscribe((e) => (e.event === 'layersProgress' ? progress.push(e.payload as { cached: boolean }) : undefined));
  try {
    const r = await host.dispatch('imageEfficiency', { ref: 'example.com/app:1', requestId: REQ(9) });
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal((r.value as ImageEfficiency).wastedBytes, 300);
    assert.ok(progress.length > 0 && progress.every((p) => p.cached), JSON.stringify(progress));
    assert.deepEqual(
      (await readdir(cacheDir)).filter((n) => !n.endsWith('report.json')),
      [],
      'no layer was read again',
    );
  } finally {
    await host.close();
    await rm(root, { recursive: true, force: true });
  }
});

test("an engine's image: analysed once per image ID (export, then analysis), the report kept for the Files tab", async () => {
  const root = await mkdtemp(join(tmpdir(), 'deckhand-host-eng-'));
  const scratch = await Store.open(join(root, 'scratch'));
  const layers = [await tarOf([dir('tmp/'), file('tmp/cache', fill(500, 'c'))]), await tarOf([marker('tmp/.wh.cache')])];
  await storeTestImage(scratch, { name: 'example.com/eng:1', layers: layers.map((content) => ({ content, gzip: true })) });
  const ID = `sha256:${'a'.repeat(64)}`;
  const docker = fakeEngineApi('docker', 'docker', [engineRow('app:1', ID, 1000), { ...engineRow('app:2', ID, 1000) }]);
  const exports: Array<{ engine: string; ref: string }> = [];
  const host = createHost({
    kind: 'web',
    storeDir: join(root, 'store'),
    env: {},
    discoverEngines: async () => [{ status: engineStatus('docker', 'docker'), engine: docker }],
    analyzeEngineImage: async (engine, ref, opts) => {
      exports.push({ engine: engine.name, ref });
      return analyzeImage(scratch, 'example.com/eng:1', opts);
    },
  });
  try {
    const eff = await host.dispatch('imageEfficiency', { ref: 'app:1', source: 'docker' });
    assert.ok(eff.ok, JSON.stringify(eff));
    assert.equal((eff.value as ImageEfficiency).wastedBytes, 500);
    assert.equal((eff.value as ImageEfficiency).image, 'app:1');
    // Exported by its image ID (a dangling image has no name).
    assert.deepEqual(exports, [{ engine: 'docker', ref: ID }]);

    const files = await host.dispatch('imageLayers', { ref: 'app:2', source: 'docker' });
    assert.ok(files.ok, JSON.stringify(files));
    const report = files.value as ImageLayers;
    assert.equal(report.image, 'app:2');
    assert.equal(report.layers.length, 2);
    assert.ok(report.layers[1]!.files!.some((f) => f.path === '/tmp/cache' && f.status === 'removed'));
    assert.equal(exports.length, 1, 'the same image ID: no second export');

    const missing = await host.dispatch('imageEfficiency', { ref: 'none:1', source: 'docker' });
    assert.equal(!missing.ok && missing.error.code, 'ENOT_FOUND');
    const unknown = await host.dispatch('imageLayers', { ref: 'app:1', source: 'nowhere' });
    assert.equal(!unknown.ok && unknown.error.code, 'EENGINE');
  } finally {
    await host.close();
    await rm(root, { recursive: true, force: true });
  }
});
