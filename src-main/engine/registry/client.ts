/**
 * The read side of the distribution API for one registry: manifests and blobs, with auth,
 * redirects (see http.ts), retries with backoff, and streamed blob bodies that can resume with
 * `Range`. https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
import { createHash } from 'node:crypto';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { isDigest, parseDigest } from '../../../src-shared/oci/digest.ts';
import { MANIFEST_ACCEPT } from '../../../src-shared/oci/mediatypes.ts';
import { RegistryAuth, type Credentials } from './auth.ts';
import { endpointsFor, type Endpoint } from './endpoint.ts';
import { errorFor } from './errors.ts';
import { HttpTransport, type Exchange, type Reply, type TlsOptions } from './http.ts';
import { tlsErrorFor, type RegistryTls } from './tls-errors.ts';
import { backoffMs, isRetryableError, isRetryableStatus, MAX_RETRY_AFTER_MS, parseRetryAfter, requestAttempts, wait } from './retry.ts';

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * A 206's `Content-Range: bytes START-END/TOTAL` (TOTAL may be `*`). Anything else, or a range that
 * cannot be (end before start, past the total, beyond safe integers), is null: not a resume.
 */
export function parseContentRange(header: string | undefined): { start: number; end: number; total: number | undefined } | null {
  const m = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15}|\*)$/.exec(header ?? '');
  if (!m) return null;
  const start = Number(m[1]);
  const end = Number(m[2]);
  const total = m[3] === '*' ? undefined : Number(m[3]);
  if (end < start || (total !== undefined && end >= total)) return null;
  return { start, end, total };
}

export interface RegistryClientOptions {
  /** The registry's domain as written in references (`docker.io`, `127.0.0.1:5000`). */
  domain: string;
  credentials?: Credentials;
  tlsVerify?: boolean;
  /** CA and client certificates to use instead of certs.d, a host name lookup, whether the registry counts as private (tests, embedders). */
  tls?: Omit<TlsOptions, 'verify' | 'certHost' | 'registryHost'>;
  /**
   * This registry's certs.d (or `--cert-dir`) files, read on the first connection. The caller's
   * RegistryContext supplies it; the client reads no configuration of its own.
   */
  tlsFiles?: () => Promise<RegistryTls>;
  /** `--cert-dir`, when it replaced certs.d: named in TLS error messages. */
  certDir?: string | undefined;
  userAgent?: string;
}

export interface FetchedManifest {
  bytes: Buffer;
  digest: string;
  contentType: string | undefined;
}

export interface BlobBody {
  body: AsyncIterable<Uint8Array>;
  /** Where the body starts: the requested offset for a 206, else 0. */
  start: number;
  /** Total size of the blob when the response says it. */
  total: number | undefined;
}

export interface SendOptions extends Omit<Exchange, 'url'> {
  /** A path under the registry's base (`/v2/...`), or an absolute URL already checked by the caller. */
  path: string;
  /** Token scope(s), space-separated (`repository:team/app:pull,push`). */
  scope: string;
  repository: string;
  /** What the request is about, for error messages ("Blob sha256:…"). */
  object: string;
  /** False for a streamed body that cannot be sent twice: no retries, no re-auth. */
  replayable?: boolean;
  action?: 'pull' | 'push';
  /**
   * 'report': a 429 is not waited out and sent again but thrown at once, with its Retry-After and
   * RateLimit-Remaining in the error's detail, for a caller that backs off on its own (freshness
   * checks, which must not hammer a registry that is limiting them). Default 'retry'.
   */
  onRateLimit?: 'retry' | 'report';
}

/** A connection-level failure while the first request looks for a working endpoint. */
class Unreachable extends Error {
  constructor(cause: unknown) {
    super('unreachable', { cause });
  }
}

export class RegistryClient {
  readonly domain: string;
  private readonly candidates: Endpoint[];
  private endpoint: Endpoint | undefined;
  private http: HttpTransport | undefined;
  private auth: RegistryAuth | undefined;
  private readonly opts: RegistryClientOptions;
  /** certs.d for this registry, read once on the first connection. */
  private certs: RegistryTls | undefined;

  constructor(opts: RegistryClientOptions) {
    this.opts = opts;
    this.domain = opts.domain;
    this.candidates = endpointsFor(opts.domain, opts.tlsVerify === undefined ? {} : { tlsVerify: opts.tlsVerify });
  }

  async ensureConnected(signal?: AbortSignal): Promise<URL> {
    await this.connect(signal);
    return new URL(this.endpoint!.base);
  }

  /** The base URL in use, once a request has reached the registry. */
  get base(): string | undefined {
    return this.endpoint?.base;
  }

  /**
   * The endpoint's TLS: certs.d keyed by the registry name as written in references (containers/image
   * does the same, so docker.io reads certs.d/docker.io); a mirror is its own RegistryClient and so
   * gets its own directory. The client certificate goes to the endpoint's host only.
   */
  private use(ep: Endpoint): void {
    this.endpoint = ep;
    const certs = this.certs;
    const fromCertsD: Omit<TlsOptions, 'verify'> = {
      ...(certs?.ca ? { ca: certs.ca } : {}),
      ...(certs?.client ? { cert: certs.client.cert, key: certs.client.key } : {}),
    };
    this.http = new HttpTransport({
      verify: ep.verifyTls,
      ...fromCertsD,
      ...this.opts.tls,
      certHost: new URL(ep.base).host,
      registryHost: new URL(ep.base).hostname,
    });
    this.auth = new RegistryAuth(this.domain, this.http, this.opts.credentials);
  }

  /** Finding the endpoint: by the first request (probe), or by pinging `/v2/` (connect). */
  private connecting: Promise<void> | undefined;

  /**
   * Finds a working endpoint by pinging `/v2/` on each candidate in order (distribution-spec "API
   * version check"), for callers that need the origin before their first request. Concurrent first
   * requests share one ping, so none of them runs before the challenge is known.
   */
  private connect(signal?: AbortSignal): Promise<void> {
    this.connecting ??= this.ping(signal).catch((e: unknown) => {
      this.connecting = undefined;
      throw e;
    });
    return this.connecting;
  }

  private async ping(signal?: AbortSignal): Promise<void> {
    this.certs ??= this.opts.tlsFiles
      ? await this.opts.tlsFiles()
      : { dir: undefined, searched: [], caFiles: [], ca: undefined, client: undefined };
    let lastError: unknown;
    let lastTried: Endpoint | undefined;
    for (const ep of this.candidates) {
      lastTried = ep;
      this.use(ep);
      try {
        const reply = await this.http!.send({ method: 'GET', url: `${ep.base}/v2/`, signal }, new URL(ep.base));
        await reply.body.dump();
        if (reply.status === 401) this.auth!.learn(reply.headers['www-authenticate'], '');
        if (reply.status === 200 || reply.status === 401 || reply.status === 404) return;
        lastError = new DeckhandError('EREGISTRY', `${ep.base}/v2/ answered ${reply.status}; it does not look like a container registry.`);
      } catch (e) {
        signal?.throwIfAborted();
        lastError = e;
      }
      await this.http!.close();
      this.endpoint = undefined;
    }
    throw this.connectError(lastError, lastTried);
  }

  private connectError(e: unknown, ep = this.endpoint): DeckhandError {
    if (e instanceof DeckhandError) return e;
    const code = String((e as { code?: unknown }).code ?? (e as { cause?: { code?: unknown } }).cause?.code ?? '');
    const clientCertificate = this.http?.clientCertificate ?? false;
    const tls = tlsErrorFor(e, { domain: this.domain, certs: this.certs, clientCertificate, certDir: this.opts.certDir });
    if (tls) return tls;
    // A server that wants a client certificate may also just drop the connection after the handshake.
    const hint =
      code === 'ECONNRESET' && ep?.base.startsWith('https:') && !clientCertificate
        ? ' If the registry requires a client certificate, put NAME.cert and NAME.key in its certs.d directory or pass --cert-dir DIR.'
        : '';
    return new DeckhandError(
      'ENETWORK',
      `Cannot reach registry ${this.domain} (${code || (e as Error).message}). Check the name, your network, and that the registry is running.${hint}`,
      { cause: e, detail: { code } },
    );
  }

  /**
   * Sends a request with the auth the scope needs: answers one 401 with fresh credentials, retries
   * retryable statuses and connection errors with backoff.
   */
  async send(ex: SendOptions): Promise<Reply> {
    if (!this.endpoint) {
      // Without credentials the first request finds the endpoint itself: no `/v2/` ping first, one
      // round trip less. With credentials the ping learns the challenge first, so the request goes
      // out once, authenticated (the same round trips as a 401 and a retry, without the retry); a
      // streamed body cannot be sent twice, so it waits for a ping too.
      if (this.connecting || ex.replayable === false || this.opts.credentials) await this.connect(ex.signal);
      else return this.probe(ex);
    }
    return this.sendOn(ex, false);
  }

  /**
   * Sends the first request to each candidate endpoint in turn until one answers as a registry does:
   * a connection that fails, or plain HTTP answered with 400 by an HTTPS-only server, moves on to
   * the next. Requests made meanwhile wait for it, as they would for a ping, so none runs before the
   * auth challenge is known.
   */
  private async probe(ex: SendOptions): Promise<Reply> {
    let settled = false;
    let settle!: (e?: unknown) => void;
    const connecting = new Promise<void>(
      (resolve, reject) => (settle = (e) => ((settled = true), e === undefined ? resolve() : reject(e))),
    );
    connecting.catch(() => undefined);
    this.connecting = connecting;
    try {
      this.certs ??= this.opts.tlsFiles
        ? await this.opts.tlsFiles()
        : { dir: undefined, searched: [], caFiles: [], ca: undefined, client: undefined };
      let lastError: unknown;
      let lastTried: Endpoint | undefined;
      for (const [i, ep] of this.candidates.entries()) {
        lastTried = ep;
        this.use(ep);
        const more = i + 1 < this.candidates.length;
        try {
          const reply = await this.sendOn(ex, true);
          settle();
          return reply;
        } catch (e) {
          ex.signal?.throwIfAborted();
          const status = (e as { detail?: { status?: unknown } }).detail?.status;
          if (e instanceof Unreachable) lastError = e.cause;
          else if (status === 400 && more && ep.base.startsWith('http:')) lastError = e;
          else {
            // The registry answered: this endpoint works, the error is the request's own.
            settle();
            throw e;
          }
        }
        await this.http!.close();
        this.endpoint = undefined;
      }
      throw this.connectError(lastError, lastTried);
    } catch (e) {
      // Not found (every candidate failed, or the caller cancelled midway): the next request looks again.
      if (!settled) {
        if (this.endpoint) await this.http!.close();
        this.endpoint = undefined;
        this.connecting = undefined;
        settle(e);
      }
      throw e;
    }
  }

  private async sendOn(ex: SendOptions, probing: boolean): Promise<Reply> {
    const origin = new URL(this.endpoint!.base);
    const replayable = ex.replayable !== false;
    const attempts = requestAttempts();
    let authRetried = false;
    for (let attempt = 0; ; attempt++) {
      let reply: Reply;
      let authorization: string | undefined;
      try {
        authorization = await this.auth!.header(ex.scope, ex.signal);
        const headers = { 'user-agent': this.opts.userAgent ?? 'deckhand/0.1', ...ex.headers };
        const url = /^https?:\/\//.test(ex.path) ? ex.path : `${this.endpoint!.base}${ex.path}`;
        reply = await this.http!.send(
          { method: ex.method, url, signal: ex.signal, headers, ...(ex.body !== undefined ? { body: ex.body } : {}) },
          origin,
          authorization,
        );
      } catch (e) {
        ex.signal?.throwIfAborted();
        // While the endpoint is being found, a connection that fails means: try the next candidate.
        if (probing && !(e instanceof DeckhandError)) throw new Unreachable(e);
        if (replayable && isRetryableError(e) && attempt + 1 < attempts) {
          await wait(backoffMs(attempt), ex.signal);
          continue;
        }
        throw e instanceof DeckhandError ? e : this.connectError(e);
      }
      if (
        reply.status === 401 &&
        replayable &&
        !authRetried &&
        this.auth!.learn(reply.headers['www-authenticate'], ex.scope, authorization)
      ) {
        authRetried = true;
        await reply.body.dump();
        continue;
      }
      const reportLimit = reply.status === 429 && ex.onRateLimit === 'report';
      if (replayable && !reportLimit && isRetryableStatus(reply.status) && attempt + 1 < attempts) {
        const after = parseRetryAfter(reply.headers['retry-after']);
        if (after === undefined || after <= MAX_RETRY_AFTER_MS) {
          await reply.body.dump();
          await wait(backoffMs(attempt, after), ex.signal);
          continue;
        }
      }
      if (reply.status >= 400) {
        // Every error reply is read to its end (a HEAD's empty one too), or its connection stays taken.
        const text = ex.method === 'HEAD' ? await reply.body.dump().then(() => '') : await reply.body.text().catch(() => '');
        const error = errorFor(reply.status, text, {
          registry: this.domain,
          repository: ex.repository,
          object: ex.object,
          authenticated: this.auth!.hasCredentials,
          action: ex.action ?? 'pull',
        });
        // A unit that retries itself (a blob transfer) waits as long as the registry asked.
        const after = parseRetryAfter(reply.headers['retry-after']);
        if (after !== undefined && error.detail) (error.detail as Record<string, unknown>).retryAfterMs = after;
        // Docker Hub's `ratelimit-remaining: 0;w=21600`, and the IETF draft's `RateLimit-Remaining`.
        const remaining = reply.headers['ratelimit-remaining'];
        if (typeof remaining === 'string' && error.detail)
          (error.detail as Record<string, unknown>).ratelimitRemaining = remaining.slice(0, 100);
        throw error;
      }
      return reply;
    }
  }

  /** GET a manifest or index by tag or digest, bounded at 4 MiB, verified against the digest it was asked by. */
  async getManifest(repository: string, reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const object = `Manifest ${repository}${isDigest(reference) ? '@' : ':'}${reference}`;
    const reply = await this.send({
      method: 'GET',
      path: `/v2/${repository}/manifests/${reference}`,
      headers: { accept: MANIFEST_ACCEPT.join(', ') },
      scope: `repository:${repository}:pull`,
      repository,
      object,
      signal,
    });
    const declared = Number(reply.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_MANIFEST_BYTES) {
      await reply.body.dump();
      throw new DeckhandError(
        'EMANIFEST_TOO_LARGE',
        `${object} is ${declared} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit for manifests; refusing it.`,
        { detail: { size: declared } },
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of reply.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_MANIFEST_BYTES) {
        reply.body.destroy();
        throw new DeckhandError(
          'EMANIFEST_TOO_LARGE',
          `${object} is over the ${MAX_MANIFEST_BYTES}-byte limit for manifests; refusing it.`,
        );
      }
      chunks.push(chunk as Buffer);
    }
    const bytes = Buffer.concat(chunks);
    const wanted = isDigest(reference) ? reference : reply.headers['docker-content-digest'];
    let digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (wanted && isDigest(wanted)) {
      const { algorithm, hex } = parseDigest(wanted);
      const actual = createHash(algorithm).update(bytes).digest('hex');
      if (actual !== hex) {
        throw new DeckhandError(
          'EDIGEST_MISMATCH',
          `${object}: the registry sent a manifest whose content does not match ${wanted}; nothing was stored. The registry or a proxy in between is serving damaged or substituted content.`,
          { detail: { expected: wanted } },
        );
      }
      if (isDigest(reference)) digest = reference;
    }
    return { bytes, digest, contentType: reply.headers['content-type']?.split(';')[0]?.trim() };
  }

  /**
   * GET a blob's body as a stream, from `offset` when resuming. Only a 206 whose Content-Range starts
   * at `offset` is accepted as a resume; a 200 means the body starts over at 0.
   */
  async getBlob(repository: string, digest: string, opts: { offset?: number; signal?: AbortSignal } = {}): Promise<BlobBody> {
    parseDigest(digest);
    const offset = opts.offset ?? 0;
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    const reply = await this.send({
      method: 'GET',
      path: `/v2/${repository}/blobs/${digest}`,
      headers,
      scope: `repository:${repository}:pull`,
      repository,
      object: `Blob ${digest}`,
      signal: opts.signal,
    });
    if (reply.status === 206) {
      const range = parseContentRange(reply.headers['content-range']);
      if (!range || range.start !== offset) {
        await reply.body.dump();
        return this.getBlob(repository, digest, { ...opts, offset: 0 });
      }
      return { body: reply.body, start: offset, total: range.total };
    }
    if (reply.status !== 200) {
      await reply.body.dump();
      throw new DeckhandError('EREGISTRY', `${this.domain} answered ${reply.status} for blob ${digest}.`, {
        detail: { status: reply.status },
      });
    }
    const len = Number(reply.headers['content-length']);
    return { body: reply.body, start: 0, total: Number.isFinite(len) ? len : undefined };
  }

  async close(): Promise<void> {
    await this.http?.close();
  }
}
