import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageRow, ManifestListCreated, ManifestListPreview } from '../../src-shared/ipc/types.ts';
import { Store } from '../engine/store/layout.ts';
import { storeTestImage } from '../test/fixtures/store-images.ts';
import { createHost } from './host.ts';

test('previewManifestList shows the document and digest and writes nothing; createManifestList writes exactly that', async () => {
  const root = await mkdtemp(join(tmpdir(), 'deckhand-host-lists-'));
  const storeDir = join(root, 'store');
  const host = createHost({ kind: 'web', storeDir, env: {} });
  try {
    const store = await Store.open(storeDir);
    const arm = await storeTestImage(store, { name: 'example.com/app:arm', layers: [{ content: randomBytes(50) }], architecture: 'arm64' });
    const amd = await storeTestImage(store, { name: 'example.com/app:amd', layers: [{ content: randomBytes(50) }], architecture: 'amd64' });
    const blobsBefore = (await readdir(join(storeDir, 'blobs', 'sha256'))).length;

    const p = await host.dispatch('previewManifestList', { images: ['example.com/app:arm', 'example.com/app:amd'] });
    assert.ok(p.ok, JSON.stringify(p));
    const preview = p.value as ManifestListPreview;
    assert.equal(preview.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.equal(preview.digest, `sha256:${createHash('sha256').update(preview.json).digest('hex')}`);
    assert.deepEqual(
      preview.entries.map((e) => [e.image, e.digest, e.platform, e.configPlatform]),
      [
        ['example.com/app:arm', arm.descriptor.digest, 'linux/arm64', 'linux/arm64'],
        ['example.com/app:amd', amd.descriptor.digest, 'linux/amd64', 'linux/amd64'],
      ],
    );
    assert.equal((await readdir(join(storeDir, 'blobs', 'sha256'))).length, blobsBefore, 'a preview writes nothing');

    // A change of platform and features: a Docker manifest list, another digest.
    const changes = [{ digest: amd.descriptor.digest, platform: 'linux/amd64/v2', features: ['sse4'] }];
    const changed = await host.dispatch('previewManifestList', { images: ['example.com/app:arm', 'example.com/app:amd'], changes });
    assert.ok(changed.ok);
    const second = changed.value as ManifestListPreview;
    assert.equal(second.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
    assert.equal(second.entries[1]!.platform, 'linux/amd64/v2');
    assert.deepEqual(second.entries[1]!.features, ['sse4']);
    const bad = await host.dispatch('previewManifestList', {
      images: ['example.com/app:arm'],
      changes: [{ digest: arm.descriptor.digest, platform: 'linux/arm64/v7' }],
    });
    assert.equal(!bad.ok && bad.error.code, 'EPLATFORM');

    // Creating with a digest that is not what these images make now: refused, nothing written.
    const stale = await host.dispatch('createManifestList', {
      images: ['example.com/app:arm', 'example.com/app:amd'],
      changes,
      name: 'example.com/app:1',
      digest: preview.digest,
    });
    assert.equal(!stale.ok && stale.error.code, 'EUSAGE');
    const c = await host.dispatch('createManifestList', {
      images: ['example.com/app:arm', 'example.com/app:amd'],
      changes,
      name: 'example.com/app:1',
      digest: second.digest,
    });
    assert.ok(c.ok, JSON.stringify(c));
    assert.deepEqual(c.value as ManifestListCreated, {
      name: 'example.com/app:1',
      digest: second.digest,
      mediaType: second.mediaType,
      platforms: ['linux/arm64', 'linux/amd64/v2'],
    });
    assert.equal((await store.readBlob(second.digest)).toString('utf8'), second.json);
    const rows = await host.dispatch('listImages', {});
    assert.ok(rows.ok);
    const row = (rows.value as ImageRow[]).find((r) => r.name === 'example.com/app:1');
    assert.deepEqual(row?.platforms, ['linux/arm64', 'linux/amd64/v2']);
    assert.equal(row?.manifests.length, 2);
  } finally {
    await host.close();
    await rm(root, { recursive: true, force: true });
  }
});
