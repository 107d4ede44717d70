/**
 * Fetches one blob into the store: resumes from a partial ingest with `Range`, retries a broken
 * body with backoff, and refetches once from scratch when the content does not match its digest.
 */
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import type { BlobKind, TransferListener } from '../../../src-shared/transfer.ts';
import { Ingest } from '../store/ingest.ts';
import type { Store } from '../store/layout.ts';
import type { RegistryClient } from '../registry/client.ts';
import { backoffMs, isRetryableError, wait } from '../registry/retry.ts';

const MAX_BODY_ATTEMPTS = 5;

export interface BlobJob {
  repository: string;
  digest: string;
  size: number;
  kind: BlobKind;
}

/** Bytes transferred over the network, and whether the blob was already stored before. */
export interface FetchOutcome {
  transferred: number;
  existed: boolean;
}

export async function fetchBlob(store: Store, client: RegistryClient, job: BlobJob, emit: TransferListener, signal?: AbortSignal): Promise<FetchOutcome> {
  const { digest, size, kind } = job;
  let transferred = 0;
  let mismatches = 0;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    const ingest = await Ingest.begin(store, { digest, size }, signal);
    if (!ingest) {
      // Absent at the first look means another process finished it while we waited: not ours, not skipped.
      emit({ type: 'blob', digest, kind, state: attempt === 0 ? 'exists' : 'done', done: size, total: size });
      return { transferred, existed: attempt === 0 };
    }
    let committed = false;
    try {
      if (ingest.offset < size) {
        const reply = await client.getBlob(job.repository, digest, { offset: ingest.offset, ...(signal ? { signal } : {}) });
        if (reply.start !== ingest.offset) {
          // The registry ignored our Range: start over from the first byte.
          await ingest.abort(true);
          continue;
        }
        const startedAt = ingest.offset;
        emit({ type: 'blob', digest, kind, state: 'downloading', done: ingest.offset, total: size });
        try {
          await ingest.write(reply.body, {
            ...(signal ? { signal } : {}),
            onBytes: (done) => emit({ type: 'blob', digest, kind, state: 'downloading', done, total: size }),
          });
        } finally {
          // Bytes that reached the disk count even when the body broke: they are not fetched again.
          transferred += ingest.offset - startedAt;
        }
        if (ingest.offset < size) {
          // The body ended early (a lying Content-Length or a cut connection): keep the bytes, resume.
          throw new DeckhandError('ENETWORK', `The registry ended blob ${digest} after ${ingest.offset} of ${size} bytes.`, { detail: { code: 'ESHORT_BODY' } });
        }
      }
      emit({ type: 'blob', digest, kind, state: 'verifying', done: size, total: size });
      await ingest.commit();
      committed = true;
      emit({ type: 'blob', digest, kind, state: 'done', done: size, total: size });
      return { transferred, existed: false };
    } catch (e) {
      if (!committed) await ingest.abort().catch(() => undefined);
      signal?.throwIfAborted();
      if (isDeckhandError(e, 'EDIGEST_MISMATCH') || isDeckhandError(e, 'ESIZE_MISMATCH')) {
        if (++mismatches > 1) {
          emit({ type: 'blob', digest, kind, state: 'error', done: 0, total: size });
          throw new DeckhandError(e.code, `Blob ${digest} failed verification twice (${e.message}). The registry serves content that does not match its digest; nothing unverified was stored.`, { cause: e, detail: { digest } });
        }
        emit({ type: 'retry', digest, attempt: attempt + 1, reason: 'content did not match its digest; fetching again' });
        continue;
      }
      if ((isRetryableError(e) || isDeckhandError(e, 'ENETWORK')) && attempt + 1 < MAX_BODY_ATTEMPTS) {
        emit({ type: 'retry', digest, attempt: attempt + 1, reason: `connection broke (${(e as { code?: string }).code ?? 'error'}); resuming` });
        await wait(backoffMs(attempt), signal);
        continue;
      }
      emit({ type: 'blob', digest, kind, state: 'error', done: 0, total: size });
      throw e;
    }
  }
}
