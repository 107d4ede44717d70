/**
 * `inspect`: everything about one stored image: its row (from the store graph, as the list shows
 * it), manifest(s), config, platforms, layers with sizes and history, and where its name pointed
 * over time (the tag log).
 */
import type { Descriptor, ImageConfig, ImageIndex } from '../../../src-shared/oci/manifest.ts';
import { parseImageConfig, parseManifestDocument } from '../../../src-shared/oci/manifest.ts';
import { formatPlatform } from '../../../src-shared/oci/platform.ts';
import { matchEntries, pickOne } from '../store/catalog.ts';
import { walkEntry } from '../store/graph.ts';
import type { Store } from '../store/layout.ts';
import { readTagHistory } from '../store/tag-log.ts';
import { summaryOf } from './images.ts';
import { buildStoreGraph, graphIds, type StoreGraph } from './store-graph.ts';
import type { ImageDetails, LayerDetails as LayerInfo, PlatformDetails as PlatformImage } from '../../../src-shared/ipc/types.ts';

// The shapes are the contract's (src-shared/ipc/types.ts): what inspect returns is what crosses IPC.
export type { LayerDetails as LayerInfo, PlatformDetails as PlatformImage, ImageDetails } from '../../../src-shared/ipc/types.ts';

/** Pairs layers with history entries that created them (history entries marked empty_layer have none). */
function layerHistory(config: ImageConfig): Array<string | null> {
  const out: Array<string | null> = [];
  for (const h of config.history ?? []) if (!h.empty_layer) out.push(h.created_by ?? null);
  return out;
}

/** `known` may be a graph the caller already has (the host keeps one); else the store's is built. */
export async function inspectImage(store: Store, input: string, known?: StoreGraph): Promise<ImageDetails> {
  const storeGraph = known ?? (await buildStoreGraph(store));
  const entries = storeGraph.images.map((i) => i.entry);
  const idsOf = graphIds(storeGraph);
  const entry = pickOne(matchEntries(entries, input, idsOf), input, { idsOf, store, storeEmpty: entries.length === 0 });
  const summary = summaryOf(storeGraph, entries.indexOf(entry));
  const graph = await walkEntry(store, entry.descriptor);
  let index: ImageIndex | null = null;
  if (graph.kind === 'index') {
    const doc = parseManifestDocument(await store.readBlob(entry.descriptor.digest), entry.descriptor.mediaType);
    if (doc.kind === 'index') index = doc.index;
  }
  const configs = new Map<string, ImageConfig>();
  const images: PlatformImage[] = [];
  for (const { descriptor, manifest } of graph.manifests) {
    let config = configs.get(manifest.config.digest);
    if (!config) configs.set(manifest.config.digest, (config = parseImageConfig(await store.readBlob(manifest.config.digest))));
    const created = layerHistory(config);
    const layers: LayerInfo[] = [];
    for (const [i, l] of manifest.layers.entries()) {
      layers.push({
        digest: l.digest,
        mediaType: l.mediaType,
        size: l.size,
        diffId: config.rootfs.diff_ids[i] ?? null,
        createdBy: created[i] ?? null,
        stored: await store.hasBlob(l.digest),
      });
    }
    const platform = formatPlatform(
      descriptor.platform ?? { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) },
    );
    images.push({ platform, digest: descriptor.digest, manifest, config, configDigest: manifest.config.digest, layers });
  }
  return {
    ...summary,
    refName: entry.refName,
    index,
    images,
    absentPlatforms: graph.absent.map((d: Descriptor) => (d.platform ? formatPlatform(d.platform) : d.digest)),
    tagHistory: entry.refName === null ? [] : await readTagHistory(store, entry.refName),
  };
}
