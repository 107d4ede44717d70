import { test } from 'vitest';
import assert from 'node:assert/strict';
import { reduceTransfers, totals, type TransferAction, type TransferView } from './transfer-model.ts';

const id = '6f1c7a53-5d2c-4c43-9d1e-0a1b2c3d4e5f';
const blob = (digest: string, state: 'downloading' | 'done' | 'exists', done: number, total: number) => ({ type: 'blob' as const, digest, kind: 'layer' as const, state, done, total });

test('a pull folds into one row: progress, then done with its bytes', () => {
  const actions: TransferAction[] = [
    { event: 'transferStarted', payload: { transferId: id, kind: 'pull', ref: 'example.com/a:1' } },
    { event: 'transferProgress', payload: { transferId: id, events: [{ type: 'resolving', ref: 'example.com/a:1' }, blob('sha256:1', 'downloading', 10, 100), blob('sha256:2', 'exists', 0, 50)] } },
  ];
  let list: TransferView[] = actions.reduce(reduceTransfers, []);
  assert.equal(list.length, 1);
  assert.equal(list[0]!.status, 'running');
  assert.deepEqual(totals(list[0]!), { done: 60, total: 150 });
  list = reduceTransfers(list, { event: 'transferProgress', payload: { transferId: id, events: [blob('sha256:1', 'done', 100, 100)] } });
  list = reduceTransfers(list, { event: 'transferEnded', payload: { transferId: id, kind: 'pull', ref: 'example.com/a:1', digest: 'sha256:f', error: null } });
  assert.equal(list[0]!.status, 'done');
  assert.deepEqual(totals(list[0]!), { done: 150, total: 150 });
});

test('a failure keeps the error; progress for a transfer never announced still shows', () => {
  let list = reduceTransfers([], { event: 'transferProgress', payload: { transferId: id, events: [blob('sha256:1', 'downloading', 1, 2)] } });
  assert.equal(list[0]!.ref, '…');
  list = reduceTransfers(list, { event: 'transferEnded', payload: { transferId: id, kind: 'pull', ref: 'example.com/a:1', digest: null, error: { code: 'ENOT_FOUND', message: 'gone', detail: null } } });
  assert.equal(list[0]!.status, 'failed');
  assert.equal(list[0]!.error?.code, 'ENOT_FOUND');
  assert.equal(list[0]!.ref, 'example.com/a:1');
});
