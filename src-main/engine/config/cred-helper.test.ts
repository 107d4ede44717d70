import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeCredentialHelper } from '../../test/fixtures/cred-helper.ts';
import { helperErase, helperGet, helperList, helperServerUrl, helperStore } from './cred-helper.ts';

const SECRET = 's3cret-VALUE-never-shown';

test('get, store, erase and list speak the docker-credential-helpers protocol', async (t) => {
  const h = await fakeCredentialHelper();
  t.after(() => h.cleanup());
  const env = h.env();
  assert.equal(await helperGet('test', 'reg.example', { env }), undefined, 'not found is no credentials, not an error');
  await helperStore('test', 'reg.example', { username: 'alice', password: SECRET }, { env });
  await helperStore('test', 'docker.io', { username: 'bob', password: 'hub' }, { env });
  assert.deepEqual((await h.entries())['reg.example'], { ServerURL: 'reg.example', Username: 'alice', Secret: SECRET });
  assert.equal((await h.entries())['https://index.docker.io/v1/']?.Username, 'bob', 'Docker Hub is stored under its legacy server URL');
  assert.deepEqual(await helperGet('test', 'reg.example', { env }), { username: 'alice', password: SECRET });
  assert.deepEqual((await helperList('test', { env })).sort(), ['https://index.docker.io/v1/', 'reg.example']);
  assert.equal(await helperErase('test', 'reg.example', { env }), true);
  assert.equal(await helperErase('test', 'reg.example', { env }), false);
  assert.equal(await helperGet('test', 'reg.example', { env }), undefined);
  assert.equal(helperServerUrl('quay.io'), 'quay.io');
});

test('a <token> username means the secret is an identity token', async (t) => {
  const h = await fakeCredentialHelper();
  t.after(() => h.cleanup());
  const env = h.env();
  await helperStore('test', 'reg.example', { identityToken: 'refresh-abc' }, { env });
  assert.equal((await h.entries())['reg.example']?.Username, '<token>');
  assert.deepEqual(await helperGet('test', 'reg.example', { env }), { identityToken: 'refresh-abc' });
});

test('a missing or failing helper is a clear error naming the helper and the registry, never the secret', async (t) => {
  const h = await fakeCredentialHelper();
  t.after(() => h.cleanup());
  const env = h.env();
  await assert.rejects(
    helperGet('nosuch', 'reg.example', { env, configuredIn: 'credHelpers of /x/config.json' }),
    (e: Error & { code?: string }) => {
      assert.equal(e.code, 'EAUTH_CONFIG');
      assert.match(e.message, /docker-credential-nosuch/);
      assert.match(e.message, /reg\.example/);
      assert.match(e.message, /not installed or not on PATH/);
      return true;
    },
  );
  await h.fail(true);
  // Each call starts only when awaited: a second promise rejecting while the first is awaited would be unhandled.
  for (const attempt of [
    () => helperGet('test', 'reg.example', { env }),
    () => helperStore('test', 'reg.example', { username: 'u', password: SECRET }, { env }),
  ]) {
    await assert.rejects(attempt(), (e: Error & { code?: string; detail?: unknown }) => {
      assert.equal(e.code, 'EAUTH_CONFIG');
      assert.match(
        e.message,
        /docker-credential-test failed to (get|store) the credentials for reg\.example \(exit 3\): the keychain is locked/,
      );
      assert.ok(!e.message.includes(SECRET) && !JSON.stringify(e.detail).includes(SECRET));
      return true;
    });
  }
  await assert.rejects(helperGet('../../bin/sh', 'reg.example', { env }), /not valid/);
});
