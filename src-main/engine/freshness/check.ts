/**
 * One tag's freshness check: the sources registries.conf gives a pull of it (mirrors, then the
 * primary), each asked by HEAD only; the first that answers decides. One manifest GET, of the tag's
 * new index by its digest, is made only when decideFromHead asks for it (docs/freshness.md).
 */
import type { FreshnessResult } from '../../../src-shared/freshness.ts';
import { parseManifestDocument } from '../../../src-shared/oci/manifest.ts';
import { formatReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { RegistryContext } from '../config/context.ts';
import type { PullSource } from '../config/registry-match.ts';
import type { RegistryClient } from '../registry/client.ts';
import { headManifest } from '../registry/manifest-head.ts';
import { decideFromError, decideFromHead, decideFromIndex, type StoredTag, type Verdict } from './decide.ts';

export interface CheckTarget extends StoredTag {
  /** The stored name (`127.0.0.1:5000/team/app:1.25`). */
  reference: string;
  ref: ImageReference & { tag: string };
}

/** Hosts that answered 429, and until when (ms since the epoch) no request goes to them. */
export interface HostBackoff {
  until(host: string): number | undefined;
  rateLimited(host: string, retryAfterSeconds: number | null): void;
}

/** Clients for one round of checks, one per repository (credentials are per repository), closed together. */
export class ClientPool {
  private readonly clients = new Map<string, Promise<RegistryClient>>();
  private readonly ctx: RegistryContext;
  constructor(ctx: RegistryContext) {
    this.ctx = ctx;
  }

  get(source: PullSource): Promise<RegistryClient> {
    const key = `${source.ref.domain}/${source.ref.path} ${source.insecure}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.ctx.client(source.ref.domain, source.ref.path, { insecure: source.insecure });
      this.clients.set(key, client);
    }
    return client;
  }

  async close(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.then((x) => x.close()).catch(() => undefined)));
  }
}

export interface CheckOneOptions {
  pool: ClientPool;
  backoff: HostBackoff;
  headOnly: boolean;
  now: () => number;
  signal?: AbortSignal | undefined;
}

/** Checks one stored tag; never throws for what a registry answers (that is a state), only when cancelled. */
export async function checkOne(ctx: RegistryContext, target: CheckTarget, opts: CheckOneOptions): Promise<FreshnessResult> {
  const result = (v: Verdict, endpoint: string | null, indexFetched = false): FreshnessResult => ({
    reference: target.reference,
    localDigest: target.localDigest,
    ...v,
    checkedAt: new Date(opts.now()).toISOString(),
    indexFetched,
    endpoint,
  });
  let sources: PullSource[];
  try {
    sources = ctx.planPull(target.ref).flatMap((p) => p.sources);
  } catch (e) {
    return result(decideFromError(e), null);
  }
  let last: FreshnessResult | undefined;
  for (const source of sources) {
    const host = source.ref.domain;
    const until = opts.backoff.until(host);
    if (until !== undefined && until > opts.now()) {
      const wait = Math.ceil((until - opts.now()) / 1000);
      last = result(
        {
          state: 'rate-limited',
          remoteDigest: null,
          reason: `${host} asked to slow down; nothing was sent to it. The next check after ${wait} s asks again.`,
          ratelimitRemaining: null,
          retryAfterSeconds: wait,
        },
        null,
      );
      continue;
    }
    const client = await opts.pool.get(source);
    try {
      const head = await headManifest(client, source.ref.path, source.ref.tag ?? target.ref.tag, opts.signal);
      const decided = decideFromHead(target, head, opts.headOnly);
      if ('verdict' in decided) return result(decided.verdict, head.endpoint);
      // The one manifest GET: the tag's new index, by the digest the HEAD gave (so it is verified).
      const fetched = await client.getManifest(source.ref.path, decided.fetchIndex, opts.signal);
      const doc = parseManifestDocument(fetched.bytes, fetched.contentType);
      if (doc.kind !== 'index') {
        const reason = `The tag now names ${fetched.digest}, a single-platform image, not an index.`;
        return result(
          { state: 'stale', remoteDigest: fetched.digest, reason, ratelimitRemaining: head.ratelimitRemaining, retryAfterSeconds: null },
          head.endpoint,
          true,
        );
      }
      return result(decideFromIndex(target, fetched.digest, doc.index, head.ratelimitRemaining), head.endpoint, true);
    } catch (e) {
      opts.signal?.throwIfAborted();
      const v = decideFromError(e);
      if (v.state === 'rate-limited') opts.backoff.rateLimited(host, v.retryAfterSeconds);
      last = result(v, client.base ?? null);
      const where = source.mirror !== undefined ? `mirror ${formatReference(source.ref)}` : formatReference(source.ref);
      if (sources.length > 1) last.reason = `${where}: ${last.reason}`;
    }
  }
  return last!;
}
