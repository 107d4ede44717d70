/**
 * `npm run bench:ui-lag`: pulls a generated 1 GB image (16 gzip layers of 64 MiB of random data)
 * from Debian's docker-registry on 127.0.0.1 through the host process the UI talks to: `deckhand
 * serve` in a child process, driven over its HTTP API with progress over its WebSocket, exactly as
 * the renderer does. A probe loaded into that process measures its event-loop delay while the
 * pull runs. Targets: p99 under 20 ms, max under 50 ms. Also reports how many progress messages
 * reached the page per second (the host coalesces them to about ten per transfer).
 * Not a test: nothing here asserts on time.
 *
 * Env: BENCH_LAYERS (16), BENCH_LAYER_MB (64), BENCH_ROUNDS (3); BENCH_PROFILE=1 writes a CPU
 * profile of each host process to .bench/ui-lag/ (open it in Chrome's DevTools).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRegistry } from '../../src-main/test/fixtures/registry.ts';
import { generateImage, pushWithSkopeo, writeOciLayout } from '../../src-main/test/fixtures/images.ts';
import { formatBytes } from '../../src-shared/format.ts';
import { median } from './common.ts';

const LAYERS = Number(process.env.BENCH_LAYERS ?? 16);
const LAYER_MB = Number(process.env.BENCH_LAYER_MB ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Lag {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  samples: number;
  windowMs: number;
  resolutionMs: number;
}

interface Host {
  child: ChildProcess;
  url: string;
  report(): Promise<Lag>;
  stop(): Promise<void>;
}

async function startHost(storeDir: string): Promise<Host> {
  const child = fork(join(root, 'dist', 'cli.mjs'), ['--store', storeDir, 'serve'], {
    execArgv: [
      '--import',
      join(root, 'scripts', 'bench', 'lag-probe.ts'),
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(root, '.bench', 'ui-lag')}`] : []),
    ],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
    });
    child.once('exit', (code) => reject(new Error(`deckhand serve exited (${code}):\n${stderr}`)));
  });
  return {
    child,
    url,
    report: () =>
      new Promise<Lag>((resolve) => {
        child.once('message', (m) => resolve(m as Lag));
        child.send('report');
      }),
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function call(url: string, name: string, input: unknown): Promise<unknown> {
  const res = await fetch(`${url}api/call/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ input }),
  });
  const body = (await res.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string } };
  if (!body.ok) throw new Error(`${name}: ${body.error!.code} ${body.error!.message}`);
  return body.value;
}

/** One pull through the host: returns its wall time, the host's event-loop delay and the progress messages the page got. */
async function pullThroughHost(host: Host, ref: string): Promise<{ ms: number; lag: Lag; messages: number; bytes: number }> {
  const ws = new WebSocket(`${host.url.replace(/^http/, 'ws')}api/events`);
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
  let messages = 0;
  let bytes = 0;
  const ended = new Promise<void>((resolve, reject) => {
    ws.onmessage = (m) => {
      const { event, payload } = JSON.parse(String(m.data)) as {
        event: string;
        payload: { error?: { message: string } | null; events?: Array<{ type: string; fetchedBytes?: number }> };
      };
      if (event === 'transferProgress') {
        messages++;
        for (const e of payload.events ?? []) if (e.type === 'done') bytes = e.fetchedBytes ?? 0;
      }
      if (event === 'transferEnded') {
        if (payload.error) reject(new Error(payload.error.message));
        else resolve();
      }
    };
  });
  host.child.send('reset');
  const started = performance.now();
  await call(host.url, 'pull', { ref, platform: 'linux/amd64' });
  await ended;
  const ms = performance.now() - started;
  const lag = await host.report();
  ws.close();
  return { ms, lag, messages, bytes };
}

const work = await mkdtemp(join(tmpdir(), 'deckhand-bench-lag-'));
const registry = await startRegistry();
try {
  console.log(`generating ${LAYERS} layers of ${LAYER_MB} MiB…`);
  const image = await generateImage({
    layers: LAYERS,
    layerSize: LAYER_MB * 1024 * 1024,
    platform: { os: 'linux', architecture: 'amd64' },
    seed: 'ui-lag',
    dir: join(work, 'gen'),
  });
  await writeOciLayout(join(work, 'layout'), [{ ref: 'big', image }]);
  const ref = `${registry.host}/bench/ui-lag:1`;
  await pushWithSkopeo(join(work, 'layout'), 'big', ref);
  await rm(join(work, 'layout'), { recursive: true });
  await rm(join(work, 'gen'), { recursive: true });
  const total = image.layers.reduce((n, l) => n + l.size, 0);
  console.log(
    `image: ${formatBytes(total)} in ${LAYERS} layers; ${ROUNDS} rounds, each through a fresh \`deckhand serve\` on an empty store`,
  );

  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const storeDir = join(work, `store-${round}`);
    const host = await startHost(storeDir);
    try {
      const r = await pullThroughHost(host, ref);
      rounds.push(r);
      const perSecond = r.messages / (r.ms / 1000);
      console.log(
        `round ${round + 1}: pull ${(r.ms / 1000).toFixed(2)} s (${formatBytes((r.bytes / r.ms) * 1000)}/s); host event loop p50 ${r.lag.p50.toFixed(1)} ms, p99 ${r.lag.p99.toFixed(1)} ms, max ${r.lag.max.toFixed(1)} ms; ${r.messages} progress messages (${perSecond.toFixed(1)}/s)`,
      );
    } finally {
      await host.stop();
      await rm(storeDir, { recursive: true, force: true });
    }
  }
  const p99 = rounds.map((r) => r.lag.p99);
  const max = rounds.map((r) => r.lag.max);
  console.log('');
  console.log(
    `host event loop during a ${formatBytes(total)} pull (monitorEventLoopDelay, ${rounds[0]!.lag.resolutionMs} ms resolution), over ${ROUNDS} rounds:`,
  );
  console.log(`  p99: median ${median(p99).toFixed(1)} ms, worst ${Math.max(...p99).toFixed(1)} ms (target < 20 ms)`);
  console.log(`  max: median ${median(max).toFixed(1)} ms, worst ${Math.max(...max).toFixed(1)} ms (target < 50 ms)`);
  console.log(
    `  progress messages to the page: at most ${Math.max(...rounds.map((r) => r.messages / (r.ms / 1000))).toFixed(1)}/s for a ${LAYERS}-layer pull`,
  );
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
