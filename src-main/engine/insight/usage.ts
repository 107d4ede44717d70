/**
 * `deckhand df`: what each image costs and what the store holds, counting every blob once, as
 * `docker system df -v` does. Per image, sharedBytes are blobs another image also uses and
 * uniqueBytes are what removing only this image would free. The store's reclaimableBytes is
 * exactly what a default `deckhand prune` would free. Blobs are listed once, images refer to
 * them by index (the contract's DiskUsage), with each layer's build step beside its size.
 */
import type { StoreGraph } from './store-graph.ts';
import { costOf } from './images.ts';
import { planPrune } from './prune.ts';
import type { DiskUsage, ImageUsage } from '../../../src-shared/ipc/types.ts';
import { buildStep } from '../../../src-shared/oci/history.ts';

// The shapes are the contract's: what df returns is what crosses IPC.
export type { DiskUsage, ImageUsage } from '../../../src-shared/ipc/types.ts';

export function diskUsage(graph: StoreGraph): DiskUsage {
  const indexOf = new Map<string, number>();
  const blobDigests: string[] = [];
  const blobSizes: number[] = [];
  const blobSteps: Array<string | null> = [];
  const images = graph.images.map((img, i): ImageUsage => {
    const { totalBytes, sharedBytes } = costOf(graph, i);
    const blobs: number[] = [];
    for (const [digest, size] of img.blobs) {
      let k = indexOf.get(digest);
      if (k === undefined) {
        k = blobDigests.length;
        indexOf.set(digest, k);
        blobDigests.push(digest);
        blobSizes.push(size);
        blobSteps.push(null);
      }
      blobs.push(k);
    }
    // A layer's build step, from the history of the first image config that records one for it.
    for (const platform of img.platforms) {
      for (const layer of platform.meta.layers) {
        const k = indexOf.get(layer.digest);
        if (k !== undefined && blobSteps[k] === null && layer.createdBy) blobSteps[k] = buildStep(layer.createdBy);
      }
    }
    return {
      name: img.name,
      repository: img.repository,
      tag: img.tag,
      digest: img.entry.descriptor.digest,
      dangling: img.entry.refName === null,
      totalBytes,
      sharedBytes,
      uniqueBytes: totalBytes - sharedBytes,
      blobs,
    };
  });
  let blobBytes = 0;
  let sharedBytes = 0;
  let unreferencedBlobs = 0;
  let unreferencedBytes = 0;
  for (const [digest, size] of graph.onDisk) {
    blobBytes += size;
    const users = graph.users.get(digest)?.length ?? 0;
    if (users > 1) sharedBytes += size;
    if (users === 0) {
      unreferencedBlobs++;
      unreferencedBytes += size;
    }
  }
  const ingestBytes = graph.ingests.reduce((n, g) => n + g.size, 0);
  return {
    images,
    blobDigests,
    blobSizes,
    blobSteps,
    totalBytes: blobBytes + ingestBytes,
    reclaimableBytes: planPrune(graph).reclaimedBytes,
    blobCount: graph.onDisk.size,
    blobBytes,
    sharedBytes,
    unreferencedBlobs,
    unreferencedBytes,
    ingestCount: graph.ingests.length,
    ingestBytes,
  };
}
