import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createDispatcher } from '../host/dispatch.ts';
import { EventHub } from '../host/events.ts';
import { fakeEngine } from '../test/fixtures/fake-handlers.ts';
import { startWebHost, type WebHost } from './server.ts';

let dir: string;
let web: WebHost;
let port: number;
const engine = fakeEngine();
const hub = new EventHub();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deckhand-webhost-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Deckhand</title>');
  await writeFile(join(dir, 'app.js'), 'console.log(1)');
  // Beside the renderer folder: what a path escaping it would reach.
  await writeFile(join(dir, '..', `${dir.split('/').pop()}-secret.txt`), 'secret');
  web = await startWebHost({ dispatch: createDispatcher(engine.handlers, () => undefined), events: hub, rendererDir: dir });
  port = Number(new URL(web.url).port);
});

after(async () => {
  await web.close();
  await rm(dir, { recursive: true, force: true });
  await rm(`${dir}-secret.txt`, { force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so tests can send any Host and Origin. */
function send(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const call = (name: string, input: unknown, headers: Record<string, string> = {}) =>
  send(`/${web.token}/api/call/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ input }),
  });

function upgrade(path: string, origin?: string): Promise<{ opened: boolean; status?: number; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, origin ? { origin } : {});
    ws.on('open', () => resolve({ opened: true, ws }));
    ws.on('unexpected-response', (_req, res) => resolve({ opened: false, status: res.statusCode! }));
    ws.on('error', () => resolve({ opened: false }));
  });
}

test('listens on 127.0.0.1 only, with a random token in the printed URL', () => {
  const address = web.server.address();
  assert.ok(address && typeof address === 'object');
  assert.equal(address.address, '127.0.0.1');
  assert.equal(address.family, 'IPv4');
  assert.match(web.url, new RegExp(`^http://127\\.0\\.0\\.1:${port}/[A-Za-z0-9_-]{32}/$`));
});

test('no token, or a wrong one, gets 401 for pages, calls and sockets', async () => {
  for (const path of ['/', '/index.html', '/app.js', '/api/call/listImages', `/${web.token.slice(1)}x/`, `/${web.token}x/index.html`]) {
    const r = await send(path);
    assert.equal(r.status, 401, path);
  }
  assert.equal(
    (await send('/api/call/listImages', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status,
    401,
  );
  assert.deepEqual(await upgrade('/api/events'), { opened: false, status: 401 });
  assert.deepEqual(engine.calls, []);
});

test('the page is served with the token, under a Content-Security-Policy', async () => {
  const r = await send(`/${web.token}/`);
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^text\/html/);
  assert.match(String(r.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
  assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/);
  assert.equal(r.headers['referrer-policy'], 'no-referrer');
  assert.equal((await send(`/${web.token}`)).status, 308);
  assert.equal((await send(`/${web.token}/app.js`)).status, 200);
  const secret = `${dir.split('/').pop()}-secret.txt`;
  for (const escape of [`../${secret}`, `..%2F${secret}`, `%2E%2E/${secret}`]) {
    const r2 = await send(`/${web.token}/${escape}`);
    assert.equal(r2.status, 404, escape);
    assert.doesNotMatch(r2.body, /secret/);
  }
  assert.equal((await send(`/${web.token}/missing.js`)).status, 404);
});

test('a Host header that is not loopback is refused (DNS rebinding)', async () => {
  const r = await send(`/${web.token}/`, { headers: { Host: `evil.example:${port}` } });
  assert.equal(r.status, 403);
  assert.equal((await send(`/${web.token}/`, { headers: { Host: `localhost:${port}` } })).status, 200);
});

test('calls go through the contract: validated, answered as CallResult', async () => {
  engine.calls.length = 0;
  const ok = await call('listImages', undefined);
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body), { ok: true, value: [] });
  const bad = JSON.parse((await call('pull', { ref: 7 })).body) as { ok: boolean; error: { code: string } };
  assert.equal(bad.error.code, 'EINVALID');
  const unknown = JSON.parse((await call('rmRf', {})).body) as { ok: boolean; error: { code: string } };
  assert.equal(unknown.error.code, 'EUSAGE');
  assert.equal(
    (await send(`/${web.token}/api/call/listImages`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' })).status,
    415,
  );
  assert.equal(
    (await send(`/${web.token}/api/call/listImages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' }))
      .status,
    400,
  );
  assert.equal((await send(`/${web.token}/api/call/listImages`)).status, 405);
  assert.deepEqual(engine.calls, [{ call: 'listImages', input: undefined }]);
});

test('a call from a foreign Origin is refused before the engine sees it', async () => {
  engine.calls.length = 0;
  assert.equal((await call('listImages', undefined, { Origin: 'https://evil.example' })).status, 403);
  assert.equal((await call('listImages', undefined, { Origin: 'http://127.0.0.1:1' })).status, 403);
  assert.equal((await call('listImages', undefined, { Origin: `http://127.0.0.1:${port}` })).status, 200);
  assert.equal(engine.calls.length, 1);
});

test("a WebSocket upgrade from a foreign Origin is refused; the page's own origin gets events", async () => {
  const path = `/${web.token}/api/events`;
  assert.deepEqual(await upgrade(path, 'https://evil.example'), { opened: false, status: 403 });
  assert.deepEqual(await upgrade(path, `http://localhost:${port + 1}`), { opened: false, status: 403 });
  assert.deepEqual(await upgrade(`/${web.token}/api/other`, `http://127.0.0.1:${port}`), { opened: false, status: 404 });
  const { opened, ws } = await upgrade(path, `http://127.0.0.1:${port}`);
  assert.ok(opened && ws);
  const message = new Promise<unknown>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)))));
  hub.emit('storeChanged', { reason: 'tag' });
  assert.deepEqual(await message, { event: 'storeChanged', payload: { reason: 'tag' } });
  ws.close();
});

test('a large answer is sent in chunks and arrives whole', async () => {
  const rows = Array.from({ length: 3_000 }, (_, i) => ({
    name: `registry.example/é/app:${i}`,
    digest: `sha256:${String(i).padStart(64, '0')}`,
  }));
  const original = engine.handlers.listImages;
  engine.handlers.listImages = async () => rows as never;
  try {
    const big = await call('listImages', undefined);
    assert.equal(big.status, 200);
    assert.equal(big.headers['transfer-encoding'], 'chunked');
    assert.equal(big.headers['content-length'], undefined);
    assert.deepEqual(JSON.parse(big.body), { ok: true, value: rows });
  } finally {
    engine.handlers.listImages = original;
  }
  // A small one still carries its length.
  const small = await call('hostInfo', undefined);
  assert.equal(small.headers['content-length'], String(Buffer.byteLength(small.body)));
});
