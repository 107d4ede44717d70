/**
 * A GET without a body over an engine's unix socket, written and read on a node:net socket: the
 * request line and headers with `Connection: close`, then the whole answer (status, headers, a body
 * framed by Content-Length, chunked, or by the engine closing the connection). EngineConnection uses
 * it, when made with `plainGets` (a one-shot CLI command's), for its short reads (`json`, `text`,
 * the ping) on unix sockets; anything with a body, a streamed answer, TCP or TLS goes through
 * node:http.
 *
 * Why: node:http (which also loads its server half) and its first request cost a `deckhand images
 * --engine` about 13 ms of CPU, against about 6 for node:net and this, in a command whose whole
 * start is about 40. The answer is parsed once it has all arrived, which is as soon as the engine
 * closes the connection.
 */
import type { Socket } from 'node:net';
import { DeckhandError } from '../../../src-shared/errors.ts';

export interface PlainAnswer {
  status: number;
  /** Lower-case names; a header sent twice is one value joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface PlainGetOptions {
  /** Until the answer's headers have arrived: then DeckhandError EENGINE, as node:http's deadline. */
  timeoutMs: number;
  /** The most body bytes taken: more is EENGINE. */
  limit: number;
  signal?: AbortSignal;
  /** The error for a failed connection (connection.ts words it: no socket, refused, permission). */
  connectionError: (e: NodeJS.ErrnoException) => Error;
  /** The deadline's error. */
  timeoutError: () => Error;
}

const HEAD_LIMIT = 64 * 1024;

/** GET `path` on the unix socket at `socketPath`. */
export function plainGet(socketPath: string, path: string, opts: PlainGetOptions): Promise<PlainAnswer> {
  return new Promise<PlainAnswer>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(opts.connectionError(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' })));
      return;
    }
    const socket: Socket = process.getBuiltinModule('node:net').connect(socketPath);
    const chunks: Buffer[] = [];
    let received = 0;
    let headEnd = -1;
    let settled = false;
    const finish = (e: Error | null, answer?: PlainAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (e) reject(e);
      else resolve(answer!);
    };
    const onAbort = () => finish(opts.connectionError(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' })));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish(opts.timeoutError()), opts.timeoutMs);
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n`));
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      received += c.length;
      if (headEnd < 0) {
        const all = chunks.length === 1 ? c : Buffer.concat(chunks);
        headEnd = all.indexOf('\r\n\r\n');
        if (headEnd >= 0) clearTimeout(timer);
        else if (received > HEAD_LIMIT) return finish(malformed('headers longer than 64 KiB'));
      }
      if (headEnd >= 0 && received - headEnd > opts.limit + HEAD_LIMIT)
        finish(new DeckhandError('EENGINE', `An engine answer was larger than ${opts.limit} bytes.`));
    });
    socket.on('end', () => {
      try {
        finish(null, parseAnswer(Buffer.concat(chunks), opts.limit));
      } catch (e) {
        finish(e as Error);
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => finish(opts.connectionError(e)));
  });
}

function malformed(what: string): DeckhandError {
  return new DeckhandError('EENGINE', `The engine's answer is not HTTP as expected: ${what}.`);
}

/** Parses a whole HTTP/1.1 answer: status line, headers, and the body as its headers frame it. */
export function parseAnswer(raw: Buffer, limit: number): PlainAnswer {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) throw malformed(raw.length === 0 ? 'the connection closed without an answer' : 'the headers were cut short');
  const lines = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0]!);
  if (!status) throw malformed(`the status line is ${JSON.stringify(lines[0]!.slice(0, 80))}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed(`a header line is ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const rest = raw.subarray(headEnd + 4);
  let body: Buffer;
  if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) body = unchunk(rest, limit);
  else if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    if (!Number.isSafeInteger(n) || n < 0) throw malformed(`Content-Length is ${JSON.stringify(headers['content-length'])}`);
    if (rest.length < n) throw malformed(`the body was cut short (${rest.length} of ${n} bytes)`);
    body = rest.subarray(0, n);
  } else body = rest;
  if (body.length > limit) throw new DeckhandError('EENGINE', `An engine answer was larger than ${limit} bytes.`);
  return { status: Number(status[1]), headers, body };
}

/** A chunked body (RFC 9112 section 7.1) decoded; trailers are ignored. */
function unchunk(raw: Buffer, limit: number): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  let total = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) throw malformed('the chunked body was cut short');
    const sizeText = raw.subarray(at, eol).toString('latin1').split(';')[0]!.trim();
    if (!/^[0-9a-f]{1,8}$/i.test(sizeText)) throw malformed(`a chunk size is ${JSON.stringify(sizeText.slice(0, 20))}`);
    const size = Number.parseInt(sizeText, 16);
    if (size === 0) return Buffer.concat(parts, total);
    const start = eol + 2;
    if (raw.length < start + size + 2) throw malformed('the chunked body was cut short');
    if (raw[start + size] !== 0x0d || raw[start + size + 1] !== 0x0a) throw malformed('a chunk does not end where its size says');
    total += size;
    if (total > limit) throw new DeckhandError('EENGINE', `An engine answer was larger than ${limit} bytes.`);
    parts.push(raw.subarray(start, start + size));
    at = start + size + 2;
  }
}
