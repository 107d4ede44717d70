/**
 * Interop with the peers and the `deckhand` command end to end: a layout written by skopeo is a
 * store Deckhand reads; the built CLI pulls, lists, inspects, checks and removes against a real
 * registry, with the output formats and exit codes scripts rely on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { generateImage, generateIndex, permissivePolicy, pushWithSkopeo, writeOciLayout, type GeneratedImage } from '../fixtures/images.ts';
import { CLI, run, runCli, type CliResult } from '../fixtures/tools.ts';
import { Store } from '../../engine/store/layout.ts';
import { listImages } from '../../engine/insight/images.ts';
import { inspectImage } from '../../engine/insight/inspect.ts';
import { fsck } from '../../engine/insight/fsck.ts';
import { pull } from '../../engine/transfer/pull.ts';

const ARM64 = { os: 'linux', architecture: 'arm64' };
const AMD64 = { os: 'linux', architecture: 'amd64' };

let work: string;
let registry: TestRegistry;
let arm: GeneratedImage;
let amd: GeneratedImage;
let indexDigest: string;

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run \`npm run build\` first (npm test does)`);
  work = await mkdtemp(join(tmpdir(), 'deckhand-interop-'));
  registry = await startRegistry();
  arm = await generateImage({ layers: 2, layerSize: 200_000, platform: { ...ARM64, variant: 'v8' }, seed: 'iarm' });
  amd = await generateImage({ layers: 2, layerSize: 200_000, platform: AMD64, seed: 'iamd', sharedLayersFrom: arm });
  const index = await generateIndex([amd, arm]);
  indexDigest = index.digest;
  await writeOciLayout(join(work, 'src'), [{ ref: 'multi', index }]);
  await pushWithSkopeo(join(work, 'src'), 'multi', `${registry.host}/interop/app:2.1`, { all: true });
});

after(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => runCli(args, { env: { ...process.env, ...env } });

describe('skopeo → Deckhand', () => {
  test('a layout skopeo copied from the registry is a store Deckhand lists, inspects and checks', async () => {
    const dir = join(work, 'skopeo-layout');
    const policy = await permissivePolicy(work);
    await run(
      'skopeo',
      [
        'copy',
        '--quiet',
        '--policy',
        policy,
        '--src-tls-verify=false',
        '--override-arch',
        'arm64',
        `docker://${registry.host}/interop/app:2.1`,
        `oci:${dir}:2.1`,
      ],
      { timeoutMs: 60_000 },
    );
    const store = await Store.open(dir);
    const rows = await listImages(store);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.tag, '2.1', 'the bare tag skopeo wrote is the tag');
    assert.equal(rows[0]?.digest, arm.manifestDigest, 'skopeo copied the arm64 image out of the index');
    assert.deepEqual(rows[0]?.platforms, ['linux/arm64']);
    const details = await inspectImage(store, '2.1');
    assert.deepEqual(
      details.images[0]?.layers.map((l) => l.digest),
      arm.layers.map((l) => l.digest),
    );
    assert.equal((await fsck(store)).ok, true);
    // Deckhand can pull into the same layout; the shared layer is not fetched again.
    const result = await pull(store, `${registry.host}/interop/app:2.1`, { platform: AMD64 });
    assert.equal(result.digest, indexDigest);
    assert.equal(result.skippedBlobs, 1);
    const after = await run('skopeo', ['inspect', '--raw', `oci:${dir}:2.1`], { timeoutMs: 60_000 });
    assert.equal(JSON.parse(after.stdout).config.digest, arm.configDigest, 'skopeo still reads its own tag');
  });
});

describe('the deckhand command', () => {
  test('pull prints plain progress lines off a TTY and the digest on stdout', async () => {
    const store = join(work, 'cli-store');
    const res = await cli(['pull', '--platform', 'linux/arm64', `${registry.host}/interop/app:2.1`], { DECKHAND_STORE: store });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), indexDigest);
    assert.match(res.stderr, /^Resolving /m);
    assert.match(res.stderr, /linux\/arm64, sparse index/);
    for (const l of arm.layers) assert.match(res.stderr, new RegExp(`Copying layer ${l.digest.slice(7, 19)}.*: done`));
    assert.match(res.stderr, /^Stored .*fetched 3 blob\(s\)/m);
    const again = await cli([
      '--store',
      store,
      'pull',
      '--platform',
      'linux/arm64/v8',
      '--format',
      'json',
      `${registry.host}/interop/app:2.1`,
    ]);
    assert.equal(again.code, 0, again.stderr);
    const json = JSON.parse(again.stdout);
    assert.equal(json.fetchedBlobs, 0);
    assert.equal(json.sparse, true);
  });

  test('images, inspect and fsck in JSON; fsck fails on damage; rmi frees the blobs', async () => {
    const store = join(work, 'cli-store2');
    const env = { DECKHAND_STORE: store };
    assert.equal((await cli(['pull', '-q', '--all-platforms', `${registry.host}/interop/app:2.1`], env)).code, 0);
    const images = JSON.parse((await cli(['images', '--format', 'json'], env)).stdout);
    assert.equal(images.length, 1);
    const row = images[0];
    assert.equal(row.repository, `${registry.host}/interop/app`);
    assert.equal(row.tag, '2.1');
    assert.equal(row.digest, indexDigest);
    assert.deepEqual([...row.platforms].sort(), ['linux/amd64', 'linux/arm64']);
    assert.equal(typeof row.size, 'number');
    assert.equal(row.created, '2026-01-01T00:00:00.000Z');
    const table = (await cli(['images'], env)).stdout;
    assert.match(table, /REPOSITORY\s+TAG/);
    assert.match(table, /interop\/app\s+2\.1/);

    const inspected = JSON.parse((await cli(['inspect', '--format', 'json', `${registry.host}/interop/app:2.1`], env)).stdout);
    assert.equal(inspected.images.length, 2);

    assert.equal((await cli(['fsck'], env)).code, 0);
    const victim = join(store, 'blobs', 'sha256', amd.layers[1]!.digest.slice(7));
    const good = await readFile(victim);
    await writeFile(victim, Buffer.from(good).fill(0, 0, 100));
    const broken = await cli(['fsck'], env);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout + broken.stderr, new RegExp(amd.layers[1]!.digest.slice(7, 19)));
    await writeFile(victim, good);

    const removed = await cli(['rmi', `${registry.host}/interop/app:2.1`], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(JSON.parse((await cli(['images', '--format', 'json'], env)).stdout), []);
  });

  test('tag names a digest, moving it keeps the old image dangling; push sends it and re-push sends nothing', async () => {
    const env = { DECKHAND_STORE: join(work, 'cli-store4') };
    assert.equal((await cli(['pull', '-q', '--all-platforms', `${registry.host}/interop/app:2.1`], env)).code, 0);
    assert.equal(
      (await cli(['pull', '-q', '--platform', 'linux/amd64', `${registry.host}/interop/app@${amd.manifestDigest}`], env)).code,
      0,
    );
    const tagged = await cli(['tag', `${registry.host}/interop/app:2.1`, `${registry.host}/interop/tagged:x`], env);
    assert.equal(tagged.code, 0, tagged.stderr);
    assert.match(tagged.stdout, new RegExp(indexDigest));
    const moved = await cli(
      ['tag', '--format', 'json', `${registry.host}/interop/app@${amd.manifestDigest}`, `${registry.host}/interop/tagged:x`],
      env,
    );
    assert.deepEqual(JSON.parse(moved.stdout), {
      ref: `${registry.host}/interop/tagged:x`,
      digest: amd.manifestDigest,
      previous: indexDigest,
    });
    const pushed = await cli(['push', `${registry.host}/interop/tagged:x`], env);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal(pushed.stdout.trim(), amd.manifestDigest);
    assert.match(pushed.stderr, /^Pushed .*interop\/tagged:x/m);
    const again = JSON.parse(
      (await cli(['push', '--format', 'json', `${registry.host}/interop/tagged:x`, `${registry.host}/interop/tagged:y`], env)).stdout,
    );
    assert.equal(again.uploadedBytes, 0);
    const remote = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/interop/tagged:y`], {
      timeoutMs: 60_000,
    });
    assert.equal(JSON.parse(remote.stdout).config.digest, amd.configDigest);
    const sparse = await cli(['push', `${registry.host}/interop/app:2.1`, `${registry.host}/interop/copy:1`], {
      DECKHAND_STORE: join(work, 'cli-store'),
    });
    assert.equal(sparse.code, 1);
    assert.match(sparse.stderr, /linux\/amd64.*not stored/);
  });

  test('errors: unknown image, bad reference, bad flag', async () => {
    const env = { DECKHAND_STORE: join(work, 'cli-store3') };
    const missing = await cli(['inspect', 'nothing:here'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nothing:here/);
    const bad = await cli(['pull', 'Bad//Ref'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Bad\/\/Ref/);
    const flag = await cli(['pull', '--bogus', 'x'], env);
    assert.equal(flag.code, 2);
  });
});
