/**
 * Two processes on one store, as the app and the CLI are: one pulls and tags from the command
 * line while the other tags and prunes in a loop. No tag is lost and nothing is corrupted.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../fixtures/tools.ts';
import { startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { generateImage, pushWithSkopeo, writeOciLayout, type GeneratedImage } from '../fixtures/images.ts';
import { Store } from '../../engine/store/layout.ts';
import { pull } from '../../engine/transfer/pull.ts';
import { prune } from '../../engine/insight/prune.ts';
import { fsck } from '../../engine/insight/fsck.ts';
import { listImages } from '../../engine/insight/images.ts';
import { resolveOne, setTag } from '../../engine/store/catalog.ts';
import { parseReference } from '../../../src-shared/oci/reference.ts';

const AMD64 = { os: 'linux', architecture: 'amd64' };
let work: string;
let registry: TestRegistry;
const images: GeneratedImage[] = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'deckhand-concurrency-'));
  registry = await startRegistry();
  for (let i = 0; i < 4; i++) {
    const img = await generateImage({ layers: 2, layerSize: 400_000, platform: AMD64, seed: `conc-${i}` });
    images.push(img);
    await writeOciLayout(join(work, `src-${i}`), [{ ref: 'x', image: img }]);
    await pushWithSkopeo(join(work, `src-${i}`), 'x', `${registry.host}/conc/app:${i}`);
  }
});

after(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

function cli(args: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

test('a CLI pulling and tagging while the app tags and prunes loses nothing', async () => {
  const dir = join(work, 'store');
  const store = await Store.open(dir);
  await pull(store, `${registry.host}/conc/app:0`, { platform: AMD64 });
  const other = (async () => {
    for (let i = 1; i < images.length; i++) {
      assert.equal(await cli(['--store', dir, 'pull', '-q', '--platform', 'linux/amd64', `${registry.host}/conc/app:${i}`]), 0);
      assert.equal(await cli(['--store', dir, 'tag', `${registry.host}/conc/app:${i}`, `local/cli:${i}`]), 0);
    }
  })();
  const mine = (async () => {
    for (let round = 0; round < 15; round++) {
      const base = await resolveOne(store, `${registry.host}/conc/app:0`);
      const { annotations: _a, ...descriptor } = base.descriptor;
      await setTag(store, parseReference(`local/app:${round}`), descriptor);
      await prune(store);
    }
  })();
  await Promise.all([other, mine]);
  const names = (await listImages(store)).map((r) => `${r.repository}:${r.tag}`).sort();
  const expected = [
    ...images.map((_, i) => `${registry.host}/conc/app:${i}`),
    ...images.slice(1).map((_, i) => `docker.io/local/cli:${i + 1}`),
    ...Array.from({ length: 15 }, (_, r) => `docker.io/local/app:${r}`),
  ].sort();
  assert.deepEqual(names, expected);
  assert.equal((await fsck(store)).ok, true);
});
