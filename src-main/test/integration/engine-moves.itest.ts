/**
 * Moving images between real engines (Debian's dockerd and `podman system service`, each in its own
 * temp root), the store and a real registry: with the `deckhand copy docker-daemon:` forms, and
 * through the host's copy call as a background transfer. Images are built in the engine `FROM
 * scratch` with busybox, never downloaded; a missing engine fails the test.
 *
 * A small HTTP proxy on a unix socket stands between Deckhand and the engine where a test needs an
 * engine that misbehaves: an export with one byte flipped or cut short, or a slow export or load so
 * that a cancel lands in the middle of it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import type { TransferStarted } from '../../../src-shared/ipc/contract.ts';
import type { TransferEvent } from '../../../src-shared/transfer.ts';
import { createHost, type Host } from '../../host/host.ts';
import type { HostEvent } from '../../host/events.ts';
import { startDockerd, startPodman, type TestEngine } from '../fixtures/engines.ts';
import { startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { run, runCli, type CliResult } from '../fixtures/tools.ts';
import { copyWithEngines, engineNamed } from '../../engine/daemon/copy.ts';
import { Store } from '../../engine/store/layout.ts';
import { generateImage, generateIndex, writeOciLayout } from '../fixtures/images.ts';

let work: string;
let reg: TestRegistry;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'deckhand-engine-moves-'));
  reg = await startRegistry();
});

after(async () => {
  await reg?.stop();
  await rm(work, { recursive: true, force: true });
});

const cli = (args: string[]): Promise<CliResult> =>
  runCli(args, { env: { ...process.env, HOME: work, XDG_CONFIG_HOME: join(work, 'cfg'), DOCKER_CONFIG: join(work, 'docker-cfg') } });

const ok = (r: CliResult, what: string): string => {
  assert.equal(r.code, 0, `${what} failed:\n${r.stderr}`);
  return r.stdout.trim();
};

/** The stored entries of a store: its index.json's manifests (none when the store was never created). */
async function storedNames(store: string): Promise<string[]> {
  try {
    const index = JSON.parse(await readFile(join(store, 'index.json'), 'utf8')) as {
      manifests: Array<{ annotations?: Record<string, string> }>;
    };
    return index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name'] ?? '(unnamed)');
  } catch {
    return [];
  }
}

/** What is in the store's ingest area: partial blobs and spooled exports. */
async function ingestLeftovers(store: string): Promise<string[]> {
  return (await readdir(join(store, '.deckhand', 'ingest')).catch(() => [] as string[])).filter((n) => n.endsWith('.partial'));
}

const imageId = async (engine: TestEngine, name: string): Promise<string> =>
  (await engine.cli(['image', 'inspect', '--format', '{{.Id}}', name])).stdout.trim().replace(/^(?!sha256:)/, 'sha256:');

const hasImage = (engine: TestEngine, name: string): Promise<boolean> =>
  engine.cli(['image', 'inspect', name]).then(
    () => true,
    () => false,
  );

const DOCKERFILE = 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY data /data\nCMD ["/bin/busybox", "sh"]\n';

/** Flips one byte at `offset` of a stream, or cuts it off there. */
function damage(offset: number, how: 'flip' | 'cut'): Transform {
  let at = 0;
  return new Transform({
    transform(chunk: Buffer, _e, callback: TransformCallback) {
      const start = at;
      at += chunk.length;
      if (offset < start || offset >= at) return callback(null, chunk);
      if (how === 'cut') {
        this.push(chunk.subarray(0, offset - start));
        return callback(new Error('cut'));
      }
      const copy = Buffer.from(chunk);
      copy[offset - start] = copy[offset - start]! ^ 0xff;
      callback(null, copy);
    },
  });
}

/** Passes a stream on in 16 KiB pieces, `ms` apart: a slow engine, or a slow network to one. */
function slow(ms: number): Transform {
  return new Transform({
    transform(chunk: Buffer, _e, callback: TransformCallback) {
      void (async () => {
        for (let i = 0; i < chunk.length; i += 16_384) {
          await new Promise((r) => setTimeout(r, ms));
          this.push(chunk.subarray(i, i + 16_384));
        }
        callback();
      })();
    },
  });
}

interface Shape {
  /** The export's body (`GET /images/…/get`) passes through this. */
  exportBody?: () => Transform;
  /** A load's request body (`POST …/images/load`) passes through this on its way to the engine. */
  loadBody?: () => Transform;
}

/** An HTTP proxy on a unix socket in front of the engine's socket, shaping exports and loads. */
async function engineProxy(engine: TestEngine, shape: Shape): Promise<{ uri: string; close(): Promise<void> }> {
  const socket = join(await mkdtemp(join(tmpdir(), 'dkp-')), 'proxy.sock');
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    const isExport = req.method === 'GET' && /\/images\/.+\/get$/.test(path.split('?')[0]!);
    const isLoad = req.method === 'POST' && /\/images\/load$/.test(path.split('?')[0]!);
    const up = request({ socketPath: engine.socket, method: req.method, path, headers: req.headers }, (answer: IncomingMessage) => {
      const headers = { ...answer.headers };
      let body: NodeJS.ReadableStream = answer;
      if (isExport && shape.exportBody) {
        delete headers['content-length'];
        const t = shape.exportBody();
        t.on('error', () => res.destroy());
        body = answer.pipe(t);
      }
      res.writeHead(answer.statusCode ?? 502, headers);
      body.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.on('error', () => up.destroy());
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    if (isLoad && shape.loadBody) req.pipe(shape.loadBody()).pipe(up);
    else req.pipe(up);
    req.on('aborted', () => up.destroy());
    req.on('close', () => {
      if (!req.complete) up.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    uri: `unix://${socket}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A host on its own store, with its events recorded. */
function hostOn(storeDir: string): { host: Host; seen: HostEvent[] } {
  const seen: HostEvent[] = [];
  const host = createHost({
    kind: 'web',
    storeDir,
    env: { ...process.env, HOME: work, XDG_CONFIG_HOME: join(work, 'cfg'), DOCKER_CONFIG: join(work, 'docker-cfg') },
  });
  host.events.subscribe((e) => seen.push(e));
  return { host, seen };
}

async function startCopy(host: Host, input: Record<string, unknown>): Promise<string> {
  const r = await host.dispatch('copy', input);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return (r.value as TransferStarted).transferId;
}

/** Waits (bounded) for an event of the transfer that `match` accepts. */
async function waitForEvent(seen: HostEvent[], match: (e: HostEvent) => boolean, what: string, timeoutMs = 120_000): Promise<HostEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = seen.find(match);
    if (e) return e;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ended = (seen: HostEvent[], id: string) =>
  waitForEvent(seen, (e) => e.event === 'transferEnded' && e.payload.transferId === id, 'transferEnded') as Promise<
    Extract<HostEvent, { event: 'transferEnded' }>
  >;

const progressOf = (seen: HostEvent[], id: string): TransferEvent[] =>
  seen.flatMap((e) => (e.event === 'transferProgress' && e.payload.transferId === id ? e.payload.events : []));

const ENGINES: Array<[TestEngine['kind'], () => Promise<TestEngine>]> = [
  ['docker', startDockerd],
  ['podman', startPodman],
];

for (const [kind, start] of ENGINES) {
  describe(`${kind}: moves`, () => {
    let engine: TestEngine;
    let store: string;
    /** The image built in the engine, and its image ID there. */
    const name = `localhost/moves/${kind}-app:1`;
    let id: string;

    before(async () => {
      engine = await start();
      store = join(work, `${kind}-store`);
      await engine.build(name, DOCKERFILE, { data: randomBytes(300_000) });
      id = await imageId(engine, name);
    });

    after(async () => {
      await engine?.stop();
    });

    test('engine → store → registry → engine keeps the image ID; skopeo reads what was pushed', async () => {
      const fromEngine = ok(
        await cli(['--store', store, 'copy', '--src-daemon-host', engine.uri, `docker-daemon:${name}`, 'localhost/moves/stored:1']),
        'copy docker-daemon: → store',
      );
      assert.match(fromEngine, /^sha256:[0-9a-f]{64}$/);
      const listed = JSON.parse(ok(await cli(['--store', store, 'images', '--format', 'json']), 'images')) as Array<{
        name?: string;
        id?: string;
        digest?: string;
      }>;
      const row = listed.find((r) => r.digest === fromEngine);
      assert.ok(row, `the copied image is listed: ${JSON.stringify(listed)}`);
      assert.equal(row.id, id, 'the store holds the engine’s config bytes: the same image ID');
      assert.deepEqual(await ingestLeftovers(store), [], 'the spooled export is gone');
      // By image ID (docker-daemon:sha256:…): the same image, so the same manifest and digest.
      const byId = ok(
        await cli(['--store', store, 'copy', '--src-daemon-host', engine.uri, `docker-daemon:${id}`, 'localhost/moves/by-id:1']),
        'copy by ID',
      );
      assert.equal(byId, fromEngine);

      const remote = `${reg.host}/moves/${kind}-app:1`;
      const pushed = ok(await cli(['--store', store, 'push', '--tls-verify=false', 'localhost/moves/stored:1', remote]), 'push');
      assert.equal(pushed, fromEngine);
      const inspected = JSON.parse(
        (await run('skopeo', ['inspect', '--tls-verify=false', `docker://${remote}`], { timeoutMs: 60_000 })).stdout,
      ) as {
        Digest: string;
      };
      assert.equal(inspected.Digest, fromEngine);
      const raw = JSON.parse(
        (await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${remote}`], { timeoutMs: 60_000 })).stdout,
      ) as { config: { digest: string } };
      assert.equal(raw.config.digest, id, 'the pushed config is the engine’s');

      await engine.cli(['rmi', name]);
      assert.equal(await hasImage(engine, name), false);
      const back = ok(
        await cli([
          '--store',
          store,
          'copy',
          '--tls-verify=false',
          '--dest-daemon-host',
          engine.uri,
          `docker://${remote}`,
          `docker-daemon:${name}`,
        ]),
        'copy docker:// → docker-daemon:',
      );
      assert.equal(back, fromEngine);
      assert.equal(await imageId(engine, name), id, 'the image is back in the engine under its own ID');
    });

    test('engine → registry directly, and store → engine: skopeo reads it; the engine gets the image under the new name', async () => {
      const remote = `${reg.host}/moves/${kind}-direct:1`;
      const digest = ok(
        await cli([
          '--store',
          store,
          'copy',
          '--tls-verify=false',
          '--src-daemon-host',
          engine.uri,
          `docker-daemon:${name}`,
          `docker://${remote}`,
        ]),
        'copy docker-daemon: → docker://',
      );
      const raw = JSON.parse(
        (await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${remote}`], { timeoutMs: 60_000 })).stdout,
      ) as { config: { digest: string } };
      assert.equal(raw.config.digest, id);
      const inspected = JSON.parse(
        (await run('skopeo', ['inspect', '--tls-verify=false', `docker://${remote}`], { timeoutMs: 60_000 })).stdout,
      ) as {
        Digest: string;
      };
      assert.equal(inspected.Digest, digest);
      // The engine's own pull reads the uncompressed layers Deckhand pushed, and names the same image ID.
      const pulledAs = `${reg.host}/moves/${kind}-direct:1`;
      await engine.cli(kind === 'docker' ? ['pull', pulledAs] : ['pull', '--tls-verify=false', pulledAs]);
      assert.equal(await imageId(engine, pulledAs), id);

      ok(
        await cli(['--store', store, 'copy', '--src-daemon-host', engine.uri, `docker-daemon:${name}`, 'localhost/moves/direct:1']),
        'copy → store',
      );
      const renamed = `localhost/moves/${kind}-renamed:2`;
      const intoEngine = ok(
        await cli(['--store', store, 'copy', '--dest-daemon-host', engine.uri, 'localhost/moves/direct:1', `docker-daemon:${renamed}`]),
        'copy NAME → docker-daemon:',
      );
      assert.equal(intoEngine, digest, 'copy into an engine prints the digest');
      assert.equal(await imageId(engine, renamed), id);
    });

    test('--engine: push sends an engine image to a registry without storing it, and copy takes the engine for both ends', async () => {
      const remote = `${reg.host}/moves/${kind}-engine-push:1`;
      const emptyStore = join(work, `${kind}-engine-push-store`);
      const pushed = ok(
        await cli(['--store', emptyStore, '--engine', engine.uri, 'push', '--tls-verify=false', name, remote]),
        'push --engine',
      );
      assert.match(pushed, /^sha256:[0-9a-f]{64}$/);
      const raw = JSON.parse(
        (await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${remote}`], { timeoutMs: 60_000 })).stdout,
      ) as { config: { digest: string } };
      assert.equal(raw.config.digest, id, 'the pushed config is the engine’s: the same image ID');
      assert.deepEqual(await storedNames(emptyStore), [], 'nothing is named in the store');
      // A second push of the unchanged image moves no layer again: the registry has every blob.
      const again = JSON.parse(
        ok(
          await cli(['--store', emptyStore, '--engine', engine.uri, 'push', '--tls-verify=false', '--format', 'json', name, remote]),
          're-push',
        ),
      ) as { digest: string; bytes: number };
      assert.equal(again.digest, pushed);
      assert.equal(again.bytes, 0, 'a re-push of an unchanged engine image uploads nothing');
      // A destination without a registry is refused before anything moves.
      const bare = await cli(['--store', emptyStore, '--engine', engine.uri, 'push', name, 'team/app:1']);
      assert.equal(bare.code, 2, bare.stderr);
      assert.match(bare.stderr, /names no registry/);

      const renamed = `localhost/moves/${kind}-via-engine-flag:3`;
      ok(
        await cli(['--store', emptyStore, '--engine', engine.uri, 'copy', `docker-daemon:${name}`, `docker-daemon:${renamed}`]),
        'copy --engine',
      );
      assert.equal(await imageId(engine, renamed), id, 'copy with --engine reads from and writes to that engine');
    });

    test('an image the engine does not have is ENOT_FOUND naming the engine and the image; an engine that is not there is EENGINE naming its address', async () => {
      const missing = await cli([
        '--store',
        store,
        'copy',
        '--src-daemon-host',
        engine.uri,
        'docker-daemon:localhost/moves/nothing:1',
        'localhost/x:1',
      ]);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /has no image localhost\/moves\/nothing:1/);
      assert.ok(missing.stderr.includes(engine.uri), missing.stderr);
      const nowhere = `unix://${join(work, 'no-engine.sock')}`;
      const unreachable = await cli(['--store', store, 'copy', '--src-daemon-host', nowhere, `docker-daemon:${name}`, 'localhost/x:1']);
      assert.notEqual(unreachable.code, 0);
      assert.ok(unreachable.stderr.includes(nowhere), unreachable.stderr);
      assert.equal((await storedNames(store)).includes('localhost/x:1'), false);
      const bad = await cli(['--store', store, 'copy', `docker-daemon:${name}`, 'docker-daemon:sha256:' + '0'.repeat(64)]);
      assert.equal(bad.code, 2, bad.stderr);
      // The codes behind those messages.
      const opened = await Store.open(join(work, `${kind}-codes`));
      const env = { ...process.env, DOCKER_CONFIG: join(work, 'docker-cfg') };
      const here = { os: 'linux', architecture: 'amd64' };
      await assert.rejects(
        copyWithEngines(opened, 'docker-daemon:localhost/moves/nothing:1', 'localhost/x:1', {
          platform: here,
          env,
          engines: { source: () => engineNamed(engine.uri, env) },
        }),
        (e: Error & { code?: string; detail?: Record<string, unknown> }) =>
          e.code === 'ENOT_FOUND' && e.message.includes(engine.uri) && e.detail?.image === 'localhost/moves/nothing:1',
      );
      await assert.rejects(
        copyWithEngines(opened, `docker-daemon:${name}`, 'localhost/x:1', {
          platform: here,
          env,
          engines: { source: () => engineNamed(nowhere, env) },
        }),
        (e: Error & { code?: string }) => e.code === 'EENGINE' && e.message.includes(nowhere),
      );
    });

    test("an engine that refuses the archive it is sent fails the copy with EENGINE and the engine's own message", async () => {
      // An image the engine has none of the layers of (an engine skips layers it already holds), with gzip'd layers.
      const generated = await generateImage({
        layers: 2,
        layerSize: 300_000,
        platform: { os: 'linux', architecture: 'amd64' },
        seed: `refuse-${kind}`,
      });
      const layout = join(work, `${kind}-generated`);
      await writeOciLayout(layout, [{ ref: 'gen', image: generated }]);
      ok(await cli(['--store', store, 'copy', `oci:${layout}:gen`, 'localhost/moves/generated:1']), 'copy oci: → store');
      // A byte flipped on the way to the engine: the layer no longer matches its digest and diff ID.
      const proxy = await engineProxy(engine, { loadBody: () => damage(100_000, 'flip') });
      const target = `localhost/moves/${kind}-refused:1`;
      try {
        const r = await cli([
          '--store',
          store,
          'copy',
          '--dest-daemon-host',
          proxy.uri,
          'localhost/moves/generated:1',
          `docker-daemon:${target}`,
        ]);
        assert.notEqual(r.code, 0, r.stdout);
        assert.ok(r.stderr.includes(proxy.uri), r.stderr);
        // Docker says so in its answer after a 200 ({"errorDetail": …}); Podman's libpod endpoint with a 500: the same words.
        assert.match(r.stderr, /refused the image: [\s\S]*gzip/, r.stderr);
      } finally {
        await proxy.close();
      }
      assert.equal(await hasImage(engine, target), false);
      // The same copy without the damage: the engine has it under the generated config's digest.
      ok(
        await cli(['--store', store, 'copy', '--dest-daemon-host', engine.uri, 'localhost/moves/generated:1', `docker-daemon:${target}`]),
        'copy → engine',
      );
      assert.equal(await imageId(engine, target), generated.configDigest);
    });

    test('a stored multi-platform index goes to the engine as the platform chosen', async () => {
      const amd = await generateImage({
        layers: 1,
        layerSize: 50_000,
        platform: { os: 'linux', architecture: 'amd64' },
        seed: `multi-amd-${kind}`,
      });
      const arm = await generateImage({
        layers: 1,
        layerSize: 50_000,
        platform: { os: 'linux', architecture: 'arm64' },
        seed: `multi-arm-${kind}`,
      });
      const layout = join(work, `${kind}-multi`);
      await writeOciLayout(layout, [{ ref: 'multi', index: await generateIndex([amd, arm]) }]);
      ok(await cli(['--store', store, 'copy', '--all-platforms', `oci:${layout}:multi`, 'localhost/moves/multi:1']), 'copy oci: → store');
      const target = `localhost/moves/${kind}-multi:arm`;
      ok(
        await cli([
          '--store',
          store,
          'copy',
          '--platform',
          'linux/arm64',
          '--dest-daemon-host',
          engine.uri,
          'localhost/moves/multi:1',
          `docker-daemon:${target}`,
        ]),
        'copy index → engine',
      );
      assert.equal(await imageId(engine, target), arm.configDigest);
    });

    test('a damaged export (a byte flipped, or cut short) is refused and nothing is named or left in the store', async () => {
      for (const how of ['flip', 'cut'] as const) {
        const proxy = await engineProxy(engine, { exportBody: () => damage(100_000, how) });
        const damagedStore = join(work, `${kind}-damaged-${how}`);
        try {
          const r = await cli([
            '--store',
            damagedStore,
            'copy',
            '--src-daemon-host',
            proxy.uri,
            `docker-daemon:${name}`,
            'localhost/moves/damaged:1',
          ]);
          assert.notEqual(r.code, 0, `${how}: ${r.stdout}`);
          if (how === 'flip') assert.match(r.stderr, /does not match|not valid gzip|damaged/, r.stderr);
          else assert.match(r.stderr, /broke off|truncated|damaged/, r.stderr);
          assert.deepEqual(await storedNames(damagedStore), [], `${how}: nothing named`);
          assert.deepEqual(await ingestLeftovers(damagedStore), [], `${how}: no spool or partial left`);
        } finally {
          await proxy.close();
        }
      }
    });

    test('the app: a move is a background transfer with engine progress and storeChanged; cancelled, it leaves nothing half-written', async () => {
      const hostStore = join(work, `${kind}-host-store`);
      const { host, seen } = hostOn(hostStore);
      try {
        // Engine → store, whole.
        const id1 = await startCopy(host, {
          source: `docker-daemon:${name}`,
          destination: 'localhost/moves/app-host:1',
          sourceEngine: engine.uri,
        });
        const done = await ended(seen, id1);
        assert.equal(done.payload.error, null, JSON.stringify(done.payload.error));
        const events = progressOf(seen, id1);
        const exported = events.filter(
          (e): e is Extract<TransferEvent, { type: 'engine' }> => e.type === 'engine' && e.phase === 'exporting',
        );
        assert.equal(exported.at(-1)?.state, 'done');
        assert.ok((exported.at(-1)?.done ?? 0) > 300_000, 'the export reports its bytes');
        await waitForEvent(seen, (e) => e.event === 'storeChanged', 'storeChanged');
        assert.ok((await storedNames(hostStore)).includes('localhost/moves/app-host:1'));

        // Engine → store, cancelled mid-export.
        const slowExport = await engineProxy(engine, { exportBody: () => slow(15) });
        try {
          const id2 = await startCopy(host, {
            source: `docker-daemon:${name}`,
            destination: 'localhost/moves/cancelled:1',
            sourceEngine: slowExport.uri,
          });
          await waitForEvent(
            seen,
            (e) =>
              e.event === 'transferProgress' &&
              e.payload.transferId === id2 &&
              e.payload.events.some((x) => x.type === 'engine' && x.phase === 'exporting' && x.done > 0),
            'export progress',
          );
          const cancelled = await host.dispatch('cancelTransfer', { transferId: id2 });
          assert.deepEqual(cancelled.ok && cancelled.value, { cancelled: true });
          const end = await ended(seen, id2);
          assert.equal(end.payload.error?.code, 'ECANCELLED');
          assert.equal((await storedNames(hostStore)).includes('localhost/moves/cancelled:1'), false);
          assert.deepEqual(await ingestLeftovers(hostStore), [], 'no spool or partial left');
        } finally {
          await slowExport.close();
        }

        // Store → engine, cancelled mid-load: the engine names nothing.
        const slowLoad = await engineProxy(engine, { loadBody: () => slow(15) });
        const target = `localhost/moves/${kind}-cancelled:1`;
        try {
          const id3 = await startCopy(host, {
            source: 'localhost/moves/app-host:1',
            destination: `docker-daemon:${target}`,
            destinationEngine: slowLoad.uri,
          });
          await waitForEvent(
            seen,
            (e) =>
              e.event === 'transferProgress' &&
              e.payload.transferId === id3 &&
              e.payload.events.some((x) => x.type === 'engine' && x.phase === 'loading' && x.done > 0),
            'load progress',
          );
          await host.dispatch('cancelTransfer', { transferId: id3 });
          const end = await ended(seen, id3);
          assert.equal(end.payload.error?.code, 'ECANCELLED');
        } finally {
          await slowLoad.close();
        }
        assert.equal(await hasImage(engine, target), false, 'a cancelled load names nothing in the engine');

        // Store → engine, whole.
        const loaded = `localhost/moves/${kind}-host-loaded:1`;
        const id4 = await startCopy(host, {
          source: 'localhost/moves/app-host:1',
          destination: `docker-daemon:${loaded}`,
          destinationEngine: engine.uri,
        });
        const end4 = await ended(seen, id4);
        assert.equal(end4.payload.error, null, JSON.stringify(end4.payload.error));
        const loading = progressOf(seen, id4).filter(
          (e): e is Extract<TransferEvent, { type: 'engine' }> => e.type === 'engine' && e.phase === 'loading',
        );
        assert.equal(loading.at(-1)?.state, 'done');
        assert.equal(await imageId(engine, loaded), id);
      } finally {
        await host.close();
      }
    });
  });
}

describe('podman → docker', () => {
  let podman: TestEngine;
  let docker: TestEngine;

  before(async () => {
    podman = await startPodman();
    docker = await startDockerd();
  });

  after(async () => {
    await Promise.all([podman?.stop(), docker?.stop()]);
  });

  test('an image moves from one engine to the other in one copy, keeping its image ID, with nothing named in the store', async () => {
    const name = 'localhost/moves/across:1';
    await podman.build(name, DOCKERFILE, { data: randomBytes(100_000) });
    const id = await imageId(podman, name);
    const store = join(work, 'across-store');
    const digest = ok(
      await cli([
        '--store',
        store,
        'copy',
        '--src-daemon-host',
        podman.uri,
        '--dest-daemon-host',
        docker.uri,
        `docker-daemon:${name}`,
        `docker-daemon:${name}`,
      ]),
      'copy docker-daemon: → docker-daemon:',
    );
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await imageId(docker, name), id);
    assert.deepEqual(await storedNames(store), []);
    assert.deepEqual(await ingestLeftovers(store), []);
  });
});
