/**
 * Freshness checks against a real registry (Debian's docker-registry), with images pushed by
 * skopeo and pulled by Deckhand: an untouched tag is current, a moved one stale, a tag never
 * pushed local-only; a moved index whose stored platform did not change is platform-unchanged.
 * A capturing proxy in front of the registry proves the checks send HEADs and no manifest GET
 * (except the one declared index GET), and answers 429 to see the back-off and the later retry.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FreshnessResult } from '../../../src-shared/freshness.ts';
import type { FreshnessSnapshot } from '../../../src-shared/ipc/types.ts';
import { RegistryContext } from '../../engine/config/context.ts';
import { createHost } from '../../host/host.ts';
import { FreshnessChecker } from '../../engine/freshness/checker.ts';
import { freshnessTargets } from '../../engine/freshness/targets.ts';
import { buildStoreGraph } from '../../engine/insight/store-graph.ts';
import { Store } from '../../engine/store/layout.ts';
import { tagImage } from '../../engine/store/tag.ts';
import { pull } from '../../engine/transfer/pull.ts';
import { startFaultProxy, isManifestGet, type FaultProxy } from '../fixtures/fault-proxy.ts';
import { EMPTY_REGISTRIES_ENV } from '../fixtures/hermetic-config.ts';
import { generateImage, generateIndex, pushWithSkopeo, writeOciLayout, type GeneratedImage } from '../fixtures/images.ts';
import { startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { CLI_SOURCE, freePort, runCli } from '../fixtures/tools.ts';

const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM64 = { os: 'linux', architecture: 'arm64' };

let work: string;
let registry: TestRegistry;
let proxy: FaultProxy;
let layout: string;
let env: NodeJS.ProcessEnv;
let a: GeneratedImage;
let b: GeneratedImage;

/** A hermetic environment: no stored logins, an empty registries.conf. */
function cleanEnv(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...EMPTY_REGISTRIES_ENV,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'cfg'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
    DOCKER_CONFIG: join(dir, 'docker'),
    REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
  };
}

async function check(store: Store, checker: FreshnessChecker, refs: string[] = [], run: Parameters<FreshnessChecker['check']>[1] = {}) {
  const results = await checker.check(freshnessTargets(await buildStoreGraph(store), refs), run);
  return new Map(results.map((r) => [r.reference, r]));
}

const newChecker = (now?: () => number) => new FreshnessChecker(() => RegistryContext.load({ env }), now ? { now } : {});
const manifestGets = () => proxy.requests.filter((r) => r.origin === 'proxy' && isManifestGet(r));

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'deckhand-freshness-'));
  env = cleanEnv(work);
  await mkdir(join(work, 'run'), { recursive: true });
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.url);
  a = await generateImage({ layers: 1, layerSize: 2000, platform: AMD64, seed: 'fresh-a' });
  b = await generateImage({ layers: 1, layerSize: 2000, platform: AMD64, seed: 'fresh-b' });
  const arm = await generateImage({ layers: 1, layerSize: 2000, platform: ARM64, seed: 'fresh-arm' });
  const arm2 = await generateImage({ layers: 1, layerSize: 2000, platform: ARM64, seed: 'fresh-arm2' });
  layout = join(work, 'layout');
  await writeOciLayout(layout, [
    { ref: 'a', image: a },
    { ref: 'b', image: b },
    { ref: 'multi1', index: await generateIndex([a, arm]) },
    // The index moves, its amd64 image does not.
    { ref: 'multi2', index: await generateIndex([a, arm2]) },
    // The index moves and its amd64 image too.
    { ref: 'multi3', index: await generateIndex([b, arm2]) },
  ]);
  for (const repo of ['team/app:1', 'team/kept:1']) await pushWithSkopeo(layout, 'a', `${registry.host}/${repo}`);
  await pushWithSkopeo(layout, 'multi1', `${registry.host}/team/multi:1`, { all: true });
});

after(async () => {
  await proxy?.stop();
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('freshness against a real registry', () => {
  let store: Store;
  const app = () => `${proxy.host}/team/app:1`;
  const kept = () => `${proxy.host}/team/kept:1`;
  const never = () => `${proxy.host}/team/never:1`;
  const multi = () => `${proxy.host}/team/multi:1`;

  before(async () => {
    store = await Store.open(join(work, 'store'));
    for (const ref of [app(), kept()]) await pull(store, ref, { platform: AMD64, env });
    await pull(store, multi(), { platform: AMD64, env });
    await tagImage(store, app(), never());
  });

  test('an untouched tag is current, a tag the registry lacks is local-only, all by HEAD', async () => {
    proxy.setRules([]);
    const r = await check(store, newChecker());
    assert.equal(r.get(app())?.state, 'current');
    assert.equal(r.get(app())?.remoteDigest, a.manifestDigest);
    assert.equal(r.get(app())?.localDigest, a.manifestDigest);
    assert.equal(r.get(kept())?.state, 'current');
    assert.equal(r.get(multi())?.state, 'current');
    assert.equal(r.get(never())?.state, 'local-only');
    assert.equal(r.get(never())?.remoteDigest, null);
    const sent = proxy.requests.filter((q) => q.origin === 'proxy' && q.path.includes('/manifests/'));
    assert.equal(sent.length, 4, 'one HEAD per tag');
    for (const q of sent) {
      assert.equal(q.method, 'HEAD');
      for (const type of [
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.docker.distribution.manifest.list.v2+json',
        'application/vnd.docker.distribution.manifest.v2+json',
      ])
        assert.ok(String(q.headers.accept).includes(type), `Accept names ${type}`);
    }
    assert.deepEqual(manifestGets(), []);
  });

  test('a tag moved in the registry is stale; the untouched one stays current; no manifest GET', async () => {
    await pushWithSkopeo(layout, 'b', `${registry.host}/team/app:1`);
    proxy.setRules([]);
    const r = await check(store, newChecker());
    assert.equal(r.get(app())?.state, 'stale');
    assert.equal(r.get(app())?.remoteDigest, b.manifestDigest);
    assert.equal(r.get(app())?.localDigest, a.manifestDigest);
    assert.equal(r.get(app())?.indexFetched, false);
    assert.equal(r.get(kept())?.state, 'current');
    assert.deepEqual(manifestGets(), []);
  });

  test('a moved index whose stored platform is the same is platform-unchanged, with the one declared index GET', async () => {
    await pushWithSkopeo(layout, 'multi2', `${registry.host}/team/multi:1`, { all: true });
    proxy.setRules([]);
    const r = (await check(store, newChecker(), [multi()])).get(multi())!;
    assert.equal(r.state, 'platform-unchanged');
    assert.equal(r.indexFetched, true);
    const gets = manifestGets();
    assert.equal(gets.length, 1, 'exactly one manifest GET: the new index, by its digest');
    assert.ok(gets[0]!.path.endsWith(`/manifests/${r.remoteDigest}`));

    proxy.setRules([]);
    const headOnly = (await check(store, newChecker(), [multi()], { headOnly: true })).get(multi())!;
    assert.equal(headOnly.state, 'stale');
    assert.equal(headOnly.indexFetched, false);
    assert.match(headOnly.reason, /--head-only/);
    assert.deepEqual(manifestGets(), []);

    await pushWithSkopeo(layout, 'multi3', `${registry.host}/team/multi:1`, { all: true });
    proxy.setRules([]);
    const moved = (await check(store, newChecker(), [multi()])).get(multi())!;
    assert.equal(moved.state, 'stale');
    assert.equal(moved.indexFetched, true);
    assert.match(moved.reason, /linux\/amd64/);
  });

  test('a 429 gives rate-limited with RateLimit-Remaining; nothing is sent before Retry-After; the later retry answers', async () => {
    let clock = Date.parse('2026-11-30T10:00:00Z');
    const checker = newChecker(() => clock);
    const headOf = (path: string) => (q: { method: string; path: string }) => q.method === 'HEAD' && q.path.includes(path);
    proxy.setRules([
      {
        match: headOf('/team/kept/manifests/'),
        fault: { kind: 'status', status: 429, headers: { 'retry-after': '30', 'ratelimit-remaining': '0;w=21600' } },
        times: 1,
      },
    ]);
    let r = (await check(store, checker, [kept()])).get(kept())!;
    assert.equal(r.state, 'rate-limited');
    assert.equal(r.ratelimitRemaining, '0;w=21600');
    assert.equal(r.retryAfterSeconds, 30);
    assert.equal(proxy.requests.filter(headOf('/team/kept/manifests/')).length, 1, 'the 429 was not retried at once');

    // Before Retry-After, even a forced check sends nothing to the host.
    clock += 10_000;
    proxy.setRules([]);
    r = (await check(store, checker, [kept()], { force: true })).get(kept())!;
    assert.equal(r.state, 'rate-limited');
    assert.equal(proxy.requests.length, 0, 'nothing was sent');

    clock += 25_000;
    r = (await check(store, checker, [kept()])).get(kept())!;
    assert.equal(r.state, 'current');
    assert.equal(proxy.requests.filter(headOf('/team/kept/manifests/')).length, 1);
    assert.deepEqual(manifestGets(), []);
  });

  test('results are cached for their time-to-live; force checks again', async () => {
    let clock = Date.parse('2026-11-30T11:00:00Z');
    const checker = newChecker(() => clock);
    await check(store, checker, [kept()]);
    proxy.setRules([]);
    const cached = (await check(store, checker, [kept()])).get(kept())!;
    assert.equal(cached.state, 'current');
    assert.equal(proxy.requests.length, 0, 'a cached answer sends nothing');
    await check(store, checker, [kept()], { force: true });
    assert.equal(proxy.requests.filter((q) => q.method === 'HEAD').length, 1);
    clock += 11 * 60_000;
    proxy.setRules([]);
    await check(store, checker, [kept()]);
    assert.equal(proxy.requests.filter((q) => q.method === 'HEAD').length, 1, 'past its TTL the answer is asked again');
  });

  test('a registry that wants a login is auth-required; a closed port is unreachable', async () => {
    const locked = await startRegistry({ auth: 'token', users: { alice: 'secret' } });
    try {
      const port = await freePort();
      await tagImage(store, app(), `${locked.host}/team/app:1`);
      await tagImage(store, app(), `127.0.0.1:${port}/team/app:1`);
      const r = await check(store, newChecker(), [`${locked.host}/team/app:1`, `127.0.0.1:${port}/team/app:1`]);
      assert.equal(r.get(`${locked.host}/team/app:1`)?.state, 'auth-required');
      assert.equal(r.get(`127.0.0.1:${port}/team/app:1`)?.state, 'unreachable');
      assert.match(r.get(`127.0.0.1:${port}/team/app:1`)!.reason, /Cannot reach registry/);
    } finally {
      await locked.stop();
    }
  });

  test('deckhand outdated --format json: reference, localDigest, remoteDigest, state; exit 0 with a stale tag', async () => {
    const res = await runCli(['--store', join(work, 'store'), 'outdated', app(), kept(), '--format', 'json'], { env, entry: CLI_SOURCE });
    assert.equal(res.code, 0, res.stderr);
    const rows = JSON.parse(res.stdout) as FreshnessResult[];
    assert.deepEqual(
      rows.map((x) => [x.reference, x.localDigest, x.remoteDigest, x.state]),
      [
        [app(), a.manifestDigest, b.manifestDigest, 'stale'],
        [kept(), a.manifestDigest, a.manifestDigest, 'current'],
      ],
    );
    const text = await runCli(['--store', join(work, 'store'), 'outdated', app()], { env, entry: CLI_SOURCE });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^REFERENCE\s+STATE\s+LOCAL\s+REMOTE\s+NOTE\n/);
    assert.match(text.stdout, /team\/app:1\s+stale\s+/);
    assert.match(text.stderr, /deckhand pull .*team\/app:1/);
    const missing = await runCli(['--store', join(work, 'store'), 'outdated', 'nothing/here:1'], { env, entry: CLI_SOURCE });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No image named nothing\/here:1/);
  });

  test('the app host: checkFreshness answers at once, freshnessChanged brings the results, the next call answers from the cache', async () => {
    const host = createHost({ kind: 'web', storeDir: join(work, 'store'), env });
    const arrived: FreshnessResult[] = [];
    host.events.subscribe((e) => {
      if (e.event === 'freshnessChanged') arrived.push(...e.payload.results);
    });
    try {
      proxy.setRules([]);
      const first = await host.dispatch('checkFreshness', { refs: [app(), kept()] });
      assert.ok(first.ok);
      assert.deepEqual((first.value as FreshnessSnapshot).results, []);
      assert.deepEqual((first.value as FreshnessSnapshot).pending, [app(), kept()]);
      for (let i = 0; i < 200 && arrived.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
      assert.deepEqual(
        new Map(arrived.map((r) => [r.reference, r.state])),
        new Map([
          [app(), 'stale'],
          [kept(), 'current'],
        ]),
      );
      const heads = proxy.requests.filter((q) => q.method === 'HEAD').length;
      const again = await host.dispatch('checkFreshness', { refs: [app(), kept()] });
      assert.ok(again.ok);
      assert.deepEqual((again.value as FreshnessSnapshot).pending, []);
      assert.deepEqual(
        (again.value as FreshnessSnapshot).results.map((r) => r.state),
        ['stale', 'current'],
      );
      assert.equal(proxy.requests.filter((q) => q.method === 'HEAD').length, heads, 'answered from the cache');
    } finally {
      await host.close();
    }
  });
});
