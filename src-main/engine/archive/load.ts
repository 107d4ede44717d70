/**
 * `deckhand load -i FILE`: an oci-archive or docker-archive (docker save, podman save; gzip'd or
 * not) into the store. Pass one checks the whole archive without writing (scan.ts, plan.ts); pass
 * two streams the planned files through the verifying ingest under a lease; the names go into
 * index.json last. A rejected archive leaves nothing behind.
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { isErrno } from '../store/fsutil.ts';
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import { formatReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import { SOURCE, UNTAGGED } from '../store/annotations.ts';
import { setTag } from '../store/catalog.ts';
import { updateIndex } from '../store/index-file.ts';
import { Ingest, putBlob } from '../store/ingest.ts';
import { Lease } from '../store/leases.ts';
import type { Store } from '../store/layout.ts';
import { planLoad, type LoadPlan } from './plan.ts';
import { scanFacts } from './scan.ts';
import { scanArchive } from './tar-read.ts';

export interface LoadResult {
  format: LoadPlan['format'];
  images: Array<{ ref: string | null; digest: string }>;
  loadedBlobs: number;
  existingBlobs: number;
}

async function ingestFrom(store: Store, digest: string, size: number, content: Readable, onBytes: (done: number) => void, signal?: AbortSignal): Promise<boolean> {
  const ingest = await Ingest.begin(store, { digest, size }, signal);
  if (!ingest) return false;
  try {
    // A partial from an earlier load is not resumable from an archive stream: start clean.
    if (ingest.offset > 0) {
      await ingest.abort(true);
      return ingestFrom(store, digest, size, content, onBytes, signal);
    }
    await ingest.write(content, { ...(signal ? { signal } : {}), onBytes });
    await ingest.commit();
    return true;
  } catch (e) {
    await ingest.abort(true).catch(() => undefined);
    throw e;
  }
}

export async function loadArchive(store: Store, file: string, opts: { onEvent?: TransferListener; signal?: AbortSignal } = {}): Promise<LoadResult> {
  try {
    return await loadFrom(store, file, opts);
  } catch (e) {
    // An abort surfaces from the tar reader as a truncated archive: say what happened instead.
    if (opts.signal?.aborted && !isDeckhandError(e, 'ECANCELLED')) {
      throw new DeckhandError('ECANCELLED', `Loading ${file} was cancelled; no name was set. Blobs already stored stay, unnamed, until \`deckhand prune\` reclaims them or loading the archive again reuses them.`, { cause: e });
    }
    throw e;
  }
}

async function loadFrom(store: Store, file: string, opts: { onEvent?: TransferListener; signal?: AbortSignal }): Promise<LoadResult> {
  const emit = opts.onEvent ?? (() => undefined);
  try {
    if (!(await stat(file)).isFile()) throw new DeckhandError('EUSAGE', `${file} is not a file; give an archive written by docker save, podman save or deckhand save.`);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) throw new DeckhandError('ENOT_FOUND', `There is no archive at ${file}. Check the path.`);
    throw e;
  }
  emit({ type: 'resolving', ref: file });
  const scan = await scanFacts(file, opts.signal);
  const plan = planLoad(scan);
  const wanted = new Map(plan.blobs.map((b) => [b.name, b]));
  const lease = await Lease.create(store, `load ${file}`);
  const result: LoadResult = { format: plan.format, images: [], loadedBlobs: 0, existingBlobs: 0 };
  try {
    await lease.add(...plan.blobs.map((b) => b.digest), ...plan.documents.map((d) => d.digest), ...plan.images.map((i) => i.descriptor.digest));
    await scanArchive(file, async (entry, content) => {
      const blob = wanted.get(entry.name);
      if (!blob || !content) return;
      wanted.delete(entry.name);
      const kind = plan.images.some((i) => i.descriptor.digest === blob.digest) ? 'manifest' : 'layer';
      const stored = await ingestFrom(store, blob.digest, blob.size, content, (done) => emit({ type: 'blob', digest: blob.digest, kind, state: 'writing', done, total: blob.size }), opts.signal);
      if (stored) result.loadedBlobs++;
      else result.existingBlobs++;
      emit({ type: 'blob', digest: blob.digest, kind, state: stored ? 'done' : 'exists', done: blob.size, total: blob.size });
    }, opts.signal);
    if (wanted.size > 0) throw new DeckhandError('EARCHIVE', `${file} changed while it was being loaded (${[...wanted.keys()][0]} went missing). Nothing was named; run the load again.`);
    for (const d of plan.documents) await putBlob(store, d.digest, d.bytes);
    for (const image of plan.images) {
      if (image.names.length === 0) {
        await addUntagged(store, image.descriptor, file);
        result.images.push({ ref: null, digest: image.descriptor.digest });
        continue;
      }
      for (const name of image.names) {
        await setTag(store, name, image.descriptor, { [SOURCE]: `archive:${file}` }, { action: 'load' });
        result.images.push({ ref: typeof name === 'string' ? name : formatReference(name as ImageReference), digest: image.descriptor.digest });
      }
    }
    return result;
  } finally {
    await lease.release();
  }
}

/** An image without a name: a dangling entry, as `docker load` leaves an untagged image. */
async function addUntagged(store: Store, descriptor: LoadPlan['images'][number]['descriptor'], file: string): Promise<void> {
  await updateIndex(store, async (index) => {
    if (!index.manifests.some((d) => d.digest === descriptor.digest)) {
      index.manifests.push({ ...descriptor, annotations: { [UNTAGGED]: new Date().toISOString(), [SOURCE]: `archive:${file}` } });
    }
  });
}
