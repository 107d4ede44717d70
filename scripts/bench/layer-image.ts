/**
 * The `bench:layers` image, generated deterministically from a seed (nothing downloaded) straight
 * into a store: `layers` gzip layers holding about `totalMiB` MiB of file content in tens of
 * thousands of files of a realistic size mix (most small, a few large), about half the bytes text
 * (compressible), the rest random (as compressed or binary files are). Every layer above the first
 * overwrites some files of the layers below, deletes some (whiteouts) and adds its own.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { setTag } from '../../src-main/engine/store/catalog.ts';
import { putBlob } from '../../src-main/engine/store/ingest.ts';
import type { Store } from '../../src-main/engine/store/layout.ts';
import { parseReference } from '../../src-shared/oci/reference.ts';

/** mulberry32: a small seeded generator, so that every run builds the same image. */
function generator(seed: string): () => number {
  let a = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'the of and to in is for on that with as by at from this be or are an it not which have all was can will has more one their other about out use these file data value system user time server config error return function string number module version'.split(
    ' ',
  );

/** A file's size: log-uniform within a band; most files small, a few large. */
function sizeOf(rand: () => number): number {
  const r = rand();
  const [lo, hi] = r < 0.62 ? [64, 4096] : r < 0.92 ? [4096, 65536] : r < 0.997 ? [65536, 524288] : [524288, 8 * 1048576];
  return Math.round(lo * (hi / lo) ** rand());
}

export interface BenchLayerImage {
  ref: string;
  files: number;
  contentBytes: number;
  layers: Array<{ digest: string; size: number; file: string }>;
}

/** Writes the image into `store` and tags it `ref`. */
export async function writeLayerImage(
  store: Store,
  opts: { ref: string; seed: string; layers: number; totalMiB: number },
): Promise<BenchLayerImage> {
  const rand = generator(opts.seed);
  // A pool of text to take compressible files from, and a keystream for random ones.
  const words: string[] = [];
  for (let n = 0; n < 800_000; n++) words.push(WORDS[Math.floor(rand() * WORDS.length)]!);
  const text = Buffer.from(words.join(' '));
  const key = createHash('sha256').update(`${opts.seed}/random`).digest();
  const keystream = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const body = (size: number): Buffer => {
    if (rand() < 0.5) return keystream.update(Buffer.alloc(size));
    const out = Buffer.alloc(size);
    for (let at = 0; at < size;) {
      const from = Math.floor(rand() * (text.length - 4096));
      at += text.copy(out, at, from, from + Math.min(4096, size - at));
    }
    return out;
  };

  const perLayer = (opts.totalMiB * 1048576) / opts.layers;
  const existing: string[] = [];
  const blobs = join(store.root, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const layers: BenchLayerImage['layers'] = [];
  const diffIds: string[] = [];
  let files = 0;
  let contentBytes = 0;
  const done: Array<Promise<void>> = [];
  for (let l = 0; l < opts.layers; l++) {
    const tar = pack();
    const compressed = createHash('sha256');
    const uncompressed = createHash('sha256');
    let size = 0;
    const tmp = join(blobs, `.bench-${l}.tmp`);
    const written = pipeline(
      tar,
      new Transform({
        transform(c: Buffer, _e, cb) {
          uncompressed.update(c);
          cb(null, c);
        },
      }),
      createGzip(),
      new Transform({
        transform(c: Buffer, _e, cb) {
          compressed.update(c);
          size += c.length;
          cb(null, c);
        },
      }),
      createWriteStream(tmp),
    );
    // Not waited for: the layer's tar is queued whole in memory, so that the next layer is made
    // while this one is compressed (zlib's threads, both cores).
    let failed: Error | undefined;
    const entry = (header: Parameters<typeof tar.entry>[0], content?: Buffer) => {
      tar.entry({ mtime: new Date(0), uid: 0, gid: 0, ...header }, content ?? Buffer.alloc(0), (e) => (failed ??= e ?? undefined));
    };
    const dirs = new Set<string>();
    const ensureDirs = (path: string) => {
      const parts = path.split('/').slice(0, -1);
      for (let i = 1; i <= parts.length; i++) {
        const d = parts.slice(0, i).join('/');
        if (!dirs.has(d)) {
          dirs.add(d);
          entry({ name: `${d}/`, type: 'directory', mode: 0o755 });
        }
      }
    };
    let bytes = 0;
    // Above the first layer: overwrite about 3 % of the files below and delete about 1 %.
    if (l > 0) {
      const touched = Math.floor(existing.length * 0.04);
      for (let i = 0; i < touched; i++) {
        const at = Math.floor(rand() * existing.length);
        const path = existing[at]!;
        ensureDirs(path);
        if (i % 4 === 0) {
          const slash = path.lastIndexOf('/');
          entry({ name: `${path.slice(0, slash)}/.wh.${path.slice(slash + 1)}`, type: 'file', mode: 0o644, size: 0 });
          existing.splice(at, 1);
        } else {
          const content = body(sizeOf(rand));
          entry({ name: path, type: 'file', mode: 0o644, size: content.length }, content);
          bytes += content.length;
          files++;
        }
      }
    }
    for (let n = 0; bytes < perLayer; n++) {
      const pkg = `usr/lib/layer${l}-pkg${Math.floor(n / 400)}`;
      const path = `${pkg}/d${Math.floor(n / 40) % 10}/f${n}.${rand() < 0.5 ? 'so' : 'txt'}`;
      const content = body(Math.min(sizeOf(rand), Math.max(64, Math.round(perLayer - bytes))));
      ensureDirs(path);
      entry({ name: path, type: 'file', mode: rand() < 0.2 ? 0o755 : 0o644, size: content.length }, content);
      if (n % 50 === 0) entry({ name: `${path}.link`, type: 'symlink', linkname: `f${n}`, mode: 0o777 });
      existing.push(path);
      bytes += content.length;
      files++;
    }
    tar.finalize();
    done.push(
      written.then(async () => {
        if (failed) throw failed;
        const hex = compressed.digest('hex');
        await rename(tmp, join(blobs, hex));
        layers[l] = { digest: `sha256:${hex}`, size, file: join(blobs, hex) };
        diffIds[l] = `sha256:${uncompressed.digest('hex')}`;
      }),
    );
    contentBytes += bytes;
  }
  await Promise.all(done);

  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  const config = json({
    created: '2026-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: layers.map((_, i) => ({ created_by: `RUN install layer ${i} # bench` })),
  });
  const manifest = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
  });
  await putBlob(store, sha(config), config);
  await putBlob(store, sha(manifest), manifest);
  const descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length };
  await setTag(store, parseReference(opts.ref), descriptor);
  return { ref: opts.ref, files, contentBytes, layers };
}
