import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventHub } from './events.ts';

test('connected windows and tabs are counted; each goes once however often it says so', () => {
  const hub = new EventHub();
  const counts: number[] = [];
  const off = hub.onClients((n) => counts.push(n));
  const tab = hub.connected();
  const win = hub.connected();
  tab();
  tab();
  win();
  assert.deepEqual(counts, [1, 2, 1, 0]);
  off();
  hub.connected();
  assert.deepEqual(counts, [1, 2, 1, 0], 'a listener that stopped hears nothing');
});

test('a failing clients listener does not stop the others', () => {
  const hub = new EventHub();
  const seen: number[] = [];
  const error = console.error;
  console.error = () => undefined;
  try {
    hub.onClients(() => {
      throw new Error('boom');
    });
    hub.onClients((n) => seen.push(n));
    hub.connected();
  } finally {
    console.error = error;
  }
  assert.deepEqual(seen, [1]);
});
