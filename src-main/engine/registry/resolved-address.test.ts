/**
 * A public registry may not send us into private addresses by name either: the check is on the
 * address a host name resolves to, made before connecting. Both servers listen on 127.0.0.1; an
 * injected lookup gives them names, and `registryPrivate: false` has the registry pose as public.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { LookupFunction } from 'node:net';
import { HttpTransport, type TlsOptions } from './http.ts';
import { checkLocation } from './location.ts';

let registry: Server;
let evil: Server;
let registryUrl: URL;
let evilPort: number;
/** What reached the server behind the private name: connections, and requests with their Authorization header. */
const reached = { connections: 0, requests: [] as Array<string | undefined> };

const names: Record<string, string> = { 'registry.example.test': '127.0.0.1', 'evil.example.test': '127.0.0.1' };
const lookup: LookupFunction = (hostname, options, callback) => {
  const address = names[hostname];
  if (!address) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
  if (options.all) callback(null, [{ address, family: 4 }]);
  else callback(null, address, 4);
};

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as { port: number }).port;
}

before(async () => {
  evil = createServer((req, res) => {
    reached.requests.push(req.headers.authorization);
    res.end('internal');
  });
  evil.on('connection', () => reached.connections++);
  registry = createServer((req, res) => {
    const to =
      { '/v2/x/blobs/by-literal': `http://127.0.0.1:${evilPort}/blob`, '/v2/x/blobs/by-localhost': `http://localhost:${evilPort}/blob` }[
        req.url!
      ] ?? `http://evil.example.test:${evilPort}/blob`;
    res.writeHead(307, { location: to }).end();
  });
  evilPort = await listen(evil);
  registryUrl = new URL(`http://registry.example.test:${await listen(registry)}`);
});

after(() => {
  registry.close();
  evil.close();
});

/** The registry under its name, resolved by the injected lookup. */
const named = (): TlsOptions => ({ verify: true, lookup, registryHost: registryUrl.hostname });

async function withTransport(opts: TlsOptions, run: (http: HttpTransport) => Promise<void>): Promise<void> {
  const http = new HttpTransport(opts);
  try {
    await run(http);
  } finally {
    await http.close();
  }
}

const refusedAt = (address: string) => (e: Error & { code?: string }) =>
  e.code === 'EREGISTRY' && e.message.includes('evil.example.test') && e.message.includes(address) && /directly/.test(e.message);

test('a public registry cannot redirect to a name that resolves to a private address; nothing reaches it', async () => {
  reached.connections = 0;
  reached.requests = [];
  await withTransport({ ...named(), registryPrivate: false }, async (http) => {
    await assert.rejects(
      http.send({ method: 'GET', url: new URL('/v2/x/blobs/sha256:0', registryUrl).href }, registryUrl, 'Bearer secret'),
      refusedAt('127.0.0.1'),
    );
    await assert.rejects(
      http.send({ method: 'GET', url: new URL('/v2/x/blobs/by-literal', registryUrl).href }, registryUrl, 'Bearer secret'),
      (e: Error & { code?: string }) => e.code === 'EREGISTRY' && e.message.includes('127.0.0.1'),
    );
  });
  // The system resolver, not the injected one, for a name every machine resolves to loopback.
  await withTransport({ verify: true, registryHost: '127.0.0.1', registryPrivate: false }, async (http) => {
    const registryOnLoopback = new URL(`http://127.0.0.1:${registryUrl.port}`);
    await assert.rejects(
      http.send({ method: 'GET', url: new URL('/v2/x/blobs/by-localhost', registryOnLoopback).href }, registryOnLoopback, 'Bearer secret'),
      (e: Error & { code?: string }) => e.code === 'EREGISTRY' && e.message.includes('localhost'),
    );
  });
  assert.deepEqual(reached, { connections: 0, requests: [] });
});

test('an upload Location naming a host that resolves to a private address passes the literal check but is refused before any byte is sent', async () => {
  reached.connections = 0;
  reached.requests = [];
  const location = checkLocation(
    `http://evil.example.test:${evilPort}/upload/1`,
    new URL('/v2/x/blobs/uploads/', registryUrl),
    registryUrl,
  );
  await withTransport({ ...named(), registryPrivate: false }, async (http) => {
    await assert.rejects(
      http.send({ method: 'PATCH', url: location.href, body: Buffer.from('blob bytes') }, registryUrl, 'Bearer secret'),
      refusedAt('127.0.0.1'),
    );
  });
  assert.deepEqual(reached, { connections: 0, requests: [] });
});

test('a registry whose own name resolves to a private address may send us to other private addresses (without credentials)', async () => {
  reached.connections = 0;
  reached.requests = [];
  await withTransport(named(), async (http) => {
    const reply = await http.send({ method: 'GET', url: new URL('/v2/x/blobs/sha256:0', registryUrl).href }, registryUrl, 'Bearer secret');
    assert.equal(reply.status, 200);
    assert.equal(await reply.body.text(), 'internal');
  });
  assert.deepEqual(reached.requests, [undefined]);
});
