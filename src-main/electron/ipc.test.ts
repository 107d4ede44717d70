import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CALL_NAMES, callChannel, eventChannel } from '../../src-shared/ipc/contract.ts';
import { createDispatcher } from '../host/dispatch.ts';
import { EventHub } from '../host/events.ts';
import { fakeEngine } from '../test/fixtures/fake-handlers.ts';
import { appFrameOnly, forwardEvents, registerCalls, type IpcMainLike } from './ipc.ts';

const APP = 'file:///opt/Deckhand/resources/app.asar/dist/renderer/index.html';

type Listener = Parameters<IpcMainLike['handle']>[1];

function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  const ipc: IpcMainLike = {
    handle: (channel, l) => void handlers.set(channel, l),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  return { ipc, handlers };
}

/** An invoke event as Electron builds it: the sending frame and its web contents' main frame. */
function eventFrom(url: string | null, { subframe = false } = {}) {
  const mainFrame = { url: url ?? '' };
  const senderFrame = url === null ? null : subframe ? { url } : mainFrame;
  return { senderFrame, sender: { mainFrame } } as unknown as Parameters<Listener>[0];
}

function setup() {
  const engine = fakeEngine();
  const { ipc, handlers } = fakeIpcMain();
  const logs: string[] = [];
  registerCalls(
    ipc,
    createDispatcher(engine.handlers, () => undefined),
    appFrameOnly(APP),
    (m) => logs.push(m),
  );
  const invoke = (event: Parameters<Listener>[0], channel: string, ...args: unknown[]) => handlers.get(channel)!(event, ...args);
  return { engine, handlers, invoke, logs };
}

test('one handler per call, on the channel derived from the contract', () => {
  const { handlers } = setup();
  assert.deepEqual([...handlers.keys()].sort(), CALL_NAMES.map(callChannel).sort());
});

test('a message from a foreign sender is dropped: the engine is never called', async () => {
  const { engine, invoke, logs } = setup();
  const foreign = [
    eventFrom('https://evil.example/'),
    eventFrom('file:///tmp/other.html'),
    eventFrom(APP, { subframe: true }),
    eventFrom(null),
    eventFrom('devtools://devtools/bundled/inspector.html'),
  ];
  for (const event of foreign) {
    const r = await invoke(event, callChannel('pull'), { ref: 'alpine' });
    assert.deepEqual(r, { ok: false, error: { code: 'EFORBIDDEN', message: 'This frame may not call Deckhand.', detail: null } });
  }
  assert.deepEqual(engine.calls, []);
  assert.equal(logs.length, foreign.length);
});

test('the app frame is served; a payload failing the schema never reaches the engine', async () => {
  const { engine, invoke } = setup();
  assert.deepEqual(await invoke(eventFrom(APP), callChannel('listImages')), { ok: true, value: [] });
  const bad = (await invoke(eventFrom(`${APP}#/images`), callChannel('pull'), { ref: ['alpine'] })) as {
    ok: boolean;
    error: { code: string };
  };
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, 'EINVALID');
  const extra = (await invoke(eventFrom(APP), callChannel('pull'), { ref: 'alpine' }, 'smuggled')) as {
    ok: boolean;
    error: { code: string };
  };
  assert.equal(extra.error.code, 'EINVALID');
  assert.deepEqual(engine.calls, [{ call: 'listImages', input: undefined }]);
});

test('events go to every live app window on the derived channel', () => {
  const hub = new EventHub();
  const sent: Array<[string, unknown]> = [];
  const live = { send: (c: string, p: unknown) => void sent.push([c, p]), isDestroyed: () => false };
  const dead = { send: () => assert.fail('sent to a destroyed window'), isDestroyed: () => true };
  const stop = forwardEvents(hub, () => [live, dead]);
  hub.emit('storeChanged', { reason: 'pull' });
  stop();
  hub.emit('storeChanged', { reason: 'tag' });
  assert.deepEqual(sent, [[eventChannel('storeChanged'), { reason: 'pull' }]]);
});
