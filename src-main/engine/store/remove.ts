/**
 * `rmi`: removes names from the catalog, then deletes exactly the blobs that no remaining entry and
 * no live lease still needs. Runs under the index lock, so a pull tagging at the same time either
 * sees the blobs it relies on or notices they are gone and fetches them again.
 */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DeckhandError } from '../../../src-shared/errors.ts';
import type { Descriptor } from '../../../src-shared/oci/manifest.ts';
import { updateIndex } from './index-file.ts';
import { describeCandidates, idsFor, matchEntries, noSuchImage, toEntry } from './catalog.ts';
import { walkEntry } from './graph.ts';
import { leasedDigests } from './leases.ts';
import { MetaCache, reachable } from './meta.ts';
import { fsyncDir } from './fsutil.ts';
import type { Store } from './layout.ts';

export interface RemoveResult {
  /** Names (or digests, for dangling entries) taken out of the catalog. */
  removed: string[];
  /** Blobs deleted from disk. */
  deleted: Array<{ digest: string; size: number }>;
  freedBytes: number;
}

export async function removeImages(store: Store, inputs: string[], opts: { force?: boolean } = {}): Promise<RemoveResult> {
  // A store that is not there yet (opened to read) holds nothing to remove; taking its lock would create it.
  if (!store.exists && inputs[0] !== undefined) throw noSuchImage(inputs[0], { store, storeEmpty: true, nothingRemoved: true });
  const deleted: RemoveResult['deleted'] = [];
  return updateIndex(
    store,
    async (index) => {
      const removedDescriptors: Descriptor[] = [];
      const removed: string[] = [];
      for (const input of inputs) {
        const entries = index.manifests.map(toEntry);
        const idsOf = await idsFor(store, entries, input);
        const found = matchEntries(entries, input, idsOf);
        if (found.length === 0) throw noSuchImage(input, { store, storeEmpty: entries.length === 0, nothingRemoved: true });
        const digests = new Set(found.map((e) => e.descriptor.digest));
        if (digests.size > 1 && !opts.force) {
          throw new DeckhandError(
            'EUSAGE',
            `${input} matches ${digests.size} different images: ${describeCandidates(found, idsOf)}; nothing was removed. Give a longer ID or a full reference.`,
            { detail: { input, candidates: [...digests] } },
          );
        }
        for (const e of found) {
          removedDescriptors.push(e.descriptor);
          removed.push(e.refName ?? e.descriptor.digest);
        }
        const gone = new Set(found.map((e) => e.descriptor));
        index.manifests = index.manifests.filter((d) => !gone.has(d));
      }

      // Blobs still needed: everything reachable from the remaining entries (from metadata cached by
      // digest, so a large store is not re-read), plus leased content.
      const needed = await leasedDigests(store);
      const meta = await MetaCache.load(store);
      for (const d of index.manifests) for (const digest of await reachable(meta, d)) needed.add(digest);
      const candidates = new Map<string, number>();
      for (const d of removedDescriptors) {
        try {
          for (const [digest, size] of (await walkEntry(store, d)).blobs) candidates.set(digest, size);
        } catch (e) {
          if (!(e instanceof DeckhandError)) throw e;
          candidates.set(d.digest, d.size);
        }
      }
      const doomed: Array<{ digest: string; size: number }> = [];
      for (const [digest, size] of candidates) if (!needed.has(digest)) doomed.push({ digest, size });
      return { removed, doomed };
    },
    {
      afterWrite: async (plan) => {
        deleted.push(...(await deleteBlobs(store, plan.doomed)));
      },
    },
  ).then(({ removed }) => ({
    removed,
    deleted,
    freedBytes: deleted.reduce((n, b) => n + b.size, 0),
  }));
}

/** Deletes blobs that are on disk; returns what was actually deleted with its size on disk. */
export async function deleteBlobs(store: Store, blobs: Array<{ digest: string }>): Promise<RemoveResult['deleted']> {
  const deleted: RemoveResult['deleted'] = [];
  for (const { digest } of blobs) {
    const onDisk = await store.blobSize(digest);
    if (onDisk === undefined) continue;
    await rm(store.blobPath(digest), { force: true });
    deleted.push({ digest, size: onDisk });
  }
  if (deleted.length > 0) await fsyncDir(dirname(store.blobPath(deleted[0]!.digest)));
  return deleted;
}
