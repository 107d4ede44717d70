/**
 * One attempt at getting a blob into a repository with as few bytes as possible: HEAD (already
 * there), cross-repository mount (the registry holds it elsewhere), or an upload: one PUT for small
 * blobs, a streamed PATCH for large ones. The pipeline retries a failed attempt; a large upload's
 * session is kept between attempts (`sessions`) so the next one asks where it stands and resumes
 * from there. A small upload's session, or one the pipeline gives up on, is cancelled with DELETE.
 */
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import type { RegistryClient } from '../registry/client.ts';
import {
  blobExists,
  cancelUpload,
  finishUpload,
  mountBlob,
  patchChunk,
  putMonolithic,
  startUpload,
  uploadedSoFar,
  type UploadSession,
} from '../registry/upload.ts';
import type { BlobJob, BlobOutcome, BlobReader } from './image.ts';
import { CHUNK_DONE, type ChunkStream } from '../registry/http.ts';

/** Blobs up to this size go up in a single PUT. */
export const MONOLITHIC_MAX = 4 * 1024 * 1024;
const MAX_MOUNT_TRIES = 3;

export interface PushTarget {
  client: RegistryClient;
  repository: string;
  /** Other repositories of the same registry known to hold the blob. */
  mountFrom: string[];
  /** Upload sessions of large blobs kept between attempts, by digest. */
  sessions: Map<string, UploadSession>;
}

/** An upload session to continue: the kept one where it stands, else HEAD, mounts, and a new one. */
async function open(
  target: PushTarget,
  job: BlobJob,
  emit: TransferListener,
  signal?: AbortSignal,
): Promise<{ done: BlobOutcome } | { session: UploadSession; offset: number }> {
  const { client, repository } = target;
  const { digest, size, kind } = job;
  const kept = target.sessions.get(digest);
  if (kept) {
    target.sessions.delete(digest);
    const state = await uploadedSoFar(client, kept, signal);
    // Nothing (or nothing we can tell apart from one byte) arrived: a clean new session.
    if (state.offset > 0) return { session: state.session, offset: Math.min(state.offset, size) };
    await cancelUpload(client, state.session);
    return { session: await startUpload(client, repository, signal), offset: 0 };
  }
  if (await blobExists(client, repository, digest, signal)) {
    emit({ type: 'blob', digest, kind, state: 'exists', done: size, total: size });
    return { done: { how: 'exists' } };
  }
  for (const from of target.mountFrom.slice(0, MAX_MOUNT_TRIES)) {
    try {
      const mount = await mountBlob(client, repository, digest, from, signal);
      if (mount.mounted) {
        emit({ type: 'blob', digest, kind, state: 'mounted', done: size, total: size });
        return { done: { how: 'mounted' } };
      }
      return { session: mount.session, offset: 0 };
    } catch (e) {
      signal?.throwIfAborted();
      // No read access to `from`, or it no longer holds the blob: try the next, then upload.
      if (!isDeckhandError(e)) throw e;
    }
  }
  return { session: await startUpload(client, repository, signal), offset: 0 };
}

export async function pushBlobAttempt(
  target: PushTarget,
  job: BlobJob,
  reader: BlobReader,
  emit: TransferListener,
  signal?: AbortSignal,
): Promise<BlobOutcome> {
  const opened = await open(target, job, emit, signal);
  if ('done' in opened) return opened.done;
  const { session, offset } = opened;
  const { digest, size, kind } = job;
  emit({ type: 'blob', digest, kind, state: 'uploading', done: offset, total: size });
  if (size <= MONOLITHIC_MAX) {
    try {
      job.moved(await uploadWhole(target.client, session, job, reader, signal));
      emit({ type: 'blob', digest, kind, state: 'done', done: size, total: size });
      return { how: 'moved' };
    } catch (e) {
      await cancelUpload(target.client, session);
      throw e;
    }
  }
  let done = offset;
  const stop = new AbortController();
  const body = counted(
    await reader.open(offset, signal),
    (n) => {
      done += n;
      job.moved(n);
      emit({ type: 'blob', digest, kind, state: 'uploading', done, total: size });
    },
    stop.signal,
  );
  let current = session;
  try {
    // One PATCH for the rest of the blob: it is the last chunk, so OCI-Chunk-Min-Length never applies to it.
    current = await patchChunk(target.client, session, body, offset, size - offset, signal);
    await finishUpload(target.client, current, digest, signal);
  } catch (e) {
    // Stops sending the rest of this body (and closes its source) if it is still going.
    stop.abort();
    // A broken connection or a 416: the next attempt asks the session how much it holds.
    target.sessions.set(digest, current);
    throw e;
  }
  emit({ type: 'blob', digest, kind, state: 'done', done: size, total: size });
  return { how: 'moved' };
}

async function uploadWhole(
  client: RegistryClient,
  session: UploadSession,
  job: BlobJob,
  reader: BlobReader,
  signal?: AbortSignal,
): Promise<number> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const source = await reader.open(0, signal);
  for await (const chunk of source) {
    size += chunk.length;
    if (size > job.size)
      throw new DeckhandError(
        'ESIZE_MISMATCH',
        `Blob ${job.digest} is larger than the ${job.size} bytes its descriptor says; not uploading it.`,
        { detail: { digest: job.digest } },
      );
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  const done = (source as ChunkStream)[CHUNK_DONE];
  if (done) for (const chunk of chunks) done(chunk);
  await putMonolithic(client, session, job.digest, bytes, signal);
  return bytes.length;
}

/** `source` with every chunk counted as it goes out; hands chunks back to the source as the socket takes them. Stops (throws) once `stop` is aborted. */
function counted(source: AsyncIterable<Uint8Array>, onBytes: (n: number) => void, stop: AbortSignal): ChunkStream {
  const done = (source as ChunkStream)[CHUNK_DONE];
  return {
    ...(done ? { [CHUNK_DONE]: done } : {}),
    async *[Symbol.asyncIterator]() {
      for await (const chunk of source) {
        stop.throwIfAborted();
        onBytes(chunk.length);
        yield chunk;
      }
    },
  };
}

/** Cancels the sessions still kept (the copy failed or was cancelled): open uploads are abandoned. */
export async function abandonSessions(target: PushTarget): Promise<void> {
  const left = [...target.sessions.values()];
  target.sessions.clear();
  await Promise.all(left.map((s) => cancelUpload(target.client, s)));
}
