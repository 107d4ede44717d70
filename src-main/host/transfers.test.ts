import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeckhandError } from '../../src-shared/errors.ts';
import { EventHub, type HostEvent } from './events.ts';
import { TransferManager } from './transfers.ts';

function setup() {
  const hub = new EventHub();
  const seen: HostEvent[] = [];
  hub.subscribe((e) => seen.push(e));
  const ended = () => new Promise<void>((resolve) => hub.subscribe((e) => e.event === 'transferEnded' && resolve()));
  return { transfers: new TransferManager(hub, 10), seen, ended };
}

test('a transfer announces itself, batches its progress and ends with its digest', async () => {
  const { transfers, seen, ended } = setup();
  const done = ended();
  const { transferId } = transfers.start('pull', 'example.com/a:1', async (onEvent) => {
    onEvent({ type: 'resolving', ref: 'example.com/a:1' });
    onEvent({ type: 'blob', digest: 'sha256:aa', kind: 'layer', state: 'done', done: 5, total: 5 });
    return { digest: 'sha256:bb' };
  });
  assert.equal(seen[0]?.event, 'transferStarted', 'started is sent before the call returns');
  await done;
  assert.deepEqual(
    seen.map((e) => e.event),
    ['transferStarted', 'transferProgress', 'transferEnded'],
  );
  assert.deepEqual(seen[2]!.payload, { transferId, kind: 'pull', ref: 'example.com/a:1', digest: 'sha256:bb', error: null });
  assert.equal(transfers.size, 0);
});

test('a failure ends the transfer with the error as {code, message, detail}', async () => {
  const { transfers, seen, ended } = setup();
  const done = ended();
  transfers.start('push', 'example.com/a:1', async () => {
    throw new DeckhandError('EDENIED', 'No push access.', { detail: { repository: 'a' } });
  });
  await done;
  assert.deepEqual(seen.at(-1)!.payload, {
    transferId: (seen[0]!.payload as { transferId: string }).transferId,
    kind: 'push',
    ref: 'example.com/a:1',
    digest: null,
    error: { code: 'EDENIED', message: 'No push access.', detail: { repository: 'a' } },
  });
});

test('cancel aborts the running transfer; close waits for every transfer to end', async () => {
  const { transfers, seen } = setup();
  const untilAborted = (signal: AbortSignal, error: Error) =>
    new Promise<never>((_resolve, reject) => (signal.aborted ? reject(error) : signal.addEventListener('abort', () => reject(error))));
  const { transferId } = transfers.start('pull', 'example.com/a:1', (_onEvent, signal) =>
    untilAborted(signal, new DeckhandError('ECANCELLED', 'Pull cancelled.')),
  );
  transfers.start('pull', 'example.com/b:1', (_onEvent, signal) => untilAborted(signal, new Error('aborted')));
  assert.equal(transfers.cancel(transferId), true);
  assert.equal(transfers.cancel('00000000-0000-4000-8000-000000000000'), false);
  await transfers.close();
  const ends = seen.filter((e) => e.event === 'transferEnded').map((e) => (e.payload as { error: { code: string } }).error.code);
  // The second run threw a plain Error when aborted: it still ends as cancelled, not as an internal error.
  assert.deepEqual(ends, ['ECANCELLED', 'ECANCELLED']);
});

test('a cancelled transfer ends as cancelled, whatever its run threw on the way out', async () => {
  const { transfers, seen, ended } = setup();
  const done = ended();
  const aborted = () => Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
  const { transferId } = transfers.start(
    'save',
    '/tmp/a.tar',
    (_onEvent, signal) =>
      new Promise((_resolve, reject) => (signal.aborted ? reject(aborted()) : signal.addEventListener('abort', () => reject(aborted())))),
  );
  assert.equal(transfers.cancel(transferId), true);
  await done;
  const error = (seen.at(-1)!.payload as { error: { code: string; message: string } }).error;
  assert.equal(error.code, 'ECANCELLED');
  assert.equal(error.message, 'The save of /tmp/a.tar was cancelled.');
});
