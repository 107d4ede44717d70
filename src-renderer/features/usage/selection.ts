/**
 * What removing a set of images frees, exactly: a blob goes when every image that reaches it is
 * removed, so a blob shared with an image left behind stays. Pure, over the df figures.
 */
import type { DiskUsage } from '../../../src-shared/ipc/contract.ts';

/** Blob digest → the names of the images that reach it. */
export function blobUsers(usage: DiskUsage): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const image of usage.images) {
    for (const digest of new Set(image.blobs)) {
      const list = users.get(digest);
      if (list) list.push(image.name);
      else users.set(digest, [image.name]);
    }
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

export function selectionFigures(
  usage: DiskUsage,
  selected: Iterable<string>,
  users: Map<string, string[]> = blobUsers(usage),
): SelectionFigures {
  const chosen = new Set(selected);
  const names = usage.images.filter((i) => chosen.has(i.name)).map((i) => i.name);
  const picked = new Set(names);
  const seen = new Set<string>();
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
    for (const digest of image.blobs) {
      if (seen.has(digest)) continue;
      seen.add(digest);
      const size = usage.blobSizes[digest] ?? 0;
      const who = users.get(digest) ?? [image.name];
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
