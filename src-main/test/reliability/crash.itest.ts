/**
 * Crash tests: `deckhand pull`, `push`, `load` and `prune` are killed with SIGKILL at seeded random moments
 * (DECKHAND_CRASH_SEED replays a run, DECKHAND_CRASH_POINTS sets how many per operation). After
 * every kill the store passes fsck, index.json parses, no blob has a wrong digest, and rerunning the
 * operation completes, fetching only what is missing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../fixtures/tools.ts';
import { startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { generateImage, pushWithSkopeo, writeOciLayout, type GeneratedImage } from '../fixtures/images.ts';
import { sha } from '../fixtures/store-images.ts';
import { Store } from '../../engine/store/layout.ts';
import { pull } from '../../engine/transfer/pull.ts';
import { push } from '../../engine/transfer/push.ts';
import { fsck } from '../../engine/insight/fsck.ts';
import { prune } from '../../engine/insight/prune.ts';
import { saveArchive } from '../../engine/archive/save.ts';
import { loadArchive } from '../../engine/archive/load.ts';
import { setTag } from '../../engine/store/catalog.ts';
import { parseReference } from '../../../src-shared/oci/reference.ts';

const SEED = Number(process.env.DECKHAND_CRASH_SEED ?? 20261123);
const POINTS = Number(process.env.DECKHAND_CRASH_POINTS ?? 20);
const AMD64 = { os: 'linux', architecture: 'amd64' };

/** mulberry32: a small seeded generator, so a failing kill point can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let work: string;
let registry: TestRegistry;
let image: GeneratedImage;
const killed: Record<string, { tried: number; before: number }> = {};

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run \`npm run build\` first (npm test does)`);
  work = await mkdtemp(join(tmpdir(), 'deckhand-crash-'));
  registry = await startRegistry();
  image = await generateImage({ layers: 4, layerSize: 3_000_000, platform: AMD64, seed: 'crash' });
  await writeOciLayout(join(work, 'src'), [{ ref: 'x', image }]);
  await pushWithSkopeo(join(work, 'src'), 'x', `${registry.host}/crash/app:1`);
});

after(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
  console.log(`crash points: ${JSON.stringify(killed)} (seed ${SEED})`);
});

/** Runs the CLI and SIGKILLs it after `ms`; resolves whether it was killed before finishing. */
function runAndKill(args: string[], ms: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(true);
      else if (code === 0) resolve(false);
      else reject(new Error(`deckhand ${args.join(' ')} failed on its own (exit ${code}): ${stderr}`));
    });
  });
}

async function assertConsistent(store: Store, point: string): Promise<void> {
  JSON.parse(await readFile(join(store.root, 'index.json'), 'utf8'));
  for (const hex of await readdir(join(store.root, 'blobs', 'sha256'))) {
    assert.equal(
      sha(await readFile(join(store.root, 'blobs', 'sha256', hex))),
      `sha256:${hex}`,
      `${point}: blob ${hex} has a wrong digest`,
    );
  }
  const report = await fsck(store);
  assert.equal(report.ok, true, `${point}: ${JSON.stringify(report.problems)}`);
}

const total = () => image.layers.reduce((n, l) => n + l.size, 0) + image.configSize;

describe('SIGKILL at random points', () => {
  test('pull: the store stays consistent and the rerun fetches only what is missing', async () => {
    const random = rng(SEED);
    killed.pull = { tried: 0, before: 0 };
    for (let i = 0; i < POINTS; i++) {
      const dir = join(work, `pull-${i}`);
      const ms = 20 + Math.floor(random() * 130);
      const wasKilled = await runAndKill(['--store', dir, 'pull', '-q', '--platform', 'linux/amd64', `${registry.host}/crash/app:1`], ms);
      killed.pull.tried++;
      if (wasKilled) killed.pull.before++;
      const store = await Store.open(dir);
      await assertConsistent(store, `pull killed at ${ms} ms (point ${i})`);
      // What the killed run left: whole blobs, and partial downloads to resume.
      let kept = 0;
      for (const b of [
        ...image.layers.map((l) => ({ digest: l.digest, size: l.size })),
        { digest: image.configDigest, size: image.configSize },
      ]) {
        if (await store.hasBlob(b.digest, b.size)) kept += b.size;
      }
      // Partials of layers and the config count (a manifest's partial is not part of fetchedBytes).
      const fetched = new Set([...image.layers.map((l) => l.digest), image.configDigest].map((d) => `sha256-${d.slice(7)}.partial`));
      for (const name of (await readdir(store.ingestDir)).filter((n) => fetched.has(n)))
        kept += (await stat(join(store.ingestDir, name))).size;
      const rerun = await pull(store, `${registry.host}/crash/app:1`, { platform: AMD64 });
      assert.equal(rerun.digest, image.manifestDigest);
      assert.equal(rerun.fetchedBytes, total() - kept, `point ${i} (killed at ${ms} ms): only the missing bytes are fetched`);
      await assertConsistent(store, `pull rerun after point ${i}`);
      await rm(dir, { recursive: true, force: true });
    }
    assert.ok(killed.pull.before >= POINTS / 2, 'most kills landed mid-pull');
  });

  test('push: the rerun completes and the pushed image pulls back intact', async () => {
    const random = rng(SEED + 1);
    const dir = join(work, 'push-store');
    const store = await Store.open(dir);
    await pull(store, `${registry.host}/crash/app:1`, { platform: AMD64 });
    killed.push = { tried: 0, before: 0 };
    for (let i = 0; i < POINTS; i++) {
      const ms = 20 + Math.floor(random() * 100);
      const dest = `${registry.host}/crash/pushed-${i}:1`;
      // A fresh repository with no mount source: every run really uploads.
      await rm(join(dir, '.deckhand', 'blob-locations.json'), { force: true });
      const wasKilled = await runAndKill(['--store', dir, 'push', '-q', `${registry.host}/crash/app:1`, dest], ms);
      killed.push.tried++;
      if (wasKilled) killed.push.before++;
      await assertConsistent(store, `push killed at ${ms} ms (point ${i})`);
      const rerun = await push(store, `${registry.host}/crash/app:1`, dest);
      assert.equal(rerun.digest, image.manifestDigest);
      const back = await Store.open(join(work, `push-back-${i}`));
      await pull(back, dest, { platform: AMD64 });
      await assertConsistent(back, `pull of push point ${i}`);
      await rm(back.root, { recursive: true, force: true });
    }
  });

  test('load: a killed load leaves no unverified blob and no half-named image; the rerun completes', async () => {
    const random = rng(SEED + 3);
    const source = await Store.open(join(work, 'load-source'));
    await pull(source, `${registry.host}/crash/app:1`, { platform: AMD64 });
    const archive = join(work, 'crash.tar');
    await saveArchive(source, [`${registry.host}/crash/app:1`], archive, { format: 'oci-archive' });
    killed.load = { tried: 0, before: 0 };
    for (let i = 0; i < POINTS; i++) {
      const dir = join(work, `load-${i}`);
      const ms = 40 + Math.floor(random() * 200);
      const wasKilled = await runAndKill(['--store', dir, 'load', '-i', archive], ms);
      killed.load.tried++;
      if (wasKilled) killed.load.before++;
      const store = await Store.open(dir);
      await assertConsistent(store, `load killed at ${ms} ms (point ${i})`);
      const rerun = await loadArchive(store, archive);
      assert.deepEqual(rerun.images, [{ ref: `${registry.host}/crash/app:1`, digest: image.manifestDigest }]);
      await assertConsistent(store, `load rerun after point ${i}`);
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('prune: a killed prune leaves a consistent store that a rerun finishes', async () => {
    const random = rng(SEED + 2);
    killed.prune = { tried: 0, before: 0 };
    for (let i = 0; i < POINTS; i++) {
      const dir = join(work, `prune-${i}`);
      const store = await Store.open(dir);
      await pull(store, `${registry.host}/crash/app:1`, { platform: AMD64 });
      // Make the image dangling, so a prune has real work: removing it and all its blobs.
      await setTag(store, parseReference(`${registry.host}/crash/app:1`), {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: image.configDigest,
        size: image.configSize,
      });
      const ms = 40 + Math.floor(random() * 70);
      const wasKilled = await runAndKill(['--store', dir, 'prune'], ms);
      killed.prune.tried++;
      if (wasKilled) killed.prune.before++;
      JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
      const { result } = await prune(store);
      assert.deepEqual(result!.skipped, []);
      const left = await readdir(join(dir, 'blobs', 'sha256'));
      assert.deepEqual(left.sort(), [image.configDigest.slice(7)], `point ${i}: only the blob the retagged name still uses is left`);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
