/**
 * `deckhand save REF... -o FILE`: stored images into an archive through the copy pipeline, each
 * image one copy from the store into the same ArchiveDestination. An oci-archive holds every stored
 * platform (a sparse index is refused, or cut to its stored platforms as a new index with
 * presentPlatforms); a docker-archive holds one platform per image.
 */
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import { hostPlatform, type Platform } from '../../../src-shared/oci/platform.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import type { Store } from '../store/layout.ts';
import { copyImage } from '../transfer/copy-image.ts';
import { LayoutSource } from '../transfer/layout.ts';
import { ArchiveDestination, type ArchiveFormat } from './archive-destination.ts';

export type { ArchiveFormat };

export interface SaveOptions {
  format: ArchiveFormat;
  /** docker-archive: which platform of an index (default: this machine's, else the only one). */
  platform?: Platform;
  /**
   * oci-archive of a sparse index (some platforms not stored): write the stored platforms as a new
   * index (another digest), as push --present-platforms does. Without it such an image is refused.
   */
  presentPlatforms?: boolean;
  onEvent?: TransferListener;
  signal?: AbortSignal;
}

export interface SaveResult {
  file: string;
  format: ArchiveFormat;
  bytes: number;
  /** What the archive holds: for a sparse index saved with presentPlatforms, the new index's digest. */
  images: Array<{ ref: string | null; digest: string }>;
}

const sparseRefusal = (name: string, absent: string) =>
  `${name} is a sparse index: ${absent} not stored, and an archive of it as is would name images it does not hold. Pull them first (\`deckhand pull --all-platforms\`), save only the stored platforms as a new index with --present-platforms, or save one platform with --format docker-archive.`;

export async function saveArchive(store: Store, inputs: string[], file: string, opts: SaveOptions): Promise<SaveResult> {
  if (inputs.length === 0) throw new DeckhandError('EUSAGE', 'Name at least one stored image to save.');
  const destination = new ArchiveDestination(file, opts.format);
  const images: SaveResult['images'] = [];
  const sources: LayoutSource[] = [];
  try {
    for (const input of inputs) {
      const source = new LayoutSource(store, input, {
        sparse: opts.presentPlatforms ? { mode: 'present' } : { mode: 'refuse', why: sparseRefusal },
        ...(opts.format === 'docker-archive' ? { onePlatform: { want: opts.platform } } : {}),
      });
      // Every image stays leased until the archive is complete.
      sources.push(source);
      const { image } = await copyImage(source, destination, {
        selection: { platform: opts.platform ?? hostPlatform(process.platform, process.arch), allPlatforms: opts.format === 'oci-archive' },
        operation: `Saving to ${file}`,
        cancelled: 'the partial archive was removed and nothing was written.',
        signal: opts.signal,
        onEvent: opts.onEvent,
        resolved: () => {
          destination.name(source.entry!.refName);
          return { ref: source.entry!.refName ?? input, endpoint: store.root };
        },
      });
      images.push({ ref: source.entry!.refName, digest: image.root.digest });
    }
    const bytes = await destination.finish();
    return { file, format: opts.format, bytes, images };
  } catch (e) {
    await destination.discard();
    if (opts.signal?.aborted && !isDeckhandError(e, 'ECANCELLED'))
      throw new DeckhandError('ECANCELLED', `Saving to ${file} was cancelled; the partial archive was removed and nothing was written.`, {
        cause: e,
      });
    throw e;
  } finally {
    for (const s of sources) await s.close();
  }
}
