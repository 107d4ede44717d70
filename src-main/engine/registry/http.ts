/**
 * One HTTP exchange with a registry over undici, following redirects by hand so that credentials
 * never leave the registry's origin: Authorization is attached only to requests whose
 * scheme://host:port is the registry's own (blob redirects to storage hosts are normal and go
 * there without it). Cookie and Proxy-Authorization are never sent.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { DeckhandError } from '../../../src-shared/errors.ts';

export interface TlsOptions {
  verify: boolean;
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
}

export interface Exchange {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: Dispatcher.DispatchOptions['body'];
  signal?: AbortSignal | undefined;
}

export interface Reply {
  status: number;
  headers: Record<string, string | undefined>;
  body: Dispatcher.ResponseData['body'];
  /** The URL that finally answered (after redirects). */
  url: string;
}

const MAX_REDIRECTS = 10;
const FORBIDDEN_HEADERS = new Set(['cookie', 'proxy-authorization']);

function flatten(headers: Dispatcher.ResponseData['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export function sameOrigin(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.host === b.host;
}

export class HttpTransport {
  readonly dispatcher: Agent;

  constructor(tls: TlsOptions) {
    this.dispatcher = new Agent({
      connections: 32,
      keepAliveTimeout: 10_000,
      headersTimeout: 60_000,
      bodyTimeout: 120_000,
      connect: {
        rejectUnauthorized: tls.verify,
        ...(tls.ca ? { ca: tls.ca } : {}),
        ...(tls.cert ? { cert: tls.cert } : {}),
        ...(tls.key ? { key: tls.key } : {}),
      },
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
      const res = await request(url, {
        method,
        headers,
        body: body ?? null,
        dispatcher: this.dispatcher,
        signal: ex.signal ?? null,
      });
      const status = res.statusCode;
      if (status >= 300 && status < 400 && status !== 304 && res.headers.location) {
        await res.body.dump();
        const next = new URL(String(res.headers.location), url);
        if (next.protocol !== 'https:' && next.protocol !== 'http:') {
          throw new DeckhandError('EREGISTRY', `The registry redirected to an unsupported URL scheme (${next.protocol}); refusing to follow.`, { detail: { location: next.href } });
        }
        if (url.protocol === 'https:' && next.protocol === 'http:') {
          throw new DeckhandError('EREGISTRY', `The registry redirected from HTTPS to plain HTTP (${next.host}); refusing to downgrade.`, { detail: { location: next.href } });
        }
        if (!sameOrigin(next, origin)) leftOrigin = true;
        if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        continue;
      }
      return { status, headers: flatten(res.headers), body: res.body, url: url.href };
    }
    throw new DeckhandError('EREGISTRY', `Too many redirects (over ${MAX_REDIRECTS}) from ${ex.url}.`, { detail: { url: ex.url } });
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
