/**
 * The first request finds the endpoint: an anonymous pull sends its manifest GET straight away (no
 * `/v2/` ping, one round trip less); a registry that is down is the same clear ENETWORK as before;
 * with credentials, the ping still comes first so the request goes out once, authenticated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient } from './client.ts';

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; host: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    handler!(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 },
  layers: [],
});

test('an anonymous first request goes out without a /v2/ ping', async () => {
  const { server, host, seen } = await serve((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifest),
  );
  const client = new RegistryClient({ domain: host });
  try {
    await client.getManifest('team/app', '1');
    await client.getManifest('team/app', '2');
    assert.deepEqual(seen, ['GET /v2/team/app/manifests/1', 'GET /v2/team/app/manifests/2']);
    assert.equal(client.base, `http://${host}`);
  } finally {
    await client.close();
    server.close();
  }
});

test('a registry that is not there is ENETWORK naming it, after every candidate was tried', async () => {
  const { server, host } = await serve(() => undefined);
  await new Promise<void>((r) => server.close(() => r()));
  const client = new RegistryClient({ domain: host });
  await assert.rejects(
    client.getManifest('team/app', '1'),
    (e: Error & { code?: string }) => e.code === 'ENETWORK' && e.message.includes(host),
  );
  await client.close();
});

test('with credentials the ping comes first, so the manifest GET is sent once, authenticated', async () => {
  const { server, host, seen } = await serve((req, res) => {
    if (!req.headers.authorization) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifest);
  });
  const client = new RegistryClient({ domain: host, credentials: { username: 'u', password: 'p' } });
  try {
    await client.getManifest('team/app', '1');
    assert.deepEqual(seen, ['GET /v2/', 'GET /v2/team/app/manifests/1']);
  } finally {
    await client.close();
    server.close();
  }
});

test('a first request cancelled midway leaves no half-found endpoint: the next request finds it again', async () => {
  const { server, host, seen } = await serve((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifest),
  );
  const client = new RegistryClient({ domain: host });
  try {
    await assert.rejects(client.getManifest('team/app', '1', AbortSignal.abort()));
    await client.getManifest('team/app', '2');
    assert.deepEqual(seen, ['GET /v2/team/app/manifests/2']);
  } finally {
    await client.close();
    server.close();
  }
});
