import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDispatcher } from './dispatch.ts';
import { fakeEngine } from '../test/fixtures/fake-handlers.ts';

const quiet = () => undefined;

test('input that fails the schema is rejected with EINVALID and the engine is never called', async () => {
  const engine = fakeEngine();
  const dispatch = createDispatcher(engine.handlers, quiet);
  const bad: Array<[string, unknown]> = [
    ['pull', undefined],
    ['pull', { ref: 42 }],
    ['pull', { ref: '' }],
    ['pull', { ref: 'alpine', platform: 'not a platform' }],
    ['pull', { ref: 'alpine', platform: 'linux/arm64', allPlatforms: true }],
    ['pull', { ref: 'alpine', extra: 'field' }],
    ['pull', { ref: 'x'.repeat(2000) }],
    ['removeImages', { refs: [] }],
    ['removeImages', { refs: 'alpine' }],
    ['cancelTransfer', { transferId: '../../etc/passwd' }],
    ['listImages', { unexpected: true }],
    ['tag', ['a', 'b']],
    ['inspectImage', null],
  ];
  for (const [call, input] of bad) {
    const r = await dispatch(call, input);
    assert.equal(r.ok, false, `${call} ${JSON.stringify(input)}`);
    if (!r.ok) {
      assert.equal(r.error.code, 'EINVALID', `${call} ${JSON.stringify(input)}`);
      assert.match(r.error.message, new RegExp(`^Invalid input for ${call}: .+`));
      assert.ok(Array.isArray(r.error.detail?.issues));
    }
  }
  assert.deepEqual(engine.calls, []);
});

test('the message names the field and what is wrong with it', async () => {
  const r = await createDispatcher(fakeEngine().handlers, quiet)('pull', { ref: 42 });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.error.message, /ref: ref must be a string/);
    assert.deepEqual(r.error.detail?.issues, [{ path: 'ref', message: 'ref must be a string' }]);
  }
});

test('an unknown call is EUSAGE, including names inherited from Object', async () => {
  const engine = fakeEngine();
  const dispatch = createDispatcher(engine.handlers, quiet);
  for (const call of ['deleteEverything', 'constructor', '__proto__', 'toString', 42, null]) {
    const r = await dispatch(call, undefined);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'EUSAGE');
  }
  assert.deepEqual(engine.calls, []);
});

test('valid input reaches the handler once, as validated', async () => {
  const engine = fakeEngine();
  const dispatch = createDispatcher(engine.handlers, quiet);
  assert.deepEqual(await dispatch('listImages', undefined), { ok: true, value: [] });
  const r = await dispatch('pull', { ref: 'alpine:3.20', platform: 'linux/arm64/v8' });
  assert.equal(r.ok, true);
  assert.deepEqual(engine.calls, [
    { call: 'listImages', input: undefined },
    { call: 'pull', input: { ref: 'alpine:3.20', platform: 'linux/arm64/v8' } },
  ]);
});

test('engine errors cross as {code, message, detail}; anything else is EINTERNAL', async () => {
  const logged: unknown[] = [];
  const dispatch = createDispatcher(fakeEngine().handlers, (_m, e) => logged.push(e));
  assert.deepEqual(await dispatch('inspectImage', { ref: 'nope' }), {
    ok: false,
    error: { code: 'ENOT_FOUND', message: 'No image named nope in the store.', detail: { input: 'nope' } },
  });
  const r = await dispatch('removeImages', { refs: ['a'] });
  assert.deepEqual(r, { ok: false, error: { code: 'EINTERNAL', message: 'boom', detail: { name: 'TypeError' } } });
  assert.equal(logged.length, 1, 'unexpected errors are logged on the main side');
});
