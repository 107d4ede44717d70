/**
 * plainGet, the engine connection's GET over node:net: answers framed by Content-Length, chunked
 * (split anywhere across packets) or by the close; what it refuses (a malformed or cut-short
 * answer, one over the limit); and its failures (no socket, no answer in time, cancelled) worded by
 * the caller, as node:http's are.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import { parseAnswer, plainGet } from './plain-get.ts';
import { EngineConnection, parseEngineUri } from './connection.ts';

let dir: string;
const servers: Array<{ close(cb: () => void): unknown }> = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deckhand-plain-get-'));
});
after(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await rm(dir, { recursive: true, force: true });
});

/** A server on a unix socket that answers every connection with `reply` (the request is read to its blank line first). */
async function rawServer(name: string, reply: (socket: Socket, request: string) => void): Promise<string> {
  const path = join(dir, `${name}.sock`);
  const server: Server = createServer((socket) => {
    // The client ends a connection it has given up on (a deadline, a cancel, too much): a reset here.
    socket.on('error', () => {});
    let head = '';
    socket.on('data', (c: Buffer) => {
      head += c.toString('latin1');
      if (head.includes('\r\n\r\n')) reply(socket, head);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return path;
}

const opts = (over: Partial<Parameters<typeof plainGet>[2]> = {}): Parameters<typeof plainGet>[2] => ({
  timeoutMs: 2000,
  limit: 1024 * 1024,
  connectionError: (e) => new DeckhandError('EENGINE', `failed: ${e.code ?? e.name}`),
  timeoutError: () => new DeckhandError('EENGINE', 'no answer in time'),
  ...over,
});

/** The error `p` rejects with; it must not resolve. */
function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => assert.fail('it should fail'),
    (e: Error) => e,
  );
}

test('parseAnswer reads the status, the headers and a body framed by Content-Length, chunks or the close', () => {
  const a = parseAnswer(Buffer.from('HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\nX: a\r\nx: b\r\n\r\nOKextra'), 100);
  assert.equal(a.status, 200);
  assert.equal(a.headers['api-version'], '1.41');
  assert.equal(a.headers.x, 'a, b');
  assert.equal(a.body.toString(), 'OK');
  const chunked = parseAnswer(
    Buffer.from('HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\n{"m\r\na\r\nessage":1}\r\n0\r\nTrailer: x\r\n\r\n'),
    100,
  );
  assert.equal(chunked.status, 404);
  assert.equal(chunked.body.toString(), '{"message":1}');
  assert.equal(parseAnswer(Buffer.from('HTTP/1.0 200 OK\r\n\r\nuntil the close'), 100).body.toString(), 'until the close');
});

test('parseAnswer refuses what is not a whole HTTP answer, and a body over the limit', () => {
  const refused = (raw: string, limit = 100) =>
    assert.throws(
      () => parseAnswer(Buffer.from(raw), limit),
      (e) => isDeckhandError(e) && e.code === 'EENGINE',
    );
  refused('');
  refused('HTTP/1.1 200 OK\r\nContent-Length: 2');
  refused('SSH-2.0-OpenSSH\r\n\r\n');
  refused('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n');
  refused('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort');
  refused('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n');
  refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab');
  refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n');
  refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n');
  refused('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n12345', 4);
  refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n123\r\n3\r\n456\r\n0\r\n\r\n', 5);
});

test('plainGet sends a GET that closes, and reads an answer split across packets', async () => {
  let seen = '';
  const path = await rawServer('split', (socket, request) => {
    seen = request;
    const answer = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[1,2\r\n2\r\n,3\r\n1\r\n]\r\n0\r\n\r\n';
    let at = 0;
    const next = () => {
      if (at >= answer.length) return socket.end();
      socket.write(answer.slice(at, at + 3));
      at += 3;
      setImmediate(next);
    };
    next();
  });
  const a = await plainGet(path, '/v1.41/images/json?all=1', opts());
  assert.equal(a.body.toString(), '[1,2,3]');
  assert.match(seen, /^GET \/v1\.41\/images\/json\?all=1 HTTP\/1\.1\r\n/);
  assert.match(seen, /\r\nConnection: close\r\n/);
});

test("plainGet's failures: no socket, no answer in time, cancelled, and an answer over the limit", async () => {
  const missing = await failure(plainGet(join(dir, 'none.sock'), '/_ping', opts()));
  assert.equal(missing.message, 'failed: ENOENT');
  const hung = await rawServer('hung', () => {});
  const late = await failure(plainGet(hung, '/_ping', opts({ timeoutMs: 100 })));
  assert.equal(late.message, 'no answer in time');
  const controller = new AbortController();
  const cancelled = failure(plainGet(hung, '/_ping', opts({ signal: controller.signal })));
  controller.abort();
  assert.equal((await cancelled).message, 'failed: AbortError');
  const big = await rawServer('big', (socket) => socket.end(`HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(300_000)}`));
  const over = await failure(plainGet(big, '/', opts({ limit: 1000 })));
  assert.match(over.message, /larger than 1000 bytes/);
});

test("EngineConnection's json and text with plainGets go through plainGet on a unix socket: node:http's answers, failures and versioned paths alike", async () => {
  const path = join(dir, 'http.sock');
  const server = createHttpServer((req, res) => {
    if (req.url === '/v1.41/big') {
      // Written in pieces: node:http sends it chunked.
      for (let i = 0; i < 100; i++) res.write(`${JSON.stringify({ i, pad: 'p'.repeat(1000) })}\n`.replace('\n', i < 99 ? ',' : ''));
      res.end();
    } else if (req.url === '/v1.41/gone') res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"no such image: x"}');
    else res.writeHead(200, { 'api-version': '1.41' }).end('OK');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const c = new EngineConnection(parseEngineUri(`unix://${path}`), { apiVersion: '1.41', plainGets: true });
  assert.equal(await c.text({ path: '/_ping', versioned: false }), 'OK');
  const answer = await c.answer({ path: '/_ping', versioned: false }, 100);
  assert.equal(answer.headers['api-version'], '1.41');
  const big = await c.text({ path: '/big' });
  assert.equal(JSON.parse(`[${big}]`).length, 100);
  const gone = await failure(c.json({ path: '/gone' }));
  assert.ok(isDeckhandError(gone) && gone.code === 'EENGINE');
  assert.match(gone.message, /GET \/gone failed with 404: no such image: x/);
});
