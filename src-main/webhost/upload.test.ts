import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDispatcher } from '../host/dispatch.ts';
import { EventHub } from '../host/events.ts';
import { fakeEngine } from '../test/fixtures/fake-handlers.ts';
import { isInside, sanitizeName, sweepUploads } from '../host/uploads.ts';
import { startWebHost, type WebHost } from './server.ts';

let dir: string;
let uploads: string;
let web: WebHost;
let port: number;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deckhand-upload-'));
  uploads = join(dir, 'store', '.deckhand', 'uploads');
  await writeFile(join(dir, 'index.html'), '<!doctype html>');
  web = await startWebHost({
    dispatch: createDispatcher(fakeEngine().handlers, () => undefined),
    events: new EventHub(),
    rendererDir: dir,
    uploadsDir: uploads,
  });
  port = Number(new URL(web.url).port);
});

after(async () => {
  await web.close();
  await rm(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  body: string;
}

const HEADERS = { 'Content-Type': 'application/octet-stream', 'X-Deckhand-Filename': encodeURIComponent('my image (v1).tar') };

function upload(opts: { path?: string; headers?: Record<string, string>; chunks?: Buffer[]; method?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: opts.path ?? `/${web.token}/api/upload`,
        method: opts.method ?? 'POST',
        headers: { ...HEADERS, ...opts.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    void (async () => {
      for (const c of opts.chunks ?? []) {
        req.write(c);
        await sleep(1);
      }
      req.end();
    })();
  });
}

const listing = async () => (await readdir(uploads).catch(() => [] as string[])).sort();

test('an upload streams into the uploads folder under a unique, sanitized name and answers its path', async () => {
  const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(64 * 1024, i));
  const r = await upload({ chunks });
  assert.equal(r.status, 200, r.body);
  const { ok, value } = JSON.parse(r.body) as { ok: boolean; value: { path: string } };
  assert.equal(ok, true);
  assert.equal(dirname(value.path), uploads);
  assert.match(value.path, /\/[0-9a-f-]{36}-my_image_v1_.tar$/);
  assert.deepEqual(await readFile(value.path), Buffer.concat(chunks));
  assert.ok(!(await listing()).some((n) => n.endsWith('.partial')));
  await rm(value.path);
});

test('without the token, from a foreign origin or host, or not as octet-stream, nothing is written', async () => {
  const before = await listing();
  const bad: Array<{ path: string; status: number; headers?: Record<string, string>; method?: string }> = [
    { path: '/wrong-token/api/upload', status: 401 },
    { path: `/${web.token}/api/upload`, headers: { Origin: 'https://evil.example' }, status: 403 },
    { path: `/${web.token}/api/upload`, headers: { Host: 'evil.example' }, status: 403 },
    { path: `/${web.token}/api/upload`, headers: { 'Content-Type': 'multipart/form-data; boundary=x' }, status: 415 },
    { path: `/${web.token}/api/upload`, method: 'PUT', status: 405 },
  ];
  for (const b of bad) {
    const r = await upload({ ...b, chunks: [Buffer.from('payload')] });
    assert.equal(r.status, b.status, JSON.stringify(b));
  }
  assert.deepEqual(await listing(), before);
});

test('an upload cut off midway leaves no file behind', async () => {
  const before = await listing();
  await new Promise<void>((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: `/${web.token}/api/upload`,
      method: 'POST',
      headers: { ...HEADERS, 'Content-Length': String(10 * 1024 * 1024) },
    });
    req.on('error', () => resolve());
    req.write(Buffer.alloc(256 * 1024, 7));
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 100);
  });
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && (await listing()).length !== before.length) await sleep(25);
  assert.deepEqual(await listing(), before);
});

test('names are sanitized; only files directly inside the folder count as uploads; old uploads are swept', async () => {
  assert.equal(sanitizeName('../../etc/passwd'), 'passwd');
  assert.equal(sanitizeName('C:\\Users\\me\\app.tar.gz'), 'app.tar.gz');
  assert.equal(sanitizeName('..'), 'archive');
  assert.equal(sanitizeName('образ.tar'), '_.tar');
  assert.equal(sanitizeName('.hidden'), 'hidden');
  assert.equal(isInside('/s/.deckhand/uploads', '/s/.deckhand/uploads/x.tar'), true);
  assert.equal(isInside('/s/.deckhand/uploads', '/s/.deckhand/uploads/../index.json'), false);
  assert.equal(isInside('/s/.deckhand/uploads', '/s/.deckhand/uploads'), false);
  assert.equal(isInside('/s/.deckhand/uploads', '/s/.deckhand/uploads/a/b.tar'), false);
  const sweep = join(dir, 'sweep');
  await mkdir(sweep);
  await writeFile(join(sweep, 'old.tar'), 'x');
  await writeFile(join(sweep, 'new.tar.partial'), 'x');
  const old = new Date(Date.now() - 25 * 3_600_000);
  await utimes(join(sweep, 'old.tar'), old, old);
  assert.equal(await sweepUploads(sweep), 1);
  assert.deepEqual(await readdir(sweep), ['new.tar.partial']);
  assert.equal(await sweepUploads(join(dir, 'missing')), 0);
});
