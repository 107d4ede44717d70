import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeckhandError } from '../../src-shared/errors.ts';
import { engineRow, engineStatus, fakeEngineApi, type FakeEngineApi } from '../test/fixtures/fake-engine-api.ts';
import { createDispatcher } from './dispatch.ts';
import { EngineSources, type FoundEngine } from './engines.ts';
import { EventHub, type HostEvent } from './events.ts';
import { engineHandlers, type HostContext } from './handlers.ts';
import { createHost } from './host.ts';

const DOCKER = 'docker (desktop-linux)';
const PODMAN = 'podman (podman-machine-default)';
const APP = `sha256:${'a'.repeat(64)}`;
const OLD = `sha256:${'b'.repeat(64)}`;

/** Waits until `check` holds (events arrive after a debounce); fails with `what` when it never does. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), `never happened: ${what}`);
}

function setup(opts: { podmanDown?: boolean; recheckMs?: number } = {}) {
  const docker = fakeEngineApi(DOCKER, 'docker', [engineRow('app:1', APP, 5_000_000, ['web']), engineRow('old:1', OLD, 2_000_000)]);
  const podman = fakeEngineApi(PODMAN, 'podman', []);
  let found: FoundEngine[] = [
    { status: engineStatus(DOCKER, 'docker', { isDefault: true }), engine: docker },
    opts.podmanDown
      ? {
          status: engineStatus(PODMAN, 'podman', {
            reachable: false,
            version: null,
            error: 'unix:///run/podman.sock: nothing answers (is the Podman machine running? podman machine start)',
          }),
          engine: null,
        }
      : { status: engineStatus(PODMAN, 'podman'), engine: podman },
  ];
  let discoveries = 0;
  const events = new EventHub();
  const seen: HostEvent[] = [];
  events.subscribe((e) => seen.push(e));
  const engines = new EngineSources(
    async () => {
      discoveries++;
      return found;
    },
    events,
    { debounceMs: 10, rewatchMs: 10, cacheMs: 60_000, recheckMs: opts.recheckMs ?? 60_000 },
  );
  const storeCalls: string[] = [];
  const ctx = {
    engines,
    // The store's side is not what these tests are about: any use of it is recorded and fails.
    graph: () => (storeCalls.push('graph'), Promise.reject(new Error('the store was asked'))),
    store: () => (storeCalls.push('store'), Promise.reject(new Error('the store was asked'))),
    storeChanged: (reason: string) => storeCalls.push(`storeChanged:${reason}`),
  } as unknown as HostContext;
  const dispatch = createDispatcher(engineHandlers(ctx));
  return {
    docker,
    podman,
    engines,
    events,
    seen,
    dispatch,
    storeCalls,
    discoveries: () => discoveries,
    setFound: (f: FoundEngine[]) => (found = f),
  };
}

test('listEngines answers from discovery, cached until a refresh; calls with a source go to that engine only', async () => {
  const t = setup({ podmanDown: true });
  try {
    const listed = await t.dispatch('listEngines', undefined);
    assert.ok(listed.ok);
    assert.deepEqual(
      (listed.value as Array<{ name: string; reachable: boolean }>).map((e) => [e.name, e.reachable]),
      [
        [DOCKER, true],
        [PODMAN, false],
      ],
    );
    await t.dispatch('listEngines', {});
    assert.equal(t.discoveries(), 1);
    await t.dispatch('listEngines', { refresh: true });
    assert.equal(t.discoveries(), 2);

    const images = await t.dispatch('listImages', { source: DOCKER });
    assert.ok(images.ok);
    assert.deepEqual(
      (images.value as Array<{ name: string; containerNames?: string[] }>).map((r) => [r.name, r.containerNames]),
      [
        ['app:1', ['web']],
        ['old:1', []],
      ],
    );
    const details = await t.dispatch('inspectImage', { ref: 'app:1', source: DOCKER });
    assert.equal(details.ok && (details.value as { digest: string }).digest, APP);
    const df = await t.dispatch('diskUsage', { source: DOCKER });
    assert.equal(df.ok && (df.value as { totalBytes: number }).totalBytes, 7_000_000);
    assert.ok((await t.dispatch('imageTree', { ref: 'old:1', source: DOCKER })).ok);
    assert.ok((await t.dispatch('layerForest', { source: DOCKER })).ok);
    assert.deepEqual(
      t.docker.calls.map((c) => c.call),
      ['images', 'inspect', 'usage', 'tree', 'layerForest'],
    );
    assert.deepEqual(t.storeCalls, []);
  } finally {
    t.engines.close();
  }
});

test('an unreachable engine fails with its reason; an unknown name lists the engines found; the others still answer', async () => {
  const t = setup({ podmanDown: true });
  try {
    const down = await t.dispatch('listImages', { source: PODMAN });
    assert.equal(down.ok, false);
    if (!down.ok) {
      assert.equal(down.error.code, 'EENGINE');
      assert.match(down.error.message, /nothing answers \(is the Podman machine running/);
    }
    const unknown = await t.dispatch('diskUsage', { source: 'docker (colima)' });
    assert.equal(unknown.ok, false);
    if (!unknown.ok) {
      assert.equal(unknown.error.code, 'EENGINE');
      assert.match(unknown.error.message, /No engine named docker \(colima\).*docker \(desktop-linux\), podman/);
    }
    assert.ok((await t.dispatch('listImages', { source: DOCKER })).ok);
  } finally {
    t.engines.close();
  }
});

test('removing an image a container uses is refused as the engine refuses it: EIN_USE naming the containers; never forced', async () => {
  const t = setup();
  try {
    const refused = await t.dispatch('removeImages', { refs: ['app:1'], source: DOCKER });
    assert.equal(refused.ok, false);
    if (!refused.ok) {
      assert.equal(refused.error.code, 'EIN_USE');
      assert.match(refused.error.message, /app:1 is used by container web/);
      assert.deepEqual(refused.error.detail?.containers, ['web']);
    }
    const forced = await t.dispatch('removeImages', { refs: ['app:1'], source: DOCKER, force: true });
    assert.equal(!forced.ok && forced.error.code, 'EUSAGE');
    assert.equal(t.docker.calls.filter((c) => c.call === 'remove').length, 1, 'a forced removal never reaches the engine');

    const removed = await t.dispatch('removeImages', { refs: ['old:1'], source: DOCKER });
    assert.deepEqual(removed.ok && removed.value, {
      removed: ['old:1'],
      deleted: [{ digest: OLD, size: 2_000_000 }],
      freedBytes: 2_000_000,
    });
    // The views of that engine are told at once, not only when its event stream says so.
    await until(() => t.seen.some((e) => e.event === 'engineChanged'), 'engineChanged after a removal');
    assert.deepEqual(
      t.seen.filter((e) => e.event === 'engineChanged'),
      [{ event: 'engineChanged', payload: { source: DOCKER } }],
    );
    assert.deepEqual(t.storeCalls, []);
  } finally {
    t.engines.close();
  }
});

test("a prune plan keeps its source: runPrune runs the engine's plan there and reports the engine's result", async () => {
  const t = setup();
  try {
    const planned = await t.dispatch('planPrune', { all: true, source: DOCKER });
    assert.ok(planned.ok);
    const plan = planned.value as { planId: string; images: Array<{ name: string }>; reclaimedBytes: number };
    assert.deepEqual(
      plan.images.map((i) => i.name),
      ['old:1'],
    );
    assert.equal(plan.reclaimedBytes, 2_000_000);
    const keepLast = await t.dispatch('planPrune', { keepLast: 2, source: DOCKER });
    assert.equal(!keepLast.ok && keepLast.error.code, 'EUSAGE');

    const ran = await t.dispatch('runPrune', { planId: plan.planId });
    assert.deepEqual(ran.ok && ran.value, {
      removedImages: ['old:1'],
      deletedBlobs: 0,
      deletedIngests: 0,
      freedBytes: 2_000_000,
      skipped: [],
    });
    const runs = t.docker.calls.filter((c) => c.call === 'runPrune');
    assert.equal(runs.length, 1);
    assert.equal('source' in (runs[0]!.input as object), false, 'the engine gets the plan as it made it');
    assert.deepEqual(t.storeCalls, []);
    const again = await t.dispatch('runPrune', { planId: plan.planId });
    assert.equal(!again.ok && again.error.code, 'ENOT_FOUND');
  } finally {
    t.engines.close();
  }
});

test('event streams are watched while a window is connected; bursts of engine events become one engineChanged', async () => {
  const t = setup();
  try {
    await t.engines.list();
    assert.equal(t.docker.watchers, 0, 'nobody is looking yet');
    const gone = t.engines.connect();
    await until(() => t.docker.watchers === 1 && t.podman.watchers === 1, 'both engines watched');

    for (let i = 0; i < 5; i++) t.docker.emit({ type: 'image', action: 'untag' });
    t.docker.emit({ type: 'network', action: 'connect' });
    await until(() => t.seen.some((e) => e.event === 'engineChanged'), 'engineChanged from the stream');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      t.seen.filter((e) => e.event === 'engineChanged'),
      [{ event: 'engineChanged', payload: { source: DOCKER } }],
    );

    gone();
    assert.equal(t.docker.watchers, 0);
    assert.equal(t.podman.watchers, 0);
  } finally {
    t.engines.close();
  }
});

test('an engine that stops and comes back: enginesChanged each time, and it is watched again once it answers', async () => {
  const t = setup();
  try {
    const gone = t.engines.connect();
    await until(() => t.podman.watchers === 1, 'podman watched');
    // The Podman machine stops: its stream ends, discovery finds it unreachable.
    t.setFound([
      { status: engineStatus(DOCKER, 'docker'), engine: t.docker },
      { status: engineStatus(PODMAN, 'podman', { reachable: false, error: 'stopped' }), engine: null },
    ]);
    t.podman.drop();
    await until(() => t.seen.some((e) => e.event === 'enginesChanged'), 'enginesChanged after the stop');
    const down = await t.dispatch('listImages', { source: PODMAN });
    assert.equal(!down.ok && down.error.code, 'EENGINE');
    assert.equal(t.docker.watchers, 1, "docker's stream is untouched");

    t.setFound([
      { status: engineStatus(DOCKER, 'docker'), engine: t.docker },
      { status: engineStatus(PODMAN, 'podman'), engine: t.podman },
    ]);
    await t.engines.list(true);
    await until(() => t.podman.watchers === 1, 'podman watched again');
    assert.equal(t.seen.filter((e) => e.event === 'enginesChanged').length, 2);
    assert.ok((await t.dispatch('listImages', { source: PODMAN })).ok);
    gone();
  } finally {
    t.engines.close();
  }
});

test('an EENGINE failure during a call looks for engines again, and the error reaches the caller unchanged', async () => {
  const t = setup();
  try {
    await t.engines.list();
    const failing = t.docker as FakeEngineApi;
    failing.usage = async () => {
      throw new DeckhandError('EENGINE', 'unix:///run/docker.sock: GET /v1.41/system/df failed: connection refused', {
        detail: { address: 'unix:///run/docker.sock' },
      });
    };
    const before = t.discoveries();
    const r = await t.dispatch('diskUsage', { source: DOCKER });
    assert.equal(!r.ok && r.error.code, 'EENGINE');
    assert.equal(!r.ok && r.error.message, 'unix:///run/docker.sock: GET /v1.41/system/df failed: connection refused');
    await until(() => t.discoveries() > before, 'a new discovery');
  } finally {
    t.engines.close();
  }
});

test('the host watches engines while a window or tab is connected, and answers listEngines from its discovery', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-engines-'));
  const docker = fakeEngineApi(DOCKER, 'docker', [engineRow('app:1', APP, 1000)]);
  const host = createHost({
    kind: 'web',
    storeDir: join(dir, 'store'),
    env: {},
    discoverEngines: async () => [{ status: engineStatus(DOCKER, 'docker'), engine: docker }],
  });
  try {
    const listed = await host.dispatch('listEngines', undefined);
    assert.deepEqual(listed.ok && (listed.value as Array<{ name: string }>).map((e) => e.name), [DOCKER]);
    assert.equal(docker.watchers, 0);
    const tabGone = host.events.connected();
    const windowGone = host.events.connected();
    await until(() => docker.watchers === 1, 'docker watched once for both');
    tabGone();
    assert.equal(docker.watchers, 1, 'still one window');
    windowGone();
    assert.equal(docker.watchers, 0);
    const rows = await host.dispatch('listImages', { source: DOCKER });
    assert.deepEqual(rows.ok && (rows.value as Array<{ name: string }>).map((r) => r.name), ['app:1']);
  } finally {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("an engine's calls run one at a time (Docker computes disk usage for one caller at a time); engines answer in parallel", async () => {
  const t = setup();
  try {
    let running = 0;
    let most = 0;
    const exclusive =
      <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
      async (...a: A): Promise<R> => {
        if (running > 0) throw new DeckhandError('EENGINE', 'GET /system/df failed with 500: a disk usage operation is already running');
        running++;
        most = Math.max(most, running);
        try {
          await new Promise((r) => setTimeout(r, 5));
          return await fn(...a);
        } finally {
          running--;
        }
      };
    t.docker.images = exclusive(t.docker.images.bind(t.docker));
    t.docker.usage = exclusive(t.docker.usage.bind(t.docker));
    t.docker.inspect = exclusive(t.docker.inspect.bind(t.docker));
    const answers = await Promise.all([
      t.dispatch('listImages', { source: DOCKER }),
      t.dispatch('diskUsage', { source: DOCKER }),
      t.dispatch('inspectImage', { ref: 'app:1', source: DOCKER }),
      t.dispatch('listImages', { source: PODMAN }),
    ]);
    assert.deepEqual(
      answers.map((a) => a.ok),
      [true, true, true, true],
    );
    assert.equal(most, 1);
    // A failed call does not hold up the next.
    const missing = await t.dispatch('inspectImage', { ref: 'nope:1', source: DOCKER });
    assert.equal(!missing.ok && missing.error.code, 'ENOT_FOUND');
    assert.ok((await t.dispatch('listImages', { source: DOCKER })).ok);
  } finally {
    t.engines.close();
  }
});

test('while a window is connected, discovery runs again now and then: an engine that stops shows as unreachable without a call failing', async () => {
  const t = setup({ recheckMs: 20 });
  try {
    await t.engines.list();
    const before = t.discoveries();
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(t.discoveries(), before, 'nobody is looking: no rechecks');
    const gone = t.engines.connect();
    t.setFound([
      { status: engineStatus(DOCKER, 'docker'), engine: t.docker },
      { status: engineStatus(PODMAN, 'podman', { reachable: false, error: 'the machine is stopped' }), engine: null },
    ]);
    await until(() => t.seen.some((e) => e.event === 'enginesChanged'), 'enginesChanged from a recheck');
    const listed = await t.engines.list();
    assert.deepEqual(
      listed.map((e) => [e.name, e.reachable]),
      [
        [DOCKER, true],
        [PODMAN, false],
      ],
    );
    gone();
    const after = t.discoveries();
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(t.discoveries() <= after + 1, 'rechecks stop once the last window goes');
  } finally {
    t.engines.close();
  }
});
