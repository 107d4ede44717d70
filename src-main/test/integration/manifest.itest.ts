/**
 * Manifest lists made from stored images, against the real registry with skopeo and podman as
 * peers: a list of a generated arm64 and amd64 image is pushed with its images; skopeo reads the
 * index back byte for byte with both entries' platforms and digests, and podman's manifest inspect
 * reads it; --all=false with images missing is refused naming them, and works once they are
 * there; the images survive prune while the list exists and not after `manifest rm`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { generateImage, permissivePolicy, skopeoCopy, writeOciLayout, type GeneratedImage } from '../fixtures/images.ts';
import { isolatedPodman } from '../fixtures/engines.ts';
import { CLI_SOURCE, run, runCli } from '../fixtures/tools.ts';
import { Store } from '../../engine/store/layout.ts';
import { DOCKER_MANIFEST_LIST, OCI_INDEX } from '../../../src-shared/oci/mediatypes.ts';

let work: string;
let registry: TestRegistry;
let arm: GeneratedImage;
let amd: GeneratedImage;
let storeDir: string;
let env: NodeJS.ProcessEnv;
let podmanArgs: string[];

const deckhand = (...args: string[]) => runCli(['--store', storeDir, ...args], { entry: CLI_SOURCE, env });
const ok = async (...args: string[]) => {
  const r = await deckhand(...args);
  assert.equal(r.code, 0, `deckhand ${args.join(' ')}: ${r.stderr}`);
  return r;
};
const skopeoRaw = async (ref: string) =>
  (
    await run('skopeo', ['inspect', '--raw', '--tls-verify=false', '--policy', await permissivePolicy(work), `docker://${ref}`], {
      timeoutMs: 60_000,
    })
  ).stdout;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'deckhand-manifest-'));
  env = {
    ...process.env,
    HOME: work,
    XDG_CONFIG_HOME: join(work, 'cfg'),
    XDG_RUNTIME_DIR: join(work, 'run'),
    DOCKER_CONFIG: join(work, 'docker-cfg'),
  };
  registry = await startRegistry();
  arm = await generateImage({ layers: 2, layerSize: 60_000, platform: { os: 'linux', architecture: 'arm64' }, seed: 'list-arm' });
  amd = await generateImage({ layers: 2, layerSize: 70_000, platform: { os: 'linux', architecture: 'amd64' }, seed: 'list-amd' });
  await writeOciLayout(join(work, 'src'), [
    { ref: 'arm', image: arm },
    { ref: 'amd', image: amd },
  ]);
  storeDir = join(work, 'store');
  // The images reach the store the way a user's builds do: as stored images under their own names.
  await skopeoCopy(`oci:${join(work, 'src')}:arm`, `oci:${storeDir}:registry.example/app:arm64`, { policyDir: work });
  await skopeoCopy(`oci:${join(work, 'src')}:amd`, `oci:${storeDir}:registry.example/app:amd64`, { policyDir: work });
  podmanArgs = isolatedPodman(work);
});

after(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('a list of an arm64 and an amd64 image', () => {
  let listDigest: string;

  test("create, inspect: an OCI index with each image at its config's platform", async () => {
    const created = await ok(
      'manifest',
      'create',
      'registry.example/app:1.0',
      'registry.example/app:arm64',
      'registry.example/app:amd64',
      '--format',
      'json',
    );
    const made = JSON.parse(created.stdout) as { digest: string; mediaType: string; entries: Array<{ digest: string; platform: string }> };
    listDigest = made.digest;
    assert.equal(made.mediaType, OCI_INDEX);
    assert.deepEqual(made.entries, [
      { digest: arm.manifestDigest, platform: 'linux/arm64' },
      { digest: amd.manifestDigest, platform: 'linux/amd64' },
    ]);
    const text = await ok('manifest', 'inspect', 'registry.example/app:1.0');
    assert.match(text.stdout, /OCI image index sha256:/);
    assert.match(text.stdout, new RegExp(`linux/arm64\\s+${arm.manifestDigest}`));
    // The table shows it as one image with two platforms.
    const images = JSON.parse((await ok('images', '--format', 'json')).stdout) as Array<{ name: string; platforms: string[] }>;
    const row = images.find((i) => i.name === 'registry.example/app:1.0');
    assert.deepEqual(row?.platforms, ['linux/arm64', 'linux/amd64']);
  });

  test('--all=false before the images are there: refused, naming both, nothing pushed', async () => {
    const dest = `${registry.host}/team/app:1.0`;
    const r = await deckhand('manifest', 'push', '--all=false', 'registry.example/app:1.0', dest, '--quiet');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`linux/arm64 ${arm.manifestDigest}`));
    assert.match(r.stderr, new RegExp(`linux/amd64 ${amd.manifestDigest}`));
    assert.match(r.stderr, /Nothing was pushed/);
    const tags = await fetch(`http://${registry.host}/v2/team/app/tags/list`);
    assert.equal(tags.status, 404, 'the repository was not created');
  });

  test('push: every image, then the index; skopeo reads it back exactly and podman reads it', async () => {
    const dest = `${registry.host}/team/app:1.0`;
    const pushed = JSON.parse((await ok('manifest', 'push', 'registry.example/app:1.0', dest, '--format', 'json')).stdout) as {
      digest: string;
    };
    assert.equal(pushed.digest, listDigest);
    const raw = await skopeoRaw(dest);
    assert.equal(`sha256:${createHash('sha256').update(raw).digest('hex')}`, listDigest, 'the registry serves the bytes made here');
    const index = JSON.parse(raw) as {
      mediaType: string;
      manifests: Array<{ digest: string; size: number; platform: { os: string; architecture: string } }>;
    };
    assert.equal(index.mediaType, OCI_INDEX);
    assert.deepEqual(
      index.manifests.map((m) => [m.digest, m.size, m.platform]),
      [
        [arm.manifestDigest, arm.manifestBytes.length, { architecture: 'arm64', os: 'linux' }],
        [amd.manifestDigest, amd.manifestBytes.length, { architecture: 'amd64', os: 'linux' }],
      ],
    );
    // Each image is there whole: skopeo reads its manifest by the digest the list names.
    assert.equal(await skopeoRaw(`${registry.host}/team/app@${arm.manifestDigest}`), arm.manifestBytes.toString());
    // Podman 4's manifest inspect has no --tls-verify: its registries.conf says the registry is plain HTTP.
    const conf = join(work, 'registries.conf');
    await writeFile(conf, `[[registry]]\nlocation = "${registry.host}"\ninsecure = true\n`);
    const podman = await run('podman', [...podmanArgs, 'manifest', 'inspect', dest], {
      timeoutMs: 120_000,
      env: { ...env, CONTAINERS_REGISTRIES_CONF: conf },
    });
    const seen = JSON.parse(podman.stdout) as { manifests: Array<{ digest: string; platform: { architecture: string } }> };
    assert.deepEqual(
      seen.manifests.map((m) => [m.digest, m.platform.architecture]),
      [
        [arm.manifestDigest, 'arm64'],
        [amd.manifestDigest, 'amd64'],
      ],
    );
  });

  test('--all=false once the images are in the repository: the index alone goes', async () => {
    // A new version of the list (annotated) to another tag of the same repository, whose images are there now.
    await ok('manifest', 'annotate', '--index', 'registry.example/app:1.0', '--annotation', 'org.opencontainers.image.version=1.0');
    const dest = `${registry.host}/team/app:1.0-annotated`;
    const r = await ok('manifest', 'push', '--all=false', 'registry.example/app:1.0', dest, '--format', 'json');
    const result = JSON.parse(r.stdout) as { digest: string; uploadedBlobs: number };
    assert.equal(result.uploadedBlobs, 0);
    const raw = JSON.parse(await skopeoRaw(dest)) as { annotations: Record<string, string> };
    assert.deepEqual(raw.annotations, { 'org.opencontainers.image.version': '1.0' });
  });

  test('features make a Docker manifest list, which the registry takes and skopeo reads with the features', async () => {
    await ok('manifest', 'create', 'registry.example/app:features', 'registry.example/app:arm64', 'registry.example/app:amd64');
    const annotated = JSON.parse(
      (await ok('manifest', 'annotate', 'registry.example/app:features', amd.manifestDigest, '--features', 'sse4', '--format', 'json'))
        .stdout,
    ) as { mediaType: string };
    assert.equal(annotated.mediaType, DOCKER_MANIFEST_LIST);
    const dest = `${registry.host}/team/app:features`;
    await ok('manifest', 'push', 'registry.example/app:features', dest, '--quiet');
    const raw = JSON.parse(await skopeoRaw(dest)) as { mediaType: string; manifests: Array<{ platform: Record<string, unknown> }> };
    assert.equal(raw.mediaType, DOCKER_MANIFEST_LIST);
    assert.deepEqual(raw.manifests[1]!.platform, { architecture: 'amd64', os: 'linux', features: ['sse4'] });
    await ok('manifest', 'rm', 'registry.example/app:features');
  });

  test('the images survive rmi and prune while the list exists, and not after manifest rm', async () => {
    await ok('rmi', 'registry.example/app:arm64', 'registry.example/app:amd64');
    await ok('prune');
    const store = await Store.open(storeDir);
    const blobs = [arm, amd].flatMap((i) => [i.manifestDigest, i.configDigest, ...i.layers.map((l) => l.digest)]);
    for (const d of blobs) assert.ok(await store.hasBlob(d), `${d} is kept by the list`);
    assert.equal((await ok('fsck')).code, 0);
    const removed = await ok('manifest', 'rm', 'registry.example/app:1.0');
    assert.match(removed.stdout, /Removed: registry.example\/app:1.0/);
    for (const d of blobs) assert.equal(await store.hasBlob(d), false, `${d} is gone with the list`);
    const images = JSON.parse((await ok('images', '--format', 'json')).stdout) as unknown[];
    assert.deepEqual(images, []);
  });
});
