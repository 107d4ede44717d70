import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistryInfo } from '../../src-shared/ipc/contract.ts';
import { hostOfAuthKey } from '../engine/config/known-registries.ts';
import { Store } from '../engine/store/layout.ts';
import { storeTestImage } from '../test/fixtures/store-images.ts';
import { createHost } from './host.ts';

const SECRET = 's3cr3t-p4ss';

async function withHost(fn: (h: ReturnType<typeof createHost>, storeDir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-registries-'));
  const storeDir = join(dir, 'store');
  // Only these auth files are read: the user's own stay out of the test.
  await mkdir(join(dir, 'xdg', 'containers'), { recursive: true });
  await mkdir(join(dir, 'docker'), { recursive: true });
  const auth = (u: string) => Buffer.from(`${u}:${SECRET}`).toString('base64');
  await writeFile(
    join(dir, 'xdg', 'containers', 'auth.json'),
    JSON.stringify({ auths: { 'quay.io': { auth: auth('q') }, 'ghcr.io/team': { auth: auth('g') } } }),
  );
  await writeFile(
    join(dir, 'docker', 'config.json'),
    JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: auth('d') },
        'http://Registry.Example.com:5000/v2/': { username: 'u', password: SECRET },
        'not a host!': {},
      },
      credsStore: 'desktop',
    }),
  );
  const host = createHost({
    kind: 'web',
    storeDir,
    env: { XDG_CONFIG_HOME: join(dir, 'xdg'), DOCKER_CONFIG: join(dir, 'docker'), HOME: dir },
  });
  try {
    await fn(host, storeDir);
  } finally {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test("auth file keys become registry hosts: Docker Hub's legacy key is docker.io; schemes and paths go", () => {
  assert.equal(hostOfAuthKey('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(hostOfAuthKey('registry-1.docker.io'), 'docker.io');
  assert.equal(hostOfAuthKey('http://localhost:5000/v2/'), 'localhost:5000');
  assert.equal(hostOfAuthKey('ghcr.io/team/app'), 'ghcr.io');
  assert.equal(hostOfAuthKey('[::1]:5000'), '[::1]:5000');
  assert.equal(hostOfAuthKey('not a host!'), null);
});

test('registries come from logins, stored images and the user, sorted, with no credentials anywhere', async () => {
  await withHost(async (host, storeDir) => {
    const store = await Store.open(storeDir);
    await storeTestImage(store, { name: 'quay.io/team/app:1', layers: [{ content: Buffer.from('a') }] });
    await storeTestImage(store, { name: 'alpine:3', layers: [{ content: Buffer.from('b') }] });
    await storeTestImage(store, { name: '127.0.0.1:5000/local/app:1', layers: [{ content: Buffer.from('c') }] });
    const added = await host.dispatch('addRegistry', { host: 'Mirror.Internal:8443', insecure: true });
    assert.ok(added.ok);
    await host.dispatch('addRegistry', { host: 'quay.io' });
    const r = await host.dispatch('listRegistries', undefined);
    assert.ok(r.ok);
    assert.deepEqual(r.value, [
      { host: '127.0.0.1:5000', sources: ['images'], insecure: false },
      { host: 'docker.io', sources: ['auth', 'images'], insecure: false },
      { host: 'ghcr.io', sources: ['auth'], insecure: false },
      { host: 'mirror.internal:8443', sources: ['added'], insecure: true },
      { host: 'quay.io', sources: ['auth', 'images', 'added'], insecure: false },
      { host: 'registry.example.com:5000', sources: ['auth'], insecure: false },
    ]);
    // The first add answered the same list, before quay.io was added too.
    assert.deepEqual(
      added.value,
      (r.value as RegistryInfo[]).map((i) => (i.host === 'quay.io' ? { ...i, sources: ['auth', 'images'] } : i)),
    );
    assert.ok(!JSON.stringify(r.value).includes(SECRET));
    assert.ok(!JSON.stringify(r.value).includes(Buffer.from(`q:${SECRET}`).toString('base64')));
    // Persisted in the store's metadata folder, atomically (no temp files left).
    const saved = JSON.parse(await readFile(join(storeDir, '.deckhand', 'registries.json'), 'utf8')) as { registries: unknown[] };
    assert.deepEqual(saved.registries, [
      { host: 'mirror.internal:8443', insecure: true },
      { host: 'quay.io', insecure: false },
    ]);
    const removed = await host.dispatch('removeRegistry', { host: 'mirror.internal:8443' });
    assert.ok(removed.ok && !(removed.value as Array<{ host: string }>).some((x) => x.host === 'mirror.internal:8443'));
    const kept = await host.dispatch('removeRegistry', { host: 'quay.io' });
    assert.ok(
      kept.ok &&
        (kept.value as Array<{ host: string; sources: string[] }>).find((x) => x.host === 'quay.io')!.sources.join() === 'auth,images',
      'still known from its login and images',
    );
    const bad = await host.dispatch('addRegistry', { host: 'https://quay.io/v2' });
    assert.equal(!bad.ok && bad.error.code, 'EINVALID');
  });
});

test('a repository name that is not one is refused before any request', async () => {
  await withHost(async (host) => {
    const r = await host.dispatch('registryTags', { host: '127.0.0.1:9', repository: 'team/app:1' });
    assert.equal(!r.ok && r.error.code, 'EUSAGE');
    const bad = await host.dispatch('registryTags', { host: '127.0.0.1:9', repository: '../../v2/_catalog' });
    assert.equal(!bad.ok && bad.error.code, 'EREFERENCE');
  });
});
