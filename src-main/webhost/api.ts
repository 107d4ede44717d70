/**
 * `POST /<token>/api/call/<name>` with `{"input": …}`: the same dispatcher Electron's IPC uses,
 * answered with the CallResult as JSON. JSON only (a cross-origin form cannot send it without a
 * preflight the host never grants), at most 1 MiB.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallResult } from '../../src-shared/ipc/contract.ts';
import type { Dispatch } from '../host/dispatch.ts';
import { jsonChunks } from './json-chunks.ts';

const MAX_BODY = 1 << 20;
const BUFFERED = 1 << 20;

/**
 * Sends the result as JSON: in one piece with its length when it is small; otherwise chunked, each
 * chunk made when the socket has taken the one before (json-chunks.ts).
 */
async function reply(res: ServerResponse, status: number, result: CallResult<unknown>): Promise<void> {
  const chunks = jsonChunks(result);
  const first = chunks.next();
  const second = first.done ? first : chunks.next();
  const type = { 'Content-Type': 'application/json; charset=utf-8' };
  if (second.done) {
    const body = first.done ? '' : first.value;
    res.writeHead(status, { ...type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  res.writeHead(status, type);
  for (const chunk of [first.value!, second.value]) res.write(chunk);
  for (const chunk of chunks) {
    res.write(chunk);
    // At most about a megabyte waits in the socket's buffer.
    if (res.writableLength > BUFFERED) await drained(res);
  }
  res.end();
}

/** Resolves when the response can take more, rejects when its connection is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (e?: Error) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      if (e) reject(e);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('the connection closed before the answer was sent'));
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

const fail = (code: string, message: string): CallResult<never> => ({ ok: false, error: { code, message, detail: null } });

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function handleCall(req: IncomingMessage, res: ServerResponse, call: string, dispatch: Dispatch): Promise<void> {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return reply(res, 405, fail('EUSAGE', 'Calls are POST requests.'));
  }
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
    return reply(res, 415, fail('EUSAGE', 'Calls carry JSON (Content-Type: application/json).'));
  const text = await readBody(req);
  if (text === null) return reply(res, 413, fail('EINVALID', 'The request body is over 1 MiB.'));
  let envelope: unknown;
  try {
    envelope = text === '' ? {} : JSON.parse(text);
  } catch {
    return reply(res, 400, fail('EINVALID', 'The request body is not valid JSON.'));
  }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope))
    return reply(res, 400, fail('EINVALID', 'The request body must be an object {"input": …}.'));
  await reply(res, 200, await dispatch(call, (envelope as { input?: unknown }).input));
}
