/**
 * A prune that runs while a pull is in flight: the pull's lease makes its blobs roots, so the
 * prune frees only what is really unused and the pull completes into a store that passes fsck.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { generateImage, pushWithSkopeo, writeOciLayout, type GeneratedImage } from '../fixtures/images.ts';
import { sha } from '../fixtures/store-images.ts';
import { Store } from '../../engine/store/layout.ts';
import { putBlob } from '../../engine/store/ingest.ts';
import { pull } from '../../engine/transfer/pull.ts';
import { prune, type PrunePlan, type PruneResult } from '../../engine/insight/prune.ts';
import { fsck } from '../../engine/insight/fsck.ts';

let work: string;
let registry: TestRegistry;
let image: GeneratedImage;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'deckhand-prune-'));
  registry = await startRegistry();
  image = await generateImage({ layers: 6, layerSize: 400_000, platform: { os: 'linux', architecture: 'amd64' }, seed: 'prune' });
  await writeOciLayout(join(work, 'src'), [{ ref: 'x', image }]);
  await pushWithSkopeo(join(work, 'src'), 'x', `${registry.host}/gc/app:1`);
});

after(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

test("prune during a pull keeps the pull's blobs; the pull completes and fsck passes", async () => {
  const store = await Store.open(join(work, 'store'));
  const junk = randomBytes(5_000);
  await putBlob(store, sha(junk), junk);
  let pruning: Promise<{ plan: PrunePlan; result?: PruneResult }> | undefined;
  let committedBeforePrune = 0;
  const result = await pull(store, `${registry.host}/gc/app:1`, {
    platform: { os: 'linux', architecture: 'amd64' },
    concurrency: 1,
    onEvent: (e) => {
      if (e.type === 'blob' && e.state === 'done') {
        committedBeforePrune++;
        // After the first blob is in blobs/ but long before the image is tagged.
        pruning ??= prune(store);
      }
    },
  });
  assert.ok(pruning, 'the prune started during the pull');
  const { plan, result: pruned } = await pruning;
  assert.ok(committedBeforePrune >= 1);
  assert.deepEqual(
    plan.blobs.map((b) => b.digest),
    [sha(junk)],
    'only the unused blob was planned',
  );
  assert.ok(plan.leasedBlobs >= 1, 'blobs the pull had stored were held by its lease');
  assert.equal(pruned!.freedBytes, junk.length);
  assert.equal(result.digest, image.manifestDigest);
  assert.equal(result.fetchedBlobs, image.layers.length + 1);
  assert.equal((await fsck(store)).ok, true);
});
