/**
 * `POST /<token>/api/call/<name>` with `{"input": …}`: the same dispatcher Electron's IPC uses,
 * answered with the CallResult as JSON. JSON only (a cross-origin form cannot send it without a
 * preflight the host never grants), at most 1 MiB.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallResult } from '../../src-shared/ipc/contract.ts';
import type { Dispatch } from '../host/dispatch.ts';

const MAX_BODY = 1 << 20;

function reply(res: ServerResponse, status: number, result: CallResult<unknown>): void {
  const body = JSON.stringify(result);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
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
  reply(res, 200, await dispatch(call, (envelope as { input?: unknown }).input));
}
