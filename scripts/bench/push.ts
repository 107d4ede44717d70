/**
 * `npm run bench:push`: pushes one generated multi-layer image with `deckhand push` (from its store)
 * and with `skopeo copy oci:… docker://…` (from an OCI layout of the same blobs) to a fresh
 * docker-registry on 127.0.0.1 each round, so neither can mount or skip what an earlier round sent.
 * Then each re-pushes to the same repository, where every blob is already there. Prints the ratios
 * of the medians. Not a test: nothing here asserts on time.
 *
 * Env: BENCH_LAYERS (8), BENCH_LAYER_MB (50), BENCH_ROUNDS (5).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRegistry } from '../../src-main/test/fixtures/registry.ts';
import { permissivePolicy, skopeoCopy } from '../../src-main/test/fixtures/images.ts';
import { formatBytes } from '../../src-shared/format.ts';
import { benchImage, LAYERS, median, ROUNDS, seconds, timed } from './common.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli.mjs');
const work = await mkdtemp(join(tmpdir(), 'deckhand-bench-push-'));
try {
  const { layout, total } = await benchImage(work);
  const store = join(work, 'store');
  const stored = 'bench.example/bench/big:1';
  await skopeoCopy(`oci:${layout}:bench`, `oci:${store}:${stored}`, { policyDir: work });
  const policy = await permissivePolicy(work);
  console.log(`image: ${formatBytes(total)} in ${LAYERS} layers; ${ROUNDS} rounds, a fresh registry each`);

  const runs = { deckhand: [] as number[], skopeo: [] as number[], deckhandAgain: [] as number[], skopeoAgain: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const registry = await startRegistry();
    try {
      const dRef = `${registry.host}/bench/deckhand:1`;
      const sRef = `${registry.host}/bench/skopeo:1`;
      const deckhand = () => timed(process.execPath, [cli, 'push', '--quiet', '--store', store, stored, dRef]);
      const skopeo = () =>
        timed('skopeo', [
          'copy',
          '--quiet',
          '--policy',
          policy,
          '--dest-tls-verify=false',
          '--dest-no-creds',
          `oci:${layout}:bench`,
          `docker://${sRef}`,
        ]);
      // Alternate who goes first so neither always meets the registry's disk in the same state.
      if (round % 2 === 0) {
        runs.deckhand.push(await deckhand());
        runs.skopeo.push(await skopeo());
      } else {
        runs.skopeo.push(await skopeo());
        runs.deckhand.push(await deckhand());
      }
      runs.deckhandAgain.push(await deckhand());
      runs.skopeoAgain.push(await skopeo());
    } finally {
      await registry.stop();
    }
    const last = (xs: number[]) => seconds(xs.at(-1)!);
    console.log(
      `round ${round + 1}: push deckhand ${last(runs.deckhand)}, skopeo ${last(runs.skopeo)}; re-push deckhand ${last(runs.deckhandAgain)}, skopeo ${last(runs.skopeoAgain)}`,
    );
  }
  const m = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)])) as Record<keyof typeof runs, number>;
  console.log('');
  console.log(`deckhand push     median ${seconds(m.deckhand)}  (${formatBytes((total / m.deckhand) * 1000)}/s)`);
  console.log(`skopeo copy       median ${seconds(m.skopeo)}  (${formatBytes((total / m.skopeo) * 1000)}/s)`);
  console.log(`ratio deckhand/skopeo: ${(m.deckhand / m.skopeo).toFixed(2)}x (target ≤ 0.70x)`);
  console.log(
    `deckhand re-push  median ${(m.deckhandAgain / 1000).toFixed(3)} s: ${(m.deckhandAgain / m.skopeo).toFixed(4)}x skopeo's push (target ≤ 0.05x); skopeo re-push ${seconds(m.skopeoAgain)} (${(m.deckhandAgain / m.skopeoAgain).toFixed(2)}x of it)`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
