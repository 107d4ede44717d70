/** Chunk streams over HttpTransport: request bodies written chunk by chunk and handed back (CHUNK_DONE), and releaseChunk. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { CHUNK_DONE, HttpTransport, releaseChunk, type ChunkStream } from './http.ts';

async function sink(t: { after: (fn: () => void) => void }): Promise<{ url: string; received: () => Promise<Buffer> }> {
  let resolveBody!: (b: Buffer) => void;
  let body = new Promise<Buffer>((r) => (resolveBody = r));
  const server = createServer(async (req, res) => {
    const parts: Buffer[] = [];
    try {
      for await (const p of req) parts.push(p as Buffer);
    } catch {
      // A client that gives up mid-body.
    }
    resolveBody(Buffer.concat(parts));
    res.writeHead(201).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => server.close());
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/upload`,
    received: async () => {
      const b = await body;
      body = new Promise<Buffer>((r) => (resolveBody = r));
      return b;
    },
  };
}

test('releaseChunk frees a chunk that owns its whole buffer, and nothing else', () => {
  const own = Buffer.from(randomBytes(100_000));
  releaseChunk(own);
  assert.equal(own.length, 0);
  const big = Buffer.alloc(100_000, 1);
  const view = big.subarray(0, 50_000);
  releaseChunk(view);
  assert.equal(view.length, 50_000);
  assert.equal(big.length, 100_000);
  const pooled = Buffer.from('a few bytes from the shared pool');
  releaseChunk(pooled);
  assert.equal(pooled.toString(), 'a few bytes from the shared pool');
});

test('a chunk stream body arrives whole, and each chunk comes back only once the socket has it', async (t) => {
  const server = await sink(t);
  const http = new HttpTransport({ verify: true });
  t.after(() => http.close());
  const data = randomBytes(8 * 1024 * 1024 + 123);
  const back: Uint8Array[] = [];
  let given = 0;
  const body: ChunkStream = {
    // The source reuses a chunk as soon as it is back: scribbling over it proves the bytes had been sent.
    [CHUNK_DONE]: (c) => {
      back.push(c);
      c.fill(0);
    },
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < data.length; i += 1 << 20) {
        given++;
        yield Buffer.from(data.subarray(i, i + (1 << 20)));
      }
    },
  };
  const reply = await http.send(
    { method: 'PUT', url: server.url, body, headers: { 'content-length': String(data.length) } },
    new URL(server.url),
  );
  await reply.body.dump();
  assert.equal(reply.status, 201);
  assert.ok((await server.received()).equals(data));
  assert.equal(back.length, given);
});

test('a chunk stream that fails mid-body fails the request and is closed', async (t) => {
  const server = await sink(t);
  const http = new HttpTransport({ verify: true });
  t.after(() => http.close());
  let closed = false;
  const body: ChunkStream = {
    async *[Symbol.asyncIterator]() {
      try {
        yield Buffer.alloc(1 << 20, 1);
        throw Object.assign(new Error('disk read failed'), { code: 'EIO' });
      } finally {
        closed = true;
      }
    },
  };
  await assert.rejects(
    http.send({ method: 'PUT', url: server.url, body, headers: { 'content-length': String(4 << 20) } }, new URL(server.url)),
  );
  assert.ok(closed);
});
