/**
 * Freshness checks for many tags: bounded concurrency (a few at a time, fewer per registry host),
 * results cached for a time-to-live, and a host that answered 429 left alone until its Retry-After
 * has passed (docs/freshness.md). The app host keeps one checker for its lifetime; the CLI makes one
 * per run.
 */
import type { FreshnessResult } from '../../../src-shared/freshness.ts';
import type { RegistryContext } from '../config/context.ts';
import { checkOne, ClientPool, type CheckTarget, type HostBackoff } from './check.ts';

/** How long a current, stale, platform-unchanged, local-only or unknown answer stands. */
export const DEFAULT_TTL_MS = 10 * 60_000;
/** How long an unreachable or auth-required answer stands: the next look asks again soon. */
export const SHORT_TTL_MS = 60_000;
/** How long a host that answered 429 without a Retry-After is left alone. */
export const DEFAULT_RATE_LIMIT_BACKOFF_MS = 60_000;
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_PER_HOST = 2;

export interface CheckerOptions {
  ttlMs?: number;
  concurrency?: number;
  perHost?: number;
  /** The clock (tests). */
  now?: () => number;
}

export interface CheckRun {
  /** Check again even when a cached answer is still within its time-to-live (a host's 429 back-off still holds). */
  force?: boolean;
  /** Never fetch the new index to compare the stored platform: a moved index is `stale`. */
  headOnly?: boolean;
  signal?: AbortSignal;
  /** Each result as it is known (cached ones first). */
  onResult?: (r: FreshnessResult, done: number, total: number) => void;
}

/** At most `n` at a time. */
class Gate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly n: number;
  constructor(n: number) {
    this.n = n;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.n) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

interface Cached {
  result: FreshnessResult;
  expires: number;
}

export class FreshnessChecker implements HostBackoff {
  private readonly cache = new Map<string, Cached>();
  private readonly limited = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly concurrency: number;
  private readonly perHost: number;
  readonly now: () => number;

  private readonly context: () => Promise<RegistryContext>;

  constructor(context: () => Promise<RegistryContext>, opts: CheckerOptions = {}) {
    this.context = context;
    this.ttlMs = opts.ttlMs ?? DEFAULT_TTL_MS;
    this.concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
    this.perHost = opts.perHost ?? DEFAULT_PER_HOST;
    this.now = opts.now ?? Date.now;
  }

  until(host: string): number | undefined {
    return this.limited.get(host);
  }

  rateLimited(host: string, retryAfterSeconds: number | null): void {
    const ms = retryAfterSeconds !== null ? retryAfterSeconds * 1000 : DEFAULT_RATE_LIMIT_BACKOFF_MS;
    this.limited.set(host, Math.max(this.limited.get(host) ?? 0, this.now() + ms));
  }

  private key(t: CheckTarget, headOnly: boolean): string {
    return `${t.reference}\n${t.localDigest}\n${headOnly}`;
  }

  /** The cached answer for `t`, while it stands. */
  cached(t: CheckTarget, headOnly = false): FreshnessResult | undefined {
    const c = this.cache.get(this.key(t, headOnly));
    return c && c.expires > this.now() ? c.result : undefined;
  }

  private expiry(r: FreshnessResult): number {
    if (r.state === 'rate-limited')
      return this.now() + (r.retryAfterSeconds !== null ? r.retryAfterSeconds * 1000 : DEFAULT_RATE_LIMIT_BACKOFF_MS);
    if (r.state === 'unreachable' || r.state === 'auth-required') return this.now() + Math.min(this.ttlMs, SHORT_TTL_MS);
    return this.now() + this.ttlMs;
  }

  /** Forgets every cached answer (a login or logout changes what registries answer). */
  forget(): void {
    this.cache.clear();
  }

  /** Checks `targets`: cached answers first, then the rest, a few at a time; resolves with every result, in the targets' order. */
  async check(targets: readonly CheckTarget[], run: CheckRun = {}): Promise<FreshnessResult[]> {
    const headOnly = run.headOnly ?? false;
    const out = new Array<FreshnessResult>(targets.length);
    let done = 0;
    const todo: number[] = [];
    targets.forEach((t, i) => {
      const hit = run.force ? undefined : this.cached(t, headOnly);
      if (hit) {
        out[i] = hit;
        run.onResult?.(hit, ++done, targets.length);
      } else todo.push(i);
    });
    if (todo.length === 0) return out;
    const ctx = await this.context();
    const pool = new ClientPool(ctx);
    const all = new Gate(this.concurrency);
    const hosts = new Map<string, Gate>();
    const gateOf = (host: string) => hosts.get(host) ?? (hosts.set(host, new Gate(this.perHost)), hosts.get(host)!);
    try {
      await Promise.all(
        todo.map((i) => {
          const t = targets[i]!;
          return gateOf(t.ref.domain).run(() =>
            all.run(async () => {
              run.signal?.throwIfAborted();
              const r = await checkOne(ctx, t, { pool, backoff: this, headOnly, now: this.now, signal: run.signal });
              this.cache.set(this.key(t, headOnly), { result: r, expires: this.expiry(r) });
              out[i] = r;
              run.onResult?.(r, ++done, targets.length);
            }),
          );
        }),
      );
    } finally {
      await pool.close();
    }
    return out;
  }
}
