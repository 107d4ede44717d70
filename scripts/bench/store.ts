/**
 * `npm run bench:store`: generates stores of 1,000, 10,000 and 50,000 images (five blobs each over
 * 200 shared three-layer bases: 10,000 images are 50,600 blobs) and times `deckhand images`, `df`,
 * `tree` and `prune --dry-run` as a user runs them (a new process each), first on a cold metadata
 * cache, then warm. Not a test: nothing here asserts on time.
 *
 * Env: BENCH_STORE_SIZES (1000,10000,50000).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, seconds, timed } from './common.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli.mjs');
const SIZES = (process.env.BENCH_STORE_SIZES ?? '1000,10000,50000').split(',').map(Number);
const BASES = 200;
const LAYER = 'application/vnd.oci.image.layer.v1.tar';

function writeStore(dir: string, images: number): number {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  mkdirSync(join(dir, '.deckhand', 'ingest'), { recursive: true });
  mkdirSync(join(dir, '.deckhand', 'leases'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  let count = 0;
  const put = (bytes: Buffer) => {
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(blobs, hex), bytes);
    count++;
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const bases = Array.from({ length: BASES }, () => [0, 1, 2].map(() => ({ mediaType: LAYER, ...put(randomBytes(64 + Math.floor(Math.random() * 512))) })));
  const manifests = [];
  for (let i = 0; i < images; i++) {
    const base = bases[i % BASES]!;
    const mine = [0, 1, 2].map(() => ({ mediaType: LAYER, ...put(randomBytes(64 + Math.floor(Math.random() * 2048))) }));
    const layers = [...base, ...mine];
    const created = new Date(Date.parse('2025-01-01T00:00:00Z') + i * 60_000).toISOString();
    const config = put(Buffer.from(JSON.stringify({ created, architecture: 'amd64', os: 'linux', config: { Labels: { team: `t${i % 50}` } }, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) }, history: layers.map((_, j) => ({ created, created_by: `RUN step ${j} of image ${i}` })) })));
    const manifest = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers })));
    // Every tenth image is a dangling leftover of a moved tag.
    const annotations: Record<string, string> = i % 10 === 9 ? { 'io.deckhand.previous-ref': `bench.example/team-${i % 50}/app:old` } : { 'org.opencontainers.image.ref.name': `bench.example/team-${i % 50}/app:${i}` };
    manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations });
  }
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
  return count;
}

const work = await mkdtemp(join(tmpdir(), 'deckhand-bench-store-'));
try {
  const rows: string[] = [];
  for (const n of SIZES) {
    const dir = join(work, `store-${n}`);
    const blobs = writeStore(dir, n);
    const run = (args: string[]) => timed(process.execPath, [cli, '--store', dir, ...args]);
    const cold = await run(['images', '--format', 'json']);
    const ops: Record<string, string[]> = { images: ['images', '--format', 'json'], df: ['df', '--format', 'json'], tree: ['tree', '--format', 'json', `bench.example/team-${(n - 3) % 50}/app:${n - 3}`], 'prune --dry-run': ['prune', '--dry-run', '--format', 'json'] };
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
