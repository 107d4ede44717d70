/**
 * `deckhand load -i FILE`: an oci-archive or docker-archive (docker save, podman save; gzip'd or
 * not) into the store. Pass one checks the whole archive without writing (scan.ts, plan.ts); then
 * each image goes through the copy pipeline from an ArchiveSource into the store: blobs through the
 * verifying ingest under a lease, the names into index.json last. A rejected archive leaves nothing.
 */
import { stat } from 'node:fs/promises';
import { isErrno } from '../store/fsutil.ts';
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import type { Descriptor } from '../../../src-shared/oci/manifest.ts';
import { hostPlatform } from '../../../src-shared/oci/platform.ts';
import { formatReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import { SOURCE, UNTAGGED } from '../store/annotations.ts';
import { updateIndex } from '../store/index-file.ts';
import { imageIds, MetaCache } from '../store/meta.ts';
import type { Store } from '../store/layout.ts';
import { copyImage } from '../transfer/copy-image.ts';
import { LayoutDestination } from '../transfer/layout.ts';
import { ArchiveSource } from './archive-source.ts';
import { planLoad, type LoadPlan } from './plan.ts';
import { scanFacts } from './scan.ts';

/** The image a loaded name pointed to before the load moved it: its digest, image ID, and whether no name holds it any more. */
export interface MovedFrom {
  digest: string;
  id: string | null;
  dangling: boolean;
}

export interface LoadResult {
  format: LoadPlan['format'];
  images: Array<{ ref: string | null; digest: string; previous?: MovedFrom }>;
  loadedBlobs: number;
  existingBlobs: number;
}

export async function loadArchive(
  store: Store,
  file: string,
  opts: { onEvent?: TransferListener; signal?: AbortSignal } = {},
): Promise<LoadResult> {
  try {
    return await loadFrom(store, file, opts);
  } catch (e) {
    // An abort surfaces from the tar reader as a truncated archive: say what happened instead.
    if (opts.signal?.aborted && !isDeckhandError(e, 'ECANCELLED'))
      throw new DeckhandError('ECANCELLED', `Loading ${file} was cancelled; ${CANCELLED}`, { cause: e });
    throw e;
  }
}

const CANCELLED =
  'no name was set. Blobs already stored stay, unnamed, until `deckhand prune` reclaims them or loading the archive again reuses them.';

async function loadFrom(store: Store, file: string, opts: { onEvent?: TransferListener; signal?: AbortSignal }): Promise<LoadResult> {
  try {
    if (!(await stat(file)).isFile())
      throw new DeckhandError('EUSAGE', `${file} is not a file; give an archive written by docker save, podman save or deckhand save.`);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) throw new DeckhandError('ENOT_FOUND', `There is no archive at ${file}. Check the path.`);
    throw e;
  }
  opts.onEvent?.({ type: 'resolving', ref: file });
  const scan = await scanFacts(file, opts.signal);
  const plan = planLoad(scan);
  const result: LoadResult = { format: plan.format, images: [], loadedBlobs: 0, existingBlobs: 0 };
  let meta: MetaCache | undefined;
  const firstId = async (d: Descriptor) => (await imageIds((meta ??= await MetaCache.load(store)), d))[0] ?? null;
  for (const planned of plan.images) {
    const destination = new LayoutDestination(store, {
      names: planned.names,
      action: 'load',
      verb: 'writing',
      annotations: async () => ({ [SOURCE]: `archive:${file}` }),
      unnamed: (s, d) => addUntagged(s, d, file),
    });
    try {
      const { image, counts } = await copyImage(new ArchiveSource(scan, plan, planned), destination, {
        // An archive's images load with every platform they hold: the selection does not narrow them.
        selection: { platform: hostPlatform(process.platform, process.arch), allPlatforms: true },
        operation: `Loading ${file}`,
        cancelled: CANCELLED,
        signal: opts.signal,
        onEvent: opts.onEvent,
        resolved: () => ({
          ref:
            planned.names.map((n) => (typeof n === 'string' ? n : formatReference(n as ImageReference))).join(', ') ||
            planned.descriptor.digest,
          endpoint: file,
        }),
      });
      result.loadedBlobs += counts.moved;
      result.existingBlobs += counts.existing;
      if (planned.names.length === 0) result.images.push({ ref: null, digest: image.root.digest });
      for (const name of planned.names) {
        const ref = typeof name === 'string' ? name : formatReference(name as ImageReference);
        const moved = destination.moved.find((m) => m.name === ref);
        result.images.push(
          moved
            ? {
                ref,
                digest: image.root.digest,
                previous: { digest: moved.previous.digest, id: await firstId(moved.previous), dangling: moved.dangling },
              }
            : { ref, digest: image.root.digest },
        );
      }
    } finally {
      await destination.close();
    }
  }
  return result;
}

/** An image without a name: a dangling entry, as `docker load` leaves an untagged image. */
async function addUntagged(store: Store, descriptor: Descriptor, file: string): Promise<void> {
  await updateIndex(store, async (index) => {
    if (!index.manifests.some((d) => d.digest === descriptor.digest)) {
      index.manifests.push({ ...descriptor, annotations: { [UNTAGGED]: new Date().toISOString(), [SOURCE]: `archive:${file}` } });
    }
  });
}
