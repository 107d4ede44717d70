/**
 * `npm run bench:store`: generates stores of 1,000, 10,000 and 50,000 images (five blobs each over
 * 200 shared three-layer bases: 10,000 images are 50,600 blobs) and times `deckhand images`, `df`,
 * `tree` and `prune --dry-run` as a user runs them (a new process each), first on a cold metadata
 * cache, then warm. Not a test: nothing here asserts on time.
 *
 * Env: BENCH_STORE_SIZES (1000,10000,50000).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, seconds, timed, writeStore } from './common.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli.mjs');
const SIZES = (process.env.BENCH_STORE_SIZES ?? '1000,10000,50000').split(',').map(Number);
const work = await mkdtemp(join(tmpdir(), 'deckhand-bench-store-'));
try {
  const rows: string[] = [];
  for (const n of SIZES) {
    const dir = join(work, `store-${n}`);
    const blobs = writeStore(dir, n);
    const run = (args: string[]) => timed(process.execPath, [cli, '--store', dir, ...args]);
    const cold = await run(['images', '--format', 'json']);
    const ops: Record<string, string[]> = {
      images: ['images', '--format', 'json'],
      df: ['df', '--format', 'json'],
      tree: ['tree', '--format', 'json', `bench.example/team-${(n - 3) % 50}/app:${n - 3}`],
      'prune --dry-run': ['prune', '--dry-run', '--format', 'json'],
    };
    const line = [`${n} images, ${blobs} blobs: first run (cold cache) ${seconds(cold)}`];
    for (const [name, args] of Object.entries(ops)) {
      const times = [];
      for (let r = 0; r < 3; r++) times.push(await run(args));
      line.push(`${name} ${seconds(median(times))}`);
    }
    rows.push(line.join('; '));
    console.log(rows.at(-1));
    await rm(dir, { recursive: true, force: true });
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
