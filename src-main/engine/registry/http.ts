/**
 * One HTTP exchange with a registry, following redirects by hand so that credentials
 * never leave the registry's origin: Authorization is attached only to requests whose
 * scheme://host:port is the registry's own (blob redirects to storage hosts are normal and go
 * there without it). Cookie and Proxy-Authorization are never sent. A client certificate (mTLS,
 * from certs.d) is likewise presented only to the registry's own host, never to a redirect target or
 * a token server elsewhere.
 *
 * A public registry may not send us into private addresses (loopback, RFC 1918, link-local, CGNAT,
 * ULA; see location.ts): a request to any host other than the registry's own is refused before
 * connecting when that host is such an address, or when its name resolves to one (the check sits in
 * the agents' `lookup`, so it sees the addresses about to be connected to, not just the URL). This
 * covers redirects, upload Locations and token realms alike. The registry counts as private, and
 * may send us anywhere, when its host is a private literal or `localhost`, or its own name last
 * resolved to private addresses only (a name with any public address counts as public).
 */
import type { Agent as HttpAgent, ClientRequest, IncomingMessage, IncomingHttpHeaders } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { isPrivateAddress, isPrivateHost } from './location.ts';

export interface TlsOptions {
  verify: boolean;
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** The host (`URL.host`) the client certificate is for; other hosts get none. Unset: every host. */
  certHost?: string;
  /** Resolves host names as `dns.lookup` does; tests inject one. Default: `dns.lookup`. */
  lookup?: LookupFunction;
  /** The registry's hostname: requests elsewhere may not connect to private addresses while the registry is public. Unset: no such check. */
  registryHost?: string;
  /** Whether the registry is itself in a private network. Unset: decided from `registryHost` and what it resolves to (see above); tests pose a loopback registry as public with false. */
  registryPrivate?: boolean;
}

/**
 * A chunk stream may carry, under this key, a function to call with each chunk once its bytes are no
 * longer needed (written to disk, or taken by the socket): the source may then free or reuse that
 * memory. Registry response bodies free it (releaseChunk); the store's blob reader for push reuses
 * it as the buffer of a later read. A consumer that never calls it is always safe. The key is a
 * registered symbol so the store's ingest can honour it without importing the registry layer.
 */
export const CHUNK_DONE = Symbol.for('deckhand.chunkDone');

export interface ChunkStream extends AsyncIterable<Uint8Array> {
  [CHUNK_DONE]?: (chunk: Uint8Array) => void;
}

/**
 * Frees a chunk's memory now instead of at the next major GC. Node's HTTP parser copies every body
 * chunk into its own ArrayBuffer; V8 counts those as external memory and starts a mark-compact each
 * time that grows by some tens of MB: on a 420 MB pull that was 15 full GCs and about a fifth of
 * the client's CPU in the GC threads. Detaching (transfer(0)) releases the bytes and their
 * accounting at once. Only a view spanning its whole ArrayBuffer is detached, so pooled or shared
 * memory is never touched.
 */
export function releaseChunk(chunk: Uint8Array): void {
  const ab = chunk.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
  if (
    chunk.byteOffset === 0 &&
    chunk.byteLength === ab.byteLength &&
    chunk.byteLength > 0 &&
    typeof ab.transfer === 'function' &&
    !(ab instanceof SharedArrayBuffer)
  )
    ab.transfer(0);
}

/** A request body: whole bytes, a Readable piped as is, or a chunk stream written chunk by chunk (see CHUNK_DONE). */
export type RequestBody = string | Buffer | Uint8Array | Readable | ChunkStream;

const isChunkStream = (body: RequestBody): body is ChunkStream =>
  typeof body === 'object' && !(body instanceof Uint8Array) && !(body instanceof Readable);

/**
 * Writes a chunk stream to the request, waiting for 'drain' when the socket is behind; each chunk
 * goes back to its source (CHUNK_DONE) once the socket has taken it. Ends the request after the
 * last chunk; rejects, which stops reading the source, when the request is gone.
 */
async function writeChunks(body: ChunkStream, req: ClientRequest): Promise<void> {
  const done = body[CHUNK_DONE];
  for await (const chunk of body) {
    if (req.destroyed) throw new Error('the request was closed');
    const more = req.write(chunk, done && (() => done(chunk)));
    if (!more) {
      await new Promise<void>((resolve, reject) => {
        const settle = (ok: boolean) => () => {
          req.off('drain', drained);
          req.off('close', closed);
          if (ok) resolve();
          else reject(new Error('the request was closed'));
        };
        const drained = settle(true);
        const closed = settle(false);
        req.once('drain', drained);
        req.once('close', closed);
      });
    }
  }
  req.end();
}

export interface Exchange {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: RequestBody | undefined;
  signal?: AbortSignal | undefined;
}

/** A response body: stream it with for-await, or `text()` / `dump()` it. */
export interface ReplyBody extends AsyncIterable<Buffer> {
  [CHUNK_DONE]?: (chunk: Uint8Array) => void;
  text(): Promise<string>;
  /** Discards the rest, so the connection can be reused. */
  dump(): Promise<void>;
  destroy(): void;
}

export interface Reply {
  status: number;
  headers: Record<string, string | undefined>;
  body: ReplyBody;
  /** The URL that finally answered (after redirects). */
  url: string;
}

/**
 * Node's IncomingMessage as a ReplyBody; an idle body times out instead of hanging forever. Its
 * chunks are fresh copies from the HTTP parser that nothing else holds, so a consumer done with one
 * may free it (CHUNK_DONE: the store's ingest once a chunk is on disk, an upload once it is sent).
 */
function bodyOf(res: IncomingMessage): ReplyBody {
  return {
    [CHUNK_DONE]: releaseChunk,
    [Symbol.asyncIterator]: () => res[Symbol.asyncIterator]() as AsyncIterator<Buffer>,
    async text() {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    async dump() {
      // Parsed is not consumed: the socket goes back to the pool only once 'end' has been emitted.
      if (res.readableEnded || res.destroyed) return;
      await new Promise<void>((resolve) => {
        res.once('end', resolve);
        res.once('close', resolve);
        res.resume();
      });
    },
    destroy: () => res.destroy(),
  };
}

const MAX_REDIRECTS = 10;
const FORBIDDEN_HEADERS = new Set(['cookie', 'proxy-authorization']);

function flatten(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** A URL hostname without the brackets around an IPv6 address. */
const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '');

export function sameOrigin(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.host === b.host;
}

/**
 * node:http and node:https are taken with getBuiltinModule, not an ESM import: the ESM facade of
 * node:http reads every export, which loads Node's bundled undici for the lazy `WebSocket` getters
 * (about 35 ms of every command's start, measured). node:https (and with it tls) loads on the first
 * https URL only.
 */
const nodeHttp = () => process.getBuiltinModule('node:http');
let nodeHttps: typeof import('node:https') | undefined;
const https = () => (nodeHttps ??= process.getBuiltinModule('node:https'));

const HEADERS_TIMEOUT_MS = 60_000;
const IDLE_BODY_TIMEOUT_MS = 120_000;

/**
 * Built on node:http and node:https rather than a client library: they are part of Node's startup
 * snapshot, which keeps a `deckhand` command's start about 40 ms shorter, and they measured at
 * least as fast on loopback (bench notes in the README).
 */
export class HttpTransport {
  private readonly httpAgent: HttpAgent;
  /** Created on the first https URL. */
  private httpsAgent: HttpsAgent | undefined;
  /** For hosts other than `tls.certHost`: same trust, no client certificate. */
  private otherHostsAgent: HttpsAgent | undefined;
  private readonly tls: TlsOptions;
  /** Whether the registry's own name last resolved to private addresses only. */
  private registryResolvedPrivate = false;

  constructor(tls: TlsOptions) {
    this.tls = tls;
    this.httpAgent = new (nodeHttp().Agent)({ keepAlive: true, maxSockets: 32, keepAliveMsecs: 10_000, lookup: this.lookup });
  }

  /** Whether requests to this host present the client certificate. */
  get clientCertificate(): boolean {
    return Boolean(this.tls.cert && this.tls.key);
  }

  private newHttpsAgent(withClientCert: boolean): HttpsAgent {
    const tls = this.tls;
    return new (https().Agent)({
      keepAlive: true,
      maxSockets: 32,
      keepAliveMsecs: 10_000,
      lookup: this.lookup,
      rejectUnauthorized: tls.verify,
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(withClientCert && tls.cert ? { cert: tls.cert } : {}),
      ...(withClientCert && tls.key ? { key: tls.key } : {}),
    });
  }

  /**
   * Why connecting to `hostname` at `addresses` is refused, if it is. The registry's own name is
   * never refused; its addresses decide whether the registry counts as private.
   */
  private refusal(hostname: string, addresses: string[]): DeckhandError | undefined {
    const registry = this.tls.registryHost;
    if (registry === undefined) return undefined;
    if (bare(hostname) === bare(registry)) {
      this.registryResolvedPrivate = addresses.length > 0 && addresses.every(isPrivateAddress);
      return undefined;
    }
    if (this.tls.registryPrivate ?? (isPrivateHost(registry) || this.registryResolvedPrivate)) return undefined;
    const address = addresses.find(isPrivateAddress);
    if (address === undefined) return undefined;
    const what = address === bare(hostname) ? 'a private address' : `a name that resolves to a private address (${address})`;
    return new DeckhandError(
      'EREGISTRY',
      `${registry} sent us to ${hostname}, ${what}; refusing to connect there. If this is intended, pull from or push to that host directly.`,
      { detail: { host: hostname, address } },
    );
  }

  /** `dns.lookup` (or the injected one) for the agents, refusing private addresses as `refusal` says, before any connection is made. */
  private readonly lookup: LookupFunction = (hostname, options, callback) => {
    (this.tls.lookup ?? dnsLookup)(hostname, { ...options, all: true }, (err, found) => {
      const list = found as LookupAddress[];
      const refused = err
        ? null
        : this.refusal(
            hostname,
            list.map((a) => a.address),
          );
      if (err || refused) callback((err ?? refused) as NodeJS.ErrnoException, '');
      else if (options.all) callback(null, list);
      else callback(null, list[0]?.address ?? '', list[0]?.family);
    });
  };

  private agentFor(url: URL): HttpAgent | HttpsAgent {
    if (url.protocol !== 'https:') return this.httpAgent;
    if (this.tls.certHost === undefined || url.host === this.tls.certHost || !this.clientCertificate)
      return (this.httpsAgent ??= this.newHttpsAgent(true));
    return (this.otherHostsAgent ??= this.newHttpsAgent(false));
  }

  private exchange(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: RequestBody | undefined,
    signal: AbortSignal | undefined,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https().request : nodeHttp().request)(
        url,
        { method, headers, agent: this.agentFor(url), ...(signal ? { signal } : {}) },
        (res) => {
          answered = true;
          if (waiting) clearTimeout(waiting);
          // A body that stalls for too long is an error, not a hang.
          res.setTimeout?.(IDLE_BODY_TIMEOUT_MS, () =>
            res.destroy(Object.assign(new Error('the registry stopped sending'), { code: 'ETIMEDOUT' })),
          );
          resolve(res);
        },
      );
      // The wait for the reply starts once the request is sent: a large upload may take long itself.
      let waiting: NodeJS.Timeout | undefined;
      let answered = false;
      req.on('finish', () => {
        if (!answered)
          waiting = setTimeout(
            () => req.destroy(Object.assign(new Error('no response headers in time'), { code: 'ETIMEDOUT' })),
            HEADERS_TIMEOUT_MS,
          );
      });
      req.on('close', () => {
        if (waiting) clearTimeout(waiting);
      });
      // While a body is being sent, a connection that stops taking bytes for as long is dead.
      req.setTimeout(IDLE_BODY_TIMEOUT_MS, () =>
        req.destroy(Object.assign(new Error('the registry stopped taking data'), { code: 'ETIMEDOUT' })),
      );
      req.on('error', (e) => {
        if (waiting) clearTimeout(waiting);
        reject(e);
      });
      if (body === undefined) req.end();
      else if (body instanceof Readable) pipeline(body, req).catch((e: unknown) => req.destroy(e as Error));
      else if (isChunkStream(body)) writeChunks(body, req).catch((e: unknown) => req.destroy(e as Error));
      else req.end(body);
    });
  }

  /**
   * Sends `ex`, following redirects. `authorization` is the header value for the registry origin
   * `origin`; it is dropped on any hop to another origin, and never re-added on the way back
   * (a redirect chain that returns to the registry is followed without credentials).
   */
  async send(ex: Exchange, origin: URL, authorization?: string): Promise<Reply> {
    let url = new URL(ex.url);
    let method = ex.method;
    let body = ex.body;
    let leftOrigin = false;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(ex.headers ?? {})) {
        const key = k.toLowerCase();
        if (!FORBIDDEN_HEADERS.has(key) && key !== 'authorization') headers[key] = v;
      }
      if (authorization && !leftOrigin && sameOrigin(url, origin)) headers.authorization = authorization;
      // IP literals are connected to without a lookup, so they are checked here.
      const refused = isIP(bare(url.hostname)) ? this.refusal(url.hostname, [bare(url.hostname)]) : undefined;
      if (refused) throw refused;
      if (body !== undefined && !(body instanceof Readable) && !isChunkStream(body) && headers['content-length'] === undefined)
        headers['content-length'] = String(Buffer.byteLength(body));
      const res = await this.exchange(url, method, headers, body, ex.signal);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && status !== 304 && res.headers.location) {
        await bodyOf(res).dump();
        const next = new URL(String(res.headers.location), url);
        if (next.protocol !== 'https:' && next.protocol !== 'http:') {
          throw new DeckhandError(
            'EREGISTRY',
            `The registry redirected to an unsupported URL scheme (${next.protocol}); refusing to follow.`,
            { detail: { location: next.href } },
          );
        }
        if (url.protocol === 'https:' && next.protocol === 'http:') {
          throw new DeckhandError('EREGISTRY', `The registry redirected from HTTPS to plain HTTP (${next.host}); refusing to downgrade.`, {
            detail: { location: next.href },
          });
        }
        if (!sameOrigin(next, origin)) leftOrigin = true;
        if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        continue;
      }
      return { status, headers: flatten(res.headers), body: bodyOf(res), url: url.href };
    }
    throw new DeckhandError('EREGISTRY', `Too many redirects (over ${MAX_REDIRECTS}) from ${ex.url}.`, { detail: { url: ex.url } });
  }

  async close(): Promise<void> {
    this.httpAgent.destroy();
    this.httpsAgent?.destroy();
    this.otherHostsAgent?.destroy();
  }
}
