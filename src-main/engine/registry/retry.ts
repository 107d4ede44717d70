/**
 * When and how long to wait before trying a request again: 429 (honouring Retry-After), 408 and
 * 5xx responses, and connection-level failures, with capped exponential backoff and jitter.
 *
 * Retries happen at one level only. A request on its own (a manifest, a HEAD, a token) is retried
 * by the client. A blob transfer is retried as a whole by the copy pipeline, which can resume it
 * from the bytes already moved; inside such a unit (`asOneAttempt`) the client sends each request
 * once and lets the failure, with its Retry-After, reach the unit's own loop. So a registry that is
 * down costs MAX_ATTEMPTS requests per blob, not MAX_ATTEMPTS at every level multiplied.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export const MAX_ATTEMPTS = 5;
const BASE_MS = 200;
const CAP_MS = 10_000;
/** Retry-After values beyond this are not waited for: the error is reported instead. */
export const MAX_RETRY_AFTER_MS = 60_000;

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** What node:http, net and streams report for a connection that failed or broke. */
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE']);

export function isRetryableError(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
  }
  return false;
}

/** Parses Retry-After (delta-seconds or an HTTP date) into milliseconds, or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export function backoffMs(attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  const exp = Math.min(CAP_MS, BASE_MS * 2 ** attempt);
  return exp / 2 + Math.random() * (exp / 2);
}

export function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return sleep(ms, undefined, signal ? { signal } : undefined);
}

const unit = new AsyncLocalStorage<true>();

/** Runs `fn` as one attempt of a unit that retries itself: the client's requests inside are not retried. */
export function asOneAttempt<T>(fn: () => Promise<T>): Promise<T> {
  return unit.run(true, fn);
}

/** How many times the client may send a request here: once inside a retried unit, else MAX_ATTEMPTS. */
export function requestAttempts(): number {
  return unit.getStore() ? 1 : MAX_ATTEMPTS;
}

/** The Retry-After (ms) a failed request carried, if any: a unit honours it as the client would. */
export function retryAfterOf(e: unknown): number | undefined {
  const ms = (e as { detail?: { retryAfterMs?: unknown } } | undefined)?.detail?.retryAfterMs;
  return typeof ms === 'number' ? ms : undefined;
}

/**
 * Whether a failed blob transfer is worth another attempt: a retryable status, a connection that
 * failed or broke, or a 416 (the registry's idea of where an upload stands differs from ours: the
 * next attempt asks it).
 */
export function isTransient(e: unknown): boolean {
  if (isRetryableError(e)) return true;
  const err = e as { code?: string; detail?: { status?: unknown } } | undefined;
  if (err?.code === 'ENETWORK') return true;
  const status = err?.detail?.status;
  return typeof status === 'number' && (status === 416 || isRetryableStatus(status)) && (retryAfterOf(e) ?? 0) <= MAX_RETRY_AFTER_MS;
}
