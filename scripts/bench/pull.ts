/**
 * `npm run bench:pull`: pulls one generated multi-layer image from a real docker-registry on
 * 127.0.0.1 with `deckhand pull` and with `skopeo copy docker://… oci:…`, alternating, for several
 * rounds, and prints the ratio of the median times, next to the floor: the same bytes read from the
 * registry and discarded. A last in-process pull measures the event
 * loop's worst stall while blobs stream in. Not a test: nothing here asserts on time.
 *
 * Env: BENCH_LAYERS (8), BENCH_LAYER_MB (50), BENCH_ROUNDS (5).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Agent, get } from 'node:http';
import { startRegistry } from '../../src-main/test/fixtures/registry.ts';
import { permissivePolicy, pushWithSkopeo } from '../../src-main/test/fixtures/images.ts';
import { Store } from '../../src-main/engine/store/layout.ts';
import { pull } from '../../src-main/engine/transfer/pull.ts';
import { formatBytes } from '../../src-shared/format.ts';
import { benchImage, LAYERS, median, PLATFORM, ROUNDS, timed } from './common.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const work = await mkdtemp(join(tmpdir(), 'deckhand-bench-'));
const registry = await startRegistry();
try {
  const { image, layout, total } = await benchImage(work);
  const ref = `${registry.host}/bench/big:1`;
  await pushWithSkopeo(layout, 'bench', ref);
  await rm(layout, { recursive: true });
  const policy = await permissivePolicy(work);
  console.log(`image: ${formatBytes(total)} in ${LAYERS} layers; ${ROUNDS} rounds against ${registry.url}`);

  const cli = join(root, 'dist', 'cli.mjs');
  const deckhand: number[] = [];
  const skopeo: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const dDir = join(work, `deckhand-${round}`);
    const sDir = join(work, `skopeo-${round}`);
    const runDeckhand = async () =>
      deckhand.push(await timed(process.execPath, [cli, 'pull', '--quiet', '--store', dDir, '--platform', 'linux/amd64', ref]));
    const runSkopeo = async () =>
      skopeo.push(
        await timed('skopeo', ['copy', '--quiet', '--policy', policy, '--src-tls-verify=false', `docker://${ref}`, `oci:${sDir}:bench`]),
      );
    // Alternate who goes first so neither always gets the warmer cache.
    if (round % 2 === 0) {
      await runDeckhand();
      await runSkopeo();
    } else {
      await runSkopeo();
      await runDeckhand();
    }
    await rm(dDir, { recursive: true, force: true });
    await rm(sDir, { recursive: true, force: true });
    console.log(`round ${round + 1}: deckhand ${(deckhand.at(-1)! / 1000).toFixed(2)} s, skopeo ${(skopeo.at(-1)! / 1000).toFixed(2)} s`);
  }

  // In-process pull: the worst event-loop stall while the engine streams, hashes and writes.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const store = await Store.open(join(work, 'in-process'));
  loop.enable();
  const started = performance.now();
  await pull(store, ref, { platform: PLATFORM });
  const inProcess = performance.now() - started;
  loop.disable();

  // The floor on this machine: the same blobs streamed from the registry and thrown away, no
  // hashing, no disk. No pull can beat it.
  const agent = new Agent({ keepAlive: true, maxSockets: LAYERS });
  const floor: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t = performance.now();
    await Promise.all(
      image.layers.map(
        (l) =>
          new Promise<void>((resolve, reject) => {
            get(`${registry.url}/v2/bench/big/blobs/${l.digest}`, { agent }, (res) => {
              res.on('data', () => undefined);
              res.on('end', resolve);
              res.on('error', reject);
            }).on('error', reject);
          }),
      ),
    );
    floor.push(performance.now() - t);
  }
  agent.destroy();

  const dMed = median(deckhand);
  const sMed = median(skopeo);
  const ratio = dMed / sMed;
  console.log('');
  console.log(`deckhand pull  median ${(dMed / 1000).toFixed(2)} s  (${formatBytes((total / dMed) * 1000)}/s)`);
  console.log(`skopeo copy    median ${(sMed / 1000).toFixed(2)} s  (${formatBytes((total / sMed) * 1000)}/s)`);
  console.log(`ratio deckhand/skopeo: ${ratio.toFixed(2)}x (target ≤ 0.90x)`);
  console.log(
    `loopback floor median ${(median(floor) / 1000).toFixed(2)} s  (${(median(floor) / sMed).toFixed(2)}x skopeo): bytes read and discarded, in-process, no hash, no disk`,
  );
  console.log(
    `event loop during an in-process pull (${(inProcess / 1000).toFixed(2)} s): max stall ${(loop.max / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms (target max ≤ 50 ms)`,
  );
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
