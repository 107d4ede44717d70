/**
 * `deckhand layers`: what each layer of a stored image holds and did, and the image's efficiency.
 * Each layer blob is read once, streaming, on a reader thread (pool.ts); layers never change, so
 * what a read finds is kept per layer digest, and the figures per manifest, in the store's cache
 * (cache.ts): an image's second analysis reads only the cache.
 */
import { DeckhandError, isDeckhandError } from '../../../../src-shared/errors.ts';
import type { ImageLayers } from '../../../../src-shared/ipc/types.ts';
import { parseImageConfig } from '../../../../src-shared/oci/manifest.ts';
import { formatPlatform, hostPlatform, platformMatchRank, type Platform } from '../../../../src-shared/oci/platform.ts';
import { resolveOne } from '../../store/catalog.ts';
import { walkEntry, type StoredManifest } from '../../store/graph.ts';
import type { Store } from '../../store/layout.ts';
import { cachedLayerText, cachedReport, writeLayerCache, writeReportCache } from './cache.ts';
import type { Analysis, ChangeCount, Efficiency, EfficiencyOptions, LayerChange } from './model.ts';
import { readOnThread, runOnThread } from './pool.ts';
import type { AnalyzeResult } from './worker-protocol.ts';

export { cachedLayer, sweepLayerCache } from './cache.ts';

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
  /**
   * How far the reading is, in compressed bytes of the layer blobs (a cached layer counts as read):
   * once at the start, at most every PROGRESS_MS while reading, after each layer, and at the end.
   */
  onProgress?: (progress: AnalyzeProgress) => void;
}

export interface AnalyzeProgress {
  bytesDone: number;
  bytesTotal: number;
  layersDone: number;
  layers: number;
}

const PROGRESS_MS = 100;

function progressReporter(on: AnalyzeOptions['onProgress'], bytesTotal: number, layers: number) {
  let bytesDone = 0;
  let layersDone = 0;
  let last = 0;
  const emit = (force: boolean) => {
    if (!on) return;
    const now = performance.now();
    if (!force && now - last < PROGRESS_MS) return;
    last = now;
    on({ bytesDone: Math.min(bytesDone, bytesTotal), bytesTotal, layersDone, layers });
  };
  emit(true);
  return {
    bytes(n: number) {
      bytesDone += n;
      emit(false);
    },
    /** A layer is done; `rest`: its bytes not yet counted. */
    layer(rest: number) {
      bytesDone += Math.max(0, rest);
      layersDone++;
      emit(true);
    },
  };
}

function cancelledAnalysis(input: string): DeckhandError {
  return new DeckhandError('ECANCELLED', `The layers analysis of ${input} was cancelled; the layers not read yet were not cached.`, {
    detail: { image: input },
  });
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

type Summary = Omit<LayersReport, 'image'>;

type Progress = Pick<ReturnType<typeof progressReporter>, 'bytes' | 'layer'>;
const NO_PROGRESS: Progress = { bytes: () => undefined, layer: () => undefined };

/**
 * Every layer's cache text (cache.ts), bottom first: from the cache, else read on a reader thread
 * and cached (`fresh`: the layers whose cached text turned out unreadable, read again). On a
 * failure the other reads are stopped, and all settle before this answers, so nothing is still
 * reading or writing; a layer is cached only once it was read whole, and not after a cancel.
 */
async function layerTexts(
  store: Store,
  input: string,
  layers: Array<{ digest: string; size: number }>,
  opts: AnalyzeOptions,
  progress: Progress,
  fresh?: Set<number>,
): Promise<string[]> {
  const out = new Array<string>(layers.length);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) stop.abort();
  let failure: unknown;
  const one = async ({ digest, size }: { digest: string; size: number }, index: number) => {
    const hit = fresh?.has(index) ? null : await cachedLayerText(store, digest);
    if (stop.signal.aborted) throw cancelledAnalysis(input);
    if (hit !== null) {
      opts.onLayer?.({ index, layers: layers.length, digest, cached: true });
      out[index] = hit;
      progress.layer(size);
      return;
    }
    if (!(await store.hasBlob(digest))) {
      throw new DeckhandError('ENOT_FOUND', `Layer ${digest} is not in the store; pull the image again to analyse it.`, {
        detail: { layer: digest },
      });
    }
    let read = 0;
    const text = await readOnThread(
      { file: store.blobPath(digest), layer: digest },
      {
        signal: stop.signal,
        onStart: () => opts.onLayer?.({ index, layers: layers.length, digest, cached: false }),
        onBytes: (n) => {
          read += n;
          progress.bytes(n);
        },
      },
    );
    if (stop.signal.aborted) throw cancelledAnalysis(input);
    await writeLayerCache(store, digest, text);
    out[index] = text;
    progress.layer(size - read);
  };
  await Promise.allSettled(
    layers.map((l, i) =>
      (fresh && !fresh.has(i) ? Promise.resolve() : one(l, i)).catch((e: unknown) => {
        failure ??= e;
        stop.abort();
      }),
    ),
  );
  opts.signal?.removeEventListener('abort', onAbort);
  if (opts.signal?.aborted) throw isDeckhandError(failure) && failure.code !== 'ECANCELLED' ? failure : cancelledAnalysis(input);
  if (failure !== undefined) throw failure;
  return out;
}

/** The model over the layers, on a reader thread; a layer whose cached text is unreadable is read again, once. */
async function analyzeOnThread(
  store: Store,
  input: string,
  layers: Array<{ digest: string; size: number }>,
  opts: AnalyzeOptions,
  progress: Progress,
): Promise<{ analysis: Analysis; contentBytes: number[] }> {
  let texts = await layerTexts(store, input, layers, opts, progress);
  for (let attempt = 0; ; attempt++) {
    const job = {
      kind: 'analyze' as const,
      layers: layers.map((l, i) => ({ digest: l.digest, text: texts[i]! })),
      diveCompatible: opts.diveCompatible === true,
      files: opts.files === true,
    };
    let result: AnalyzeResult;
    try {
      result = JSON.parse(await runOnThread<string>(job, opts.signal ? { signal: opts.signal } : {})) as AnalyzeResult;
    } catch (e) {
      throw opts.signal?.aborted ? cancelledAnalysis(input) : e;
    }
    if (result.unreadable === null) return result;
    if (attempt > 0) {
      const which = result.unreadable.map((i) => layers[i]!.digest).join(', ');
      throw new DeckhandError('EINTERNAL', `The contents read from layer ${which} cannot be analysed.`, { detail: { layers: which } });
    }
    const again = await layerTexts(store, input, layers, opts, NO_PROGRESS, new Set(result.unreadable));
    texts = texts.map((t, i) => again[i] ?? t);
  }
}

/** Analyses the layers of the stored image `input` (a name, an ID or a digest). */
export async function analyzeImage(store: Store, input: string, opts: AnalyzeOptions = {}): Promise<LayersReport> {
  if (opts.signal?.aborted) throw cancelledAnalysis(input);
  const entry = await resolveOne(store, input);
  const graph = await walkEntry(store, entry.descriptor);
  const { descriptor, manifest } = pickManifest(graph.manifests, input, opts.platform);
  const dive = opts.diveCompatible === true;
  const progress = progressReporter(
    opts.onProgress,
    manifest.layers.reduce((n, l) => n + l.size, 0),
    manifest.layers.length,
  );
  // Without the files, the figures of an earlier analysis of the same manifest are the answer.
  if (!opts.files) {
    const summary = await cachedReport<Summary>(store, descriptor.digest, dive);
    if (summary && summary.layers.length === manifest.layers.length) {
      for (const [index, l] of manifest.layers.entries()) {
        opts.onLayer?.({ index, layers: manifest.layers.length, digest: l.digest, cached: true });
        progress.layer(l.size);
      }
      return { image: input, ...summary };
    }
  }
  const config = parseImageConfig(await store.readBlob(manifest.config.digest));
  const history = (config.history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by ?? null);
  const { analysis, contentBytes } = await analyzeOnThread(store, input, manifest.layers, opts, progress);
  const layers: LayerReport[] = manifest.layers.map((l, i) => {
    const changes = analysis.layers[i]!;
    return {
      digest: l.digest,
      size: l.size,
      contentBytes: contentBytes[i]!,
      createdBy: history[i] ?? null,
      added: changes.added,
      modified: changes.modified,
      removed: changes.removed,
      ...(opts.files ? { files: changes.changes } : {}),
    };
  });
  const { inefficiencies, ...figures } = analysis.efficiency;
  const summary: Summary = {
    manifest: descriptor.digest,
    platform: formatPlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) }),
    layers: layers.map(({ files: _files, ...l }) => l),
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
  if (!opts.signal?.aborted) await writeReportCache(store, descriptor.digest, dive, summary);
  return { image: input, ...summary, layers };
}
