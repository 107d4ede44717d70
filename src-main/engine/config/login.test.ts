import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient } from '../registry/client.ts';
import { fakeCredentialHelper } from '../../test/fixtures/cred-helper.ts';
import { PASSWORD, REFRESH, tinyRegistry } from '../../test/fixtures/tiny-registry.ts';
import { findCredentials } from './auth-file.ts';
import { loginTarget, removeAllLogins, removeLogin, saveLogin } from './auth-store.ts';
import { login } from './login.ts';

const WRONG = 'wrong-password-never-shown';

async function tempEnv(t: { after(fn: () => unknown): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-login-'));
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

test('login targets: a host, or a repository path for a per-repository login', () => {
  assert.deepEqual(loginTarget('quay.io'), { key: 'quay.io', host: 'quay.io' });
  assert.deepEqual(loginTarget('https://Index.Docker.io/v1/'), { key: 'docker.io', host: 'docker.io' });
  assert.deepEqual(loginTarget('localhost:5000/team/app'), { key: 'localhost:5000/team/app', host: 'localhost:5000' });
  for (const bad of ['', 'quay.io/team/app:1.0', 'quay.io/app@sha256:00', 'not a host'])
    assert.throws(() => loginTarget(bad), { code: 'EUSAGE' }, bad);
});

test('a Basic login is checked, then saved to the auth file with mode 0600, keeping other entries', async (t) => {
  const reg = await tinyRegistry(t, 'basic');
  const { env } = await tempEnv(t);
  await writeFile(env.REGISTRY_AUTH_FILE!, JSON.stringify({ auths: { 'other.example': { auth: 'b3RoZXI6eA==' } }, someField: 1 }));
  const saved = await login(loginTarget(reg.host), { username: 'alice', password: PASSWORD }, { env });
  assert.deepEqual(saved, { kind: 'file', file: env.REGISTRY_AUTH_FILE });
  const doc = JSON.parse(await readFile(env.REGISTRY_AUTH_FILE!, 'utf8'));
  assert.deepEqual(doc.auths[reg.host], { auth: Buffer.from(`alice:${PASSWORD}`).toString('base64') });
  assert.deepEqual(doc.auths['other.example'], { auth: 'b3RoZXI6eA==' });
  assert.equal(doc.someField, 1);
  assert.equal((await stat(env.REGISTRY_AUTH_FILE!)).mode & 0o777, 0o600);
  assert.deepEqual(await findCredentials('127.0.0.1', 'x', env), undefined);
  assert.deepEqual(await findCredentials(reg.host, 'team/app', env), { username: 'alice', password: PASSWORD });
});

test('wrong credentials fail as "login failed", save nothing and never show the password', async (t) => {
  for (const mode of ['basic', 'token'] as const) {
    const reg = await tinyRegistry(t, mode);
    const { env } = await tempEnv(t);
    await assert.rejects(
      login(loginTarget(reg.host), { username: 'alice', password: WRONG }, { env }),
      (e: Error & { code?: string; detail?: unknown }) => {
        assert.equal(e.code, 'EUNAUTHORIZED', mode);
        assert.match(e.message, /^Login failed: .* Nothing was saved\.$/);
        assert.ok(!e.message.includes(WRONG) && !JSON.stringify(e.detail ?? null).includes(WRONG));
        return true;
      },
    );
    await assert.rejects(stat(env.REGISTRY_AUTH_FILE!), { code: 'ENOENT' });
  }
});

test('a token registry: the login fetches a token with the credentials before saving', async (t) => {
  const reg = await tinyRegistry(t, 'token');
  const { env } = await tempEnv(t);
  await login(loginTarget(`${reg.host}/team/app`), { username: 'alice', password: PASSWORD }, { env });
  const doc = JSON.parse(await readFile(env.REGISTRY_AUTH_FILE!, 'utf8'));
  assert.deepEqual(Object.keys(doc.auths), [`${reg.host}/team/app`], 'a per-repository login is saved under its path');
  assert.equal(await findCredentials(reg.host, 'team/other', env), undefined);
});

test('an identity token is exchanged with an OAuth2 refresh_token POST to the realm', async (t) => {
  const reg = await tinyRegistry(t, 'token');
  const client = new RegistryClient({ domain: reg.host, credentials: { identityToken: REFRESH } });
  t.after(() => client.close());
  const m = await client.getManifest('team/app', 'latest');
  assert.match(m.bytes.toString(), /manifests/);
  const post = reg.seen.tokenPosts[0]!;
  assert.equal(post.get('grant_type'), 'refresh_token');
  assert.equal(post.get('refresh_token'), REFRESH);
  assert.equal(post.get('service'), 'tiny');
  assert.equal(post.get('scope'), 'repository:team/app:pull');
  assert.ok(post.get('client_id'));

  const bad = new RegistryClient({ domain: reg.host, credentials: { identityToken: 'revoked-token' } });
  t.after(() => bad.close());
  await assert.rejects(
    bad.getManifest('team/app', 'latest'),
    (e: Error & { code?: string }) => e.code === 'EUNAUTHORIZED' && !e.message.includes('revoked-token'),
  );
});

test('with a credential helper configured, login stores there and logout erases there', async (t) => {
  const reg = await tinyRegistry(t, 'basic');
  const { dir, env: base } = await tempEnv(t);
  const h = await fakeCredentialHelper();
  t.after(() => h.cleanup());
  const env = h.env(base);
  await mkdir(join(dir, 'docker'));
  await writeFile(join(dir, 'docker', 'config.json'), JSON.stringify({ credHelpers: { [reg.host]: 'test' } }));
  assert.deepEqual(await login(loginTarget(reg.host), { username: 'alice', password: PASSWORD }, { env }), {
    kind: 'helper',
    helper: 'test',
  });
  assert.deepEqual((await h.entries())[reg.host], { ServerURL: reg.host, Username: 'alice', Secret: PASSWORD });
  await assert.rejects(stat(env.REGISTRY_AUTH_FILE!), { code: 'ENOENT' }, 'nothing in the auth file');
  assert.deepEqual(await findCredentials(reg.host, 'a/b', env), { username: 'alice', password: PASSWORD });
  await assert.rejects(saveLogin(loginTarget(`${reg.host}/team/app`), { username: 'a', password: 'b' }, { env }), { code: 'EUSAGE' });
  assert.deepEqual(await removeLogin(loginTarget(reg.host), { env }), { removedFrom: ['docker-credential-test'] });
  assert.deepEqual(await h.entries(), {});
  await assert.rejects(
    removeLogin(loginTarget(reg.host), { env }),
    (e: Error & { code?: string }) => e.code === 'ENOT_FOUND' && /Not logged in to 127\.0\.0\.1/.test(e.message),
  );
});

test('logout removes one entry, --all every entry, and keeps the rest of the file', async (t) => {
  const { env } = await tempEnv(t);
  const file = env.REGISTRY_AUTH_FILE!;
  await saveLogin(loginTarget('a.example'), { username: 'u', password: 'p' }, { env });
  await saveLogin(loginTarget('b.example/team'), { username: 'u', password: 'p' }, { env });
  await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), credHelpers: {} }));
  assert.deepEqual(await removeLogin(loginTarget('a.example'), { env }), { removedFrom: [file] });
  assert.deepEqual(Object.keys(JSON.parse(await readFile(file, 'utf8')).auths), ['b.example/team']);
  await assert.rejects(removeLogin(loginTarget('a.example'), { env }), { code: 'ENOT_FOUND' });
  assert.deepEqual(await removeAllLogins({ env }), { removedFrom: [file] });
  const doc = JSON.parse(await readFile(file, 'utf8'));
  assert.deepEqual(doc, { auths: {}, credHelpers: {} });
  // --authfile writes elsewhere.
  const other = join(file, '..', 'other.json');
  await saveLogin(loginTarget('c.example'), { username: 'u', password: 'p' }, { env, authFile: other });
  assert.deepEqual(Object.keys(JSON.parse(await readFile(other, 'utf8')).auths), ['c.example']);
});
