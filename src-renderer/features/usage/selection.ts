/**
 * What removing a set of images frees, exactly: a blob goes when every image that reaches it is
 * removed, so a blob shared with an image left behind stays. Pure, over the df figures.
 */
import type { DiskUsage } from '../../../src-shared/ipc/contract.ts';

/** For each blob (by its index in df's blob table): the names of the images that reach it. */
export function blobUsers(usage: DiskUsage): string[][] {
  const users: string[][] = usage.blobDigests.map(() => []);
  for (const image of usage.images) {
    for (const k of new Set(image.blobs)) users[k]?.push(image.name);
  }
  return users;
}

export interface SelectionFigures {
  /** Selected names that are stored images. */
  names: string[];
  /** Bytes freed by removing them: every blob whose users are all selected, each once. */
  reclaimableBytes: number;
  /** The blobs that would go. */
  freedBlobs: string[];
  /** Of those, the ones more than one image reaches (freed because all of their users are selected). */
  freedSharedBlobs: string[];
  freedSharedBytes: number;
  /** Blobs the selection reaches that stay, because an unselected image still needs them. */
  keptBlobs: string[];
  keptBytes: number;
}

export function selectionFigures(usage: DiskUsage, selected: Iterable<string>, users: string[][] = blobUsers(usage)): SelectionFigures {
  const chosen = new Set(selected);
  const names = usage.images.filter((i) => chosen.has(i.name)).map((i) => i.name);
  const picked = new Set(names);
  const seen = new Set<number>();
  const figures: SelectionFigures = {
    names,
    reclaimableBytes: 0,
    freedBlobs: [],
    freedSharedBlobs: [],
    freedSharedBytes: 0,
    keptBlobs: [],
    keptBytes: 0,
  };
  for (const image of usage.images) {
    if (!picked.has(image.name)) continue;
    for (const k of image.blobs) {
      if (seen.has(k)) continue;
      seen.add(k);
      const digest = usage.blobDigests[k] ?? '';
      const size = usage.blobSizes[k] ?? 0;
      const who = users[k] ?? [image.name];
      if (who.every((n) => picked.has(n))) {
        figures.freedBlobs.push(digest);
        figures.reclaimableBytes += size;
        if (who.length > 1) {
          figures.freedSharedBlobs.push(digest);
          figures.freedSharedBytes += size;
        }
      } else {
        figures.keptBlobs.push(digest);
        figures.keptBytes += size;
      }
    }
  }
  return figures;
}
