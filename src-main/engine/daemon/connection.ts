/**
 * A connection to a Docker or Podman engine's HTTP API: over a unix socket (`unix:///path`), or
 * `tcp://host:port` (TLS with the CA, certificate and key of `DOCKER_CERT_PATH` where given).
 * `ssh://` addresses parse, so they can be listed, but cannot be connected to yet.
 *
 * Every request has a deadline (no answer in time is EENGINE naming the address); a failure status
 * becomes an EngineHttpError carrying the engine's own message, which callers map to what it means
 * (404: no such image, 409: in use). Paths are versioned with the negotiated API version, as the
 * docker CLI does (`/v1.41/images/json`); libpod paths with libpod's (`/v4.3.1/libpod/images/json`).
 */
import type { IncomingMessage, RequestOptions } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DeckhandError } from '../../../src-shared/errors.ts';

// node:fs from Node's CommonJS side: its ESM namespace also loads fs's lazy streams, 3–4 ms of a CLI start.
const { readFileSync } = process.getBuiltinModule('node:fs');

export type EngineKind = 'docker' | 'podman';

export interface EngineAddress {
  /** As configured: `unix:///var/run/docker.sock`, `tcp://127.0.0.1:2376`, `ssh://core@localhost:52001/run/podman/podman.sock`. */
  uri: string;
  scheme: 'unix' | 'tcp' | 'ssh' | 'npipe';
  socketPath?: string;
  host?: string;
  port?: number;
  /** tcp with TLS: PEM files (DOCKER_CERT_PATH's ca.pem, cert.pem, key.pem) and whether the server's certificate is checked. */
  tls?: { ca?: string; cert?: string; key?: string; verify: boolean };
}

/** Parses an engine address as DOCKER_HOST and CONTAINER_HOST take it; a bare path is a unix socket. */
export function parseEngineUri(uri: string, env: NodeJS.ProcessEnv = {}): EngineAddress {
  const s = uri.trim();
  if (s.startsWith('/')) return { uri: `unix://${s}`, scheme: 'unix', socketPath: s };
  const m = /^([a-z]+):\/\/(.*)$/i.exec(s);
  if (!m) throw new DeckhandError('EUSAGE', `${uri} is not an engine address. Use unix:///path/to.sock or tcp://host:port.`);
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  if (scheme === 'unix') {
    if (!rest.startsWith('/')) throw new DeckhandError('EUSAGE', `${uri} names no absolute socket path. Use unix:///path/to.sock.`);
    return { uri: s, scheme: 'unix', socketPath: rest };
  }
  if (scheme === 'npipe') return { uri: s, scheme: 'npipe' };
  if (scheme === 'ssh') return { uri: s, scheme: 'ssh' };
  if (scheme === 'tcp' || scheme === 'http' || scheme === 'https') {
    const hp = /^(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(rest);
    if (!hp) throw new DeckhandError('EUSAGE', `${uri} is not host:port. Use tcp://host:port.`);
    const host = hp[1]!.replace(/^\[|\]$/g, '');
    const certPath = env.DOCKER_CERT_PATH;
    const tlsWanted = scheme === 'https' || Boolean(env.DOCKER_TLS_VERIFY) || Boolean(env.DOCKER_TLS) || Boolean(certPath);
    const port = hp[2] ? Number(hp[2]) : tlsWanted ? 2376 : 2375;
    const addr: EngineAddress = { uri: s, scheme: 'tcp', host, port };
    if (tlsWanted) {
      const verify = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0';
      addr.tls = certPath
        ? { ca: join(certPath, 'ca.pem'), cert: join(certPath, 'cert.pem'), key: join(certPath, 'key.pem'), verify }
        : { verify };
    }
    return addr;
  }
  throw new DeckhandError(
    'EUSAGE',
    `${uri}: the ${scheme}:// scheme is not an engine address. Use unix:///path/to.sock or tcp://host:port.`,
  );
}

/** A failure status from the engine, with the message it sent (`{"message": …}`). */
export class EngineHttpError extends DeckhandError {
  readonly status: number;
  readonly engineMessage: string;
  constructor(address: string, method: string, path: string, status: number, engineMessage: string) {
    super('EENGINE', `${address}: ${method} ${path} failed with ${status}: ${engineMessage || 'no message'}`, {
      detail: { status, address, engineMessage },
    });
    this.status = status;
    this.engineMessage = engineMessage;
  }
}

export interface EngineRequest {
  method?: string;
  /** An API path (`/images/json`, `/libpod/system/df`); versioned unless `versioned` is false or it is a libpod path. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON value, raw bytes, or a stream (an archive to load). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Until the response's headers arrive (default: the connection's). A streamed body has no deadline of its own. */
  timeoutMs?: number;
  versioned?: boolean;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class EngineConnection {
  readonly address: EngineAddress;
  /** The negotiated API version (`1.41`); unversioned paths until negotiated. */
  apiVersion: string | undefined;
  /** Podman's libpod API version (`4.3.1`); libpod paths need a version, `4.0.0` until known. */
  libpodVersion: string | undefined;
  private readonly timeoutMs: number;
  private tlsFiles: { ca?: Buffer; cert?: Buffer; key?: Buffer } | undefined;

  constructor(address: EngineAddress, opts: { timeoutMs?: number; apiVersion?: string } = {}) {
    this.address = address;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.apiVersion = opts.apiVersion;
  }

  /** Sends a request; resolves with the response once its headers arrive, rejects on a failure status with the engine's message. */
  async request(req: EngineRequest): Promise<IncomingMessage> {
    const method = req.method ?? 'GET';
    const path = this.versionedPath(req);
    const res = await this.send(method, path, req);
    if (res.statusCode !== undefined && res.statusCode >= 400) {
      const text = await readText(res, 64 * 1024).catch(() => '');
      throw new EngineHttpError(this.address.uri, method, req.path, res.statusCode, engineMessage(text));
    }
    return res;
  }

  /** A request whose answer is JSON. */
  async json<T>(req: EngineRequest): Promise<T> {
    const res = await this.request(req);
    const text = await readText(res, 512 * 1024 * 1024);
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new DeckhandError('EENGINE', `${this.address.uri}: ${req.path} answered with something that is not JSON.`, { cause: e });
    }
  }

  /** A request whose answer is text (`/_ping` answers `OK`). */
  async text(req: EngineRequest): Promise<string> {
    return readText(await this.request(req), 16 * 1024 * 1024);
  }

  private versionedPath(req: EngineRequest): string {
    let path = req.path;
    const libpod = path.startsWith('/libpod/');
    if (req.versioned !== false && !/^\/v\d/.test(path)) {
      if (libpod) path = `/v${this.libpodVersion ?? '4.0.0'}${path}`;
      else if (this.apiVersion) path = `/v${this.apiVersion}${path}`;
    }
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString();
    return qs ? `${path}?${qs}` : path;
  }

  private send(method: string, path: string, req: EngineRequest): Promise<IncomingMessage> {
    const a = this.address;
    if (a.scheme === 'ssh') {
      return Promise.reject(
        new DeckhandError(
          'EENGINE',
          `${a.uri}: ssh:// connections are not supported yet. Forward the socket (ssh -L) and use unix:// or tcp://.`,
        ),
      );
    }
    if (a.scheme === 'npipe') return Promise.reject(new DeckhandError('EENGINE', `${a.uri}: named pipes exist only on Windows.`));
    const headers: Record<string, string> = { ...req.headers };
    let body: Buffer | Readable | undefined;
    if (req.body !== undefined) {
      if (Buffer.isBuffer(req.body)) body = req.body;
      else if (isReadable(req.body)) body = req.body;
      else {
        body = Buffer.from(JSON.stringify(req.body));
        headers['content-type'] ??= 'application/json';
      }
      if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length);
    }
    const opts: RequestOptions = { method, path, headers: { host: a.scheme === 'unix' ? 'd' : `${a.host}:${a.port}`, ...headers } };
    if (a.scheme === 'unix') opts.socketPath = a.socketPath!;
    else {
      opts.host = a.host!;
      opts.port = a.port!;
    }
    const useTls = a.scheme === 'tcp' && a.tls !== undefined;
    // No TLS, so no server name to send: without one given, Node's agent works it out from the host
    // with node:net's isIP, whose IPv6 regular expression took 2–5 ms to compile at a CLI's first request.
    if (!useTls) (opts as RequestOptions & { servername?: string }).servername = '';
    if (req.signal) opts.signal = req.signal;
    if (useTls) Object.assign(opts, this.tlsOptions());
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    // Taken from Node's CommonJS side: an ESM import of node:http also evaluates its lazy WebSocket,
    // CloseEvent and MessageEvent exports (undici), 25–50 ms of a CLI command's start here.
    const send = useTls ? process.getBuiltinModule('node:https').request : process.getBuiltinModule('node:http').request;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const r = send(opts, (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      const timer = setTimeout(() => {
        r.destroy(new DeckhandError('EENGINE', `${a.uri} did not answer ${method} ${req.path} within ${timeoutMs} ms.`));
      }, timeoutMs);
      r.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(connectionError(a.uri, e, req.signal));
      });
      if (body === undefined) r.end();
      else if (Buffer.isBuffer(body)) r.end(body);
      else {
        body.on('error', (e) => r.destroy(e));
        body.pipe(r);
      }
    });
  }

  private tlsOptions(): Record<string, unknown> {
    const t = this.address.tls!;
    if (!this.tlsFiles) {
      const read = (p: string | undefined, what: string): Buffer | undefined => {
        if (!p) return undefined;
        try {
          return readFileSync(p);
        } catch (e) {
          throw new DeckhandError('EENGINE', `${this.address.uri}: cannot read the TLS ${what} ${p} (from DOCKER_CERT_PATH).`, {
            cause: e,
          });
        }
      };
      this.tlsFiles = {};
      const ca = read(t.ca, 'CA');
      const cert = read(t.cert, 'certificate');
      const key = read(t.key, 'key');
      if (ca) this.tlsFiles.ca = ca;
      if (cert) this.tlsFiles.cert = cert;
      if (key) this.tlsFiles.key = key;
    }
    return { ...this.tlsFiles, rejectUnauthorized: t.verify };
  }
}

function isReadable(x: unknown): x is Readable {
  return typeof x === 'object' && x !== null && typeof (x as Readable).pipe === 'function' && typeof (x as Readable).on === 'function';
}

function connectionError(uri: string, e: NodeJS.ErrnoException, signal: AbortSignal | undefined): DeckhandError {
  if (e instanceof DeckhandError) return e;
  if (signal?.aborted || e.name === 'AbortError') return new DeckhandError('ECANCELLED', 'Cancelled.', { cause: e });
  const why =
    e.code === 'ENOENT'
      ? 'the socket does not exist (is the engine running?)'
      : e.code === 'ECONNREFUSED'
        ? 'the connection was refused (is the engine running?)'
        : e.code === 'EACCES'
          ? 'permission denied on the socket (is your user in the docker group?)'
          : e.message;
  return new DeckhandError('EENGINE', `${uri}: ${why}`, { cause: e, detail: { address: uri, errno: e.code ?? null } });
}

function engineMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { message?: unknown; cause?: unknown };
    if (typeof j.message === 'string') return j.message;
  } catch {
    // not JSON: the text as it is
  }
  return text.trim().slice(0, 2000);
}

/** Reads a response body as UTF-8, refusing more than `limit` bytes. */
export async function readText(res: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) {
      res.destroy();
      throw new DeckhandError('EENGINE', `An engine answer was larger than ${limit} bytes.`);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}
