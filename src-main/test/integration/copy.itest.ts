/**
 * `deckhand copy` across transports against real registries: registry to registry (another
 * registry, and within one registry by mount), registry to OCI layout and back, store to layout.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { generateImage, generateIndex, pushWithSkopeo, writeOciLayout, type GeneratedImage } from '../fixtures/images.ts';
import { run } from '../fixtures/tools.ts';
import { Store } from '../../engine/store/layout.ts';
import { copy as copyImage, parseEndpoint } from '../../engine/transfer/copy.ts';
import { listImages } from '../../engine/insight/images.ts';
import { fsck } from '../../engine/insight/fsck.ts';

const ARM64 = { os: 'linux', architecture: 'arm64' };
const AMD64 = { os: 'linux', architecture: 'amd64' };

let work: string;
let a: TestRegistry;
let b: TestRegistry;
let arm: GeneratedImage;
let amd: GeneratedImage;
let indexDigest: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'deckhand-copy-'));
  [a, b] = await Promise.all([startRegistry(), startRegistry()]);
  arm = await generateImage({ layers: 2, layerSize: 5_000_000, platform: ARM64, seed: 'carm' });
  amd = await generateImage({ layers: 2, layerSize: 100_000, platform: AMD64, seed: 'camd' });
  const index = await generateIndex([amd, arm]);
  indexDigest = index.digest;
  await writeOciLayout(join(work, 'src'), [{ ref: 'multi', index }]);
  await pushWithSkopeo(join(work, 'src'), 'multi', `${a.host}/up/app:1`, { all: true });
});

after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await rm(work, { recursive: true, force: true });
});

const rawManifest = async (ref: string) =>
  JSON.parse((await run('skopeo', ['inspect', '--raw', '--tls-verify=false', ref], { timeoutMs: 60_000 })).stdout);

describe('copy', () => {
  test("endpoints parse like skopeo's transports", () => {
    assert.deepEqual(parseEndpoint('oci:/tmp/x:host:5000/a/b:1'), { kind: 'oci', dir: '/tmp/x', ref: 'host:5000/a/b:1' });
    assert.deepEqual(parseEndpoint('oci:/tmp/x'), { kind: 'oci', dir: '/tmp/x', ref: undefined });
    assert.equal(parseEndpoint('docker://alpine').kind, 'docker');
    assert.deepEqual(parseEndpoint('alpine:3'), { kind: 'store', ref: 'alpine:3' });
    assert.throws(
      () => parseEndpoint('oci-archive:/x.tar'),
      (e: Error & { code?: string }) => e.code === 'EUSAGE' && e.message.includes('deckhand save'),
    );
    assert.throws(
      () => parseEndpoint('oci::tag'),
      (e: Error & { code?: string }) => e.code === 'EUSAGE',
    );
  });

  test('an oci: source that is not a layout is a clear error, and nothing is created at that path', async () => {
    const missing = join(work, 'no-such-layout');
    const store = await Store.open(join(work, 'typo-store'));
    await assert.rejects(
      copyImage(store, `oci:${missing}:x`, `oci:${join(work, 'never')}:x`, { platform: { os: 'linux', architecture: 'amd64' } }),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'ENOT_FOUND');
        assert.match(e.message, /is not an OCI image layout/);
        return true;
      },
    );
    await assert.rejects(stat(missing), { code: 'ENOENT' });
    await assert.rejects(stat(join(work, 'never')), { code: 'ENOENT' });
  });

  test('registry to registry mirrors every platform with identical digests, without the store', async () => {
    const store = await Store.open(join(work, 'mirror-store'));
    const r = await copyImage(store, `docker://${a.host}/up/app:1`, `docker://${b.host}/mirror/app:1`, {
      platform: ARM64,
      allPlatforms: true,
    });
    assert.equal(r.digest, indexDigest);
    assert.ok(r.bytes > 10_000_000);
    const raw = await rawManifest(`docker://${b.host}/mirror/app:1`);
    assert.deepEqual(raw.manifests.map((m: { digest: string }) => m.digest).sort(), [amd.manifestDigest, arm.manifestDigest].sort());
    assert.deepEqual(await listImages(store), [], 'nothing went through the store');
    const again = await copyImage(store, `docker://${a.host}/up/app:1`, `docker://${b.host}/mirror/app:1`, {
      platform: ARM64,
      allPlatforms: true,
    });
    assert.equal(again.bytes, 0);
    // Within one registry, blobs are mounted from the source repository.
    const within = await copyImage(store, `docker://${a.host}/up/app:1`, `docker://${a.host}/other/app:1`, {
      platform: ARM64,
      allPlatforms: true,
    });
    assert.equal(within.bytes, 0);
    assert.equal((await rawManifest(`docker://${a.host}/other/app:1`)).manifests.length, 2);
  });

  test('one platform without --all-platforms, as skopeo does', async () => {
    const store = await Store.open(join(work, 'one-store'));
    const r = await copyImage(store, `docker://${a.host}/up/app:1`, `docker://${b.host}/single/app:1`, { platform: AMD64 });
    assert.equal(r.digest, amd.manifestDigest);
    assert.equal((await rawManifest(`docker://${b.host}/single/app:1`)).config.digest, amd.configDigest);
  });

  test('registry to an OCI layout with a bare tag, layout to the store, store to a registry', async () => {
    const store = await Store.open(join(work, 'layout-store'));
    const dir = join(work, 'plain-layout');
    const pulled = await copyImage(store, `docker://${a.host}/up/app:1`, `oci:${dir}:v1`, { platform: ARM64 });
    assert.equal(pulled.ref, 'v1');
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    assert.deepEqual(
      index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name']),
      ['v1'],
    );
    const config = JSON.parse(
      (await run('skopeo', ['inspect', '--config', '--override-arch', 'arm64', `oci:${dir}:v1`], { timeoutMs: 60_000 })).stdout,
    );
    assert.equal(config.architecture, 'arm64');

    const imported = await copyImage(store, `oci:${dir}:v1`, `${a.host}/imported/app:2`, { platform: ARM64 });
    assert.equal(imported.digest, indexDigest);
    assert.equal((await fsck(store)).ok, true);
    const [row] = await listImages(store);
    assert.equal(row?.repository, `${a.host}/imported/app`);
    assert.equal(row?.sparse, true);
    const out = join(work, 'exported');
    await copyImage(store, `${a.host}/imported/app:2`, `oci:${out}`, { platform: ARM64 });
    const exported = JSON.parse(await readFile(join(out, 'index.json'), 'utf8'));
    assert.equal(exported.manifests[0].annotations['org.opencontainers.image.ref.name'], `${a.host}/imported/app:2`);
    const sent = await copyImage(store, `oci:${dir}:v1`, `docker://${b.host}/from-layout/app:1`, { platform: ARM64 }).catch(
      (e: Error & { code?: string }) => e,
    );
    assert.equal((sent as Error & { code?: string }).code, 'ENO_PLATFORM', 'a sparse index is not pushed as is');
  });
});
