import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../engine/store/layout.ts';
import { storeTestImage } from '../engine/test/fixtures/store-images.ts';
import type { HostEvent } from './events.ts';
import { createHost } from './host.ts';

async function withHost(fn: (h: ReturnType<typeof createHost>, dir: string, seen: HostEvent[]) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-host-'));
  const host = createHost({ kind: 'web', storeDir: join(dir, 'store'), env: {} });
  const seen: HostEvent[] = [];
  host.events.subscribe((e) => seen.push(e));
  try {
    await fn(host, join(dir, 'store'), seen);
  } finally {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('the engine-backed host answers from a real store', async () => {
  await withHost(async (host, storeDir) => {
    const info = await host.dispatch('hostInfo', undefined);
    assert.equal(info.ok && (info.value as { storeDir: string }).storeDir, storeDir);
    assert.deepEqual(await host.dispatch('listImages', {}), { ok: true, value: [] });
    const missing = await host.dispatch('tag', { source: 'example.com/none:1', target: 'example.com/other:1' });
    assert.equal(!missing.ok && missing.error.code, 'ENOT_FOUND');
    const rmi = await host.dispatch('removeImages', { refs: ['example.com/none:1'] });
    assert.equal(!rmi.ok && rmi.error.code, 'ENOT_FOUND');
  });
});

test('a pull of a malformed reference fails the call itself; no transfer starts', async () => {
  await withHost(async (host, _dir, seen) => {
    const r = await host.dispatch('pull', { ref: 'Not A//Reference' });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'EREFERENCE');
    assert.deepEqual(seen, []);
  });
});

test('a change to the store by another process is announced once', async () => {
  await withHost(async (host, storeDir, seen) => {
    await host.dispatch('listImages', undefined);
    // What the CLI's atomic write does: a new file renamed over index.json.
    const index = await readFile(join(storeDir, 'index.json'), 'utf8');
    await writeFile(join(storeDir, 'index.json.tmp'), index);
    await rename(join(storeDir, 'index.json.tmp'), join(storeDir, 'index.json'));
    const deadline = Date.now() + 3000;
    while (!seen.some((e) => e.event === 'storeChanged') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(seen, [{ event: 'storeChanged', payload: { reason: 'external' } }]);
  });
});

test('tag, df and prune through the contract: the prune runs exactly the plan that was shown, once', async () => {
  await withHost(async (host, storeDir, seen) => {
    const store = await Store.open(storeDir);
    const base = { content: Buffer.alloc(4000, 1) };
    await storeTestImage(store, { name: 'example.com/app:1', layers: [base, { content: Buffer.alloc(1000, 2) }] });
    await storeTestImage(store, { name: 'example.com/app:1', layers: [base, { content: Buffer.alloc(2000, 3) }] }); // the tag moves: one dangling image
    const tagged = await host.dispatch('tag', { source: 'example.com/app:1', target: 'example.com/app:stable' });
    assert.equal(tagged.ok && (tagged.value as { ref: string }).ref, 'example.com/app:stable');

    const df = await host.dispatch('diskUsage', undefined);
    assert.ok(df.ok);
    const usage = df.value as { images: Array<{ dangling: boolean; uniqueBytes: number; sharedBytes: number }>; reclaimableBytes: number };
    assert.equal(usage.images.length, 3);
    const dangling = usage.images.find((i) => i.dangling)!;
    assert.equal(dangling.sharedBytes, 4000);

    const planned = await host.dispatch('planPrune', {});
    assert.ok(planned.ok);
    const plan = planned.value as { planId: string; images: unknown[]; reclaimedBytes: number };
    assert.equal(plan.images.length, 1);
    assert.equal(plan.reclaimedBytes, usage.reclaimableBytes);
    const ran = await host.dispatch('runPrune', { planId: plan.planId });
    assert.ok(ran.ok);
    assert.equal((ran.value as { freedBytes: number }).freedBytes, plan.reclaimedBytes);
    const again = await host.dispatch('runPrune', { planId: plan.planId });
    assert.equal(!again.ok && again.error.code, 'ENOT_FOUND');
    const forged = await host.dispatch('runPrune', { planId: plan.planId, images: [] });
    assert.equal(!forged.ok && forged.error.code, 'EINVALID');

    const trees = await host.dispatch('imageTree', { ref: 'example.com/app:stable' });
    assert.equal(trees.ok && (trees.value as Array<{ layers: unknown[] }>)[0]!.layers.length, 2);
    await new Promise((r) => setTimeout(r, 250));
    assert.ok(seen.some((e) => e.event === 'storeChanged' && e.payload.reason === 'prune'));
  });
});
