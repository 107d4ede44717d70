/**
 * What the insight views need from manifests and configs, cached by digest. Content addressed by
 * digest never changes, so an entry is valid for as long as the blob exists: the cache turns a
 * 10,000-image store's 20,000 small file reads into one JSON read. It lives in
 * `.deckhand/meta-cache.json`; losing it only costs time.
 */
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseImageConfig, parseManifestDocument, type Descriptor } from '../../../src-shared/oci/manifest.ts';
import { formatPlatform } from '../../../src-shared/oci/platform.ts';
import { isErrno, writeFileAtomic } from './fsutil.ts';
import { withLock } from './lock.ts';
import type { Store } from './layout.ts';

export interface LayerMeta {
  digest: string;
  size: number;
  mediaType: string;
  diffId: string | null;
  /** Uncompressed size: from the gzip trailer, or the size itself for an uncompressed tar; null when unknown. */
  uncompressed: number | null;
  createdBy: string | null;
}

export interface ManifestMeta {
  kind: 'manifest';
  config: { digest: string; size: number };
  layers: LayerMeta[];
  platform: string;
  created: string | null;
  labels: Record<string, string>;
}

export interface IndexMeta {
  kind: 'index';
  children: Array<Pick<Descriptor, 'digest' | 'size' | 'mediaType'> & { platform: string | null }>;
}

export type BlobMeta = ManifestMeta | IndexMeta;

const VERSION = 1;

function cacheFile(store: Store): string {
  return join(store.root, '.deckhand', 'meta-cache.json');
}

/** Uncompressed size of a gzip member from its ISIZE trailer (exact below 4 GiB, single-member gzip). */
async function gzipSize(path: string, size: number): Promise<number | null> {
  if (size < 18) return null;
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    if (head[0] !== 0x1f || head[1] !== 0x8b) return null;
    const tail = Buffer.alloc(4);
    await fh.read(tail, 0, 4, size - 4);
    return tail.readUInt32LE(0);
  } finally {
    await fh.close();
  }
}

async function uncompressedSize(store: Store, layer: Descriptor): Promise<number | null> {
  if (/\.tar$/.test(layer.mediaType)) return layer.size;
  if (!/gzip/.test(layer.mediaType)) return null;
  try {
    return await gzipSize(store.blobPath(layer.digest), layer.size);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return null;
    throw e;
  }
}

export class MetaCache {
  private readonly store: Store;
  private entries = new Map<string, BlobMeta>();
  private dirty = false;

  private constructor(store: Store) {
    this.store = store;
  }

  static async load(store: Store): Promise<MetaCache> {
    const cache = new MetaCache(store);
    try {
      const doc = JSON.parse(await readFile(cacheFile(store), 'utf8')) as { version?: number; entries?: Record<string, BlobMeta> };
      if (doc.version === VERSION && doc.entries) cache.entries = new Map(Object.entries(doc.entries));
    } catch (e) {
      if (!isErrno(e, 'ENOENT') && !(e instanceof SyntaxError)) throw e;
    }
    return cache;
  }

  /** Metadata of a stored manifest or index; throws ENOT_FOUND when the blob is absent. */
  async get(descriptor: Pick<Descriptor, 'digest' | 'mediaType'>): Promise<BlobMeta> {
    const hit = this.entries.get(descriptor.digest);
    if (hit) return hit;
    const meta = await this.read(descriptor);
    this.entries.set(descriptor.digest, meta);
    this.dirty = true;
    return meta;
  }

  private async read(descriptor: Pick<Descriptor, 'digest' | 'mediaType'>): Promise<BlobMeta> {
    const doc = parseManifestDocument(await this.store.readBlob(descriptor.digest), descriptor.mediaType);
    if (doc.kind === 'index') {
      return {
        kind: 'index',
        children: doc.index.manifests.map((d) => ({
          digest: d.digest,
          size: d.size,
          mediaType: d.mediaType,
          platform: d.platform ? formatPlatform(d.platform) : null,
        })),
      };
    }
    const m = doc.manifest;
    let config;
    try {
      config = parseImageConfig(await this.store.readBlob(m.config.digest));
    } catch (e) {
      if (!(e instanceof DeckhandError)) throw e;
      config = undefined;
    }
    const history = (config?.history ?? []).filter((h) => !h.empty_layer);
    const layers: LayerMeta[] = [];
    for (const [i, l] of m.layers.entries()) {
      layers.push({
        digest: l.digest,
        size: l.size,
        mediaType: l.mediaType,
        diffId: config?.rootfs.diff_ids[i] ?? null,
        uncompressed: await uncompressedSize(this.store, l),
        createdBy: history[i]?.created_by ?? null,
      });
    }
    return {
      kind: 'manifest',
      config: { digest: m.config.digest, size: m.config.size },
      layers,
      platform: config
        ? formatPlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) })
        : 'unknown',
      created: config?.created ?? null,
      labels: config?.config?.Labels ?? {},
    };
  }

  /** Writes new entries back (merged with what another process wrote), dropping digests no longer stored. */
  async save(present: Set<string>): Promise<void> {
    if (!this.dirty) return;
    await withLock(`${cacheFile(this.store)}.lock`, async () => {
      const onDisk = await MetaCache.load(this.store);
      const merged: Record<string, BlobMeta> = {};
      for (const [k, v] of [...onDisk.entries, ...this.entries]) if (present.has(k)) merged[k] = v;
      await writeFileAtomic(cacheFile(this.store), JSON.stringify({ version: VERSION, entries: merged }));
    });
    this.dirty = false;
  }
}

/** Every digest an index.json entry reaches (stored or not), from cached metadata. */
export async function reachable(meta: MetaCache, d: Pick<Descriptor, 'digest' | 'mediaType'>): Promise<string[]> {
  const out = [d.digest];
  let top;
  try {
    top = await meta.get(d);
  } catch (e) {
    // An unreadable entry still protects what its descriptor names; fsck reports the damage.
    if (e instanceof DeckhandError) return out;
    throw e;
  }
  const manifests = top.kind === 'manifest' ? [top] : [];
  if (top.kind === 'index') {
    for (const child of top.children) {
      out.push(child.digest);
      try {
        const sub = await meta.get(child);
        if (sub.kind === 'manifest') manifests.push(sub);
      } catch (e) {
        if (!(e instanceof DeckhandError)) throw e;
      }
    }
  }
  for (const m of manifests) out.push(m.config.digest, ...m.layers.map((l) => l.digest));
  return out;
}

/**
 * The digests besides its own that name an index.json entry: its image IDs (the config digest of
 * each stored platform manifest, as docker and podman call a config digest an image ID; the first
 * is the one a list shows) and, for an index, its stored platform manifests. Empty when the entry
 * cannot be read.
 */
export async function entryDigests(
  meta: MetaCache,
  d: Pick<Descriptor, 'digest' | 'mediaType'>,
): Promise<{ ids: string[]; manifests: string[] }> {
  const ids: string[] = [];
  const manifests: string[] = [];
  try {
    const top = await meta.get(d);
    if (top.kind === 'manifest') return { ids: [top.config.digest], manifests };
    for (const child of top.children) {
      try {
        const sub = await meta.get(child);
        if (sub.kind !== 'manifest') continue;
        manifests.push(child.digest);
        if (!ids.includes(sub.config.digest)) ids.push(sub.config.digest);
      } catch (e) {
        // A platform whose manifest is not stored (a sparse index) has no ID here.
        if (!(e instanceof DeckhandError)) throw e;
      }
    }
  } catch (e) {
    if (!(e instanceof DeckhandError)) throw e;
  }
  return { ids, manifests };
}

/** The image IDs of an index.json entry (see entryDigests). */
export async function imageIds(meta: MetaCache, d: Pick<Descriptor, 'digest' | 'mediaType'>): Promise<string[]> {
  return (await entryDigests(meta, d)).ids;
}
