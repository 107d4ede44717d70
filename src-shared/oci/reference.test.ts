import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeckhandError } from '../errors.ts';
import { familiarName, formatReference, isShortName, parseReference, parseTaggedName, repositoryName } from './reference.ts';

const HEX = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const DIGEST = `sha256:${HEX}`;
const full = (s: string): string => formatReference(parseReference(s));

function rejects(s: unknown, msg?: RegExp): void {
  assert.throws(
    () => parseReference(s as string),
    (e: unknown) =>
      e instanceof DeckhandError && e.code === 'EREFERENCE' && /nginx:1\.25/.test(e.message) && (msg === undefined || msg.test(e.message)),
    String(s),
  );
}

test('normalizes familiar names like docker', () => {
  assert.equal(full('nginx'), 'docker.io/library/nginx:latest');
  assert.equal(full('nginx:1.25'), 'docker.io/library/nginx:1.25');
  assert.equal(full('docker.io/nginx'), 'docker.io/library/nginx:latest');
  assert.equal(full('index.docker.io/library/debian'), 'docker.io/library/debian:latest');
  assert.equal(full('index.docker.io/debian'), 'docker.io/library/debian:latest');
  assert.equal(full('library/foo/bar'), 'docker.io/library/foo/bar:latest');
  assert.equal(full('dmcgowan/myapp'), 'docker.io/dmcgowan/myapp:latest');
  assert.equal(full('test_com/foo'), 'docker.io/test_com/foo:latest');
  assert.equal(
    full('docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a'),
    'docker.io/library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a:latest',
  );
  assert.equal(
    full('dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9'),
    'docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9:latest',
    '63 hex is a name',
  );
  assert.equal(full('192.168.0.1:80'), 'docker.io/library/192.168.0.1:80', 'no slash: the colon starts a tag');
});

test('splits registry hosts, ports and IPv6 literals', () => {
  assert.deepEqual(parseReference('localhost:5000/foo/bar:tag'), { domain: 'localhost:5000', path: 'foo/bar', tag: 'tag' });
  assert.deepEqual(parseReference('localhost/foo'), { domain: 'localhost', path: 'foo', tag: 'latest' });
  assert.deepEqual(parseReference('[::1]:5000/x'), { domain: '[::1]:5000', path: 'x', tag: 'latest' });
  assert.deepEqual(parseReference('[fc00:1:2:3:4:5:6:7]:5000/library/debian'), {
    domain: '[fc00:1:2:3:4:5:6:7]:5000',
    path: 'library/debian',
    tag: 'latest',
  });
  assert.deepEqual(parseReference('127.0.0.1:5000/debian'), { domain: '127.0.0.1:5000', path: 'debian', tag: 'latest' });
  assert.deepEqual(parseReference('xn--n3h.com:18080/foo'), { domain: 'xn--n3h.com:18080', path: 'foo', tag: 'latest' });
  assert.deepEqual(parseReference('test-com:8080/foo'), { domain: 'test-com:8080', path: 'foo', tag: 'latest' });
  assert.deepEqual(parseReference('ghcr.io/owner/app'), { domain: 'ghcr.io', path: 'owner/app', tag: 'latest' });
  assert.deepEqual(
    parseReference('example.com/privatebase'),
    { domain: 'example.com', path: 'privatebase', tag: 'latest' },
    'no library/ outside docker.io',
  );
});

test('tags and digests: both kept, latest only when neither', () => {
  assert.deepEqual(parseReference(`nginx:1.25@${DIGEST}`), { domain: 'docker.io', path: 'library/nginx', tag: '1.25', digest: DIGEST });
  assert.equal(full(`busybox:latest@${DIGEST}`), `docker.io/library/busybox:latest@${DIGEST}`);
  assert.deepEqual(parseReference(`redis@${DIGEST}`), { domain: 'docker.io', path: 'library/redis', digest: DIGEST });
  assert.deepEqual(parseReference('nginx', { defaultTag: false }), { domain: 'docker.io', path: 'library/nginx' });
  assert.deepEqual(parseReference('nginx', { defaultTag: 'stable' }), { domain: 'docker.io', path: 'library/nginx', tag: 'stable' });
  assert.equal(parseReference(`a:${'t'.repeat(128)}`).tag?.length, 128);
  assert.equal(parseReference('a:_x.Y-1').tag, '_x.Y-1');
});

test('rejects what docker rejects, explaining the grammar', () => {
  for (const s of [
    'https://github.com/docker/docker',
    '-docker',
    '-docker/docker',
    '-docker.io/docker/docker',
    'docker///docker',
    'docker.io/docker///docker',
    '[fc00::1]',
    '[fc00::1]:5000',
    'fc00::1:5000/debian',
    '[fe80::1%eth0]:5000/debian',
    '[2001:db8:3:4::192.0.2.33]:5000/debian',
    'docker-/docker',
    '-docker-/docker',
    '____/____',
    '_docker/_docker',
    'dock..er/docker',
    'dock_.er/docker',
    'dock-.er/docker',
    'docker/',
    '',
    ':tag',
    '@' + DIGEST,
    'a:',
    'a:-x',
    'a:.x',
    `a:${'t'.repeat(129)}`,
    'a b',
    'nginx@sha256:../../x',
    `nginx@sha256:${HEX.toUpperCase()}`,
    `nginx@md5:${HEX.slice(0, 32)}`,
    `a@${DIGEST}@${DIGEST}`,
    'a:b:c',
    'host:/x',
    'example.com:port/x',
    'a/b:c/d',
  ]) {
    rejects(s);
  }
  rejects(`${'a'.repeat(240)}/${'b'.repeat(20)}`, /longer than 255/);
  rejects('https://ghcr.io/x', /https:\/\//);
  for (const v of [undefined, null, 1, {}, []]) rejects(v, /not a string/);
});

test('uppercase repository names are rejected with a lowercase hint', () => {
  rejects('Foo/bar', /lowercase; try "foo\/bar"/);
  rejects('docker/Docker', /lowercase/);
  rejects('docker.io/docker/Docker:V1', /try "docker\.io\/docker\/docker:V1"/);
  rejects('Nginx', /lowercase/);
  assert.deepEqual(
    parseReference('Example.COM/x:TAG'),
    { domain: 'Example.COM', path: 'x', tag: 'TAG' },
    'hosts and tags may have capitals',
  );
});

test('a bare 64-hex string is explained as an image ID', () => {
  rejects(HEX, /image ID/);
  assert.equal(full(`${HEX}:v1`), `docker.io/library/${HEX}:v1`);
});

test('formatReference, repositoryName and familiarName', () => {
  const r = parseReference('nginx:1.25');
  assert.equal(formatReference(r), 'docker.io/library/nginx:1.25');
  assert.equal(repositoryName(r), 'docker.io/library/nginx');
  assert.equal(familiarName(r), 'nginx:1.25');
  assert.equal(familiarName(parseReference('user/app:1')), 'user/app:1');
  assert.equal(familiarName(parseReference('library/foo/bar')), 'library/foo/bar:latest');
  assert.equal(familiarName(parseReference(`busybox:latest@${DIGEST}`)), `busybox:latest@${DIGEST}`);
  assert.equal(familiarName(parseReference('localhost:5000/a/b:t')), 'localhost:5000/a/b:t');
  assert.equal(formatReference(parseReference(`host:5000/a/b@${DIGEST}`)), `host:5000/a/b@${DIGEST}`);
  assert.equal(formatReference({ domain: 'docker.io', path: 'library/nginx' }), 'docker.io/library/nginx');
});

test('isShortName is true when no registry is named', () => {
  for (const s of ['nginx', 'nginx:1.25', 'user/app', 'library/foo/bar', 'localhost:5000', `a@${DIGEST}`])
    assert.equal(isShortName(s), true, s);
  for (const s of ['docker.io/nginx', 'localhost/x', 'host:5000/x', '[::1]:5000/x', 'ghcr.io/a/b:c'])
    assert.equal(isShortName(s), false, s);
});

test('parseTaggedName reads OCI layout ref.name annotations', () => {
  assert.deepEqual(parseTaggedName('3.20'), { bareTag: '3.20' });
  assert.deepEqual(parseTaggedName('latest'), { bareTag: 'latest' });
  assert.deepEqual(parseTaggedName('v1.0.0-rc.1'), { bareTag: 'v1.0.0-rc.1' });
  assert.deepEqual(parseTaggedName('docker.io/library/alpine:3.20'), { domain: 'docker.io', path: 'library/alpine', tag: '3.20' });
  assert.deepEqual(parseTaggedName('alpine:3.20'), { domain: 'docker.io', path: 'library/alpine', tag: '3.20' });
  assert.deepEqual(parseTaggedName('localhost:5000/app'), { domain: 'localhost:5000', path: 'app' }, 'no default tag is invented');
  assert.deepEqual(parseTaggedName(`ghcr.io/a/b@${DIGEST}`), { domain: 'ghcr.io', path: 'a/b', digest: DIGEST });
  for (const bad of ['', '.hidden', '-x', 'a b', 'x/Y:1', 'a:b:c', `${'t'.repeat(129)}`]) {
    assert.throws(
      () => parseTaggedName(bad),
      (e: unknown) => e instanceof DeckhandError && e.code === 'EREFERENCE',
      bad,
    );
  }
  assert.throws(
    () => parseTaggedName(7 as unknown as string),
    (e: unknown) => e instanceof DeckhandError && e.code === 'EREFERENCE',
  );
});

test('property: random strings parse to a reference that round-trips, or throw EREFERENCE', () => {
  let seed = 42;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const alphabet = 'ab0.-_/:@[]Lx5 ';
  let ok = 0;
  for (let i = 0; i < 5000; i++) {
    let s = '';
    const len = 1 + Math.floor(next() * 20);
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(next() * alphabet.length)];
    if (next() < 0.2) s += `@${DIGEST}`;
    for (const fn of [() => parseReference(s), () => parseTaggedName(s)]) {
      let r: ReturnType<typeof parseTaggedName>;
      try {
        r = fn();
      } catch (e) {
        assert.ok(e instanceof DeckhandError && e.code === 'EREFERENCE', `unexpected ${String(e)} for ${JSON.stringify(s)}`);
        continue;
      }
      ok++;
      if ('bareTag' in r) continue;
      const again = parseReference(formatReference(r), { defaultTag: false });
      assert.deepEqual(again, r, `round-trip of ${JSON.stringify(s)}`);
    }
  }
  assert.ok(ok > 50, `some random strings are valid references (${ok})`);
});
