import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCredentials } from '../engine/config/auth-file.ts';
import { fakeCredentialHelper } from '../test/fixtures/cred-helper.ts';
import { PASSWORD, tinyRegistry } from '../test/fixtures/tiny-registry.ts';
import { appLogins, type KeychainCipher } from './app-logins.ts';
import { createDispatcher } from './dispatch.ts';
import { createHost } from './host.ts';

/** Stands in for safeStorage: reversible, and the plain text is not in the ciphertext. */
function fakeCipher(available = true): KeychainCipher & { encrypted: number } {
  const c = {
    encrypted: 0,
    available: async () => available,
    encrypt: async (plain: string) => (c.encrypted++, Buffer.from(Buffer.from(plain).map((b) => b ^ 0x5a))),
    decrypt: async (buf: Buffer) => Buffer.from(buf.map((b) => b ^ 0x5a)).toString(),
  };
  return c;
}

async function tempEnv(t: { after(fn: () => unknown): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-applogin-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return {
    dir,
    env: {
      PATH: process.env.PATH,
      REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
      XDG_CONFIG_HOME: join(dir, 'cfg'),
      DOCKER_CONFIG: join(dir, 'docker'),
    } as NodeJS.ProcessEnv,
  };
}

test('the desktop app keeps a login as keychain ciphertext, finds it for pulls, and logs out', async (t) => {
  const reg = await tinyRegistry(t, 'basic');
  const { dir, env } = await tempEnv(t);
  const file = join(dir, 'userData', 'registry-logins.json');
  const cipher = fakeCipher();
  const logins = appLogins({ env, keychain: { file, cipher } });
  const unregister = logins.register();
  t.after(unregister);
  assert.deepEqual(await logins.login(reg.host, { username: 'alice', password: PASSWORD }), {
    registry: reg.host,
    username: 'alice',
    storedIn: 'keychain',
  });
  const text = await readFile(file, 'utf8');
  assert.ok(!text.includes(PASSWORD) && !text.includes('alice'), 'no plain text in the file');
  assert.match(JSON.parse(text).note, /OS keychain/);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  await assert.rejects(stat(env.REGISTRY_AUTH_FILE!), { code: 'ENOENT' });
  assert.deepEqual(await findCredentials(reg.host, 'team/app', env), { username: 'alice', password: PASSWORD });
  assert.deepEqual(await logins.logout(reg.host), { registry: reg.host, removedFrom: ['keychain'] });
  assert.equal(await findCredentials(reg.host, 'team/app', env), undefined);
  assert.deepEqual(await logins.logout(reg.host), { registry: reg.host, removedFrom: [] });
});

test('a configured credential helper is used in preference to the keychain', async (t) => {
  const reg = await tinyRegistry(t, 'basic');
  const { dir, env: base } = await tempEnv(t);
  const h = await fakeCredentialHelper();
  t.after(() => h.cleanup());
  const env = h.env(base);
  await mkdir(join(dir, 'docker'));
  await writeFile(join(dir, 'docker', 'config.json'), JSON.stringify({ credsStore: 'test' }));
  const cipher = fakeCipher();
  const logins = appLogins({ env, keychain: { file: join(dir, 'k.json'), cipher } });
  assert.deepEqual(await logins.login(reg.host, { username: 'alice', password: PASSWORD }), {
    registry: reg.host,
    username: 'alice',
    storedIn: 'credential-helper',
    helper: 'test',
  });
  assert.equal(cipher.encrypted, 0);
  assert.equal((await h.entries())[reg.host]?.Secret, PASSWORD);
  assert.deepEqual(await logins.logout(reg.host), { registry: reg.host, removedFrom: ['credential-helper'] });
});

test('without a helper, the web host (and an app without a keychain) refuses to save, before sending the password anywhere', async (t) => {
  const { env } = await tempEnv(t);
  const unreachable = '127.0.0.1:9';
  await assert.rejects(appLogins({ env }).login(unreachable, { username: 'alice', password: PASSWORD }), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'EAUTH_CONFIG');
    assert.match(e.message, /configure a credential helper .* or run `deckhand login 127\.0\.0\.1:9`/);
    assert.ok(!e.message.includes(PASSWORD));
    return true;
  });
  await assert.rejects(
    appLogins({ env, keychain: { file: '/nonexistent/k.json', cipher: fakeCipher(false) } }).login(unreachable, {
      username: 'a',
      password: PASSWORD,
    }),
    /no OS keychain is available/,
  );
});

test('the login call: wrong passwords and schema failures never echo the password', async (t) => {
  const reg = await tinyRegistry(t, 'basic');
  const { dir, env } = await tempEnv(t);
  const host = createHost({
    kind: 'electron',
    storeDir: join(dir, 'store'),
    env,
    keychain: { file: join(dir, 'k.json'), cipher: fakeCipher() },
  });
  t.after(() => host.close());
  const secret = 'hunter2-never-echoed';
  const wrong = await host.dispatch('login', { registry: reg.host, username: 'alice', password: secret });
  assert.equal(wrong.ok, false);
  assert.ok(!JSON.stringify(wrong).includes(secret));
  assert.match(JSON.stringify(wrong), /Login failed/);
  const invalid = await host.dispatch('login', { registry: reg.host, username: 'alice', password: 'x'.repeat(20_000) });
  assert.equal(invalid.ok, false);
  assert.ok(!JSON.stringify(invalid).includes('xxxxxxxx'));
  const notString = await createDispatcher({} as never)('login', { registry: reg.host, username: 'alice', password: 12345678 });
  assert.ok(!JSON.stringify(notString).includes('12345678'));
  const good = await host.dispatch('login', { registry: reg.host, username: 'alice', password: PASSWORD });
  assert.deepEqual(good, { ok: true, value: { registry: reg.host, username: 'alice', storedIn: 'keychain' } });
  assert.ok(!JSON.stringify(good).includes(PASSWORD));
  const listed = await host.dispatch('listRegistries', undefined);
  assert.ok(
    listed.ok &&
      (listed.value as Array<{ host: string; sources: string[] }>).some((r) => r.host === reg.host && r.sources.includes('auth')),
    'an app login shows in the registries list',
  );
  assert.deepEqual(await host.dispatch('logout', { registry: reg.host }), {
    ok: true,
    value: { registry: reg.host, removedFrom: ['keychain'] },
  });
});
