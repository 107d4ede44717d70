/**
 * The image list: one row per index.json entry with its name, digest, stored platforms (each with
 * its own size for an index), size of the stored blobs it references (each blob once), what of
 * that it shares with other images, and creation time from its config. Rows come from the store
 * graph, whose manifest and config metadata is cached by digest; list and inspect share this one
 * row builder.
 */
import {
  PLATFORMS,
  PREVIOUS_REF,
  PULLED,
  SIGNATURE_POLICY,
  SIGNATURE_VERIFIED_AT,
  SIGNATURE_VERIFIED_BY,
  SOURCE,
} from '../store/annotations.ts';
import type { Store } from '../store/layout.ts';
import type { ImageRow, PlatformManifest, SignatureStatus } from '../../../src-shared/ipc/types.ts';
import { buildStoreGraph, type GraphImage, type StoreGraph } from './store-graph.ts';

/** One row of the image list; the contract's ImageRow, so what the engine returns is what crosses IPC. */
export type ImageSummary = ImageRow;

/** Attestation manifests and other artifacts carry unknown/unknown: not a platform to show. */
const isShownPlatform = (p: string) => !p.startsWith('unknown');

/** An image's total bytes and the part of them another image also uses (each blob once). */
export function costOf(graph: StoreGraph, i: number): { totalBytes: number; sharedBytes: number } {
  let totalBytes = 0;
  let sharedBytes = 0;
  for (const [digest, size] of graph.images[i]!.blobs) {
    totalBytes += size;
    if ((graph.users.get(digest) ?? []).some((j) => j !== i)) sharedBytes += size;
  }
  return { totalBytes, sharedBytes };
}

function platformManifests(image: GraphImage): PlatformManifest[] {
  if (image.kind !== 'index') return [];
  return image.platforms
    .filter((p) => isShownPlatform(p.listedAs ?? p.meta.platform))
    .map((p) => {
      const digests = new Set([p.manifest, p.meta.config.digest, ...p.meta.layers.map((l) => l.digest)]);
      let size = 0;
      for (const d of digests) size += image.blobs.get(d) ?? 0;
      return { platform: p.listedAs ?? p.meta.platform, digest: p.manifest, size };
    });
}

/** The sigstore verification a pull recorded on the entry; null when none was (all three annotations are needed). */
export function signatureOf(a: Record<string, string>): SignatureStatus | null {
  const verifiedBy = a[SIGNATURE_VERIFIED_BY];
  const policy = a[SIGNATURE_POLICY];
  const at = a[SIGNATURE_VERIFIED_AT];
  return verifiedBy && policy && at ? { verifiedBy, policy, at } : null;
}

/** Row `i` of the graph (no blob reads). */
export function summaryOf(graph: StoreGraph, i: number): ImageSummary {
  const image = graph.images[i]!;
  const a = image.entry.descriptor.annotations ?? {};
  const { totalBytes, sharedBytes } = costOf(graph, i);
  // An index's own word for each platform first: what a pull chooses by, and what a manifest list set.
  const platforms = [...new Set(image.platforms.map((p) => p.listedAs ?? p.meta.platform).filter(isShownPlatform))];
  return {
    name: image.name,
    repository: image.repository,
    tag: image.tag,
    digest: image.entry.descriptor.digest,
    id: image.platforms[0]?.meta.config.digest ?? null,
    mediaType: image.entry.descriptor.mediaType,
    platforms: platforms.length > 0 || image.platforms.length > 0 ? platforms : a[PLATFORMS] ? a[PLATFORMS].split(',').filter(Boolean) : [],
    size: totalBytes,
    created: image.created,
    dangling: image.entry.refName === null,
    sparse: image.kind === 'index' && image.absent.length > 0,
    previousRef: a[PREVIOUS_REF] ?? null,
    source: a[SOURCE] ?? null,
    pulled: a[PULLED] ?? null,
    error: image.error,
    sharedBytes,
    uniqueBytes: totalBytes - sharedBytes,
    manifests: platformManifests(image),
    signature: signatureOf(a),
  };
}

export function imageRows(graph: StoreGraph): ImageSummary[] {
  return graph.images.map((_, i) => summaryOf(graph, i));
}

export async function listImages(store: Store): Promise<ImageSummary[]> {
  return imageRows(await buildStoreGraph(store));
}

/**
 * An image's unpacked size: each distinct layer of its stored platforms uncompressed, what docker
 * and podman list as SIZE. A layer whose uncompressed size is unknown (neither gzip nor plain tar)
 * counts at its stored size, and `exact` is false.
 */
export function unpackedOf(image: GraphImage): { bytes: number; exact: boolean } {
  const seen = new Set<string>();
  let bytes = 0;
  let exact = true;
  for (const p of image.platforms)
    for (const l of p.meta.layers) {
      if (seen.has(l.digest)) continue;
      seen.add(l.digest);
      if (l.uncompressed === null) exact = false;
      bytes += l.uncompressed ?? l.size;
    }
  return { bytes, exact };
}

/** Each layer's unpacked size (null when unknown), by digest, over the whole store. */
export function unpackedLayerSizes(graph: StoreGraph): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const i of graph.images) for (const p of i.platforms) for (const l of p.meta.layers) out.set(l.digest, l.uncompressed);
  return out;
}
