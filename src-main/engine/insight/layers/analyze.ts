/**
 * `deckhand layers`: what each layer of a stored image holds and did, and the image's efficiency.
 * Each layer blob is read once, streaming; layers never change, so what a read finds is kept per
 * layer digest in `.deckhand/layer-files/` (one JSON file per layer, written atomically, like the
 * meta cache: losing it only costs time) and an image's second analysis reads only those files.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DeckhandError } from '../../../../src-shared/errors.ts';
import type { ImageLayers } from '../../../../src-shared/ipc/types.ts';
import { parseImageConfig } from '../../../../src-shared/oci/manifest.ts';
import { formatPlatform, hostPlatform, platformMatchRank, type Platform } from '../../../../src-shared/oci/platform.ts';
import { resolveOne } from '../../store/catalog.ts';
import { isErrno, writeFileAtomic } from '../../store/fsutil.ts';
import { walkEntry, type StoredManifest } from '../../store/graph.ts';
import type { Store } from '../../store/layout.ts';
import { analyzeLayers, type ChangeCount, type Efficiency, type EfficiencyOptions, type LayerChange, type LayerContents } from './model.ts';
import { readLayerFile } from './read.ts';

const CACHE_VERSION = 1;

export interface LayerReport {
  digest: string;
  /** The blob's (compressed) size. */
  size: number;
  /** The bytes its tar entries hold (what dive calls a layer's size). */
  contentBytes: number;
  createdBy: string | null;
  added: ChangeCount;
  modified: ChangeCount;
  removed: ChangeCount;
  /** Only with `files`: each entry with what the layer did to it, then each removed path. */
  files?: LayerChange[];
}

export interface Inefficiency {
  path: string;
  cumulativeSize: number;
  count: number;
  /** The layers that touch the path: index (bottom first), digest and created_by. */
  layers: Array<{ index: number; digest: string; createdBy: string | null }>;
}

export interface LayersReport {
  image: string;
  manifest: string;
  platform: string;
  layers: LayerReport[];
  efficiency: Omit<Efficiency, 'inefficiencies'> & { inefficiencies: Inefficiency[] };
}

/** The report crosses the IPC contract as `ImageLayers`: this fails to compile when the two part. */
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const SHARED_REPORT: Exact<LayersReport, ImageLayers> = true;
void SHARED_REPORT;

export interface AnalyzeOptions extends EfficiencyOptions {
  /** The platform of a multi-platform image; the host's by default. */
  platform?: Platform;
  files?: boolean;
  signal?: AbortSignal;
  /** Called before each layer is read (`cached`: from the cache, without reading the blob). */
  onLayer?: (progress: { index: number; layers: number; digest: string; cached: boolean }) => void;
}

function cacheDir(store: Store): string {
  return join(store.root, '.deckhand', 'layer-files');
}

function cachePath(store: Store, digest: string): string {
  return join(cacheDir(store), `${digest.replace(':', '-')}.json`);
}

/** Deletes the cached contents of layers no longer stored (prune calls it); returns how many. */
export async function sweepLayerCache(store: Store): Promise<number> {
  let names: string[];
  try {
    names = await readdir(cacheDir(store));
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return 0;
    throw e;
  }
  let swept = 0;
  for (const name of names) {
    const m = /^([a-z0-9]+)-([0-9a-f]+)\.json$/.exec(name);
    // Temporary files of a write in progress (.NAME.PID.RANDOM.tmp) are left alone.
    if (!m) continue;
    if (await store.hasBlob(`${m[1]}:${m[2]}`)) continue;
    await rm(join(cacheDir(store), name), { force: true });
    swept++;
  }
  return swept;
}

/** A layer's contents from the cache, or null when not cached (or cached by another version). */
export async function cachedLayer(store: Store, digest: string): Promise<LayerContents | null> {
  try {
    const doc = JSON.parse(await readFile(cachePath(store, digest), 'utf8')) as {
      version?: number;
      digest?: string;
      contents?: LayerContents;
    };
    if (doc.version === CACHE_VERSION && doc.digest === digest && doc.contents) return doc.contents;
  } catch (e) {
    if (!isErrno(e, 'ENOENT') && !(e instanceof SyntaxError)) throw e;
  }
  return null;
}

/** A layer's contents: from the cache, else read from its blob once and cached. */
export async function layerContents(store: Store, digest: string, signal?: AbortSignal): Promise<LayerContents> {
  const hit = await cachedLayer(store, digest);
  if (hit) return hit;
  if (!(await store.hasBlob(digest))) {
    throw new DeckhandError('ENOT_FOUND', `Layer ${digest} is not in the store; pull the image again to analyse it.`, {
      detail: { layer: digest },
    });
  }
  const contents = await readLayerFile(store.blobPath(digest), digest, signal);
  const file = cachePath(store, digest);
  try {
    await mkdir(join(file, '..'), { recursive: true });
    await writeFileAtomic(file, JSON.stringify({ version: CACHE_VERSION, digest, contents }));
  } catch (e) {
    // A store we may only read still gets its analysis, just not cached.
    if (!isErrno(e, 'EACCES', 'EPERM', 'EROFS')) throw e;
  }
  return contents;
}

function pickManifest(manifests: StoredManifest[], input: string, want: Platform | undefined): StoredManifest {
  if (manifests.length === 1 && !want) return manifests[0]!;
  const target = want ?? hostPlatform(process.platform, process.arch);
  let best: StoredManifest | undefined;
  let bestRank = Number.POSITIVE_INFINITY;
  for (const m of manifests) {
    const p = m.descriptor.platform;
    if (!p) continue;
    const rank = platformMatchRank(target, p);
    if (rank >= 0 && rank < bestRank) [best, bestRank] = [m, rank];
  }
  if (best) return best;
  const stored = manifests.map((m) => (m.descriptor.platform ? formatPlatform(m.descriptor.platform) : 'unknown'));
  throw new DeckhandError(
    'ENO_PLATFORM',
    `${input} has no stored manifest for ${formatPlatform(target)} (stored: ${stored.join(', ') || 'none'}). Choose one with --platform.`,
    { detail: { image: input, platform: formatPlatform(target), stored } },
  );
}

/** Analyses the layers of the stored image `input` (a name, an ID or a digest). */
export async function analyzeImage(store: Store, input: string, opts: AnalyzeOptions = {}): Promise<LayersReport> {
  const entry = await resolveOne(store, input);
  const graph = await walkEntry(store, entry.descriptor);
  const { descriptor, manifest } = pickManifest(graph.manifests, input, opts.platform);
  const config = parseImageConfig(await store.readBlob(manifest.config.digest));
  const history = (config.history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by ?? null);
  // Two layers read at a time: one decompresses (zlib's thread pool) while the other is hashed.
  const contents: LayerContents[] = new Array<LayerContents>(manifest.layers.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < manifest.layers.length) {
      const index = next++;
      const layer = manifest.layers[index]!;
      opts.signal?.throwIfAborted();
      const hit = await cachedLayer(store, layer.digest);
      opts.onLayer?.({ index, layers: manifest.layers.length, digest: layer.digest, cached: hit !== null });
      try {
        contents[index] = hit ?? (await layerContents(store, layer.digest, opts.signal));
      } catch (e) {
        // The other reader stops after its current layer.
        failed = true;
        throw e;
      }
    }
  };
  // Both settle before the analysis answers, so nothing is still reading or writing after a failure.
  const settled = await Promise.allSettled([worker(), worker()]);
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
  const analysis = analyzeLayers(contents, opts.diveCompatible ? { diveCompatible: true } : {});
  const layers: LayerReport[] = manifest.layers.map((l, i) => {
    const changes = analysis.layers[i]!;
    return {
      digest: l.digest,
      size: l.size,
      contentBytes: contents[i]!.entries.reduce((n, e) => n + e.size, 0),
      createdBy: history[i] ?? null,
      added: changes.added,
      modified: changes.modified,
      removed: changes.removed,
      ...(opts.files ? { files: changes.changes } : {}),
    };
  });
  const { inefficiencies, ...figures } = analysis.efficiency;
  return {
    image: input,
    manifest: descriptor.digest,
    platform: formatPlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) }),
    layers,
    efficiency: {
      ...figures,
      inefficiencies: inefficiencies.map((d) => ({
        path: d.path,
        cumulativeSize: d.cumulativeSize,
        count: d.count,
        layers: d.layers.map((index) => ({ index, digest: layers[index]!.digest, createdBy: layers[index]!.createdBy })),
      })),
    },
  };
}
