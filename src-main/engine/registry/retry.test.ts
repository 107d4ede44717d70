import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { asOneAttempt, isTransient, MAX_ATTEMPTS, requestAttempts, retryAfterOf } from './retry.ts';

const status = (s: number, extra: Record<string, unknown> = {}) =>
  new DeckhandError('EREGISTRY', `answered ${s}`, { detail: { status: s, ...extra } });

test('a blob transfer is retried after a retryable status, a broken connection or a 416, not after a refusal', () => {
  assert.equal(isTransient(status(503)), true);
  assert.equal(isTransient(status(429, { retryAfterMs: 2_000 })), true);
  assert.equal(isTransient(status(429, { retryAfterMs: 3_600_000 })), false, 'a wait of an hour is reported, not waited for');
  assert.equal(isTransient(status(416)), true);
  assert.equal(isTransient(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), true);
  assert.equal(isTransient(new DeckhandError('ENETWORK', 'cut short')), true);
  assert.equal(isTransient(status(404)), false);
  assert.equal(isTransient(new DeckhandError('EUNAUTHORIZED', 'no')), false);
  assert.equal(retryAfterOf(status(429, { retryAfterMs: 2_000 })), 2_000);
});

test('inside a unit that retries itself, the client sends each request once', async () => {
  assert.equal(requestAttempts(), MAX_ATTEMPTS);
  assert.equal(await asOneAttempt(async () => requestAttempts()), 1);
  assert.equal(requestAttempts(), MAX_ATTEMPTS);
});
