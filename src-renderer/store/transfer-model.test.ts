import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { TransferEvent } from '../../src-shared/transfer.ts';
import {
  blobCounts,
  eta,
  isCancelled,
  movedBytes,
  reduceTransfers,
  STALL_MS,
  throughput,
  totals,
  type TransferAction,
  type TransferView,
} from './transfer-model.ts';

const id = '6f1c7a53-5d2c-4c43-9d1e-0a1b2c3d4e5f';
const blob = (digest: string, state: 'downloading' | 'done' | 'exists', done: number, total: number) => ({
  type: 'blob' as const,
  digest,
  kind: 'layer' as const,
  state,
  done,
  total,
});

test('a pull folds into one row: progress, then done with its bytes', () => {
  const actions: TransferAction[] = [
    { event: 'transferStarted', payload: { transferId: id, kind: 'pull', ref: 'example.com/a:1' } },
    {
      event: 'transferProgress',
      payload: {
        transferId: id,
        events: [
          { type: 'resolving', ref: 'example.com/a:1' },
          blob('sha256:1', 'downloading', 10, 100),
          blob('sha256:2', 'exists', 0, 50),
        ],
      },
    },
  ];
  let list: TransferView[] = actions.reduce(reduceTransfers, []);
  assert.equal(list.length, 1);
  assert.equal(list[0]!.status, 'running');
  assert.deepEqual(totals(list[0]!), { done: 60, total: 150 });
  list = reduceTransfers(list, { event: 'transferProgress', payload: { transferId: id, events: [blob('sha256:1', 'done', 100, 100)] } });
  list = reduceTransfers(list, {
    event: 'transferEnded',
    payload: { transferId: id, kind: 'pull', ref: 'example.com/a:1', digest: 'sha256:f', error: null },
  });
  assert.equal(list[0]!.status, 'done');
  assert.deepEqual(totals(list[0]!), { done: 150, total: 150 });
});

test('a failure keeps the error; progress for a transfer never announced still shows', () => {
  let list = reduceTransfers([], {
    event: 'transferProgress',
    payload: { transferId: id, events: [blob('sha256:1', 'downloading', 1, 2)] },
  });
  assert.equal(list[0]!.ref, '…');
  list = reduceTransfers(list, {
    event: 'transferEnded',
    payload: {
      transferId: id,
      kind: 'pull',
      ref: 'example.com/a:1',
      digest: null,
      error: { code: 'ENOT_FOUND', message: 'gone', detail: null },
    },
  });
  assert.equal(list[0]!.status, 'failed');
  assert.equal(list[0]!.error?.code, 'ENOT_FOUND');
  assert.equal(list[0]!.ref, 'example.com/a:1');
});

const progress = (now: number, ...events: TransferEvent[]): TransferAction => ({
  event: 'transferProgress',
  payload: { transferId: id, events },
  now,
});
const moving = (digest: string, done: number, total = 10_000_000) => ({
  type: 'blob' as const,
  digest,
  kind: 'layer' as const,
  state: 'downloading' as const,
  done,
  total,
});

test('throughput is measured from arrival times over the last few seconds, and gives an ETA', () => {
  let list = reduceTransfers([], {
    event: 'transferStarted',
    payload: { transferId: id, kind: 'pull', ref: 'example.com/a:1' },
    now: 1000,
  });
  assert.equal(list[0]!.startedAt, 1000);
  list = reduceTransfers(list, progress(1000, moving('sha256:1', 0), { ...moving('sha256:2', 0, 5_000_000), state: 'exists' }));
  // One sample: no rate yet.
  assert.equal(throughput(list[0]!, 1000), null);
  assert.equal(eta(list[0]!, 1000), null);
  // 1 MB a second for 4 seconds; blobs already there count towards done but not towards the rate.
  for (let s = 1; s <= 4; s++) list = reduceTransfers(list, progress(1000 + s * 1000, moving('sha256:1', s * 1_000_000)));
  assert.equal(throughput(list[0]!, 5000), 1_000_000);
  assert.deepEqual(totals(list[0]!), { done: 9_000_000, total: 15_000_000 });
  assert.equal(eta(list[0]!, 5000), 6);
  // It speeds up to 3 MB/s; after the window has passed only the recent pace counts.
  for (let s = 5; s <= 12; s++)
    list = reduceTransfers(list, progress(1000 + s * 1000, moving('sha256:1', 4_000_000 + (s - 4) * 3_000_000, 40_000_000)));
  assert.equal(throughput(list[0]!, 13_000), 3_000_000);
  assert.ok(list[0]!.samples.length <= 7, `old samples are dropped (${list[0]!.samples.length} kept)`);
  // Nothing for a while: stalled.
  assert.equal(throughput(list[0]!, 13_000 + STALL_MS), 0);
  assert.equal(eta(list[0]!, 13_000 + STALL_MS), null);
});

test('per-layer states and retries are kept; a pull ends with its fetched and skipped figures', () => {
  let list = reduceTransfers([], progress(0, blob('sha256:1', 'downloading', 5, 10), blob('sha256:2', 'exists', 0, 20)));
  list = reduceTransfers(
    list,
    progress(100, { type: 'retry', digest: 'sha256:1', attempt: 1, reason: 'connection broke (ECONNRESET); resuming' }),
  );
  list = reduceTransfers(
    list,
    progress(200, { type: 'retry', digest: 'sha256:x', attempt: 0, reason: 'no exact linux/arm64/v8 image; using compatible linux/arm64' }),
  );
  const t = list[0]!;
  assert.equal(t.blobs['sha256:1']!.state, 'downloading');
  assert.equal(t.blobs['sha256:1']!.retries, 1);
  assert.equal(t.blobs['sha256:2']!.state, 'exists');
  assert.equal(t.retries, 1, 'a warning with attempt 0 is not a retry');
  assert.equal(t.lastRetry, 'connection broke (ECONNRESET); resuming');
  assert.equal(t.note, 'no exact linux/arm64/v8 image; using compatible linux/arm64');
  assert.deepEqual(blobCounts(t), { finished: 1, count: 2 });
  // A later state keeps the blob's retry count.
  list = reduceTransfers(
    list,
    progress(300, blob('sha256:1', 'done', 10, 10), {
      type: 'done',
      ref: 'example.com/a:1',
      digest: 'sha256:f',
      fetchedBytes: 10,
      fetchedBlobs: 1,
      skippedBlobs: 1,
    }),
  );
  assert.equal(list[0]!.blobs['sha256:1']!.retries, 1);
  assert.deepEqual(list[0]!.summary, { type: 'pull', fetchedBytes: 10, fetchedBlobs: 1, skippedBlobs: 1 });
  list = reduceTransfers(list, {
    event: 'transferEnded',
    payload: { transferId: id, kind: 'pull', ref: 'example.com/a:1', digest: 'sha256:f', error: null },
    now: 400,
  });
  assert.equal(list[0]!.status, 'done');
  assert.equal(list[0]!.endedAt, 400);
  assert.equal(list[0]!.note, null);
});

test('a push ends with uploaded, existing and mounted figures; a cancel is a failure marked as cancelled', () => {
  let list = reduceTransfers([], { event: 'transferStarted', payload: { transferId: id, kind: 'push', ref: 'example.com/a:1' } });
  list = reduceTransfers(
    list,
    progress(
      0,
      { type: 'blob', digest: 'sha256:1', kind: 'layer', state: 'mounted', done: 0, total: 7 },
      { type: 'manifest', digest: 'sha256:m', ref: 'example.com/a:1', state: 'done' },
    ),
  );
  list = reduceTransfers(
    list,
    progress(10, {
      type: 'pushed',
      ref: 'example.com/a:1',
      digest: 'sha256:m',
      uploadedBytes: 0,
      uploadedBlobs: 0,
      existingBlobs: 1,
      mountedBlobs: 1,
    }),
  );
  assert.deepEqual(list[0]!.summary, { type: 'push', uploadedBytes: 0, uploadedBlobs: 0, existingBlobs: 1, mountedBlobs: 1 });
  assert.deepEqual(totals(list[0]!), { done: 7, total: 7 });
  assert.equal(movedBytes(list[0]!), 0, 'a mounted blob moves no bytes');
  assert.equal(list[0]!.startedAt, null, 'no timing without a time');

  const other = '0d1c7a53-5d2c-4c43-9d1e-0a1b2c3d4e5f';
  list = reduceTransfers(list, { event: 'transferStarted', payload: { transferId: other, kind: 'load', ref: '/tmp/a.tar' } });
  assert.deepEqual(
    list.map((t) => t.id),
    [other, id],
    'newest first',
  );
  list = reduceTransfers(list, {
    event: 'transferEnded',
    payload: {
      transferId: other,
      kind: 'load',
      ref: '/tmp/a.tar',
      digest: null,
      error: { code: 'ECANCELLED', message: 'Cancelled.', detail: null },
    },
  });
  assert.equal(list[0]!.status, 'failed');
  assert.equal(isCancelled(list[0]!), true);
  assert.equal(isCancelled(list[1]!), false);
});

test('a burst then a pause reads lower as the pause lasts, then stalled', () => {
  let list = reduceTransfers([], progress(0, moving('sha256:1', 0)));
  list = reduceTransfers(list, progress(100, moving('sha256:1', 1_000_000)));
  assert.equal(throughput(list[0]!, 100), null, 'too short to tell');
  assert.equal(throughput(list[0]!, 500), 2_000_000);
  assert.equal(throughput(list[0]!, 2000), 500_000);
  assert.equal(throughput(list[0]!, 100 + STALL_MS), 0);
});

test('the mirror that served a pull is kept from its resolved event; the primary leaves it null', () => {
  const resolved = (mirror?: string): TransferEvent => ({
    type: 'resolved',
    ref: 'example.com/a:1',
    digest: `sha256:${'f'.repeat(64)}`,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    platforms: [],
    sparse: false,
    endpoint: 'https://mirror.example.net',
    ...(mirror ? { mirror } : {}),
  });
  let list = reduceTransfers([], { event: 'transferStarted', payload: { transferId: id, kind: 'pull', ref: 'example.com/a:1' } });
  assert.equal(list[0]!.mirror, null);
  list = reduceTransfers(list, {
    event: 'transferProgress',
    payload: { transferId: id, events: [{ type: 'resolving', ref: 'example.com/a:1' }, resolved('mirror.example.net/cache')] },
  });
  assert.equal(list[0]!.mirror, 'mirror.example.net/cache');
  list = reduceTransfers(list, { event: 'transferProgress', payload: { transferId: id, events: [blob('sha256:1', 'done', 1, 1)] } });
  list = reduceTransfers(list, {
    event: 'transferEnded',
    payload: { transferId: id, kind: 'pull', ref: 'example.com/a:1', digest: `sha256:${'f'.repeat(64)}`, error: null },
  });
  assert.equal(list[0]!.mirror, 'mirror.example.net/cache', 'kept once the pull is done');

  const other = reduceTransfers([], { event: 'transferProgress', payload: { transferId: id, events: [resolved()] } });
  assert.equal(other[0]!.mirror, null);
});
