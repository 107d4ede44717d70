import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { preconnectTarget } from './preconnect.ts';
import { RegistryClient } from '../engine/registry/client.ts';

const none = () => [];

test('a pull of a named registry is opened early; short names, Docker Hub and other commands are not', () => {
  assert.deepEqual(preconnectTarget(['pull', 'registry.example.com/team/app:1'], none), { host: 'registry.example.com', port: 443 });
  assert.deepEqual(preconnectTarget(['--store', '/s', 'pull', '--platform', 'linux/arm64', '127.0.0.1:5000/a/b'], none), { host: '127.0.0.1', port: 5000 });
  assert.deepEqual(preconnectTarget(['pull', 'localhost/a'], none), { host: 'localhost', port: 80 });
  assert.deepEqual(preconnectTarget(['pull', '[::1]:5000/a'], none), { host: '::1', port: 5000 });
  assert.equal(preconnectTarget(['pull', 'alpine'], none), undefined);
  assert.equal(preconnectTarget(['pull', 'team/app'], none), undefined);
  assert.equal(preconnectTarget(['pull', 'docker.io/library/alpine'], none), undefined);
  assert.equal(preconnectTarget(['push', 'registry.example.com/a'], none), undefined);
  assert.equal(preconnectTarget(['pull', '--store', 'registry.example.com/a'], none), undefined);
});

test('a registry any registries.conf file mentions (it may be blocked, rewritten or mirrored) is not opened early', () => {
  assert.equal(preconnectTarget(['pull', 'registry.example.com/a'], () => ['[[registry]]\nprefix = "registry.example.com"\nblocked = true']), undefined);
  assert.equal(preconnectTarget(['pull', 'reg.team.example.com/a'], () => ['[[registry]]\nprefix = "*.example.com"\nlocation = "mirror.internal"']), undefined);
  assert.deepEqual(preconnectTarget(['pull', 'registry.example.com/a'], () => ['unqualified-search-registries = ["quay.io"]']), { host: 'registry.example.com', port: 443 });
});

test('the transport takes over the early connection for the registry itself, once', async () => {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.on('data', () => socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/vnd.oci.image.manifest.v1+json\r\ncontent-length: 2\r\n\r\n{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const { connect } = await import('node:net');
  const early = connect({ host: '127.0.0.1', port });
  const slot = Symbol.for('deckhand.preconnected');
  (globalThis as Record<symbol, unknown>)[slot] = [{ host: '127.0.0.1', port, socket: early }];
  const client = new RegistryClient({ domain: `127.0.0.1:${port}` });
  try {
    const reply = await client.send({ method: 'GET', path: '/v2/a/manifests/1', scope: '', repository: 'a', object: 'Manifest a:1' });
    await reply.body.dump();
    assert.equal(connections, 1, 'no second connection was opened');
    assert.deepEqual((globalThis as Record<symbol, unknown[]>)[slot], [], 'taken once');
  } finally {
    await client.close();
    server.close();
    delete (globalThis as Record<symbol, unknown>)[slot];
  }
});
