/**
 * The host's dispatcher (what the app's windows and the web host call) against a real registry
 * with Basic auth: registry listings with and without a login, pull/copy/save/load as background
 * transfers that end without error, and image rows of an index with per-platform sizes and
 * shared/unique bytes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageRow, RegistryRepositories, RegistryTags, TransferStarted } from '../../../src-shared/ipc/contract.ts';
import { createHost, type Host } from '../../host/host.ts';
import type { HostEvent } from '../../host/events.ts';
import { RegistryClient } from '../../engine/registry/client.ts';
import { listRepositories } from '../../engine/registry/listing.ts';
import { startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { generateImage, generateIndex, pushWithSkopeo, writeOciLayout, type GeneratedImage } from '../fixtures/images.ts';

const ARM64 = { os: 'linux', architecture: 'arm64' };
const AMD64 = { os: 'linux', architecture: 'amd64' };
const CREDS = 'alice:s3cret-pw';

let work: string;
let reg: TestRegistry;
let arm: GeneratedImage;
let amd: GeneratedImage;
let indexDigest: string;
let host: Host;
let anon: Host;
const seen: HostEvent[] = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'deckhand-host-itest-'));
  reg = await startRegistry({ auth: 'basic', users: { alice: 's3cret-pw' } });
  arm = await generateImage({ layers: 2, layerSize: 200_000, platform: ARM64, seed: 'harm' });
  amd = await generateImage({ layers: 2, layerSize: 100_000, platform: AMD64, seed: 'hamd', sharedLayersFrom: arm, sharedLayers: 1 });
  const index = await generateIndex([amd, arm]);
  indexDigest = index.digest;
  const layout = join(work, 'src');
  await writeOciLayout(layout, [
    { ref: 'multi', index },
    { ref: 'arm', image: arm },
  ]);
  await pushWithSkopeo(layout, 'multi', `${reg.host}/private/multi:1`, { all: true, creds: CREDS });
  await pushWithSkopeo(layout, 'arm', `${reg.host}/team/app:1`, { creds: CREDS });
  await pushWithSkopeo(layout, 'arm', `${reg.host}/team/app:2`, { creds: CREDS });
  const authFile = join(work, 'auth.json');
  await writeFile(authFile, JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(CREDS).toString('base64') } } }));
  const noConfig = { XDG_CONFIG_HOME: join(work, 'nocfg'), DOCKER_CONFIG: join(work, 'nodocker'), HOME: work };
  host = createHost({ kind: 'web', storeDir: join(work, 'store'), env: { ...noConfig, REGISTRY_AUTH_FILE: authFile } });
  anon = createHost({ kind: 'web', storeDir: join(work, 'anon-store'), env: { ...noConfig, REGISTRY_AUTH_FILE: join(work, 'none.json') } });
  host.events.subscribe((e) => seen.push(e));
});

after(async () => {
  await Promise.all([host?.close(), anon?.close()]);
  await reg?.stop();
  await rm(work, { recursive: true, force: true });
});

async function call<T>(h: Host, name: string, input: unknown): Promise<T> {
  const r = await h.dispatch(name, input);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value as T;
}

/** Starts a transfer and waits (bounded) for its transferEnded; fails on an error. */
async function transfer(name: string, input: unknown, timeoutMs = 60_000) {
  const { transferId } = await call<TransferStarted>(host, name, input);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = seen.find((x) => x.event === 'transferEnded' && x.payload.transferId === transferId);
    if (e?.event === 'transferEnded') {
      assert.equal(e.payload.error, null, `${name}: ${JSON.stringify(e.payload.error)}`);
      return e.payload;
    }
    if (Date.now() > deadline) throw new Error(`${name} did not end within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const refusedListing = (code: string) => (e: Error & { code?: string }) =>
  e.code === code && /does not allow listing/.test(e.message) && /log in|type the/i.test(e.message) && !e.message.includes('s3cret');

describe('registries through the host', () => {
  test('with a saved login the catalog and tags are listed; anonymous is refused with what to do', async () => {
    const repos = await call<RegistryRepositories>(host, 'registryRepositories', { host: reg.host });
    assert.deepEqual(repos, { host: reg.host, repositories: ['private/multi', 'team/app'], complete: true });
    const tags = await call<RegistryTags>(host, 'registryTags', { host: reg.host, repository: 'team/app' });
    assert.deepEqual({ ...tags, tags: tags.tags.sort() }, { host: reg.host, repository: 'team/app', tags: ['1', '2'] });
    await assert.rejects(call(anon, 'registryRepositories', { host: reg.host }), refusedListing('EUNAUTHORIZED'));
    await assert.rejects(call(anon, 'registryTags', { host: reg.host, repository: 'team/app' }), refusedListing('EUNAUTHORIZED'));
    await assert.rejects(
      call(host, 'registryTags', { host: reg.host, repository: 'team/none' }),
      (e: Error & { code?: string }) => e.code === 'ENOT_FOUND',
    );
  });

  test("pages follow the registry's Link header; a list cut at the page limit says so", async () => {
    const client = () => new RegistryClient({ domain: reg.host, credentials: { username: 'alice', password: 's3cret-pw' } });
    const c1 = client();
    const all = await listRepositories(c1, { pageSize: 1 }).finally(() => c1.close());
    assert.deepEqual(all, { items: ['private/multi', 'team/app'], complete: true });
    const c2 = client();
    const cut = await listRepositories(c2, { pageSize: 1, maxPages: 1 }).finally(() => c2.close());
    assert.deepEqual(cut, { items: ['private/multi'], complete: false });
  });
});

describe('transfers through the host', () => {
  test('a pulled index lists with its platform manifests, shared and unique bytes', async () => {
    const pulled = await transfer('pull', { ref: `${reg.host}/private/multi:1`, allPlatforms: true });
    assert.equal(pulled.digest, indexDigest);
    await transfer('pull', { ref: `${reg.host}/team/app:1`, platform: 'linux/arm64' });
    const rows = await call<ImageRow[]>(host, 'listImages', undefined);
    const multi = rows.find((r) => r.name === `${reg.host}/private/multi:1`)!;
    const app = rows.find((r) => r.name === `${reg.host}/team/app:1`)!;
    assert.deepEqual(
      multi.manifests.map((m) => [m.platform, m.digest]),
      [
        ['linux/amd64', amd.manifestDigest],
        ['linux/arm64', arm.manifestDigest],
      ],
    );
    const armSize = arm.manifestBytes.length + arm.configSize + arm.layers.reduce((n, l) => n + l.size, 0);
    assert.equal(multi.manifests[1]!.size, armSize);
    assert.equal(multi.manifests[0]!.size, amd.manifestBytes.length + amd.configSize + amd.layers.reduce((n, l) => n + l.size, 0));
    // team/app:1 is the arm image itself: all of it is shared with the index, which keeps its own amd part.
    assert.deepEqual([app.sharedBytes, app.uniqueBytes, app.manifests], [armSize, 0, []]);
    assert.equal(multi.sharedBytes, armSize);
    assert.equal(multi.uniqueBytes, multi.size - armSize);
    const registries = await call<Array<{ host: string; sources: string[] }>>(host, 'listRegistries', undefined);
    assert.deepEqual(registries.find((r) => r.host === reg.host)?.sources, ['auth', 'images']);
  });

  test('copy, save and load run as transfers and end without error', async () => {
    const layout = join(work, 'copy-layout');
    const toLayout = await transfer('copy', { source: `docker://${reg.host}/team/app:2`, destination: `oci:${layout}:v2` });
    assert.equal(toLayout.digest, arm.manifestDigest);
    await transfer('copy', { source: `${reg.host}/private/multi:1`, destination: `docker://${reg.host}/copied/multi:1` });
    assert.deepEqual((await call<RegistryTags>(host, 'registryTags', { host: reg.host, repository: 'copied/multi' })).tags, ['1']);
    const archive = join(work, 'multi.tar');
    const saved = await transfer('save', { refs: [`${reg.host}/private/multi:1`], path: archive });
    assert.equal(saved.digest, indexDigest);
    await call(host, 'removeImages', { refs: [`${reg.host}/private/multi:1`] });
    const loaded = await transfer('load', { path: archive });
    assert.equal(loaded.digest, indexDigest);
    const rows = await call<ImageRow[]>(host, 'listImages', undefined);
    assert.equal(rows.find((r) => r.name === `${reg.host}/private/multi:1`)?.manifests.length, 2);
    const details = await call<{ tagHistory: Array<{ action: string }> }>(host, 'inspectImage', { ref: `${reg.host}/private/multi:1` });
    assert.deepEqual(
      details.tagHistory.map((h) => h.action),
      ['load', 'pull'],
    );
  });
});
