import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TransferEvent } from '../../src-shared/transfer.ts';
import { ProgressCoalescer } from './coalesce.ts';

const digest = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;
const blob = (i: number, done: number, state: 'downloading' | 'done' = 'downloading'): TransferEvent => ({
  type: 'blob',
  digest: digest(i),
  kind: 'layer',
  state,
  done,
  total: 100,
});

test('a 200-layer pull is delivered as about ten batches a second, ending with every final state', async () => {
  const batches: Array<{ at: number; events: TransferEvent[] }> = [];
  const c = new ProgressCoalescer((events) => batches.push({ at: performance.now(), events }), 100);
  const started = performance.now();
  c.push({ type: 'resolving', ref: 'example.com/big:1' });
  // 200 blobs, each reporting progress every 10 ms for about a second: 20,000 engine events.
  for (let step = 1; step <= 100; step++) {
    for (let i = 0; i < 200; i++) c.push(blob(i, step === 100 ? 100 : step, step === 100 ? 'done' : 'downloading'));
    await sleep(10);
  }
  c.push({ type: 'done', ref: 'example.com/big:1', digest: digest(999), fetchedBytes: 20_000, fetchedBlobs: 200, skippedBlobs: 0 });
  c.close();
  const seconds = (performance.now() - started) / 1000;
  assert.ok(batches.length <= Math.ceil(seconds * 10) + 2, `${batches.length} batches in ${seconds.toFixed(2)} s`);
  for (let i = 1; i < batches.length - 1; i++)
    assert.ok(batches[i]!.at - batches[i - 1]!.at >= 95, 'batches are at least an interval apart');
  // Final states: every blob's last event is `done`, and the transfer's `done` comes after them.
  const last = new Map<string, TransferEvent>();
  for (const b of batches) for (const e of b.events) if (e.type === 'blob') last.set(e.digest, e);
  assert.equal(last.size, 200);
  for (const e of last.values()) assert.equal(e.type === 'blob' && e.state, 'done');
  const final = batches.at(-1)!.events;
  assert.equal(final.at(-1)!.type, 'done');
  assert.equal(batches[0]!.events[0]!.type, 'resolving');
});

test('within a batch each blob appears once, with its latest state, after events that preceded it', async () => {
  const batches: TransferEvent[][] = [];
  const c = new ProgressCoalescer((events) => batches.push(events), 1000);
  c.push(blob(1, 10));
  c.push({ type: 'retry', digest: digest(1), attempt: 1, reason: 'connection broke; resuming' });
  c.push(blob(1, 50));
  c.push(blob(2, 20));
  c.close();
  c.push(blob(3, 1));
  await sleep(5);
  assert.deepEqual(batches, [
    [{ type: 'retry', digest: digest(1), attempt: 1, reason: 'connection broke; resuming' }, blob(1, 50), blob(2, 20)],
  ]);
});

test("an engine's export and load keep only their latest byte count in a batch, in order with the rest", () => {
  const batches: TransferEvent[][] = [];
  const c = new ProgressCoalescer((events) => batches.push(events), 100);
  const engine = (phase: 'exporting' | 'loading', done: number, state: 'running' | 'done' = 'running'): TransferEvent => ({
    type: 'engine',
    phase,
    ref: 'app:1',
    engine: 'docker',
    done,
    state,
  });
  for (let i = 1; i <= 50; i++) c.push(engine('exporting', i * 1000));
  c.push(engine('exporting', 50_000, 'done'));
  c.push({ type: 'resolving', ref: 'app:1' });
  c.push(engine('loading', 10));
  c.push(engine('loading', 20));
  c.close();
  assert.deepEqual(batches.flat(), [engine('exporting', 50_000, 'done'), { type: 'resolving', ref: 'app:1' }, engine('loading', 20)]);
});
