import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeCredentialHelper } from '../../test/fixtures/cred-helper.ts';
import { helperStore } from './cred-helper.ts';
import { addCredentialSource, authFilePaths, findCredentials, lookupKeys, primaryAuthFile } from './auth-file.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function tempDir(t: { after(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-auth-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function writeJson(path: string, doc: unknown): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, JSON.stringify(doc));
}

test('lookup keys go from the most specific to the registry', () => {
  assert.deepEqual(lookupKeys('quay.io', 'org/team/app'), ['quay.io/org/team/app', 'quay.io/org/team', 'quay.io/org', 'quay.io']);
  assert.ok(lookupKeys('docker.io', 'library/nginx').includes('https://index.docker.io/v1/'));
});

test(
  'files are read in containers-auth.json(5) order; REGISTRY_AUTH_FILE replaces the primary file',
  { skip: process.platform === 'darwin' || process.platform === 'win32' },
  () => {
    const home = '/home/u';
    assert.deepEqual(authFilePaths({ XDG_RUNTIME_DIR: '/run/user/1' }, home), [
      '/run/user/1/containers/auth.json',
      '/home/u/.config/containers/auth.json',
      '/home/u/.docker/config.json',
      '/home/u/.dockercfg',
    ]);
    assert.deepEqual(
      authFilePaths({ REGISTRY_AUTH_FILE: '/a.json', XDG_RUNTIME_DIR: '/run/user/1', XDG_CONFIG_HOME: '/cfg', DOCKER_CONFIG: '/dc' }, home),
      ['/a.json', '/cfg/containers/auth.json', '/dc/config.json', '/home/u/.dockercfg'],
    );
    assert.deepEqual(authFilePaths({}, home), [
      '/home/u/.config/containers/auth.json',
      '/home/u/.docker/config.json',
      '/home/u/.dockercfg',
    ]);
    assert.equal(primaryAuthFile({ XDG_RUNTIME_DIR: '/run/user/1' }, home), '/run/user/1/containers/auth.json');
    assert.equal(primaryAuthFile({ REGISTRY_AUTH_FILE: '/a.json', XDG_RUNTIME_DIR: '/run/user/1' }, home), '/a.json');
  },
);

test('the first file with credentials wins, and within it the most specific key', async (t) => {
  const dir = await tempDir(t);
  const env = {
    REGISTRY_AUTH_FILE: join(dir, 'primary.json'),
    XDG_CONFIG_HOME: join(dir, 'cfg'),
    DOCKER_CONFIG: join(dir, 'docker'),
    HOME: dir,
  };
  await writeJson(env.REGISTRY_AUTH_FILE, {
    auths: {
      'reg.example': { auth: b64('alice:one') },
      'reg.example/team': { auth: b64('bob:two:colon') },
      'reg.example/team/app': { auth: b64('dave:four') },
    },
  });
  await writeJson(join(dir, 'cfg', 'containers', 'auth.json'), {
    auths: { 'reg.example': { auth: b64('shadowed:x') }, 'second.example': { auth: b64('erin:five') } },
  });
  await writeJson(join(dir, 'docker', 'config.json'), {
    auths: {
      'https://index.docker.io/v1/': { auth: b64('carol:three') },
      'http://third.example:5000/v2/': { username: 'frank', password: 'six' },
    },
  });
  assert.deepEqual(await findCredentials('reg.example', 'team/app', env), { username: 'dave', password: 'four' });
  assert.deepEqual(await findCredentials('reg.example', 'team/other', env), { username: 'bob', password: 'two:colon' });
  assert.deepEqual(await findCredentials('reg.example', 'other/app', env), { username: 'alice', password: 'one' });
  assert.deepEqual(await findCredentials('second.example', 'a/b', env), { username: 'erin', password: 'five' });
  assert.deepEqual(await findCredentials('docker.io', 'library/nginx', env), { username: 'carol', password: 'three' });
  assert.deepEqual(await findCredentials('third.example:5000', 'x', env), { username: 'frank', password: 'six' });
  assert.equal(await findCredentials('elsewhere.example', 'x', env), undefined);
});

test('identity tokens in auth entries are returned as such', async (t) => {
  const dir = await tempDir(t);
  const env = { REGISTRY_AUTH_FILE: join(dir, 'auth.json'), XDG_CONFIG_HOME: dir, DOCKER_CONFIG: dir };
  await writeJson(env.REGISTRY_AUTH_FILE, { auths: { 'reg.example': { auth: b64('<token>:'), identitytoken: 'refresh-xyz' } } });
  assert.deepEqual(await findCredentials('reg.example', 'a', env), { identityToken: 'refresh-xyz' });
});

test('credHelpers win over auths for their registry; credsStore is the default after auths', async (t) => {
  const dir = await tempDir(t);
  const h = await fakeCredentialHelper();
  t.after(() => h.cleanup());
  const env = h.env({
    PATH: process.env.PATH,
    REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
    XDG_CONFIG_HOME: join(dir, 'cfg'),
    DOCKER_CONFIG: join(dir, 'docker'),
  });
  await writeJson(join(dir, 'auth.json'), { auths: { 'plain.example': { auth: b64('p:q') } } });
  await writeJson(join(dir, 'docker', 'config.json'), {
    auths: { 'helped.example': { auth: b64('ignored:because-of-helper') }, 'stored.example': {}, 'file.example': { auth: b64('f:g') } },
    credHelpers: { 'helped.example': 'test' },
    credsStore: 'test',
  });
  await helperStore('test', 'helped.example', { username: 'h', password: 'from-helper' }, { env });
  await helperStore('test', 'stored.example', { username: 's', password: 'from-store' }, { env });
  await helperStore('test', 'docker.io', { identityToken: 'hub-refresh' }, { env });
  assert.deepEqual(await findCredentials('helped.example', 'a', env), { username: 'h', password: 'from-helper' });
  assert.deepEqual(await findCredentials('stored.example', 'a', env), { username: 's', password: 'from-store' });
  assert.deepEqual(await findCredentials('file.example', 'a', env), { username: 'f', password: 'g' });
  assert.deepEqual(await findCredentials('plain.example', 'a', env), { username: 'p', password: 'q' });
  assert.deepEqual(await findCredentials('docker.io', 'library/alpine', env), { identityToken: 'hub-refresh' });
  assert.equal(await findCredentials('unknown.example', 'a', env), undefined, "the store's not-found is anonymous access");
});

test('a missing helper names itself, the registry and the file', async (t) => {
  const dir = await tempDir(t);
  const env = { REGISTRY_AUTH_FILE: join(dir, 'auth.json'), XDG_CONFIG_HOME: dir, DOCKER_CONFIG: dir, PATH: '/nonexistent' };
  await writeJson(env.REGISTRY_AUTH_FILE, { credHelpers: { 'reg.example': 'absent' } });
  await assert.rejects(findCredentials('reg.example', 'a', env), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'EAUTH_CONFIG');
    assert.match(e.message, /docker-credential-absent for reg\.example \(configured in credHelpers of .*auth\.json\) is not installed/);
    return true;
  });
});

test('added credential sources are asked first', async (t) => {
  const dir = await tempDir(t);
  const env = { REGISTRY_AUTH_FILE: join(dir, 'auth.json'), XDG_CONFIG_HOME: dir, DOCKER_CONFIG: dir };
  await writeJson(env.REGISTRY_AUTH_FILE, { auths: { 'reg.example': { auth: b64('file:user') } } });
  const remove = addCredentialSource({
    find: async (domain) => (domain === 'reg.example' ? { username: 'app', password: 'kept' } : undefined),
  });
  try {
    assert.deepEqual(await findCredentials('reg.example', 'a', env), { username: 'app', password: 'kept' });
  } finally {
    remove();
  }
  assert.deepEqual(await findCredentials('reg.example', 'a', env), { username: 'file', password: 'user' });
});

test('a malformed auth entry is a clear error that does not echo the secret', async (t) => {
  const dir = await tempDir(t);
  await writeFile(
    join(dir, 'auth.json'),
    JSON.stringify({ auths: { 'reg.example': { auth: Buffer.from('nocolonsecret').toString('base64') } } }),
  );
  await assert.rejects(
    findCredentials('reg.example', 'a', { REGISTRY_AUTH_FILE: join(dir, 'auth.json'), XDG_CONFIG_HOME: dir, DOCKER_CONFIG: dir }),
    (e: Error & { code?: string; detail?: unknown }) => {
      assert.equal(e.code, 'EAUTH_CONFIG');
      assert.ok(!e.message.includes('nocolonsecret') && !JSON.stringify(e.detail).includes('nocolonsecret'));
      return true;
    },
  );
});
