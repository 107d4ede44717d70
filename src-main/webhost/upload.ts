/**
 * `POST /<token>/api/upload`: a dropped archive from the browser, streamed to
 * `<store>/.deckhand/uploads/<uuid>-<name>` through a `.partial` file that is renamed only when the
 * whole body arrived (and deleted when it did not), answered with `{ok: true, value: {path}}` for
 * a `load` call. Octet-stream only: a cross-origin form cannot send it without a preflight.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { CallResult } from '../../src-shared/ipc/contract.ts';
import { sanitizeName } from '../host/uploads.ts';

function reply(res: ServerResponse, status: number, result: CallResult<{ path: string }>): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(result);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const fail = (code: string, message: string): CallResult<never> => ({ ok: false, error: { code, message, detail: null } });

function originalName(header: string | string[] | undefined): string {
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw) return 'archive';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export async function handleUpload(req: IncomingMessage, res: ServerResponse, uploadsDir: string): Promise<void> {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return reply(res, 405, fail('EUSAGE', 'Uploads are POST requests.'));
  }
  if (!/^application\/octet-stream\b/i.test(req.headers['content-type'] ?? ''))
    return reply(res, 415, fail('EUSAGE', 'An upload carries the file itself (Content-Type: application/octet-stream).'));
  await mkdir(uploadsDir, { recursive: true });
  const path = join(uploadsDir, `${randomUUID()}-${sanitizeName(originalName(req.headers['x-deckhand-filename']))}`);
  const partial = `${path}.partial`;
  try {
    await pipeline(req, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
    if (req.readableAborted || !req.complete) throw new Error('The upload was cut off.');
    const fh = await open(partial, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(partial, path);
  } catch (e) {
    await rm(partial, { force: true });
    return reply(res, 500, fail('ESTORE', `The upload did not arrive whole (${(e as Error).message}); drop the file again.`));
  }
  reply(res, 200, { ok: true, value: { path } });
}
