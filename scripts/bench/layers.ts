/**
 * `npm run bench:layers`: the layers analysis of a generated 1 GiB image (8 gzip layers, tens of
 * thousands of files, about half the bytes compressible, files overwritten and deleted across
 * layers; layer-image.ts, seeded, nothing downloaded) in a temp store, against the floor of
 * `tar -tzf` over the same 8 layer blobs, one after the other, in the same run. For BENCH_ROUNDS
 * rounds, alternating who goes first:
 *
 * - the floor: `tar -tzf BLOB` for each layer, one after another;
 * - Deckhand cold (the layers cache cleared): `analyzeImage` in this process (its reader threads
 *   started by the first round), and `node dist/cli.mjs layers REF --format json`, a new process;
 * - Deckhand warm: the same analysis again (in-process, and the CLI), which reads only the cache;
 *   and in-process with `files: true` (every entry's change: the layer caches are read and the
 *   analysis runs again).
 *
 * With the in-process runs it prints the longest the bench's main thread was kept from its event
 * loop (`monitorEventLoopDelay`): what an app's main process would feel.
 *
 * Prints each round, the medians and the ratios (targets: cold ≤ 1.0x the floor, warm < 100 ms),
 * and the load average. Not a test: nothing here asserts on time. Needs `npm run build` first.
 *
 * Env: BENCH_ROUNDS (5), BENCH_LAYERS_MIB (1024, the content in all), BENCH_KEEP=1 (keep the store).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { analyzeImage } from '../../src-main/engine/insight/layers/analyze.ts';
import { Store } from '../../src-main/engine/store/layout.ts';
import { median, ROUNDS, timed } from './common.ts';
import { writeLayerImage } from './layer-image.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli.mjs');
const TOTAL_MIB = Number(process.env.BENCH_LAYERS_MIB ?? 1024);
const REF = 'bench.local/layers:1';
if (!existsSync(join(root, 'dist', 'layer-worker.mjs'))) throw new Error('Run `npm run build` first: the bench runs dist/cli.mjs.');

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
const ms = (n: number) => `${Math.round(n)} ms`;
const s = (n: number) => `${(n / 1000).toFixed(2)} s`;

const work = await mkdtemp(join(tmpdir(), 'deckhand-bench-layers-'));
try {
  const store = await Store.open(join(work, 'store'));
  const started = performance.now();
  console.log(`generating ${TOTAL_MIB} MiB of files in 8 gzip layers…`);
  const image = await writeLayerImage(store, { ref: REF, seed: 'bench-layers', layers: 8, totalMiB: TOTAL_MIB });
  const compressed = image.layers.reduce((n, l) => n + l.size, 0);
  console.log(
    `${image.files} files, ${(image.contentBytes / 1048576).toFixed(0)} MiB of content, ${(compressed / 1048576).toFixed(0)} MiB of gzip layers; generated in ${s(performance.now() - started)}`,
  );
  console.log(`${availableParallelism()} cores; load average at the start ${load()}`);
  const clear = () => rm(join(store.root, '.deckhand', 'layer-files'), { recursive: true, force: true });
  const floor = async () => {
    let total = 0;
    for (const l of image.layers) total += await timed('tar', ['-tzf', l.file]);
    return total;
  };
  /** The in-process analysis's time, and the longest the bench's main thread was kept from its event loop. */
  const stalls = { cold: [] as number[], warmFiles: [] as number[] };
  const inProcess = async (files = false, stall?: number[]) => {
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const t = performance.now();
    await analyzeImage(store, REF, { files });
    const took = performance.now() - t;
    lag.disable();
    stall?.push(lag.max / 1e6);
    return took;
  };
  const viaCli = () => timed(process.execPath, [cli, '--store', store.root, 'layers', REF, '--format', 'json']);

  const rows = {
    floor: [] as number[],
    cold: [] as number[],
    coldCli: [] as number[],
    warm: [] as number[],
    warmFiles: [] as number[],
    warmCli: [] as number[],
  };
  for (let r = 0; r < ROUNDS; r++) {
    const deckhand = async () => {
      await clear();
      rows.cold.push(await inProcess(false, stalls.cold));
      rows.warm.push(await inProcess());
      rows.warmFiles.push(await inProcess(true, stalls.warmFiles));
      await clear();
      rows.coldCli.push(await viaCli());
      rows.warmCli.push(await viaCli());
    };
    if (r % 2 === 0) {
      rows.floor.push(await floor());
      await deckhand();
    } else {
      await deckhand();
      rows.floor.push(await floor());
    }
    const f = rows.floor.at(-1)!;
    console.log(
      `round ${r + 1} (${r % 2 === 0 ? 'floor first' : 'Deckhand first'}, load ${load()}): floor ${s(f)}; cold ${s(rows.cold.at(-1)!)} (${(rows.cold.at(-1)! / f).toFixed(2)}x), CLI ${s(rows.coldCli.at(-1)!)} (${(rows.coldCli.at(-1)! / f).toFixed(2)}x); warm ${ms(rows.warm.at(-1)!)}, with files ${ms(rows.warmFiles.at(-1)!)}, CLI ${ms(rows.warmCli.at(-1)!)}`,
    );
  }
  const m = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)])) as Record<keyof typeof rows, number>;
  const verdict = (ok: boolean) => (ok ? 'met' : 'not met');
  console.log(`\nmedians over ${ROUNDS} rounds (load average at the end ${load()}):`);
  console.log(`  floor, tar -tzf over the 8 layers one after another: ${s(m.floor)}`);
  console.log(
    `  Deckhand cold, in-process analyzeImage: ${s(m.cold)} = ${(m.cold / m.floor).toFixed(2)}x the floor (target ≤ 1.0x: ${verdict(m.cold <= m.floor)})`,
  );
  console.log(
    `  Deckhand cold, deckhand layers --format json: ${s(m.coldCli)} = ${(m.coldCli / m.floor).toFixed(2)}x the floor (${verdict(m.coldCli <= m.floor)})`,
  );
  console.log(`  Deckhand warm, in-process: ${ms(m.warm)} (target < 100 ms: ${verdict(m.warm < 100)}); with files: ${ms(m.warmFiles)}`);
  console.log(`  Deckhand warm, deckhand layers --format json (a new process): ${ms(m.warmCli)}`);
  console.log(
    `  the main thread's longest stall: cold ${ms(median(stalls.cold))}, warm with files ${ms(median(stalls.warmFiles))} (medians)`,
  );
  console.log(
    `rounds (ms): ${Object.entries(rows)
      .map(([k, v]) => `${k} ${v.map((x) => Math.round(x)).join(' ')}`)
      .join('; ')}`,
  );
} finally {
  if (process.env.BENCH_KEEP === '1') console.log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}
