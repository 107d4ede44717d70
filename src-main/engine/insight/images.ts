/**
 * The image list: one row per index.json entry with its name, digest, stored platforms, size of
 * the stored blobs it references (each blob once) and creation time from its config.
 */
import { parseImageConfig, type ImageConfig } from '../../../src-shared/oci/manifest.ts';
import { formatPlatform } from '../../../src-shared/oci/platform.ts';
import { repositoryName } from '../../../src-shared/oci/reference.ts';
import { DeckhandError } from '../../../src-shared/errors.ts';
import type { CatalogEntry } from '../store/catalog.ts';
import { walkEntry } from '../store/graph.ts';
import { PLATFORMS, PREVIOUS_REF, PULLED, SOURCE } from '../store/annotations.ts';
import type { Store } from '../store/layout.ts';
import type { ImageRow } from '../../../src-shared/ipc/types.ts';
import { buildStoreGraph, type GraphImage } from './store-graph.ts';

/** One row of the image list; the contract's ImageRow, so what the engine returns is what crosses IPC. */
export type ImageSummary = ImageRow;

export class ConfigCache {
  private readonly cache = new Map<string, Promise<ImageConfig>>();
  private readonly store: Store;
  constructor(store: Store) {
    this.store = store;
  }
  get(digest: string): Promise<ImageConfig> {
    let p = this.cache.get(digest);
    if (!p) {
      p = this.store.readBlob(digest).then(parseImageConfig);
      this.cache.set(digest, p);
    }
    return p;
  }
}

function nameParts(entry: CatalogEntry): { repository: string | null; tag: string | null } {
  if (entry.ref) return { repository: repositoryName(entry.ref), tag: entry.ref.tag ?? null };
  if (entry.bareTag !== null) return { repository: null, tag: entry.bareTag };
  return { repository: null, tag: null };
}

export async function summarize(store: Store, entry: CatalogEntry, configs: ConfigCache): Promise<ImageSummary> {
  const d = entry.descriptor;
  const a = d.annotations ?? {};
  const base: ImageSummary = {
    ...nameParts(entry),
    digest: d.digest,
    id: null,
    mediaType: d.mediaType,
    platforms: a[PLATFORMS] ? a[PLATFORMS].split(',').filter(Boolean) : [],
    size: 0,
    created: null,
    dangling: entry.refName === null,
    sparse: false,
    previousRef: a[PREVIOUS_REF] ?? null,
    source: a[SOURCE] ?? null,
    pulled: a[PULLED] ?? null,
    error: null,
  };
  try {
    const graph = await walkEntry(store, d);
    for (const digest of graph.blobs.keys()) base.size += (await store.blobSize(digest)) ?? 0;
    base.sparse = graph.kind === 'index' && graph.absent.length > 0;
    const platforms: string[] = [];
    for (const m of graph.manifests) {
      const config = await configs.get(m.manifest.config.digest);
      base.id ??= m.manifest.config.digest;
      if (config.created && (!base.created || config.created > base.created)) base.created = config.created;
      // Attestation manifests and other artifacts carry unknown/unknown: not a platform to show.
      if (m.descriptor.platform?.os === 'unknown') continue;
      platforms.push(formatPlatform(m.descriptor.platform ?? { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) }));
    }
    base.platforms = [...new Set(platforms)];
  } catch (e) {
    if (!(e instanceof DeckhandError)) throw e;
    base.error = e.message;
  }
  return base;
}

/** One row from the store graph (no blob reads: the graph's metadata is cached by digest). */
export function summaryOf(image: GraphImage): ImageSummary {
  const a = image.entry.descriptor.annotations ?? {};
  let size = 0;
  for (const s of image.blobs.values()) size += s;
  const platforms = [...new Set(image.platforms.map((p) => p.meta.platform).filter((p) => !p.startsWith('unknown')))];
  return {
    repository: image.repository,
    tag: image.tag,
    digest: image.entry.descriptor.digest,
    id: image.platforms[0]?.meta.config.digest ?? null,
    mediaType: image.entry.descriptor.mediaType,
    platforms: platforms.length > 0 || image.platforms.length > 0 ? platforms : a[PLATFORMS] ? a[PLATFORMS].split(',').filter(Boolean) : [],
    size,
    created: image.created,
    dangling: image.entry.refName === null,
    sparse: image.kind === 'index' && image.absent.length > 0,
    previousRef: a[PREVIOUS_REF] ?? null,
    source: a[SOURCE] ?? null,
    pulled: a[PULLED] ?? null,
    error: image.error,
  };
}

export async function listImages(store: Store): Promise<ImageSummary[]> {
  return (await buildStoreGraph(store)).images.map(summaryOf);
}
