/**
 * Pull through a fault-injecting proxy in front of the real registry. Each fault states its
 * outcome: the pull completes with correct bytes, or fails with a clear error and stores nothing
 * unverified; no credential ever reaches another origin.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import {
  startFaultProxy,
  isBlobGet,
  isManifestGet,
  type Fault,
  type FaultProxy,
  type Rule,
  type SeenRequest,
} from '../fixtures/fault-proxy.ts';
import { generateImage, pushWithSkopeo, writeOciLayout, type GeneratedImage } from '../fixtures/images.ts';
import { sha } from '../fixtures/store-images.ts';
import { Store } from '../../engine/store/layout.ts';
import { pull, type PullResult } from '../../engine/transfer/pull.ts';
import { fsck } from '../../engine/insight/fsck.ts';
import { listImages } from '../../engine/insight/images.ts';
import type { TransferEvent } from '../../../src-shared/transfer.ts';

const AMD64 = { os: 'linux', architecture: 'amd64' };
let work: string;
let registry: TestRegistry;
let proxy: FaultProxy;
let image: GeneratedImage;
let n = 0;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'deckhand-faults-'));
  registry = await startRegistry({ auth: 'basic', users: { ann: 'pw-ann' } });
  image = await generateImage({ layers: 2, layerSize: 300_000, platform: AMD64, seed: 'faults' });
  await writeOciLayout(join(work, 'src'), [{ ref: 'x', image }]);
  await pushWithSkopeo(join(work, 'src'), 'x', `${registry.host}/faults/app:1`, { creds: 'ann:pw-ann' });
  // The second origin stands for a storage service with pre-signed URLs: it needs no credentials of ours.
  proxy = await startFaultProxy(registry.url, { recorderAuthorization: `Basic ${Buffer.from('ann:pw-ann').toString('base64')}` });
});

after(async () => {
  await proxy?.stop();
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

const credentials = { username: 'ann', password: 'pw-ann' };
const big = () => image.layers[0]!;

async function pullWith(rules: Rule[], events: TransferEvent[] = []): Promise<{ store: Store; result: PullResult }> {
  proxy.setRules(rules);
  const store = await Store.open(join(work, `store-${n++}`));
  const result = await pull(store, `${proxy.host}/faults/app:1`, { platform: AMD64, credentials, onEvent: (e) => events.push(e) });
  return { store, result };
}

/** The requests the proxy answered with a fault of this kind: a test that never sees its fault fire proves nothing. */
function fired(kind: Fault['kind']): SeenRequest[] {
  return proxy.requests.filter((r) => r.fault === kind);
}

async function assertIntact(store: Store): Promise<void> {
  for (const l of image.layers) assert.equal(sha(await readFile(store.blobPath(l.digest))), l.digest);
  assert.equal((await fsck(store)).ok, true);
}

async function assertNothingStored(store: Store): Promise<void> {
  assert.deepEqual(await listImages(store), []);
  for (const name of await readdir(join(store.root, 'blobs', 'sha256')))
    assert.equal(sha(await readFile(join(store.root, 'blobs', 'sha256', name))), `sha256:${name}`, 'only verified blobs are visible');
}

async function failingPull(rules: Rule[]): Promise<{ store: Store; error: Error & { code?: string } }> {
  proxy.setRules(rules);
  const store = await Store.open(join(work, `store-${n++}`));
  const error = await pull(store, `${proxy.host}/faults/app:1`, { platform: AMD64, credentials }).then(
    () => assert.fail('the pull should have failed'),
    (e: Error & { code?: string }) => e,
  );
  return { store, error };
}

describe('faults on the way: the pull completes with correct bytes', () => {
  test('a connection reset mid-body is retried', async () => {
    const events: TransferEvent[] = [];
    const { store } = await pullWith([{ match: isBlobGet(big().digest), fault: { kind: 'reset', afterBytes: 100_000 }, times: 1 }], events);
    await assertIntact(store);
    assert.equal(fired('reset').length, 1);
    assert.ok(events.some((e) => e.type === 'retry' && e.digest === big().digest));
  });

  test('a body cut short, with a lying or an honest Content-Length, resumes with Range from the bytes received', async () => {
    for (const honestLength of [false, true]) {
      const { store, result } = await pullWith([
        { match: isBlobGet(big().digest), fault: { kind: 'truncate', afterBytes: 150_000, honestLength }, times: 1 },
      ]);
      await assertIntact(store);
      assert.equal(fired('truncate').length, 1);
      const ranged = proxy.requests.filter((r) => isBlobGet(big().digest)(r) && r.headers.range);
      assert.deepEqual(
        ranged.map((r) => r.headers.range),
        ['bytes=150000-'],
        'the retry asked for the rest only',
      );
      assert.equal(result.fetchedBytes, image.layers.reduce((s, l) => s + l.size, 0) + image.configSize, 'no byte fetched twice');
    }
  });

  test('429 with Retry-After and a run of 503s are waited out', async () => {
    const { store } = await pullWith([
      { match: isManifestGet, fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } }, times: 1 },
      { match: isBlobGet(), fault: { kind: 'status', status: 503 }, times: 3 },
    ]);
    await assertIntact(store);
    assert.equal(proxy.requests.filter((r) => r.fault === 'status').length, 4);
  });

  test('a flipped byte is caught by the digest check and the blob is fetched again', async () => {
    const events: TransferEvent[] = [];
    const { store } = await pullWith([{ match: isBlobGet(big().digest), fault: { kind: 'flip', offset: 5_000 }, times: 1 }], events);
    await assertIntact(store);
    assert.equal(fired('flip').length, 1);
    assert.ok(events.some((e) => e.type === 'retry' && e.reason.includes('digest')));
  });

  test('a slow registry is waited for', async () => {
    const events: TransferEvent[] = [];
    const { store } = await pullWith([{ match: isManifestGet, fault: { kind: 'slow', delayMs: 1_500 }, times: 1 }], events);
    await assertIntact(store);
    const slowed = fired('slow');
    assert.equal(slowed.length, 1, 'the manifest GET was held back');
    assert.ok(
      isManifestGet(slowed[0]!) && slowed[0]!.headers.authorization,
      'the held-back request was the authenticated manifest GET, the one whose answer the pull used',
    );
    // Waited for, not given up on: that one GET was the only manifest request, and nothing was retried.
    assert.equal(proxy.requests.filter(isManifestGet).length, 1);
    assert.deepEqual(
      events.filter((e) => e.type === 'retry'),
      [],
    );
  });

  test('blob GETs redirected to another origin complete, and that origin never sees the credentials', async () => {
    const { store } = await pullWith([{ match: isBlobGet(), fault: { kind: 'redirect', to: 'recorder' } }]);
    await assertIntact(store);
    const blobGets = proxy.requests.filter((r) => r.origin === 'proxy' && isBlobGet()(r));
    assert.ok(
      blobGets.length >= image.layers.length + 1 && blobGets.every((r) => r.fault === 'redirect'),
      'every blob GET (the layers and the config) was redirected',
    );
    const there = proxy.requests.filter((r) => r.origin === 'recorder');
    assert.ok(there.length >= image.layers.length);
    for (const r of there) {
      assert.equal(r.headers.authorization, undefined);
      assert.equal(r.headers.cookie, undefined);
      assert.equal(r.headers['proxy-authorization'], undefined);
    }
    assert.ok(
      proxy.requests.some((r) => r.origin === 'proxy' && r.headers.authorization),
      'the registry itself got them',
    );
  });
});

describe('faults that must fail: a clear error and nothing unverified stored', () => {
  test('a blob that is always damaged fails naming its digest', async () => {
    const { store, error } = await failingPull([{ match: isBlobGet(big().digest), fault: { kind: 'flip', offset: 10 } }]);
    assert.equal(error.code, 'EDIGEST_MISMATCH');
    assert.ok(fired('flip').length >= 1);
    assert.match(error.message, new RegExp(big().digest));
    assert.equal(await store.hasBlob(big().digest), false);
    await assertNothingStored(store);
  });

  test('a registry that stays down fails with its status, after retrying', async () => {
    const { store, error } = await failingPull([{ match: isBlobGet(), fault: { kind: 'status', status: 503 } }]);
    assert.equal(error.code, 'EREGISTRY');
    assert.match(error.message, /503/);
    assert.ok(proxy.requests.filter((r) => r.fault === 'status').length >= 3);
    await assertNothingStored(store);
  });

  test('a registry that goes down after the manifest costs a bounded number of requests per blob: retries happen at one level', async () => {
    const { MAX_ATTEMPTS } = await import('../../engine/registry/retry.ts');
    const { store, error } = await failingPull([{ match: isBlobGet(), fault: { kind: 'drop' } }]);
    assert.equal(error.code, 'ENETWORK');
    const perBlob = new Map<string, number>();
    for (const r of proxy.requests.filter((q) => q.fault === 'drop')) perBlob.set(r.path, (perBlob.get(r.path) ?? 0) + 1);
    assert.ok(perBlob.size >= 1, 'the fault fired');
    // Before one retry level, the client's 5 tries ran inside each of the blob's 5 tries: 25 requests.
    assert.equal(Math.max(...perBlob.values()), MAX_ATTEMPTS);
    await assertNothingStored(store);
  });

  test('a manifest whose Docker-Content-Digest does not match its bytes is refused', async () => {
    const { store, error } = await failingPull([
      { match: isManifestGet, fault: { kind: 'header', name: 'docker-content-digest', value: `sha256:${'0'.repeat(64)}` } },
    ]);
    assert.equal(error.code, 'EDIGEST_MISMATCH');
    assert.equal(fired('header').length, 1);
    await assertNothingStored(store);
  });

  test('an oversized manifest is refused before it is read whole', async () => {
    const { store, error } = await failingPull([
      {
        match: isManifestGet,
        fault: { kind: 'huge-body', bytes: 5 * 1024 * 1024, contentType: 'application/vnd.oci.image.manifest.v1+json' },
      },
    ]);
    assert.equal(error.code, 'EMANIFEST_TOO_LARGE');
    assert.equal(fired('huge-body').length, 1);
    await assertNothingStored(store);
  });

  test('a redirect chain that comes back to the registry does not get the credentials back', async () => {
    const digest = big().digest;
    const { store, error } = await failingPull([
      { match: (r) => isBlobGet(digest)(r) && !r.path.includes('bounce'), fault: { kind: 'redirect', to: 'bounce' }, times: 1 },
    ]);
    const back = proxy.requests.filter((r) => r.origin === 'proxy' && isBlobGet(digest)(r)).slice(1);
    assert.ok(back.length >= 1, 'the chain came back');
    assert.equal(back[0]!.headers.authorization, undefined, 'no credentials after leaving the origin');
    assert.ok(proxy.requests.filter((r) => r.origin === 'recorder').every((r) => r.headers.authorization === undefined));
    assert.equal(error.code, 'EUNAUTHORIZED');
    await assertNothingStored(store);
  });

  test('a redirect to plain HTTP from HTTPS, or to another scheme, is not followed', async () => {
    const { error } = await failingPull([{ match: isBlobGet(), fault: { kind: 'redirect', to: 'file://' } }]);
    assert.ok(fired('redirect').length >= 1);
    assert.match(error.message, /scheme/);
  });
});

describe('faults on push', () => {
  const isPatch = (r: { method: string; path: string }) => r.method === 'PATCH';
  const isUploadPut = (r: { method: string; path: string }) => r.method === 'PUT' && r.path.includes('/blobs/uploads/');

  async function storeWithImage(): Promise<Store> {
    const store = await Store.open(join(work, `push-src-${n++}`));
    proxy.setRules([]);
    await pull(store, `${proxy.host}/faults/app:1`, { platform: AMD64, credentials });
    return store;
  }

  test('an upload cut mid-PATCH resumes from where the registry says the session stands', async () => {
    const { push } = await import('../../engine/transfer/push.ts');
    const { MONOLITHIC_MAX } = await import('../../engine/transfer/blob-push.ts');
    const layer = await generateImage({ layers: 1, layerSize: MONOLITHIC_MAX + 1_000_000, platform: AMD64, seed: 'big-push' });
    await writeOciLayout(join(work, 'bigsrc'), [{ ref: 'x', image: layer }]);
    await pushWithSkopeo(join(work, 'bigsrc'), 'x', `${registry.host}/faults/big:1`, { creds: 'ann:pw-ann' });
    const store = await Store.open(join(work, `push-big-${n++}`));
    await pull(store, `${registry.host}/faults/big:1`, { platform: AMD64, credentials });
    const events: TransferEvent[] = [];
    proxy.setRules([{ match: isPatch, fault: { kind: 'status', status: 500 }, times: 1 }]);
    const result = await push(store, `${registry.host}/faults/big:1`, `${proxy.host}/faults/pushed-big:1`, {
      credentials,
      onEvent: (e) => events.push(e),
    });
    assert.equal(result.digest, layer.manifestDigest);
    assert.equal(fired('status').filter(isPatch).length, 1, 'a PATCH was cut');
    assert.ok(events.some((e) => e.type === 'retry' && e.reason.includes('resuming')));
    assert.ok(
      proxy.requests.some((r) => r.method === 'GET' && r.path.includes('/blobs/uploads/')),
      'asked the session where it stands',
    );
    const check = await Store.open(join(work, `push-check-${n++}`));
    proxy.setRules([]);
    await pull(check, `${proxy.host}/faults/pushed-big:1`, { platform: AMD64, credentials });
    assert.equal((await fsck(check)).ok, true);
  });

  test('a push whose final PUT keeps failing fails clearly and abandons the session', async () => {
    const { push } = await import('../../engine/transfer/push.ts');
    const store = await storeWithImage();
    proxy.setRules([
      { match: (r) => r.method === 'POST' && r.path.includes('mount='), fault: { kind: 'status', status: 404 } },
      { match: isUploadPut, fault: { kind: 'status', status: 500 } },
    ]);
    const error = await push(store, `${proxy.host}/faults/app:1`, `${proxy.host}/faults/never:1`, { credentials }).then(
      () => assert.fail('push should fail'),
      (e: Error & { code?: string }) => e,
    );
    assert.equal(error.code, 'EREGISTRY');
    assert.ok(fired('status').some(isUploadPut), 'it was the final PUT that failed, not the refused mounts');
    assert.ok(
      proxy.requests.some((r) => r.method === 'DELETE' && r.path.includes('/blobs/uploads/')),
      'the upload session was cancelled',
    );
  });
});
