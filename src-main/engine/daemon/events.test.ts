/**
 * The event stream: old (`status`/`id`) and new (`Action`/`Actor`) shapes, objects split across
 * and within chunks, and reconnecting after a drop from the last event's time without repeating it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { parseEvent, readEvents, splitJsonObjects } from './events.ts';
import type { EngineEvent } from './types.ts';

test('old and new event shapes read alike', () => {
  assert.deepEqual(parseEvent({ status: 'untag', id: 'sha256:abc', time: 1700000000 }), {
    type: 'image',
    action: 'untag',
    id: 'sha256:abc',
    time: 1700000000000,
  });
  assert.deepEqual(parseEvent({ status: 'create', id: 'c1', from: 'app:1', time: 1 }), {
    type: 'container',
    action: 'create',
    id: 'c1',
    time: 1000,
  });
  assert.deepEqual(
    parseEvent({ Type: 'image', Action: 'delete', Actor: { ID: 'sha256:def', Attributes: {} }, time: 2, timeNano: 2_500_000_000 }),
    { type: 'image', action: 'delete', id: 'sha256:def', time: 2500 },
  );
  assert.equal(parseEvent({ hello: 1 }), null);
  assert.equal(parseEvent('text'), null);
});

test('JSON objects are split whether or not newlines separate them, and a partial one waits', () => {
  const { objects, rest } = splitJsonObjects('{"a":"}{"}{"b":{"c":1}}\n{"d":');
  assert.deepEqual(objects, ['{"a":"}{"}', '{"b":{"c":1}}']);
  assert.equal(rest, '{"d":');
});

function stream(chunks: string[]): IncomingMessage {
  return Readable.from(chunks.map((c) => Buffer.from(c))) as unknown as IncomingMessage;
}

test('a dropped stream is asked again from the last event’s second, and events seen are not repeated', async () => {
  const asked: Array<number | null> = [];
  const e1 = { Type: 'image', Action: 'pull', Actor: { ID: 'a' }, time: 100, timeNano: 100_000_000_001 };
  const e2 = { Type: 'image', Action: 'tag', Actor: { ID: 'b' }, time: 100, timeNano: 100_000_000_002 };
  const e3 = { status: 'delete', id: 'c', time: 101, timeNano: 101_000_000_000 };
  const answers = [
    () => stream([JSON.stringify(e1).slice(0, 10), `${JSON.stringify(e1).slice(10)}\n`, JSON.stringify(e2)]),
    () => {
      throw new Error('connection refused');
    },
    // After the drop: the engine repeats the second's events; only e3 is new.
    () => stream([`${JSON.stringify(e1)}\n${JSON.stringify(e2)}\n${JSON.stringify(e3)}\n`]),
  ];
  const controller = new AbortController();
  const got: EngineEvent[] = [];
  const drops: unknown[] = [];
  await readEvents(
    {
      eventStream: async (_signal, since) => {
        asked.push(since);
        const next = answers.shift();
        if (!next) {
          controller.abort();
          throw new Error('done');
        }
        return next();
      },
    },
    (e) => got.push(e),
    controller.signal,
    { firstPauseMs: 1, maxPauseMs: 4, onDrop: (e) => drops.push(e) },
  );
  assert.deepEqual(
    got.map((e) => `${e.action} ${e.id}`),
    ['pull a', 'tag b', 'delete c'],
  );
  assert.equal(asked[0], null, 'from now on at first');
  assert.deepEqual(asked.slice(1, 3), [100, 100], 'then from the last event’s second');
  assert.equal(drops.length, 3, 'the end of the first stream, the refusal, the end of the third');
});
