/** Shared by the benchmarks: time a command, medians, and a generated image in a fresh layout. */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateImage, writeOciLayout, type GeneratedImage } from '../../src-main/test/fixtures/images.ts';

export const LAYERS = Number(process.env.BENCH_LAYERS ?? 8);
export const LAYER_MB = Number(process.env.BENCH_LAYER_MB ?? 50);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
export const PLATFORM = { os: 'linux', architecture: 'amd64' };

/** Runs a command to completion and returns its wall time in milliseconds. */
export function timed(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}):\n${stderr}`));
    });
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * The benchmark image in an OCI layout under `work`, tagged `bench`: one gzip layer of random
 * (incompressible) data per entry of `layerMiB` (default: LAYERS layers of LAYER_MB MiB). `total`
 * is every byte a pull transfers: layers, config and manifest.
 */
export async function benchImage(
  work: string,
  layerMiB: number[] = Array.from({ length: LAYERS }, () => LAYER_MB),
  seed = 'bench',
): Promise<{ image: GeneratedImage; layout: string; total: number }> {
  const same = layerMiB.every((s) => s === layerMiB[0]);
  console.log(
    same
      ? `generating ${layerMiB.length} layers of ${layerMiB[0]} MiB…`
      : `generating ${layerMiB.length} layers of ${layerMiB.join(', ')} MiB…`,
  );
  const image = await generateImage({
    layerSizes: layerMiB.map((mib) => Math.round(mib * 1024 * 1024)),
    platform: PLATFORM,
    seed,
    dir: join(work, 'gen'),
  });
  const layout = join(work, 'layout');
  await writeOciLayout(layout, [{ ref: 'bench', image }]);
  const total = image.layers.reduce((n, l) => n + l.size, 0) + image.configSize + image.manifestBytes.length;
  return { image, layout, total };
}

const BASES = 200;
const LAYER = 'application/vnd.oci.image.layer.v1.tar';

/**
 * Writes a store of `images` images straight into an OCI layout under `dir` (no registry, no
 * ingest): five blobs each over 200 shared three-layer bases, every tenth image a dangling
 * leftover of a moved tag. Returns the number of blobs written.
 */
export function writeStore(dir: string, images: number): number {
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
  const bases = Array.from({ length: BASES }, () =>
    [0, 1, 2].map(() => ({ mediaType: LAYER, ...put(randomBytes(64 + Math.floor(Math.random() * 512))) })),
  );
  const manifests = [];
  for (let i = 0; i < images; i++) {
    const base = bases[i % BASES]!;
    const mine = [0, 1, 2].map(() => ({ mediaType: LAYER, ...put(randomBytes(64 + Math.floor(Math.random() * 2048))) }));
    const layers = [...base, ...mine];
    const created = new Date(Date.parse('2025-01-01T00:00:00Z') + i * 60_000).toISOString();
    const config = put(
      Buffer.from(
        JSON.stringify({
          created,
          architecture: 'amd64',
          os: 'linux',
          config: { Labels: { team: `t${i % 50}` } },
          rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
          history: layers.map((_, j) => ({ created, created_by: `RUN step ${j} of image ${i}` })),
        }),
      ),
    );
    const manifest = put(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers,
        }),
      ),
    );
    // Every tenth image is a dangling leftover of a moved tag.
    const annotations: Record<string, string> =
      i % 10 === 9
        ? { 'io.deckhand.previous-ref': `bench.example/team-${i % 50}/app:old` }
        : { 'org.opencontainers.image.ref.name': `bench.example/team-${i % 50}/app:${i}` };
    manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations });
  }
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }),
  );
  return count;
}
