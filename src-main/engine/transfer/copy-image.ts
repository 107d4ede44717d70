/**
 * The one copy pipeline: every pull, push, copy, save and load is `copyImage(source, destination)`.
 * It resolves the image, lets the caller check it (policy), plans the blobs, asks the destination
 * what it already has, moves the rest with bounded concurrency (largest first, so long transfers
 * start early), writes manifests children first and names the image last. Blobs are retried here
 * and only here (see registry/retry.ts), a whole blob at a time, resuming from what the destination
 * kept; the one cancellation message is made here too.
 */
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import { referencedBlobs, type Descriptor } from '../../../src-shared/oci/manifest.ts';
import type { BlobKind, TransferListener } from '../../../src-shared/transfer.ts';
import { asOneAttempt, backoffMs, isTransient, MAX_ATTEMPTS, retryAfterOf, wait } from '../registry/retry.ts';
import type {
  BlobOutcome,
  BlobReader,
  CopyCounts,
  CopyOptions,
  CopyOutcome,
  ImageDestination,
  ImageSource,
  ResolvedImage,
} from './image.ts';
import { forEachLimit } from '../../../src-shared/pool.ts';
import { throttleProgress } from './throttle.ts';

/** How many times a tag is retried when a concurrent prune removed blobs between moving and naming. */
const COMMIT_ROUNDS = 3;

interface PlannedBlob extends Descriptor {
  kind: BlobKind;
}

/** Configs and layers of the children, each once, largest first. */
function planBlobs(image: ResolvedImage): PlannedBlob[] {
  return referencedBlobs(image.children.map((c) => c.manifest))
    .map(({ descriptor, kind }) => ({ ...descriptor, kind }))
    .sort((a, b) => b.size - a.size);
}

/** The config and layer digests the image's platform manifests reference, each once. */
export function blobDigests(image: ResolvedImage): string[] {
  return referencedBlobs(image.children.map((c) => c.manifest)).map((b) => b.descriptor.digest);
}

/**
 * One platform taken out of an index goes to a destination that cannot hold a sparse index (a
 * registry) as that platform's manifest alone, as skopeo copies without --all.
 */
function narrowed(image: ResolvedImage, destination: ImageDestination): ResolvedImage {
  if (!image.selected || destination.keepsSparseIndex || image.children.length !== 1) return image;
  const only = image.children[0]!;
  return {
    root: { digest: only.descriptor.digest, mediaType: only.descriptor.mediaType, bytes: only.bytes },
    children: [only],
    isIndex: false,
    sparse: false,
    platforms: image.platforms,
  };
}

function codeOf(e: unknown): string {
  return String((e as { code?: unknown }).code ?? (e as { cause?: { code?: unknown } }).cause?.code ?? 'error');
}

/** One blob, retried as a whole: a transient failure waits and resumes, a damaged body is fetched once more. */
async function moveBlob(
  source: string,
  destination: ImageDestination,
  blob: PlannedBlob,
  reader: BlobReader,
  counts: CopyCounts,
  emit: TransferListener,
  signal?: AbortSignal,
): Promise<BlobOutcome> {
  let mismatches = 0;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await asOneAttempt(() =>
        destination.putBlob(
          { digest: blob.digest, size: blob.size, kind: blob.kind, attempt, moved: (n) => (counts.bytes += n) },
          reader,
          emit,
          signal,
        ),
      );
    } catch (e) {
      signal?.throwIfAborted();
      if (isDeckhandError(e, 'EDIGEST_MISMATCH') || isDeckhandError(e, 'ESIZE_MISMATCH')) {
        if (++mismatches > 1) {
          emit({ type: 'blob', digest: blob.digest, kind: blob.kind, state: 'error', done: 0, total: blob.size });
          await destination.discardBlob?.(blob.digest);
          throw new DeckhandError(
            e.code,
            `Blob ${blob.digest} failed verification twice (${e.message}). ${source} serves content that does not match its digest; nothing unverified was stored.`,
            { cause: e, detail: { digest: blob.digest } },
          );
        }
        emit({ type: 'retry', digest: blob.digest, attempt: attempt + 1, reason: 'content did not match its digest; fetching again' });
        continue;
      }
      if (isTransient(e) && attempt + 1 < MAX_ATTEMPTS) {
        emit({ type: 'retry', digest: blob.digest, attempt: attempt + 1, reason: `transfer interrupted (${codeOf(e)}); resuming` });
        await wait(backoffMs(attempt, retryAfterOf(e)), signal);
        continue;
      }
      emit({ type: 'blob', digest: blob.digest, kind: blob.kind, state: 'error', done: 0, total: blob.size });
      await destination.discardBlob?.(blob.digest);
      throw e;
    }
  }
}

async function moveBlobs(
  source: ImageSource,
  destination: ImageDestination,
  blobs: PlannedBlob[],
  counts: CopyCounts,
  round: number,
  opts: CopyOptions,
  emit: TransferListener,
): Promise<void> {
  const tally = (outcome: BlobOutcome) => {
    if (outcome.how === 'moved') counts.moved++;
    else if (outcome.how === 'mounted') counts.mounted++;
    else {
      counts.existing++;
      if (round === 0) counts.skipped++;
    }
  };
  if (source.eachBlob) {
    const kinds = new Map(blobs.map((b) => [b.digest, b]));
    await source.eachBlob(
      blobs,
      async (d, reader) => tally(await moveBlob(source.description, destination, kinds.get(d.digest)!, reader, counts, emit, opts.signal)),
      opts.signal,
    );
    return;
  }
  const limit = Math.min(opts.concurrency ?? 6, destination.concurrency);
  await forEachLimit(blobs, limit, async (blob) =>
    tally(await moveBlob(source.description, destination, blob, source.blob(blob), counts, emit, opts.signal)),
  );
}

export async function copyImage(source: ImageSource, destination: ImageDestination, opts: CopyOptions): Promise<CopyOutcome> {
  const emit = throttleProgress(opts.onEvent);
  try {
    opts.signal?.throwIfAborted();
    const image = narrowed(await source.resolve(opts.selection, opts.signal), destination);
    opts.check?.(image);
    const said = opts.resolved(image);
    emit({
      type: 'resolved',
      ref: said.ref,
      digest: image.root.digest,
      mediaType: image.root.mediaType,
      platforms: image.platforms.filter(Boolean),
      sparse: image.sparse,
      endpoint: said.endpoint,
      ...(said.mirror !== undefined ? { mirror: said.mirror } : {}),
    });
    if (said.note)
      emit({ type: 'retry', digest: image.children[0]?.descriptor.digest ?? image.root.digest, attempt: 0, reason: said.note });
    const blobs = planBlobs(image);
    const counts: CopyCounts = { bytes: 0, moved: 0, existing: 0, mounted: 0, skipped: 0 };
    const { complete } = await destination.prepare(image, blobs, emit, opts.signal);
    if (complete) {
      counts.existing = counts.skipped = blobs.length;
      for (const b of blobs) emit({ type: 'blob', digest: b.digest, kind: b.kind, state: 'exists', done: b.size, total: b.size });
      return { image, counts };
    }
    let missing = new Set<string>();
    for (let round = 0; ; round++) {
      const wanted = round === 0 ? blobs : blobs.filter((b) => missing.has(b.digest));
      await moveBlobs(source, destination, wanted, counts, round, opts, emit);
      // Manifests go in after everything they reference, children before their index.
      if (image.isIndex)
        for (const child of image.children)
          await destination.putManifest(
            { digest: child.descriptor.digest, mediaType: child.descriptor.mediaType, bytes: child.bytes },
            'child',
            emit,
            opts.signal,
          );
      await destination.putManifest(image.root, 'root', emit, opts.signal);
      missing = new Set((await destination.commit(image, opts.signal)).missing);
      if (missing.size === 0) return { image, counts };
      // Something (a prune in another process) removed blobs between moving and naming: move them again.
      if (round + 1 >= COMMIT_ROUNDS)
        throw new DeckhandError(
          'ESTORE',
          `Blobs keep disappearing from ${destination.description} during the copy (${missing.size} missing); another process is removing them. Try again when it is done.`,
        );
    }
  } catch (e) {
    let err = (await destination.explain?.(e, opts.signal)) ?? e;
    if (opts.signal?.aborted && !isDeckhandError(err, 'ECANCELLED'))
      err = new DeckhandError('ECANCELLED', `${opts.operation} was cancelled; ${opts.cancelled}`, { cause: e });
    if (err instanceof DeckhandError) emit({ type: 'error', code: err.code, message: err.message });
    throw err;
  }
}
