import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCredentials, lookupKeys } from './auth-file.ts';

test('lookup keys go from the most specific to the registry', () => {
  assert.deepEqual(lookupKeys('quay.io', 'org/team/app'), ['quay.io/org/team/app', 'quay.io/org/team', 'quay.io/org', 'quay.io']);
  assert.ok(lookupKeys('docker.io', 'library/nginx').includes('https://index.docker.io/v1/'));
});

test('reads the most specific entry from the first file that has one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-auth-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  await writeFile(join(dir, 'auth.json'), JSON.stringify({ auths: { 'reg.example': { auth: b64('alice:one') }, 'reg.example/team': { auth: b64('bob:two:colon') } } }));
  await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('carol:three') } } }));
  const env = { REGISTRY_AUTH_FILE: join(dir, 'auth.json'), DOCKER_CONFIG: dir, XDG_CONFIG_HOME: join(dir, 'none') };
  assert.deepEqual(await findCredentials('reg.example', 'team/app', env), { username: 'bob', password: 'two:colon' });
  assert.deepEqual(await findCredentials('reg.example', 'other/app', env), { username: 'alice', password: 'one' });
  assert.deepEqual(await findCredentials('docker.io', 'library/nginx', env), { username: 'carol', password: 'three' });
  assert.equal(await findCredentials('elsewhere.example', 'x', env), undefined);
});

test('a malformed auth entry is a clear error that does not echo the secret', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-auth-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'auth.json'), JSON.stringify({ auths: { 'reg.example': { auth: Buffer.from('nocolonsecret').toString('base64') } } }));
  await assert.rejects(findCredentials('reg.example', 'a', { REGISTRY_AUTH_FILE: join(dir, 'auth.json'), XDG_CONFIG_HOME: dir, DOCKER_CONFIG: dir }), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'EAUTH_CONFIG');
    assert.ok(!e.message.includes('nocolonsecret'));
    return true;
  });
});
