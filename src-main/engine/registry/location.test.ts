import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLocation, isPrivateHost } from './location.ts';

const registry = new URL('https://registry.example.com');
const request = new URL('https://registry.example.com/v2/team/app/blobs/uploads/');
const refused = (e: Error & { code?: string }) => e.code === 'EREGISTRY';

test('relative upload locations resolve against the URL that answered', () => {
  assert.equal(
    checkLocation('/v2/team/app/blobs/uploads/abc?_state=x', request, registry).href,
    'https://registry.example.com/v2/team/app/blobs/uploads/abc?_state=x',
  );
  assert.equal(checkLocation('abc', request, registry).href, 'https://registry.example.com/v2/team/app/blobs/uploads/abc');
});

test('a public registry may send uploads to another public host, never into private addresses', () => {
  assert.equal(checkLocation('https://storage.example.net/upload/1', request, registry).host, 'storage.example.net');
  for (const evil of [
    'https://127.0.0.1/x',
    'https://10.0.0.5/x',
    'https://192.168.1.1/x',
    'https://172.20.0.1/x',
    'https://169.254.169.254/latest',
    'https://[::1]/x',
    'https://[fd00::1]/x',
    'https://localhost:5000/x',
    'https://[::ffff:10.0.0.1]/x',
  ]) {
    assert.throws(() => checkLocation(evil, request, registry), refused, evil);
  }
});

test('a loopback registry may name its own private host; downgrades and odd schemes are refused', () => {
  const local = new URL('http://127.0.0.1:5000');
  assert.equal(
    checkLocation('http://127.0.0.1:5000/v2/x/blobs/uploads/1', new URL('http://127.0.0.1:5000/v2/x/blobs/uploads/'), local).port,
    '5000',
  );
  assert.throws(() => checkLocation('http://registry.example.com/x', request, registry), refused);
  assert.throws(() => checkLocation('file:///etc/passwd', request, registry), refused);
  assert.throws(() => checkLocation(undefined, request, registry), refused);
});

test('private host detection', () => {
  assert.equal(isPrivateHost('8.8.8.8'), false);
  assert.equal(isPrivateHost('registry-1.docker.io'), false);
  assert.equal(isPrivateHost('100.64.0.1'), true);
  assert.equal(isPrivateHost('[fe80::1]'), true);
  assert.equal(isPrivateHost('app.localhost'), true);
});
