import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges } from './challenge.ts';

test('parses a Bearer challenge with quoted, comma-bearing scope', () => {
  const [c] = parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"');
  assert.equal(c?.scheme, 'bearer');
  assert.deepEqual(c?.params, { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' });
});

test('parses Basic and multiple challenges', () => {
  const cs = parseChallenges('Basic realm="Registry Realm", Bearer realm="https://t/x",service=s');
  assert.deepEqual(
    cs.map((c) => c.scheme),
    ['basic', 'bearer'],
  );
  assert.equal(cs[0]?.params.realm, 'Registry Realm');
  assert.equal(cs[1]?.params.service, 's');
});

test('handles escapes and garbage without throwing', () => {
  assert.equal(parseChallenges('Bearer realm="a\\"b"')[0]?.params.realm, 'a"b');
  assert.deepEqual(parseChallenges(undefined), []);
  for (const junk of ['', '=', '"""', 'Bearer ,,,', '\u0000\u00ff', 'Bearer realm=']) assert.doesNotThrow(() => parseChallenges(junk));
});
