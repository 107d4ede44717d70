import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryAuth } from './auth.ts';
import type { HttpTransport, Reply } from './http.ts';

/** A token server stand-in: counts requests and hands out token-1, token-2, … */
function fakeTokenServer() {
  const calls: string[] = [];
  const http = {
    async send(ex: { url: string }): Promise<Reply> {
      calls.push(ex.url);
      await new Promise((r) => setTimeout(r, 5));
      const text = JSON.stringify({ token: `token-${calls.length}`, expires_in: 300 });
      return { status: 200, headers: {}, url: ex.url, body: { text: async () => text } as unknown as Reply['body'] };
    },
  } as unknown as HttpTransport;
  return { http, calls };
}

const challenge = 'Bearer realm="https://auth.example/token",service="reg"';
const scope = 'repository:team/app:pull,push';

test('concurrent requests for one scope share one token fetch', async () => {
  const { http, calls } = fakeTokenServer();
  const auth = new RegistryAuth('reg.example', http, { username: 'u', password: 'p' });
  assert.equal(auth.learn(challenge, scope), true);
  const headers = await Promise.all(Array.from({ length: 6 }, () => auth.header(scope)));
  assert.deepEqual(new Set(headers), new Set(['Bearer token-1']));
  assert.equal(calls.length, 1);
  assert.match(calls[0]!, /scope=repository%3Ateam%2Fapp%3Apull%2Cpush/);
});

test('a refused token is replaced once, and every request refused with it gets the new one', async () => {
  const { http, calls } = fakeTokenServer();
  const auth = new RegistryAuth('reg.example', http, { username: 'u', password: 'p' });
  auth.learn(challenge, scope);
  const used = await auth.header(scope);
  // Three requests came back 401 with the same token: each may retry once.
  assert.deepEqual(
    [auth.learn(challenge, scope, used), auth.learn(challenge, scope, used), auth.learn(challenge, scope, used)],
    [true, true, true],
  );
  const next = await Promise.all([auth.header(scope), auth.header(scope), auth.header(scope)]);
  assert.deepEqual(new Set(next), new Set(['Bearer token-2']));
  assert.equal(calls.length, 2);
});

test('a Basic challenge refusing the credentials we sent brings nothing new to try', () => {
  const { http } = fakeTokenServer();
  const auth = new RegistryAuth('reg.example', http, { username: 'u', password: 'p' });
  assert.equal(auth.learn('Basic realm="r"', scope), true);
  assert.equal(auth.learn('Basic realm="r"', scope, 'Basic dTpw'), false);
  assert.equal(auth.learn(undefined, scope), false);
});

test('a public registry cannot send the credentials to a private or link-local token realm', async () => {
  const { http, calls } = fakeTokenServer();
  for (const realm of ['https://169.254.169.254/token', 'https://10.1.2.3/token', 'http://127.0.0.1:9/token', 'https://[fd00::1]/token']) {
    const auth = new RegistryAuth('registry.example.com', http, { username: 'u', password: 'p' });
    auth.learn(`Bearer realm="${realm}",service="reg"`, scope);
    await assert.rejects(
      auth.header(scope),
      (e: Error & { code?: string }) => e.code === 'EUNAUTHORIZED' && /private|loopback|neither/.test(e.message),
      realm,
    );
  }
  assert.equal(calls.length, 0, 'no request was sent');
  // A registry on the local network may use a realm there.
  const local = new RegistryAuth('10.0.0.5:5000', http, { username: 'u', password: 'p' });
  local.learn('Bearer realm="https://10.0.0.6/token",service="reg"', scope);
  assert.equal(await local.header(scope), 'Bearer token-1');
});
