import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CALL_NAMES,
  CALLS,
  EVENT_NAMES,
  EVENTS,
  callChannel,
  eventChannel,
  type CallName,
  type CallResult,
  type EventName,
} from './contract.ts';
import { CallError, clientApi, rawApi } from './proxy.ts';
import { checkCall, checkEvent } from './validate.ts';

test('every call and event has its own channel, derived from its name', () => {
  const channels = [...CALL_NAMES.map(callChannel), ...EVENT_NAMES.map(eventChannel)];
  assert.equal(new Set(channels).size, channels.length);
  assert.deepEqual(CALL_NAMES, Object.keys(CALLS));
  assert.deepEqual(EVENT_NAMES, Object.keys(EVENTS));
});

test('inputs are checked strictly: unknown fields and wrong types fail', () => {
  assert.equal(checkCall('pull', { ref: 'alpine' }).ok, true);
  assert.equal(checkCall('pull', { ref: 'alpine', allPlatforms: true }).ok, true);
  assert.equal(checkCall('pull', { ref: 'alpine', allPlatforms: 'yes' }).ok, false);
  assert.equal(checkCall('listImages', undefined).ok, true);
  assert.equal(checkCall('listImages', {}).ok, true);
  assert.equal(checkCall('tag', { source: 'a', target: 'b', force: true }).ok, false);
});

test('manifest list calls: images, changes by full digest and os/arch[/variant], a digest to create', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  assert.equal(checkCall('previewManifestList', { images: ['a:1', 'b:1'] }).ok, true);
  assert.equal(
    checkCall('previewManifestList', { images: ['a:1'], changes: [{ digest, platform: 'linux/arm/v7', features: ['sse4'] }] }).ok,
    true,
  );
  assert.equal(checkCall('previewManifestList', { images: [] }).ok, false);
  assert.equal(checkCall('previewManifestList', { images: ['a'], changes: [{ digest: 'sha256:abc' }] }).ok, false);
  assert.equal(checkCall('previewManifestList', { images: ['a'], changes: [{ digest, platform: 'linux' }] }).ok, false);
  assert.equal(checkCall('previewManifestList', { images: ['a'], changes: [{ digest, os: 'linux' }] }).ok, false);
  assert.equal(checkCall('createManifestList', { images: ['a'], name: 'list:1', digest }).ok, true);
  assert.equal(checkCall('createManifestList', { images: ['a'], name: 'list:1' }).ok, false);
});

test('events are checked too: a transfer event of an unknown type fails', () => {
  const transferId = '6f1c7a53-5d2c-4c43-9d1e-0a1b2c3d4e5f';
  assert.equal(
    checkEvent('transferProgress', {
      transferId,
      events: [{ type: 'blob', digest: 'sha256:a', kind: 'layer', state: 'done', done: 1, total: 1 }],
    }).ok,
    true,
  );
  assert.equal(
    checkEvent('transferProgress', {
      transferId,
      events: [{ type: 'blob', digest: 'sha256:a', kind: 'layer', state: 'melting', done: 1, total: 1 }],
    }).ok,
    false,
  );
  assert.equal(checkEvent('transferProgress', { transferId, events: [{ type: 'explode' }] }).ok, false);
  assert.equal(checkEvent('storeChanged', { reason: 'pull', extra: 1 }).ok, false);
});

test('a transport round trip: values come back, errors keep their code and detail, bad events never reach listeners', async () => {
  const listeners = new Map<EventName, (p: unknown) => void>();
  const invoked: Array<[CallName, unknown]> = [];
  const raw = rawApi(
    async (call, input): Promise<CallResult<unknown>> => {
      invoked.push([call, input]);
      if (call === 'inspectImage')
        return { ok: false, error: { code: 'ENOT_FOUND', message: 'No image named x.', detail: { input: 'x' } } };
      return { ok: true, value: [] };
    },
    (event, listener) => (listeners.set(event, listener), () => listeners.delete(event)),
  );
  const problems: string[] = [];
  const api = clientApi(raw, (m) => problems.push(m));
  assert.deepEqual(await api.listImages(), []);
  await assert.rejects(
    api.inspectImage({ ref: 'x' }),
    (e: unknown) => e instanceof CallError && e.code === 'ENOT_FOUND' && e.detail?.input === 'x' && e.message === 'No image named x.',
  );
  assert.deepEqual(invoked, [
    ['listImages', undefined],
    ['inspectImage', { ref: 'x' }],
  ]);

  const got: unknown[] = [];
  const off = api.on('storeChanged', (p) => got.push(p));
  listeners.get('storeChanged')!({ reason: 'pull' });
  listeners.get('storeChanged')!({ reason: 42 });
  assert.deepEqual(got, [{ reason: 'pull' }]);
  assert.equal(problems.length, 1);
  off();
  assert.equal(listeners.size, 0);
  assert.throws(() => raw.on('nope' as EventName, () => undefined), TypeError);
});

test('sources: the image calls take an optional engine name, omitted for the store; a prune run takes only its plan', () => {
  const engine = 'docker (desktop-linux)';
  for (const call of ['listImages', 'diskUsage', 'layerForest'] as const) {
    assert.equal(checkCall(call, undefined).ok, true, call);
    assert.equal(checkCall(call, { source: engine }).ok, true, call);
  }
  for (const call of ['inspectImage', 'imageTree', 'whatRequires'] as const) {
    assert.equal(checkCall(call, { ref: 'app:1' }).ok, true, call);
    assert.equal(checkCall(call, { ref: 'app:1', source: engine }).ok, true, call);
  }
  assert.equal(checkCall('removeImages', { refs: ['app:1'], source: engine }).ok, true);
  assert.equal(checkCall('planPrune', { all: true, source: 'podman (podman-machine-default)' }).ok, true);
  assert.equal(checkCall('runPrune', { planId: '6f1c7a53-5d2c-4c43-9d1e-0a1b2c3d4e5f', source: engine }).ok, false);

  const empty = checkCall('listImages', { source: '' });
  assert.equal(empty.ok, false);
  if (!empty.ok) assert.match(empty.error.message, /source is empty: omit it for the store/);
  const wrong = checkCall('diskUsage', { source: 42 });
  assert.equal(wrong.ok, false);
  if (!wrong.ok) assert.match(wrong.error.message, /source must be an engine name/);
});

test('imageLayers takes a ref and an optional os/arch[/variant] platform and source', () => {
  assert.equal(checkCall('imageLayers', { ref: 'app:1' }).ok, true);
  assert.equal(checkCall('imageLayers', { ref: 'app:1', platform: 'linux/arm64/v8' }).ok, true);
  assert.equal(checkCall('imageLayers', { ref: '' }).ok, false);
  const bad = checkCall('imageLayers', { ref: 'app:1', platform: 'arm64' });
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.match(bad.error.message, /os\/arch/);
  assert.equal(checkCall('imageLayers', { ref: 'app:1', source: 'docker' }).ok, true);
  assert.equal(checkCall('imageLayers', { ref: 'app:1', source: '' }).ok, false);
});

test('listEngines takes nothing or a refresh flag; engine events carry the engine name, enginesChanged nothing', () => {
  assert.equal(checkCall('listEngines', undefined).ok, true);
  assert.equal(checkCall('listEngines', { refresh: true }).ok, true);
  assert.equal(checkCall('listEngines', { refresh: 'yes' }).ok, false);
  assert.equal(checkCall('listEngines', { name: 'docker' }).ok, false);
  assert.equal(checkEvent('engineChanged', { source: 'docker' }).ok, true);
  assert.equal(checkEvent('engineChanged', {}).ok, false);
  assert.equal(checkEvent('enginesChanged', {}).ok, true);
  assert.equal(checkEvent('enginesChanged', { extra: 1 }).ok, false);
});

test('checkFreshness takes nothing, refs and force; freshnessChanged carries whole results with a known state', () => {
  assert.equal(checkCall('checkFreshness', undefined).ok, true);
  assert.equal(checkCall('checkFreshness', { refs: ['docker.io/library/nginx:1.25'], force: true }).ok, true);
  assert.equal(checkCall('checkFreshness', { refs: [''] }).ok, false);
  assert.equal(checkCall('checkFreshness', { refs: 'nginx' }).ok, false);
  assert.equal(checkCall('checkFreshness', { headOnly: true }).ok, false);
  const result = {
    reference: 'docker.io/library/nginx:1.25',
    localDigest: `sha256:${'a'.repeat(64)}`,
    remoteDigest: `sha256:${'b'.repeat(64)}`,
    state: 'stale',
    reason: 'The tag moved.',
    checkedAt: '2026-11-30T10:00:00.000Z',
    ratelimitRemaining: '97;w=21600',
    retryAfterSeconds: null,
    indexFetched: false,
    endpoint: 'https://registry-1.docker.io',
  };
  assert.equal(checkEvent('freshnessChanged', { results: [result] }).ok, true);
  assert.equal(checkEvent('freshnessChanged', { results: [{ ...result, state: 'old' }] }).ok, false);
  const { reason: _reason, ...withoutReason } = result;
  assert.equal(checkEvent('freshnessChanged', { results: [withoutReason] }).ok, false);
});

test('layer analyses: a source and a request id (a UUID) are accepted, progress events are checked', () => {
  const requestId = '6f1c7a53-5d2c-4c43-9d1e-0a1b2c3d4e5f';
  assert.equal(checkCall('imageLayers', { ref: 'app:1', source: 'docker', requestId }).ok, true);
  assert.equal(checkCall('imageLayers', { ref: 'app:1', requestId: 'one' }).ok, false);
  assert.equal(checkCall('imageEfficiency', { ref: 'app:1', platform: 'linux/arm64' }).ok, true);
  assert.equal(checkCall('imageEfficiency', { ref: 'app:1', files: true }).ok, false);
  assert.equal(checkCall('cancelAnalysis', { requestId }).ok, true);
  assert.equal(checkCall('cancelAnalysis', {}).ok, false);
  assert.equal(checkEvent('layersProgress', { requestId, ref: 'app:1', index: 0, layers: 3, cached: true }).ok, true);
  assert.equal(checkEvent('layersProgress', { requestId, ref: 'app:1', index: -1, layers: 3, cached: true }).ok, false);
});
