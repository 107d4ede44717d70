/**
 * Push against a real registry (Debian's docker-registry on 127.0.0.1): dedup by HEAD, cross-repo
 * mounts, streamed uploads of large blobs, a multi-platform round trip, sparse indexes, the
 * read-only token message under real token auth, and skopeo reading what Deckhand pushed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { generateImage, generateIndex, skopeoCopy, writeOciLayout, type GeneratedImage } from '../fixtures/images.ts';
import { run } from '../fixtures/tools.ts';
import { Store } from '../../engine/store/layout.ts';
import { pull } from '../../engine/transfer/pull.ts';
import { push } from '../../engine/transfer/push.ts';
import { removeImages } from '../../engine/store/remove.ts';
import { listImages } from '../../engine/insight/images.ts';
import type { TransferEvent } from '../../../src-shared/transfer.ts';
import { MONOLITHIC_MAX } from '../../engine/transfer/blob-push.ts';

const ARM64 = { os: 'linux', architecture: 'arm64' };
const AMD64 = { os: 'linux', architecture: 'amd64' };

let work: string;
let registry: TestRegistry;
let arm: GeneratedImage;
let amd: GeneratedImage;
let indexDigest: string;
let layout: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'deckhand-push-'));
  registry = await startRegistry();
  // One layer over the single-PUT limit, so the streamed PATCH path runs too.
  arm = await generateImage({ layers: 3, layerSize: MONOLITHIC_MAX + 300_000, platform: ARM64, seed: 'parm' });
  amd = await generateImage({ layers: 3, layerSize: 250_000, platform: AMD64, seed: 'pamd', sharedLayersFrom: arm, sharedLayers: 1 });
  const index = await generateIndex([amd, arm]);
  indexDigest = index.digest;
  layout = join(work, 'layout');
  await writeOciLayout(layout, [
    { ref: 'multi', index },
    { ref: 'single', image: amd },
  ]);
});

after(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

/** A store holding `multi` as NAME, put there by skopeo (the interop path: a layout skopeo wrote). */
async function storeWith(dir: string, name: string, ref = 'multi'): Promise<Store> {
  await skopeoCopy(`oci:${layout}:${ref}`, `oci:${join(work, dir)}:${name}`, { all: true, policyDir: work });
  return Store.open(join(work, dir));
}

const blobCount = (imgs: GeneratedImage[]) => new Set(imgs.flatMap((i) => [i.configDigest, ...i.layers.map((l) => l.digest)])).size;

describe('push to a real registry', () => {
  test('a multi-platform index from a skopeo-written layout round-trips with identical digests', async () => {
    const name = `${registry.host}/rt/app:1`;
    const store = await storeWith('rt-store', name);
    const events: TransferEvent[] = [];
    const result = await push(store, name, undefined, { onEvent: (e) => events.push(e) });
    assert.equal(result.digest, indexDigest);
    assert.equal(result.uploadedBlobs, blobCount([arm, amd]));
    assert.deepEqual([...result.platforms].sort(), ['linux/amd64', 'linux/arm64']);
    const big = arm.layers.find((l) => l.size > MONOLITHIC_MAX)!;
    const states = events.filter((e) => e.type === 'blob' && e.digest === big.digest).map((e) => (e.type === 'blob' ? e.state : ''));
    assert.equal(states[0], 'uploading');
    assert.equal(states.at(-1), 'done');
    // skopeo sees the same index.
    const raw = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${name}`], { timeoutMs: 60_000 });
    assert.equal(JSON.parse(raw.stdout).manifests.length, 2);
    assert.equal(
      JSON.parse(raw.stdout).manifests.find((m: { platform: { architecture: string } }) => m.platform.architecture === 'arm64').digest,
      arm.manifestDigest,
    );
    const config = await run('skopeo', ['inspect', '--config', '--tls-verify=false', '--override-arch', 'arm64', `docker://${name}`], {
      timeoutMs: 60_000,
    });
    assert.equal(JSON.parse(config.stdout).config.Labels['dev.deckhand.test.seed'], 'parm');

    await removeImages(store, [name]);
    assert.deepEqual(await listImages(store), []);
    for (const [platform, image] of [
      [ARM64, arm],
      [AMD64, amd],
    ] as const) {
      const fresh = await Store.open(join(work, `rt-pull-${platform.architecture}`));
      const pulled = await pull(fresh, name, { platform });
      assert.equal(pulled.digest, indexDigest);
      const [row] = await listImages(fresh);
      assert.deepEqual(row?.platforms, [`linux/${platform.architecture}`]);
      const again = await pull(fresh, `${registry.host}/rt/app@${image.manifestDigest}`, { platform });
      assert.equal(again.digest, image.manifestDigest);
      assert.equal(again.fetchedBlobs, 0, 'the platform manifest is the one pulled through the index');
    }
  });

  test('re-pushing uploads zero blob bytes', async () => {
    const name = `${registry.host}/again/app:1`;
    const store = await storeWith('again-store', name);
    const first = await push(store, name);
    assert.ok(first.uploadedBytes > MONOLITHIC_MAX);
    const second = await push(store, name);
    assert.equal(second.uploadedBytes, 0);
    assert.equal(second.uploadedBlobs, 0);
    assert.equal(second.existingBlobs, blobCount([arm, amd]));
    assert.equal(second.digest, first.digest);
  });

  test('pushing to a second repository of the same registry mounts instead of uploading', async () => {
    const name = `${registry.host}/mount/src:1`;
    const store = await storeWith('mount-store', name);
    await push(store, name);
    const events: TransferEvent[] = [];
    const copy = await push(store, name, `${registry.host}/mount/dest:1`, { onEvent: (e) => events.push(e) });
    assert.equal(copy.mountedBlobs, blobCount([arm, amd]));
    assert.equal(copy.uploadedBytes, 0);
    assert.ok(events.some((e) => e.type === 'blob' && e.state === 'mounted'));
    // What was pulled is remembered too: pushing a pulled image elsewhere in its registry mounts.
    const other = await Store.open(join(work, 'mount-pulled'));
    await pull(other, `${registry.host}/mount/dest:1`, { platform: AMD64 });
    const third = await push(other, `${registry.host}/mount/dest:1`, `${registry.host}/mount/third:1`, { presentPlatforms: true });
    assert.equal(third.mountedBlobs, blobCount([amd]));
    assert.equal(third.uploadedBytes, 0);
  });

  test('a sparse index is refused with the missing platforms named, or pushed as a new index of the present ones', async () => {
    const store = await Store.open(join(work, 'sparse-store'));
    const name = `${registry.host}/rt/app:1`;
    await pull(store, name, { platform: ARM64 });
    await assert.rejects(
      push(store, name, `${registry.host}/sparse/app:1`),
      (e: Error & { code?: string }) =>
        e.code === 'ENO_PLATFORM' && e.message.includes('linux/amd64') && e.message.includes('--present-platforms'),
    );
    const partial = await push(store, name, `${registry.host}/sparse/app:1`, { presentPlatforms: true });
    assert.notEqual(partial.digest, indexDigest);
    assert.deepEqual(partial.platforms, ['linux/arm64']);
    const raw = JSON.parse(
      (await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/sparse/app:1`], { timeoutMs: 60_000 }))
        .stdout,
    );
    assert.deepEqual(
      raw.manifests.map((m: { digest: string }) => m.digest),
      [arm.manifestDigest],
    );
  });

  test('more blobs than the connection pool has sockets: every reply gives its connection back', async () => {
    // 40 layers mean over 80 requests on at most 32 sockets; a reply left unread holds its socket.
    const many = await generateImage({ layers: 40, layerSize: 2_000, platform: AMD64, seed: 'many' });
    await writeOciLayout(join(work, 'many-src'), [{ ref: 'x', image: many }]);
    await skopeoCopy(`oci:${join(work, 'many-src')}:x`, `oci:${join(work, 'many-store')}:${registry.host}/many/app:1`, { policyDir: work });
    const store = await Store.open(join(work, 'many-store'));
    const result = await push(store, `${registry.host}/many/app:1`, `${registry.host}/many/copy:1`);
    assert.equal(result.uploadedBlobs + result.mountedBlobs + result.existingBlobs, 41);
  });

  test('a stored image without a registry name needs a destination', async () => {
    const store = await storeWith('bare-store', 'v1', 'single');
    await assert.rejects(
      push(store, 'v1', undefined),
      (e: Error & { code?: string }) => e.code === 'EUSAGE' && e.message.includes('destination'),
    );
    const result = await push(store, 'v1', `${registry.host}/bare/app:v1`);
    assert.equal(result.digest, amd.manifestDigest);
  });
});

describe('push with token auth', () => {
  test('a pull-only token gets the read-only message; wrong credentials are named as such', async (t) => {
    const reg = await startRegistry({ auth: 'token', users: { writer: 'pw-w', reader: { password: 'pw-r', actions: ['pull'] } } });
    t.after(() => reg.stop());
    const name = `${reg.host}/team/app:1`;
    const store = await storeWith('token-store', name, 'single');
    const ok = await push(store, name, undefined, { credentials: { username: 'writer', password: 'pw-w' } });
    assert.equal(ok.digest, amd.manifestDigest);
    assert.ok(reg.tokenServer!.requests.some((r) => r.scope.includes('repository:team/app:pull,push')));
    await assert.rejects(
      push(store, name, `${reg.host}/team/other:1`, { credentials: { username: 'reader', password: 'pw-r' } }),
      (e: Error & { code?: string }) =>
        e.code === 'EDENIED' && e.message.includes(`credentials for ${reg.host} can read but not write to team/other`),
    );
    await assert.rejects(
      push(store, name, undefined, { credentials: { username: 'writer', password: 'nope' } }),
      (e: Error & { code?: string }) => e.code === 'EUNAUTHORIZED',
    );
    // The reader can still pull what the writer pushed.
    const pulled = await pull(await Store.open(join(work, 'token-reader')), name, {
      platform: AMD64,
      credentials: { username: 'reader', password: 'pw-r' },
    });
    assert.equal(pulled.digest, amd.manifestDigest);
  });
});
