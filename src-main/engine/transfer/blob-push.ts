/**
 * Gets one stored blob into a repository with as few bytes as possible: HEAD (already there),
 * cross-repository mount (the registry holds it elsewhere), or an upload: one PUT for small blobs,
 * a streamed PATCH for large ones that resumes from where the session stands after a break or a
 * 416. An abandoned session is cancelled with DELETE.
 */
import { open } from 'node:fs/promises';
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import type { BlobKind, TransferListener } from '../../../src-shared/transfer.ts';
import type { Store } from '../store/layout.ts';
import type { RegistryClient } from '../registry/client.ts';
import { blobExists, cancelUpload, finishUpload, mountBlob, patchChunk, putMonolithic, startUpload, uploadedSoFar, type UploadSession } from '../registry/upload.ts';
import { backoffMs, wait } from '../registry/retry.ts';
import { CHUNK_DONE, type ChunkStream } from '../registry/http.ts';

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
  return { open: async (offset) => readChunks(store.blobPath(digest), offset) };
}

const READ_CHUNK = 1 << 20;
/** Buffers a reader keeps for reuse; an upload has one or two chunks with the socket at a time. */
const SPARE_BUFFERS = 4;

/**
 * The file from `offset` in 1 MiB reads into buffers that are reused once the upload hands them
 * back (CHUNK_DONE, after the socket has taken their bytes), so a push neither allocates a fresh
 * megabyte per read nor leaves them to the GC: with fs.createReadStream, 420 MB of 1 MiB buffers
 * cost V8 a mark-compact every few tens of MB plus a page fault per fresh 4 KiB. A consumer that
 * never hands chunks back just gets fresh buffers. The file opens on the first read.
 */
function readChunks(path: string, offset: number): ChunkStream {
  const spare: Buffer[] = [];
  const out = new WeakSet<ArrayBufferLike>();
  return {
    [CHUNK_DONE]: (chunk) => {
      // Only a buffer this reader lent, and only once: a buffer in two places at once would be overwritten.
      if (!out.delete(chunk.buffer)) return;
      if (spare.length < SPARE_BUFFERS) spare.push(Buffer.from(chunk.buffer, 0, READ_CHUNK));
    },
    async *[Symbol.asyncIterator]() {
      const fh = await open(path, 'r');
      try {
        for (let position = offset; ; ) {
          const buf = spare.pop() ?? Buffer.allocUnsafeSlow(READ_CHUNK);
          const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, position);
          if (bytesRead === 0) return;
          position += bytesRead;
          out.add(buf.buffer);
          yield buf.subarray(0, bytesRead);
        }
      } finally {
        await fh.close();
      }
    },
  };
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
  const source = await job.source.open(0, signal);
  for await (const chunk of source) {
    size += chunk.length;
    if (size > job.size) throw new DeckhandError('ESIZE_MISMATCH', `Blob ${job.digest} is larger than the ${job.size} bytes its descriptor says; not uploading it.`, { detail: { digest: job.digest } });
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

async function uploadStreamed(client: RegistryClient, first: UploadSession, job: PushJob, emit: TransferListener, signal?: AbortSignal): Promise<number> {
  const { digest, size, kind } = job;
  let session = first;
  let offset = 0;
  let sent = 0;
  for (let attempt = 0; offset < size; attempt++) {
    let done = offset;
    const stop = new AbortController();
    const body = counted(
      await job.source.open(offset, signal),
      (n) => {
        done += n;
        sent += n;
        emit({ type: 'blob', digest, kind, state: 'uploading', done, total: size });
      },
      stop.signal,
    );
    try {
      // One PATCH for the rest of the blob: it is the last chunk, so OCI-Chunk-Min-Length never applies to it.
      session = await patchChunk(client, session, body, offset, size - offset, signal);
      offset = size;
    } catch (e) {
      // Stops sending the rest of this body (and closes its source) if it is still going.
      stop.abort();
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
