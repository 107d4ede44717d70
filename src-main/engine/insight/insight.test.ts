import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, utimes, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../store/layout.ts';
import { putBlob } from '../store/ingest.ts';
import { setTag } from '../store/catalog.ts';
import { Lease } from '../store/leases.ts';
import { parseReference } from '../../../src-shared/oci/reference.ts';
import { sha, storeTestImage, storeTestIndex, type StoredTestImage } from '../../test/fixtures/store-images.ts';
import { buildStoreGraph } from './store-graph.ts';
import { diskUsage } from './usage.ts';
import { planPrune, parseFilters, prune } from './prune.ts';
import { imageTrees, layerForest, whatRequires, formatImageTree } from './tree.ts';
import { listImages, signatureOf, unpackedOf } from './images.ts';
import { signatureAnnotations } from '../transfer/pull.ts';
import { SIGNATURE_VERIFIED_BY } from '../store/annotations.ts';
import { inspectImage } from './inspect.ts';
import { fsck, repairStore } from './fsck.ts';

const bytes = (n: number, seed: string) => Buffer.concat([Buffer.from(seed), randomBytes(n - seed.length)]);
const own = (img: StoredTestImage) => img.manifest.length + img.config.length;

async function fixture(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-insight-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await Store.open(dir);
  const base = bytes(10_000, 'base');
  const parts = { a: bytes(1_000, 'a'), b: bytes(2_000, 'b'), c: bytes(3_000, 'c'), d: bytes(500, 'd'), e: bytes(400, 'e') };
  const imgs = {
    base: await storeTestImage(store, { name: 'base:1', layers: [{ content: base }], created: '2026-01-01T00:00:00Z' }),
    a: await storeTestImage(store, {
      name: 'team/a:1',
      layers: [{ content: base }, { content: parts.a }],
      created: '2026-02-01T00:00:00Z',
      labels: { team: 'x' },
    }),
    b: await storeTestImage(store, {
      name: 'team/b:1',
      layers: [{ content: base }, { content: parts.b }],
      created: '2026-03-01T00:00:00Z',
      labels: { team: 'y' },
    }),
    c: await storeTestImage(store, {
      name: 'team/c:1',
      layers: [{ content: base }, { content: parts.c, gzip: true }],
      created: '2026-04-01T00:00:00Z',
    }),
    d: await storeTestImage(store, { name: 'team/d:1', layers: [{ content: parts.d }], created: '2025-01-01T00:00:00Z' }),
    e: await storeTestImage(store, { layers: [{ content: parts.e }], created: '2026-05-01T00:00:00Z' }),
  };
  // team/d:1 moves to image e: d stays as a dangling entry.
  await setTag(store, parseReference('team/d:1'), imgs.e.descriptor);
  const orphan = bytes(700, 'orphan');
  await putBlob(store, sha(orphan), orphan);
  const partial = join(store.ingestDir, `sha256-${'f'.repeat(64)}.partial`);
  await writeFile(partial, Buffer.alloc(300));
  const old = new Date(Date.now() - 2 * 3_600_000);
  await utimes(partial, old, old);
  return { store, base, parts, imgs, orphan };
}

test('df counts every blob once; a base shared by four images is shared in each and once in the totals', async (t) => {
  const { store, base, parts, imgs, orphan } = await fixture(t);
  const usage = diskUsage(await buildStoreGraph(store));
  const by = (name: string) => usage.images.find((i) => i.name === name)!;
  assert.deepEqual(by('docker.io/team/a:1'), {
    name: 'docker.io/team/a:1',
    repository: 'docker.io/team/a',
    tag: '1',
    digest: imgs.a.descriptor.digest,
    dangling: false,
    totalBytes: base.length + parts.a.length + own(imgs.a),
    sharedBytes: base.length,
    uniqueBytes: parts.a.length + own(imgs.a),
    blobs: [imgs.a.descriptor.digest, sha(imgs.a.config), ...imgs.a.layers.map((l) => l.digest)].map((d) => usage.blobDigests.indexOf(d)),
  });
  assert.equal(usage.blobSizes.length, usage.blobDigests.length);
  for (const img of usage.images)
    for (const k of img.blobs) assert.equal(typeof usage.blobSizes[k], 'number', 'every blob an image reaches has its size');
  assert.equal(usage.blobSizes[usage.blobDigests.indexOf(sha(base))], base.length);
  assert.equal(usage.blobDigests.indexOf(sha(orphan)), -1, "an orphan is nobody's blob");
  assert.equal(by('docker.io/library/base:1').sharedBytes, base.length);
  assert.equal(by('docker.io/library/base:1').uniqueBytes, own(imgs.base));
  const cLayer = imgs.c.layers[1]!.size;
  assert.equal(by('docker.io/team/c:1').totalBytes, base.length + cLayer + own(imgs.c));
  const dangling = usage.images.find((i) => i.dangling)!;
  assert.equal(dangling.digest, imgs.d.descriptor.digest);
  assert.equal(dangling.uniqueBytes, parts.d.length + own(imgs.d));

  const layerBytes = base.length + parts.a.length + parts.b.length + cLayer + parts.d.length + parts.e.length;
  const ownBytes = Object.values(imgs).reduce((n, i) => n + own(i), 0);
  assert.equal(usage.blobCount, 6 + 6 * 2 + 1);
  assert.equal(usage.blobBytes, layerBytes + ownBytes + orphan.length);
  assert.equal(usage.totalBytes, usage.blobBytes + 300);
  assert.equal(usage.sharedBytes, base.length);
  assert.equal(usage.unreferencedBytes, orphan.length);
  assert.equal(usage.ingestBytes, 300);
  assert.equal(usage.reclaimableBytes, parts.d.length + own(imgs.d) + orphan.length + 300);
});

test("df's answer lists each blob once, however many images share it; images refer to blobs by index", async (t) => {
  const { store, base, imgs } = await fixture(t);
  const usage = diskUsage(await buildStoreGraph(store));
  assert.equal(new Set(usage.blobDigests).size, usage.blobDigests.length, 'no digest twice');
  // The base layer is in four images but in the answer once.
  const text = JSON.stringify(usage);
  assert.equal(text.split(sha(base)).length - 1, 1);
  const users = usage.images.filter((i) => i.blobs.includes(usage.blobDigests.indexOf(sha(base)))).map((i) => i.name);
  assert.equal(users.length, 4);
  for (const img of usage.images) {
    assert.equal(new Set(img.blobs).size, img.blobs.length, `${img.name} lists each blob once`);
    assert.ok(
      img.blobs.every((k) => Number.isInteger(k) && k >= 0 && k < usage.blobDigests.length),
      `${img.name} refers to listed blobs`,
    );
    assert.equal(
      img.blobs.reduce((n, k) => n + usage.blobSizes[k]!, 0),
      img.totalBytes,
      `${img.name}: its blobs' sizes add up to its total`,
    );
  }
  // Every blob listed is one some image reaches: nothing else is sent.
  const reached = new Set(usage.images.flatMap((i) => i.blobs));
  assert.equal(reached.size, usage.blobDigests.length);
  assert.ok(usage.blobDigests.includes(imgs.a.descriptor.digest));
});

test('prune plans exactly what df calls reclaimable, then frees exactly that', async (t) => {
  const { store, imgs, orphan } = await fixture(t);
  const { plan } = await prune(store, { dryRun: true });
  assert.deepEqual(
    plan.images.map((i) => [i.digest, i.reason]),
    [[imgs.d.descriptor.digest, 'dangling, was docker.io/team/d:1']],
  );
  assert.equal(plan.blobs.length, 4);
  assert.ok(plan.blobs.some((b) => b.digest === sha(orphan) && b.reason === 'not referenced by any image'));
  assert.ok(plan.blobs.filter((b) => b.digest !== sha(orphan)).every((b) => b.reason.startsWith('only used by removed image')));
  assert.equal(plan.ingests.length, 1);
  assert.equal(plan.reclaimedBytes, diskUsage(await buildStoreGraph(store)).reclaimableBytes);
  const before = (await readdir(join(store.root, 'blobs', 'sha256'))).length;
  const { result } = await prune(store);
  assert.equal(result!.freedBytes, plan.reclaimedBytes);
  assert.deepEqual(result!.skipped, []);
  assert.equal((await readdir(join(store.root, 'blobs', 'sha256'))).length, before - 4);
  assert.equal(
    (await listImages(store)).some((r) => r.dangling),
    false,
  );
  assert.equal((await fsck(store)).ok, true);
  assert.equal(diskUsage(await buildStoreGraph(store)).reclaimableBytes, 0);
});

test('leased blobs are roots: a prune keeps them and says so', async (t) => {
  const { store, orphan } = await fixture(t);
  const lease = await Lease.create(store, 'pull in flight');
  await lease.add(sha(orphan));
  const plan = planPrune(await buildStoreGraph(store));
  assert.equal(plan.leasedBlobs, 1);
  assert.ok(!plan.blobs.some((b) => b.digest === sha(orphan)));
  await lease.release();
  assert.ok(planPrune(await buildStoreGraph(store)).blobs.some((b) => b.digest === sha(orphan)));
});

test('--all with filters: label, until, keep-last', async (t) => {
  const { store, imgs } = await fixture(t);
  const graph = await buildStoreGraph(store);
  const now = Date.parse('2026-06-01T00:00:00Z');
  const names = (p: ReturnType<typeof planPrune>) => p.images.map((i) => i.name).sort();
  assert.deepEqual(names(planPrune(graph, { all: true, ...parseFilters(['label=team=x']), now })), ['docker.io/team/a:1']);
  assert.deepEqual(names(planPrune(graph, { all: true, ...parseFilters(['label=team']), now })), [
    'docker.io/team/a:1',
    'docker.io/team/b:1',
  ]);
  // Created before 2026-02-15: base (Jan), a (Feb 1), the dangling d (2025).
  assert.deepEqual(
    names(planPrune(graph, { all: true, ...parseFilters(['until=106d']), now })),
    [imgs.d.descriptor.digest, 'docker.io/library/base:1', 'docker.io/team/a:1'].sort(),
  );
  // keep-last 1 per repository: team/d's newest is the tagged e, so the dangling d goes.
  const kept = planPrune(graph, { all: true, keepLast: 1, now });
  assert.deepEqual(names(kept), [imgs.d.descriptor.digest]);
  // Removing a and b keeps the base layer (base:1 and c still use it) and frees their own layers.
  const ab = planPrune(graph, { all: true, ...parseFilters(['label=team']), now });
  assert.ok(!ab.blobs.some((b) => b.size === 10_000));
  assert.deepEqual(ab.blobs.filter((b) => b.size === 1_000 || b.size === 2_000).length, 2);
  assert.throws(
    () => parseFilters(['until=soon']),
    (e: Error & { code?: string }) => e.code === 'EUSAGE',
  );
  assert.throws(
    () => parseFilters(['dangling=true']),
    (e: Error & { code?: string }) => e.code === 'EUSAGE',
  );
});

test('tree shows the chain with the images on top; whatrequires finds what is built on an image', async (t) => {
  const { store, parts } = await fixture(t);
  const graph = await buildStoreGraph(store);
  const [c] = imageTrees(graph, 'team/c:1');
  assert.equal(c!.layers.length, 2);
  assert.deepEqual(c!.layers[0]!.topOf, ['docker.io/library/base:1']);
  assert.deepEqual(c!.layers[1]!.topOf, ['docker.io/team/c:1']);
  assert.equal(c!.layers[1]!.uncompressed, parts.c.length, 'uncompressed size from the gzip trailer');
  assert.match(formatImageTree(c!), /└── ID: [0-9a-f]{12} Size: 3 kB unpacked Top Layer of: \[docker\.io\/team\/c:1\]/);
  const [req] = whatRequires(graph, 'base:1');
  assert.deepEqual(req!.dependents.map((d) => d.name).sort(), ['docker.io/team/a:1', 'docker.io/team/b:1', 'docker.io/team/c:1']);
  assert.deepEqual(whatRequires(graph, 'team/a:1')[0]!.dependents, []);
  const forest = layerForest(graph);
  const baseNode = forest.children.find((n) => n.topOf.includes('docker.io/library/base:1'))!;
  assert.equal(baseNode.children.length, 3);
  assert.equal(forest.children.length, 3, 'base, d and e start their own chains');
  assert.throws(
    () => imageTrees(graph, 'nope:1'),
    (e: Error & { code?: string }) => e.code === 'ENOT_FOUND',
  );
});

test('fsck --repair deletes damaged and unreferenced blobs and says what to pull again', async (t) => {
  const { store, imgs, orphan } = await fixture(t);
  const victim = store.blobPath(imgs.b.layers[1]!.digest);
  await writeFile(victim, Buffer.alloc(imgs.b.layers[1]!.size, 1));
  const report = await fsck(store);
  assert.equal(report.ok, false);
  const repaired = await repairStore(store, report);
  assert.deepEqual(repaired.removedDamaged, [imgs.b.layers[1]!.digest]);
  assert.deepEqual(repaired.needPull, ['docker.io/team/b:1']);
  assert.equal(repaired.deletedIngests, 1);
  assert.equal(await store.hasBlob(sha(orphan)), false);
  const after = await fsck(store);
  assert.ok(after.problems.every((p) => p.problem === 'missing' && p.image === 'docker.io/team/b:1'));
});

test("image rows carry the stored name, shared and unique bytes as df counts them, and an index's platform manifests", async (t) => {
  const { store, base, parts, imgs } = await fixture(t);
  const amd = await storeTestImage(store, { layers: [{ content: base }, { content: bytes(800, 'amd') }] });
  const arm = await storeTestImage(store, { layers: [{ content: bytes(900, 'arm') }], architecture: 'arm64' });
  const index = await storeTestIndex(store, 'team/multi:1', amd, arm);
  const rows = await listImages(store);
  const usage = diskUsage(await buildStoreGraph(store));
  for (const row of rows) {
    const u = usage.images.find((i) => i.digest === row.digest && i.name === row.name)!;
    assert.ok(u, `df has ${row.name}`);
    assert.deepEqual([row.size, row.sharedBytes, row.uniqueBytes], [u.totalBytes, u.sharedBytes, u.uniqueBytes]);
  }
  const a = rows.find((r) => r.name === 'docker.io/team/a:1')!;
  assert.deepEqual([a.sharedBytes, a.uniqueBytes, a.manifests], [base.length, parts.a.length + own(imgs.a), []]);
  const dangling = rows.find((r) => r.dangling)!;
  assert.equal(dangling.name, imgs.d.descriptor.digest, 'a dangling entry is named by its digest');
  const multi = rows.find((r) => r.name === 'docker.io/team/multi:1')!;
  assert.deepEqual(multi.platforms, ['linux/amd64', 'linux/arm64']);
  assert.deepEqual(multi.manifests, [
    { platform: 'linux/amd64', digest: amd.descriptor.digest, size: own(amd) + base.length + 800 },
    { platform: 'linux/arm64', digest: arm.descriptor.digest, size: own(arm) + 900 },
  ]);
  assert.equal(multi.size, index.length + own(amd) + own(arm) + base.length + 800 + 900);
  assert.equal(multi.sharedBytes, base.length);
  // inspect builds the very same row.
  const details = await inspectImage(store, 'team/multi:1');
  const { refName: _r, index: _i, images, absentPlatforms: _a, tagHistory, ...row } = details;
  assert.deepEqual(row, multi);
  assert.equal(images.length, 2);
  assert.deepEqual(
    tagHistory.map((h) => [h.digest, h.previous, h.action]),
    [[sha(index), null, 'tag']],
  );
});

test('inspect shows where a name pointed over time, newest first; a dangling image has no history', async (t) => {
  const { store, imgs } = await fixture(t);
  const d = await inspectImage(store, 'team/d:1');
  assert.deepEqual(
    d.tagHistory.map((h) => [h.digest, h.previous, h.action]),
    [
      [imgs.e.descriptor.digest, imgs.d.descriptor.digest, 'tag'],
      [imgs.d.descriptor.digest, null, 'tag'],
    ],
  );
  assert.deepEqual((await inspectImage(store, imgs.d.descriptor.digest)).tagHistory, []);
});

test('layers name the images they top, by stored name, each once', async (t) => {
  const { store, base } = await fixture(t);
  const amd = await storeTestImage(store, { layers: [{ content: base }] });
  const arm = await storeTestImage(store, { layers: [{ content: base }], architecture: 'arm64' });
  await storeTestIndex(store, 'multi:1', amd, arm);
  const graph = await buildStoreGraph(store);
  const baseNode = layerForest(graph).children.find((n) => n.digest === sha(base))!;
  assert.deepEqual(baseNode.topNames, ['docker.io/library/base:1', 'docker.io/library/multi:1']);
  assert.deepEqual(baseNode.topOf, [
    'docker.io/library/base:1',
    'docker.io/library/multi:1 (linux/amd64)',
    'docker.io/library/multi:1 (linux/arm64)',
  ]);
  assert.deepEqual(imageTrees(graph, 'multi:1')[0]!.layers[0]!.topNames, baseNode.topNames);
});

test('an image row carries the signature verification a pull recorded; others, and a later unsigned pull, have none', async (t) => {
  const { store, imgs } = await fixture(t);
  const at = new Date('2026-06-01T12:00:00Z');
  const recorded = signatureAnnotations(
    {
      allowed: true,
      file: '/etc/containers/policy.json',
      scope: 'transports.docker["docker.io/team"]',
      rule: 'r',
      reason: 'verified',
      verifiedBy: [
        { key: '/keys/team.pub', fingerprint: 'sha256:1' },
        { key: 'keyData', fingerprint: 'sha256:2' },
        { key: '/keys/team.pub', fingerprint: 'sha256:1' },
      ],
    },
    at,
  );
  await setTag(store, parseReference('team/a:1'), imgs.a.descriptor, recorded);
  const rows = await listImages(store);
  const row = (name: string) => rows.find((r) => r.name === name)!;
  assert.deepEqual(row('docker.io/team/a:1').signature, {
    verifiedBy: '/keys/team.pub, keyData',
    policy: '/etc/containers/policy.json transports.docker["docker.io/team"]',
    at: '2026-06-01T12:00:00.000Z',
  });
  assert.equal(row('docker.io/team/b:1').signature, null);
  assert.equal((await inspectImage(store, 'team/a:1')).signature?.verifiedBy, '/keys/team.pub, keyData');

  // insecureAcceptAnything (no keys verified), or no policy at all, records nothing; the entry is rewritten without the old record.
  assert.deepEqual(
    signatureAnnotations({
      allowed: true,
      file: '/p.json',
      scope: 'default',
      rule: 'default: insecureAcceptAnything',
      reason: 'accepted without signatures',
      verifiedBy: [],
    }),
    {},
  );
  assert.deepEqual(signatureAnnotations(undefined), {});
  await setTag(store, parseReference('team/a:1'), imgs.a.descriptor, {});
  assert.equal((await listImages(store)).find((r) => r.name === 'docker.io/team/a:1')!.signature, null);
  // A partial record (an entry written by hand) is not a verification.
  assert.equal(signatureOf({ [SIGNATURE_VERIFIED_BY]: 'keyData' }), null);
});

test('a layer whose uncompressed size is unknown is shown at its stored size, and the unpacked total as a lower bound', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-insight-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await Store.open(dir);
  const layer = randomBytes(500);
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(randomBytes(8))] }, config: {} }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: sha(layer), size: layer.length }],
    }),
  );
  for (const b of [layer, config, manifest]) await putBlob(store, sha(b), b);
  await setTag(store, parseReference('reg.example/z:1'), {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: sha(manifest),
    size: manifest.length,
  });
  const graph = await buildStoreGraph(store);
  assert.deepEqual(unpackedOf(graph.images[0]!), { bytes: 500, exact: false });
  const [tree] = imageTrees(graph, 'reg.example/z:1');
  assert.equal(tree!.sizeExact, false);
  assert.equal(tree!.storedSize, 500 + config.length + manifest.length);
  const text = formatImageTree(tree!);
  assert.match(text, /^Size: +[\d.]+ kB stored \(compressed\), ≥ 500 B unpacked$/m);
  assert.match(text, /Size: 500 B stored \(unpacked size unknown\)/);
});

test("df's answer carries each layer's build step beside its size, null for configs and manifests", async (t) => {
  const { store, base, imgs } = await fixture(t);
  const usage = diskUsage(await buildStoreGraph(store));
  const steps = usage.blobSteps!;
  assert.equal(steps.length, usage.blobDigests.length, 'a parallel array');
  // The fixture's configs record `RUN step i` for layer i.
  assert.equal(steps[usage.blobDigests.indexOf(sha(base))], 'RUN step 0');
  assert.equal(steps[usage.blobDigests.indexOf(imgs.c.layers[1]!.digest)], 'RUN step 1');
  assert.equal(steps[usage.blobDigests.indexOf(imgs.a.descriptor.digest)], null, 'a manifest has no step');
  assert.equal(steps[usage.blobDigests.indexOf(sha(imgs.a.config))], null, 'a config has no step');
});
