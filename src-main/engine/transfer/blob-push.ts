/**
 * Gets one stored blob into a repository with as few bytes as possible: HEAD (already there),
 * cross-repository mount (the registry holds it elsewhere), or an upload: one PUT for small blobs,
 * a streamed PATCH for large ones that resumes from where the session stands after a break or a
 * 416. An abandoned session is cancelled with DELETE.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import type { BlobKind, TransferListener } from '../../../src-shared/transfer.ts';
import type { Store } from '../store/layout.ts';
import type { RegistryClient } from '../registry/client.ts';
import { blobExists, cancelUpload, finishUpload, mountBlob, patchChunk, putMonolithic, startUpload, uploadedSoFar, type UploadSession } from '../registry/upload.ts';
import { backoffMs, wait } from '../registry/retry.ts';

/** Blobs up to this size go up in a single PUT. */
export const MONOLITHIC_MAX = 4 * 1024 * 1024;
const MAX_PATCH_ATTEMPTS = 5;
const MAX_MOUNT_TRIES = 3;

/** Where a blob's bytes come from: the store, or another registry when mirroring. */
export interface BlobSource {
  /** The blob's bytes from `offset` to the end. */
  open(offset: number, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
}

export function storeSource(store: Store, digest: string): BlobSource {
  return { open: async (offset) => createReadStream(store.blobPath(digest), { start: offset, highWaterMark: 1 << 20 }) };
}

export interface PushJob {
  repository: string;
  digest: string;
  size: number;
  kind: BlobKind;
  /** Other repositories of the same registry known to hold the blob. */
  mountFrom: string[];
  source: BlobSource;
}

export type PushOutcome = { how: 'exists' | 'mounted'; uploaded: 0 } | { how: 'uploaded'; uploaded: number };

export async function pushBlob(client: RegistryClient, job: PushJob, emit: TransferListener, signal?: AbortSignal): Promise<PushOutcome> {
  const { repository, digest, size, kind } = job;
  if (await blobExists(client, repository, digest, signal)) {
    emit({ type: 'blob', digest, kind, state: 'exists', done: size, total: size });
    return { how: 'exists', uploaded: 0 };
  }
  let session: UploadSession | undefined;
  for (const from of job.mountFrom.slice(0, MAX_MOUNT_TRIES)) {
    try {
      const mount = await mountBlob(client, repository, digest, from, signal);
      if (mount.mounted) {
        emit({ type: 'blob', digest, kind, state: 'mounted', done: size, total: size });
        return { how: 'mounted', uploaded: 0 };
      }
      session = mount.session;
      break;
    } catch (e) {
      signal?.throwIfAborted();
      // No read access to `from`, or it no longer holds the blob: try the next, then upload.
      if (!isDeckhandError(e)) throw e;
    }
  }
  session ??= await startUpload(client, repository, signal);
  try {
    emit({ type: 'blob', digest, kind, state: 'uploading', done: 0, total: size });
    const uploaded = size <= MONOLITHIC_MAX ? await uploadWhole(client, session, job, signal) : await uploadStreamed(client, session, job, emit, signal);
    emit({ type: 'blob', digest, kind, state: 'done', done: size, total: size });
    return { how: 'uploaded', uploaded };
  } catch (e) {
    await cancelUpload(client, session);
    emit({ type: 'blob', digest, kind, state: 'error', done: 0, total: size });
    throw e;
  }
}

async function uploadWhole(client: RegistryClient, session: UploadSession, job: PushJob, signal?: AbortSignal): Promise<number> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of await job.source.open(0, signal)) {
    size += chunk.length;
    if (size > job.size) throw new DeckhandError('ESIZE_MISMATCH', `Blob ${job.digest} is larger than the ${job.size} bytes its descriptor says; not uploading it.`, { detail: { digest: job.digest } });
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  await putMonolithic(client, session, job.digest, bytes, signal);
  return bytes.length;
}

function counted(source: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): Readable {
  return Readable.from(
    (async function* () {
      for await (const chunk of source) {
        onBytes(chunk.length);
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
}

async function uploadStreamed(client: RegistryClient, first: UploadSession, job: PushJob, emit: TransferListener, signal?: AbortSignal): Promise<number> {
  const { digest, size, kind } = job;
  let session = first;
  let offset = 0;
  let sent = 0;
  for (let attempt = 0; offset < size; attempt++) {
    let done = offset;
    const body = counted(await job.source.open(offset, signal), (n) => {
      done += n;
      sent += n;
      emit({ type: 'blob', digest, kind, state: 'uploading', done, total: size });
    });
    try {
      // One PATCH for the rest of the blob: it is the last chunk, so OCI-Chunk-Min-Length never applies to it.
      session = await patchChunk(client, session, body, offset, size - offset, signal);
      offset = size;
    } catch (e) {
      body.destroy();
      signal?.throwIfAborted();
      if (attempt + 1 >= MAX_PATCH_ATTEMPTS) throw e;
      // A broken connection or a 416: ask the session how much it holds and go on from there.
      await wait(backoffMs(attempt), signal);
      const state = await uploadedSoFar(client, session, signal);
      if (state.offset === 0) {
        // Nothing (or nothing we can tell apart from one byte) arrived: a clean new session.
        await cancelUpload(client, state.session);
        session = await startUpload(client, job.repository, signal);
      } else session = state.session;
      offset = Math.min(state.offset, size);
      emit({ type: 'retry', digest, attempt: attempt + 1, reason: `upload interrupted (${(e as { code?: string }).code ?? 'error'}); resuming at byte ${offset}` });
    }
  }
  await finishUpload(client, session, digest, signal);
  return sent;
}
