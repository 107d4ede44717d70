import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopbackHostHeader, newToken, originAllowed, routeOf, tokenMatches } from './guard.ts';

test('tokens are fresh, long and compared exactly', () => {
  const a = newToken();
  assert.notEqual(a, newToken());
  assert.ok(a.length >= 32);
  assert.equal(tokenMatches(a, a), true);
  assert.equal(tokenMatches(a.slice(1), a), false);
  assert.equal(tokenMatches(`${a}x`, a), false);
});

test('every path starts with the token', () => {
  assert.deepEqual(routeOf('/tok/', 'tok'), { rest: '', redirect: false });
  assert.deepEqual(routeOf('/tok/api/call/pull?x=1', 'tok'), { rest: 'api/call/pull', redirect: false });
  assert.deepEqual(routeOf('/tok', 'tok'), { rest: '', redirect: true });
  assert.equal(routeOf('/', 'tok'), null);
  assert.equal(routeOf('/tokx/', 'tok'), null);
  assert.equal(routeOf('/api/call/pull', 'tok'), null);
  assert.equal(routeOf('?token=tok', 'tok'), null);
});

test('only loopback host names; an Origin must be the host itself', () => {
  for (const h of ['127.0.0.1:8080', 'localhost:1', '[::1]:9', '127.0.0.1']) assert.equal(isLoopbackHostHeader(h), true, h);
  for (const h of [undefined, '', 'evil.example:8080', '127.0.0.1.evil.example', '10.0.0.1:8080', 'localhost@evil.example'])
    assert.equal(isLoopbackHostHeader(h), false, String(h));
  assert.equal(originAllowed(undefined, '127.0.0.1:8080'), true, 'non-browser clients send no Origin');
  assert.equal(originAllowed('http://127.0.0.1:8080', '127.0.0.1:8080'), true);
  assert.equal(originAllowed('http://localhost:9000', 'localhost:9000'), true, 'an SSH tunnel on another port');
  assert.equal(originAllowed('http://127.0.0.1:8081', '127.0.0.1:8080'), false, 'another local server');
  assert.equal(originAllowed('https://evil.example', '127.0.0.1:8080'), false);
  assert.equal(originAllowed('null', '127.0.0.1:8080'), false);
  assert.equal(originAllowed('http://evil.example:8080', 'evil.example:8080'), false);
});
