import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageLayers } from '../../src-shared/ipc/types.ts';
import { Store } from '../engine/store/layout.ts';
import { dir, file, fill, marker, tarOf } from '../test/fixtures/layer-tars.ts';
import { storeTestImage } from '../test/fixtures/store-images.ts';
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
