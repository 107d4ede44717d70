import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapSpaceStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { GROWTH_WORTH_TRIMMING, HeapTrim, lastResortCollection, YOUNG_WORTH_TRIMMING, type HeapSize } from './heap-trim.ts';

const QUIET = 300;
const MB = 1024 * 1024;
/** A heap that has grown well past the thresholds. */
const grownHeap = (): HeapSize => ({ young: 128 * MB, total: 256 * MB });

function counting(): { collect: () => void; count: () => number } {
  let n = 0;
  return { collect: () => void n++, count: () => n };
}

test('graph work is trimmed once, after the host has been quiet for a while', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const c = counting();
  const trim = new HeapTrim(c.collect, QUIET, grownHeap);
  trim.worked();
  trim.worked();
  t.mock.timers.tick(QUIET - 1);
  assert.equal(c.count(), 0);
  t.mock.timers.tick(1);
  assert.equal(c.count(), 1);
  assert.equal(trim.trims, 1);
  // Nothing new since: no second collection.
  t.mock.timers.tick(QUIET * 10);
  assert.equal(c.count(), 1);
});

test('no trim while a call is in flight; the quiet time counts from the last call’s end', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const c = counting();
  const trim = new HeapTrim(c.collect, QUIET, grownHeap);
  trim.begin();
  trim.worked();
  trim.begin();
  t.mock.timers.tick(QUIET * 5);
  assert.equal(c.count(), 0);
  trim.end();
  t.mock.timers.tick(QUIET * 5);
  assert.equal(c.count(), 0, 'one call is still in flight');
  trim.end();
  t.mock.timers.tick(QUIET - 100);
  // A call that starts within the quiet time puts the trim off until it ends.
  trim.begin();
  t.mock.timers.tick(QUIET * 5);
  assert.equal(c.count(), 0);
  trim.end();
  t.mock.timers.tick(QUIET);
  assert.equal(c.count(), 1);
});

test('calls that did no graph work do not trim; close drops a pending trim', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const c = counting();
  const trim = new HeapTrim(c.collect, QUIET, grownHeap);
  trim.begin();
  trim.end();
  t.mock.timers.tick(QUIET * 5);
  assert.equal(c.count(), 0);
  trim.worked();
  trim.close();
  t.mock.timers.tick(QUIET * 5);
  assert.equal(c.count(), 0);
});

test('without a collector the trim does nothing', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const trim = new HeapTrim(null, QUIET, grownHeap);
  trim.worked();
  t.mock.timers.tick(QUIET * 5);
  assert.equal(trim.trims, 0);
});

test('a trim is skipped when the heap has not grown enough to give much back', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let heap: HeapSize = { young: 1 * MB, total: 60 * MB };
  const c = counting();
  const trim = new HeapTrim(
    () => {
      c.collect();
      heap = { young: 1 * MB, total: 70 * MB };
    },
    QUIET,
    () => heap,
  );
  const quietAfterWork = () => {
    trim.worked();
    t.mock.timers.tick(QUIET);
  };
  // One image's details: a little more heap, the young generation as it was.
  heap = { young: 2 * MB, total: 60 * MB + GROWTH_WORTH_TRIMMING };
  quietAfterWork();
  assert.equal(c.count(), 0);
  // The young generation grown by a build.
  heap = { young: YOUNG_WORTH_TRIMMING + 1, total: 100 * MB };
  quietAfterWork();
  assert.equal(c.count(), 1);
  // Growth is measured from the size right after that trim (70 MB).
  heap = { young: 1 * MB, total: 70 * MB + GROWTH_WORTH_TRIMMING };
  quietAfterWork();
  assert.equal(c.count(), 1);
  heap = { young: 1 * MB, total: 70 * MB + GROWTH_WORTH_TRIMMING + 1 };
  quietAfterWork();
  assert.equal(c.count(), 2);
});

const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

test('the last-resort collection gives the grown young generation back, and leaves no gc global behind', () => {
  const collect = lastResortCollection();
  assert.ok(collect, 'the gc extension is reachable from inside the process');
  assert.equal(runInNewContext('typeof gc'), 'undefined', 'contexts made later get no gc');
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
  // Survivors make V8 grow the young generation (it doubles when they outgrow it).
  const grown = ((): number => {
    const kept: Array<{ n: number; s: string }> = [];
    for (let i = 0; i < 400_000; i++) kept.push({ n: i, s: `item ${i}` });
    assert.equal(kept.length, 400_000);
    return newSpace();
  })();
  collect();
  const after = newSpace();
  assert.ok(after < grown, `the young generation shrank: ${grown} → ${after} bytes`);
});
