import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../engine/store/layout.ts';
import { storeTestImage } from '../test/fixtures/store-images.ts';
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

/** The transferEnded event of `transferId`, within a bounded wait. */
async function ended(seen: HostEvent[], transferId: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = seen.find((x) => x.event === 'transferEnded' && x.payload.transferId === transferId);
    if (e && e.event === 'transferEnded') return e.payload;
    if (Date.now() > deadline) throw new Error(`transfer ${transferId} did not end within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const started = (r: { ok: boolean; value?: unknown; error?: unknown }) => {
  assert.ok(r.ok, JSON.stringify(r));
  return (r.value as { transferId: string }).transferId;
};

test("save, copy and load run as transfers through the contract and end with the image's digest", async () => {
  await withHost(async (host, storeDir, seen) => {
    const info = await host.dispatch('hostInfo', undefined);
    assert.match(info.ok ? (info.value as { downloadsDir: string }).downloadsDir : '', /Downloads$/);
    const store = await Store.open(storeDir);
    const img = await storeTestImage(store, { name: 'example.com/app:1', layers: [{ content: Buffer.alloc(3000, 1) }] });
    const work = join(storeDir, '..');

    // save: refuses an existing file or a missing folder in the call itself.
    const archive = join(work, 'app.tar');
    const save = await ended(seen, started(await host.dispatch('save', { refs: ['example.com/app:1'], path: archive })));
    assert.deepEqual([save.kind, save.digest, save.error], ['save', img.descriptor.digest, null]);
    const again = await host.dispatch('save', { refs: ['example.com/app:1'], path: archive });
    assert.equal(!again.ok && again.error.code, 'EUSAGE');
    assert.match(!again.ok ? again.error.message : '', /already exists/);
    const nowhere = await host.dispatch('save', { refs: ['example.com/app:1'], path: join(work, 'no', 'such', 'x.tar') });
    assert.equal(!nowhere.ok && nowhere.error.code, 'ENOT_FOUND');
    const unknown = await host.dispatch('save', { refs: ['example.com/none:1'], path: join(work, 'none.tar') });
    assert.equal(!unknown.ok && unknown.error.code, 'ENOT_FOUND');

    // copy: store → OCI layout → store under another name.
    const layout = join(work, 'layout');
    const out = await ended(seen, started(await host.dispatch('copy', { source: 'example.com/app:1', destination: `oci:${layout}:v1` })));
    assert.deepEqual([out.kind, out.digest, out.error], ['copy', img.descriptor.digest, null]);
    const back = await ended(
      seen,
      started(await host.dispatch('copy', { source: `oci:${layout}:v1`, destination: 'example.com/copied:1' })),
    );
    assert.equal(back.error, null);
    const inspected = await host.dispatch('inspectImage', { ref: 'example.com/copied:1' });
    assert.ok(inspected.ok);
    assert.deepEqual(
      (inspected.value as { tagHistory: Array<{ action: string }> }).tagHistory.map((h) => h.action),
      ['copy'],
    );
    const badCopy = await host.dispatch('copy', { source: 'oci-archive:/x.tar', destination: 'example.com/x:1' });
    assert.equal(!badCopy.ok && badCopy.error.code, 'EUSAGE');

    // load: a dropped (uploaded) archive is deleted when the load ends; a user's own file is not.
    await host.dispatch('removeImages', { refs: ['example.com/app:1', 'example.com/copied:1'] });
    const uploads = join(storeDir, '.deckhand', 'uploads');
    await mkdir(uploads, { recursive: true });
    const dropped = join(uploads, '0b5e0a3c-1f2e-4d5c-9a8b-7c6d5e4f3a2b-app.tar');
    await copyFile(archive, dropped);
    const load = await ended(seen, started(await host.dispatch('load', { path: dropped })));
    assert.deepEqual([load.kind, load.ref, load.digest, load.error], ['load', 'app.tar', img.descriptor.digest, null]);
    await assert.rejects(stat(dropped), /ENOENT/);
    const own = await ended(seen, started(await host.dispatch('load', { path: archive })));
    assert.equal(own.error, null);
    assert.ok((await stat(archive)).isFile());
    const rows = await host.dispatch('listImages', undefined);
    assert.ok(rows.ok && (rows.value as Array<{ name: string }>).some((r) => r.name === 'example.com/app:1'));
    const broken = join(uploads, 'junk.tar');
    await writeFile(broken, 'not an archive');
    const failed = await ended(seen, started(await host.dispatch('load', { path: broken })));
    assert.ok(failed.error, 'a damaged archive fails the transfer');
    await assert.rejects(stat(broken), /ENOENT/, 'and the upload is gone all the same');
    await new Promise((r) => setTimeout(r, 250));
    assert.ok(seen.some((e) => e.event === 'storeChanged' && e.payload.reason === 'load'));
  });
});

test('copy with engines: a malformed docker-daemon: endpoint, or an engine named for an endpoint that is not one, fails the call; no transfer starts', async () => {
  await withHost(async (host, _dir, seen) => {
    const code = async (input: Record<string, unknown>) => {
      const r = await host.dispatch('copy', input);
      return r.ok ? 'started' : r.error.code;
    };
    assert.equal(await code({ source: 'localhost/app:1', destination: `docker-daemon:sha256:${'a'.repeat(64)}` }), 'EUSAGE');
    assert.equal(await code({ source: 'docker-daemon:app@sha256:' + 'a'.repeat(64), destination: 'localhost/app:1' }), 'EUSAGE');
    assert.equal(await code({ source: 'localhost/app:1', destination: 'localhost/app:2', sourceEngine: 'docker' }), 'EUSAGE');
    assert.equal(await code({ source: 'docker-daemon:app:1', destination: 'localhost/app:2', destinationEngine: 'docker' }), 'EUSAGE');
    assert.deepEqual(seen, []);
  });
});
