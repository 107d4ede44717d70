/** Shared by the benchmarks: time a command, medians, and a generated image in a fresh layout. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateImage, writeOciLayout, type GeneratedImage } from '../../src-main/engine/test/fixtures/images.ts';

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

/** The benchmark image (LAYERS gzip layers of LAYER_MB MiB of random data) in an OCI layout under `work`, tagged `bench`. */
export async function benchImage(work: string): Promise<{ image: GeneratedImage; layout: string; total: number }> {
  console.log(`generating ${LAYERS} layers of ${LAYER_MB} MiB…`);
  const image = await generateImage({ layers: LAYERS, layerSize: LAYER_MB * 1024 * 1024, platform: PLATFORM, seed: 'bench', dir: join(work, 'gen') });
  const layout = join(work, 'layout');
  await writeOciLayout(layout, [{ ref: 'bench', image }]);
  const total = image.layers.reduce((n, l) => n + l.size, 0) + image.configSize + image.manifestBytes.length;
  return { image, layout, total };
}
