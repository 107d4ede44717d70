import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAge, formatBytes } from './format.ts';

test('formatBytes uses SI units with sensible precision', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1000), '1 kB');
  assert.equal(formatBytes(1536), '1.54 kB');
  assert.equal(formatBytes(12_345_678), '12.3 MB');
  assert.equal(formatBytes(400_000_000), '400 MB');
  assert.equal(formatBytes(-1), '?');
});

test('formatAge counts back from now', () => {
  const now = Date.parse('2026-01-10T00:00:00Z');
  assert.equal(formatAge('2026-01-10T00:00:00Z', now), 'just now');
  assert.equal(formatAge('2026-01-09T23:59:00Z', now), '1 minute ago');
  assert.equal(formatAge('2026-01-07T00:00:00Z', now), '3 days ago');
  assert.equal(formatAge(undefined, now), 'unknown');
});
