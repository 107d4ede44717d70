/**
 * `npm run bench:pull-wan`: `deckhand pull` against `skopeo copy docker://… oci:…` over a simulated
 * WAN link: a shaping proxy (src-main/test/fixtures/wan-proxy.ts) in front of a real
 * docker-registry on 127.0.0.1 adds a round trip to every response, two to every new connection,
 * and makes all responses share one link of limited bandwidth. The image is shaped like a real one
 * (one big base layer, then smaller and smaller ones). Alternating order, several rounds, medians;
 * the floor is every byte at the link's bandwidth plus one round trip. Each run's requests are traced,
 * and a summary per tool says where the time goes (start, reach, transfer and tail; connections,
 * the serial requests before the first layer byte, blobs in flight). Not a test: nothing here
 * asserts on time.
 *
 * Env: BENCH_ROUNDS (5), BENCH_RTT_MS (40), BENCH_MBPS (50, in 10^6 bytes/s; layer sizes are MiB),
 * BENCH_WAN_LAYERS_MIB (comma-separated, default the 12 sizes below), BENCH_WAN_INDEX=1 (serve the
 * image as the linux/amd64 entry of a two-platform index, as most public images are: one more
 * manifest round trip for both tools), BENCH_TRACE=1 (print every request of each tool's last run),
 * BENCH_DECKHAND_B (other builds' cli.mjs, comma-separated, each `NAME=PATH` or just `PATH`: more
 * contenders, to measure changes against the current build in the same run).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Agent, get } from 'node:http';
import { startRegistry } from '../../src-main/test/fixtures/registry.ts';
import { generateImage, generateIndex, permissivePolicy, pushWithSkopeo, writeOciLayout } from '../../src-main/test/fixtures/images.ts';
import { startWanProxy, type TracedRequest, type WanProxy } from '../../src-main/test/fixtures/wan-proxy.ts';
import { formatBytes } from '../../src-shared/format.ts';
import { Store } from '../../src-main/engine/store/layout.ts';
import { pull } from '../../src-main/engine/transfer/pull.ts';
import { benchImage, median, ROUNDS, seconds, timed } from './common.ts';

const RTT_MS = Number(process.env.BENCH_RTT_MS ?? 40);
const MBPS = Number(process.env.BENCH_MBPS ?? 50);
const LAYERS_MIB = (process.env.BENCH_WAN_LAYERS_MIB ?? '28,15,9,6,3,1.5,0.8,0.4,0.2,0.1,0.05,0.01').split(',').map(Number);
const TRACE = process.env.BENCH_TRACE === '1';
const INDEX = process.env.BENCH_WAN_INDEX === '1';
const VARIANTS = (process.env.BENCH_DECKHAND_B ?? '')
  .split(',')
  .filter(Boolean)
  .map(
    (v, i) =>
      (v.includes('=') ? [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)] : [`deckhand-${String.fromCharCode(98 + i)}`, v]) as [
        string,
        string,
      ],
  );

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli.mjs');

type Trace = WanProxy['trace'];

/** One run's trace, times relative to the process's spawn. */
interface Run {
  ms: number;
  spawned: number;
  trace: Trace;
}

/** GETs every blob of bench/wan at once through `base`, each on its own new connection, and discards the bodies; returns the wall time. */
async function fetchAll(base: string, digests: string[]): Promise<number> {
  const agent = new Agent({ keepAlive: false });
  const started = performance.now();
  await Promise.all(
    digests.map(
      (digest) =>
        new Promise<void>((resolve, reject) => {
          get(`${base}/v2/bench/wan/blobs/${digest}`, { agent }, (res) => {
            res.on('data', () => undefined);
            res.on('end', resolve);
            res.on('error', reject);
          }).on('error', reject);
        }),
    ),
  );
  agent.destroy();
  return performance.now() - started;
}

const copyTrace = (t: Trace): Trace => ({ connections: t.connections.map((c) => ({ ...c })), requests: t.requests.map((r) => ({ ...r })) });

/**
 * What a run's trace says about where its time went, in four phases that add up to the run's time:
 * start (spawn to the first connection), reach (to the first byte of a layer: handshakes, ping,
 * auth, manifests), transfer (to the last blob byte; at best the bytes at the link's bandwidth) and
 * tail (to the process's exit: verifying, syncing, tagging, exiting).
 */
function summarize(run: Run, bytesPerMs: number) {
  const reqs = [...run.trace.requests].sort((a, b) => a.arrived - b.arrived);
  const isLayer = (r: TracedRequest) => r.method === 'GET' && r.path.includes('/blobs/') && r.bytes > 64 * 1024;
  const blobs = reqs.filter((r) => r.method === 'GET' && r.path.includes('/blobs/'));
  const firstConn = Math.min(...run.trace.connections.map((c) => c.accepted));
  const firstLayerByte = Math.min(...blobs.filter(isLayer).map((r) => r.started ?? Infinity));
  const lastByte = Math.max(...blobs.map((r) => r.ended ?? 0));
  // Blob bodies in flight, sampled at every start.
  let maxInFlight = 0;
  for (const r of blobs)
    maxInFlight = Math.max(
      maxInFlight,
      blobs.filter((o) => (o.started ?? Infinity) <= (r.started ?? 0) && (o.ended ?? Infinity) > (r.started ?? 0)).length,
    );
  const bodyBytes = blobs.reduce((n, r) => n + r.bytes, 0);
  return {
    connections: run.trace.connections.length,
    requests: reqs.length,
    start: firstConn - run.spawned,
    reach: firstLayerByte - firstConn,
    transfer: lastByte - firstLayerByte,
    /** The transfer phase beyond the time the link needs for the bytes: the link was idle (or the machine too slow). */
    slack: lastByte - firstLayerByte - bodyBytes / bytesPerMs,
    tail: run.spawned + run.ms - lastByte,
    // Requests sent before the first layer byte flowed: the serial chain.
    before: reqs.filter((r) => r.arrived < firstLayerByte && !isLayer(r)).map((r) => `${r.method} ${shortPath(r.path)} (c${r.conn})`),
    order: blobs.map((r) => formatBytes(r.bytes)),
    maxInFlight,
  };
}

const shortPath = (p: string) => p.replace(/sha256:([0-9a-f]{8})[0-9a-f]+/g, '$1…').replace(/^\/v2\/[^/]+\/[^/]+\//, '');

function printTimeline(name: string, run: Run) {
  console.log(`\n${name}: every request of its last run (ms after spawn; c = client connection)`);
  for (const c of run.trace.connections)
    console.log(`  c${c.conn} accepted ${(c.accepted - run.spawned).toFixed(0)}, open ${(c.open - run.spawned).toFixed(0)}`);
  for (const r of [...run.trace.requests].sort((a, b) => a.arrived - b.arrived)) {
    console.log(
      `  c${r.conn} ${r.method.padEnd(4)} ${shortPath(r.path).padEnd(28)} ${String(r.status ?? '-').padEnd(3)} arrived ${(r.arrived - run.spawned).toFixed(0).padStart(5)}  started ${((r.started ?? NaN) - run.spawned).toFixed(0).padStart(5)}  ended ${((r.ended ?? NaN) - run.spawned).toFixed(0).padStart(5)}  ${formatBytes(r.bytes)}${r.range ? ` range ${r.range}` : ''}`,
    );
  }
  console.log(`  exit ${run.ms.toFixed(0)}`);
}

const work = await mkdtemp(join(tmpdir(), 'deckhand-bench-wan-'));
const registry = await startRegistry();
let proxy: WanProxy | undefined;
try {
  const { image, layout, total: imageTotal } = await benchImage(work, LAYERS_MIB, 'bench-wan');
  let total = imageTotal;
  if (INDEX) {
    // The same image as one entry of an index, beside a small arm64 one the pulls leave alone.
    const arm = await generateImage({
      layerSizes: [10_000],
      platform: { os: 'linux', architecture: 'arm64' },
      seed: 'bench-wan-arm',
      dir: join(work, 'gen'),
    });
    const index = await generateIndex([image, arm]);
    await rm(layout, { recursive: true });
    await writeOciLayout(layout, [{ ref: 'bench', index }]);
    await pushWithSkopeo(layout, 'bench', `${registry.host}/bench/wan:1`, { all: true });
    total += index.bytes.length;
  } else {
    await pushWithSkopeo(layout, 'bench', `${registry.host}/bench/wan:1`);
  }
  await rm(layout, { recursive: true });
  const policy = await permissivePolicy(work);
  const bytesPerSecond = MBPS * 1e6;
  proxy = await startWanProxy(registry.url, { rttMs: RTT_MS, bytesPerSecond, trace: true });
  const ref = `${proxy.host}/bench/wan:1`;
  const floor = (total / bytesPerSecond) * 1000 + RTT_MS;
  console.log(
    `image: ${formatBytes(total)} in ${LAYERS_MIB.length} layers${INDEX ? ', the linux/amd64 entry of an index' : ''}; link: ${MBPS} MB/s shared, ${RTT_MS} ms round trip (${2 * RTT_MS} ms more per new connection); ${ROUNDS} rounds through ${proxy.url}`,
  );

  const deckhand = (cliPath: string) => (dir: string) =>
    timed(process.execPath, [cliPath, 'pull', '--quiet', '--store', dir, '--platform', 'linux/amd64', ref]);
  const contenders: Record<string, (dir: string) => Promise<number>> = {
    deckhand: deckhand(cli),
    skopeo: (dir) =>
      timed('skopeo', ['copy', '--quiet', '--policy', policy, '--src-tls-verify=false', `docker://${ref}`, `oci:${dir}:bench`]),
    ...Object.fromEntries(VARIANTS.map(([name, path]) => [name, deckhand(path)])),
    // The same engine as the app runs it: the app's process is already up, so no start to pay.
    'deckhand-app': async (dir) => {
      const started = performance.now();
      await pull(await Store.open(dir), ref, { platform: { os: 'linux', architecture: 'amd64' } });
      return performance.now() - started;
    },
    // What this machine and proxy can do at best: every blob asked for at once, each on a new
    // connection, digests known in advance (no ping, no manifest), bodies discarded, no process to start.
    ideal: () => fetchAll(proxy!.url, image.layers.map((l) => l.digest).concat(image.configDigest)),
  };
  const names = Object.keys(contenders);
  const width = Math.max(...names.map((n) => n.length));
  const runs: Record<string, Run[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate who goes first so none always gets the warmer (or the busier) machine.
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    for (const who of order) {
      const dir = join(work, `${who}-${round}`);
      proxy.resetTrace();
      const spawned = performance.now();
      const ms = await contenders[who]!(dir);
      runs[who]!.push({ ms, spawned, trace: copyTrace(proxy.trace) });
      await rm(dir, { recursive: true, force: true });
    }
    console.log(`round ${round + 1} (${order[0]} first): ${names.map((n) => `${n} ${seconds(runs[n]!.at(-1)!.ms)}`).join(', ')}`);
  }

  const med = (n: string) => median(runs[n]!.map((r) => r.ms));
  const dMed = med('deckhand');
  const sMed = med('skopeo');
  console.log('');
  for (const n of names) console.log(`${`${n} median`.padEnd(width + 8)} ${seconds(med(n))}  (${formatBytes((total / med(n)) * 1000)}/s)`);
  console.log(`${'floor'.padEnd(width + 8)} ${seconds(floor)}  (every byte at ${MBPS} MB/s, plus one round trip)`);
  console.log(`ratio deckhand/skopeo: ${(dMed / sMed).toFixed(2)}x (target ≤ 0.95x)`);
  console.log(`ratio deckhand/floor:  ${(dMed / floor).toFixed(2)}x (target ≤ 1.15x)`);
  console.log(
    `ratio deckhand-app/floor: ${(med('deckhand-app') / floor).toFixed(2)}x, deckhand-app/skopeo: ${(med('deckhand-app') / sMed).toFixed(2)}x (the engine in a running process, as the app pulls)`,
  );
  console.log(`ratio skopeo/floor:    ${(sMed / floor).toFixed(2)}x`);
  console.log(
    `ratio deckhand/ideal:  ${(dMed / med('ideal')).toFixed(2)}x (ideal: every blob at once through the same proxy, in-process; it pays one handshake and one round trip, so the floor plus ${2 * RTT_MS} ms is its best)`,
  );
  for (const [name] of VARIANTS)
    console.log(
      `ratio ${name}/deckhand: ${(med(name) / dMed).toFixed(2)}x, ${name}/skopeo: ${(med(name) / sMed).toFixed(2)}x, ${name}/floor: ${(med(name) / floor).toFixed(2)}x`,
    );

  // Where the time goes, from the proxy's trace; medians per phase (they need not add up to the median time).
  console.log(
    `\nwhere the time goes, ms (medians over rounds): start = spawn to first connection; reach = to the first layer byte; transfer = to the last blob byte (the link needs ${((total / bytesPerSecond) * 1000).toFixed(0)}); tail = to exit`,
  );
  for (const who of names.filter((n) => n !== 'ideal')) {
    const s = runs[who]!.map((r) => summarize(r, bytesPerSecond / 1000));
    const m = (f: (x: (typeof s)[number]) => number) => median(s.map(f)).toFixed(0).padStart(5);
    const last = s.at(-1)!;
    console.log(
      `  ${who.padEnd(width)} start ${m((x) => x.start)}  reach ${m((x) => x.reach)}  transfer ${m((x) => x.transfer)} (slack ${m((x) => x.slack)})  tail ${m((x) => x.tail)}  total ${med(who).toFixed(0).padStart(5)}; ${last.connections} connections, ${last.requests} requests, at most ${last.maxInFlight} blob bodies at once`,
    );
    console.log(`  ${' '.repeat(width)} before the first layer byte: ${last.before.join(' → ')}`);
    console.log(`  ${' '.repeat(width)} blobs in the order they reached the proxy: ${last.order.join(', ')}`);
  }
  if (TRACE) {
    for (const who of names.filter((n) => n !== 'ideal')) printTimeline(who, runs[who]!.at(-1)!);
  }
} finally {
  await proxy?.stop();
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
