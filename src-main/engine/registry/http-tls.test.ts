import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { issue, makeCa } from '../../test/fixtures/pki.ts';
import { HttpTransport } from './http.ts';

let dir: string;
let ca: string;
let clientPair: { cert: string; key: string };
let registry: Server;
let storage: Server;
let registryUrl: URL;
let storageUrl: URL;
const seen: Array<{ server: string; clientCert: boolean }> = [];

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as { port: number }).port;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deckhand-http-tls-'));
  const caPair = await makeCa(dir, 'ca');
  const server = await issue(dir, 'server', caPair, 'server', 'IP:127.0.0.1,DNS:localhost');
  const client = await issue(dir, 'client', caPair, 'client');
  ca = await readFile(caPair.cert, 'utf8');
  clientPair = { cert: await readFile(client.cert, 'utf8'), key: await readFile(client.key, 'utf8') };
  const opts = { cert: await readFile(server.cert), key: await readFile(server.key), ca, requestCert: true, rejectUnauthorized: false };
  const record = (name: string, req: { socket: unknown }) =>
    seen.push({ server: name, clientCert: Object.keys((req.socket as TLSSocket).getPeerCertificate()).length > 0 });
  storage = createServer(opts, (req, res) => {
    record('storage', req);
    res.end('blob');
  });
  registry = createServer(opts, (req, res) => {
    record('registry', req);
    res.writeHead(307, { location: new URL('/blob', storageUrl).href }).end();
  });
  registryUrl = new URL(`https://127.0.0.1:${await listen(registry)}`);
  // The same machine under another name: a different host as far as origins go.
  storageUrl = new URL(`https://localhost:${await listen(storage)}`);
});

after(async () => {
  registry.close();
  storage.close();
  await rm(dir, { recursive: true, force: true });
});

test('the client certificate goes to the registry host only, not to a redirect target elsewhere', async () => {
  const http = new HttpTransport({ verify: true, ca: [ca], ...clientPair, certHost: registryUrl.host });
  try {
    const reply = await http.send({ method: 'GET', url: new URL('/v2/x/blobs/sha256:0', registryUrl).href }, registryUrl);
    assert.equal(reply.status, 200);
    assert.equal(await reply.body.text(), 'blob');
    assert.deepEqual(seen, [
      { server: 'registry', clientCert: true },
      { server: 'storage', clientCert: false },
    ]);
  } finally {
    await http.close();
  }
});
