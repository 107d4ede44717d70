/**
 * `npm run bench:engine`: Deckhand reading a Docker and a Podman engine that hold many images, next
 * to the engine's own CLI on the same engine, in the same run. Debian's dockerd and `podman system
 * service` run in temp roots (src-main/test/fixtures/engines.ts); each gets BENCH_IMAGES images
 * loaded from one generated docker-archive (a shared 1 MiB base layer and one small layer of its
 * own per image), nothing downloaded. Then, alternating who goes first, for BENCH_ROUNDS rounds:
 *
 * - `deckhand images --engine URI --format json` vs `docker images` / `podman images`
 * - `deckhand df --engine URI --format json` vs `docker system df -v` / `podman system df -v`
 *
 * and prints the medians and the ratios (target: Deckhand ≤ 1.5x the engine's CLI), next to the
 * floor: `deckhand --version`, node starting and exiting with no engine asked. Not a test: nothing
 * here asserts on time.
 *
 * Env: BENCH_IMAGES (200), BENCH_ROUNDS (5).
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { pack as tarPack } from 'tar-stream';
import { startDockerd, startPodman, type TestEngine } from '../../src-main/test/fixtures/engines.ts';
import { median, ROUNDS } from './common.ts';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 200);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli.mjs');

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** A layer: an uncompressed tar holding one file. */
async function layerTar(name: string, content: Buffer): Promise<Buffer> {
  const p = tarPack();
  p.entry({ name, size: content.length, mode: 0o644, mtime: new Date(0) }, content);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** One docker-archive with `count` images over one shared base layer, each with a small layer of its own. */
async function writeArchive(file: string, count: number): Promise<void> {
  const base = await layerTar('base.bin', randomBytes(1024 * 1024));
  const baseDiff = `sha256:${sha256(base)}`;
  const p = tarPack();
  const done = pipeline(p, createWriteStream(file));
  const add = (name: string, body: Buffer) =>
    new Promise<void>((resolve, reject) => p.entry({ name, size: body.length, mode: 0o644 }, body, (e) => (e ? reject(e) : resolve())));
  await add(`${sha256(base)}/layer.tar`, base);
  const manifest: Array<{ Config: string; RepoTags: string[]; Layers: string[] }> = [];
  for (let i = 0; i < count; i++) {
    const own = await layerTar(`own-${i}.txt`, Buffer.from(`image ${i} `.repeat(50 + i)));
    await add(`${sha256(own)}/layer.tar`, own);
    const created = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        created,
        config: { Cmd: ['/bin/sh'] },
        rootfs: { type: 'layers', diff_ids: [baseDiff, `sha256:${sha256(own)}`] },
        history: [
          { created, created_by: 'COPY base.bin / # bench' },
          { created, created_by: `COPY own-${i}.txt / # bench` },
        ],
      }),
    );
    await add(`${sha256(config)}.json`, config);
    manifest.push({
      Config: `${sha256(config)}.json`,
      RepoTags: [`bench/img-${String(i).padStart(3, '0')}:1`],
      Layers: [`${sha256(base)}/layer.tar`, `${sha256(own)}/layer.tar`],
    });
  }
  await add('manifest.json', Buffer.from(JSON.stringify(manifest)));
  p.finalize();
  await done;
}

/** Runs a command with `env` to completion (output discarded) and returns its wall time in ms. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => {
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}):\n${stderr}`));
    });
  });
}

interface Pair {
  what: string;
  deckhand: () => Promise<number>;
  peer: () => Promise<number>;
  peerName: string;
}

function enginePairs(e: TestEngine): Pair[] {
  const env = { ...process.env, HOME: e.dir };
  const deckhand = (args: string[]) => () => timed(process.execPath, [cli, ...args, '--engine', e.uri, '--format', 'json'], env);
  if (e.kind === 'docker') {
    const docker = (args: string[]) => () =>
      timed('/usr/bin/docker', ['-H', e.uri, ...args], { ...env, DOCKER_CONFIG: join(e.dir, 'client') });
    return [
      { what: 'images', deckhand: deckhand(['images']), peer: docker(['images']), peerName: 'docker images' },
      { what: 'df', deckhand: deckhand(['df']), peer: docker(['system', 'df', '-v']), peerName: 'docker system df -v' },
    ];
  }
  // The podman command as the fixture runs it: the same root, runroot and storage as the service.
  const global = [
    '--root',
    join(e.dir, 'root'),
    '--runroot',
    join(e.dir, 'run'),
    '--storage-driver',
    'vfs',
    '--tmpdir',
    join(e.dir, 'tmp'),
  ];
  const podEnv = { ...env, CONTAINERS_CONF: join(e.dir, 'containers.conf') };
  const podman = (args: string[]) => () =>
    timed('podman', [...global, '--events-backend', 'file', '--cgroup-manager', 'cgroupfs', ...args], podEnv);
  return [
    { what: 'images', deckhand: deckhand(['images']), peer: podman(['images']), peerName: 'podman images' },
    { what: 'df', deckhand: deckhand(['df']), peer: podman(['system', 'df', '-v']), peerName: 'podman system df -v' },
  ];
}

const work = await mkdtemp(join(tmpdir(), 'deckhand-bench-engine-'));
const engines: TestEngine[] = [];
const results: Array<{ engine: string; what: string; peerName: string; d: number; p: number }> = [];
try {
  const archive = join(work, 'images.tar');
  console.log(`generating ${IMAGES} images in one docker-archive…`);
  await writeArchive(archive, IMAGES);
  for (const start of [startDockerd, startPodman]) {
    const e = await start();
    engines.push(e);
    console.log(`${e.kind}: loading ${IMAGES} images…`);
    await e.cli(['load', '-i', archive], { timeoutMs: 20 * 60_000 });
    // A container on one image, so that counts and in-use rules have something to find.
    await e.cli(['create', '--name', 'bench-user', 'bench/img-000:1', '/bin/sh']);
    for (const pair of enginePairs(e)) {
      // One unmeasured run of each: the engine's caches warm alike for both.
      await pair.deckhand();
      await pair.peer();
      const d: number[] = [];
      const p: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        if (round % 2 === 0) {
          d.push(await pair.deckhand());
          p.push(await pair.peer());
        } else {
          p.push(await pair.peer());
          d.push(await pair.deckhand());
        }
      }
      const row = { engine: e.kind, what: pair.what, peerName: pair.peerName, d: median(d), p: median(p) };
      results.push(row);
      console.log(
        `${e.kind} ${pair.what}: deckhand ${d.map((x) => x.toFixed(0)).join(' ')} ms; ${pair.peerName} ${p.map((x) => x.toFixed(0)).join(' ')} ms`,
      );
    }
  }
  // The floor: Deckhand's command starting and exiting with no engine asked (node's start, the bundle's load).
  const floor: number[] = [];
  for (let round = 0; round < ROUNDS; round++) floor.push(await timed(process.execPath, [cli, '--version']));
  console.log('');
  console.log(`floor: \`deckhand --version\` median ${(median(floor) / 1000).toFixed(2)} s (node starting, no engine asked)`);
  console.log('');
  console.log(
    `${IMAGES} images per engine, ${ROUNDS} rounds, medians; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log('');
  console.log('| engine | deckhand --engine URI --format json | median | engine CLI | median | ratio (target ≤ 1.5x) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of results)
    console.log(
      `| ${r.engine} | ${r.what} | ${(r.d / 1000).toFixed(2)} s | ${r.peerName} | ${(r.p / 1000).toFixed(2)} s | ${(r.d / r.p).toFixed(2)}x |`,
    );
} finally {
  for (const e of engines) await e.stop();
  await rm(work, { recursive: true, force: true });
}
