/**
 * Crash-safe blob ingest, after containerd's content store: bytes go to `.deckhand/ingest/`, are
 * hashed as they are written, fsynced, checked against the expected digest and size, and only then
 * renamed into `blobs/`. Nothing partial or unverified is ever visible under `blobs/`. A partial
 * file survives an interrupted transfer so the next attempt resumes from its length.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseDigest } from '../../../src-shared/oci/digest.ts';
import { acquireLock } from './lock.ts';
import { fsyncDir, isErrno } from './fsutil.ts';
import type { Store } from './layout.ts';

/**
 * A source may carry, under this registered symbol, a function to call with each chunk once it is
 * no longer needed (registry response bodies free the chunk then: see CHUNK_DONE in
 * registry/http.ts, the same symbol). write() calls it once a chunk is hashed and written to the
 * partial file.
 */
export const CHUNK_DONE = Symbol.for('deckhand.chunkDone');

/**
 * After this many bytes of a blob, write() has the kernel start putting them on disk (fdatasync in
 * the thread pool, not awaited), so the fsync in commit() finds little left to write. Without it the
 * blobs that finish last each flushed their whole 50 MB at the end: 26-69 ms between the last
 * byte and the commit on a 420 MB pull, 2-5 ms with it (6 alternating in-process pulls each).
 */
const EARLY_SYNC_BYTES = 8 << 20;
/**
 * In a blob's last EARLY_SYNC_BYTES, every write is synced as it lands (still in the thread pool,
 * not awaited, at most EARLY_SYNCS_MAX at once), so that the fsync in commit() for the blob that
 * finishes last (the one the whole pull waits for) finds about one write left, not up to 8 MiB.
 */
const TAIL_SYNC_BYTES = 1;
/** At most this many early syncs at once, so they never take all of libuv's four threads from the writes. */
const EARLY_SYNCS_MAX = 2;
let earlySyncs = 0;

export interface IngestTarget {
  digest: string;
  /** Expected size in bytes, when the descriptor says it. */
  size?: number;
}

export class Ingest {
  readonly digest: string;
  readonly size: number | undefined;
  private readonly store: Store;
  private readonly partialPath: string;
  private readonly release: () => Promise<void>;
  private readonly hash: Hash;
  private readonly expectedHex: string;
  /** Bytes of the blob already on disk (and hashed); a transfer resumes here. */
  offset: number;
  private closed = false;
  /** The partial file, kept open by a write() that completed the blob, for commit() to sync (a close and an open less). */
  private handle: FileHandle | undefined;

  private constructor(
    store: Store,
    target: IngestTarget,
    partialPath: string,
    release: () => Promise<void>,
    hash: Hash,
    offset: number,
    expectedHex: string,
  ) {
    this.store = store;
    this.digest = target.digest;
    this.size = target.size;
    this.partialPath = partialPath;
    this.release = release;
    this.hash = hash;
    this.offset = offset;
    this.expectedHex = expectedHex;
  }

  /**
   * Starts (or resumes) ingesting a blob. Returns null when the blob is already in the store (also
   * when another process finished it while this one waited for the ingest lock).
   */
  static async begin(store: Store, target: IngestTarget, signal?: AbortSignal): Promise<Ingest | null> {
    const { algorithm, hex } = parseDigest(target.digest);
    if (await store.hasBlob(target.digest, target.size)) return null;
    const base = join(store.ingestDir, `${algorithm}-${hex}`);
    const release = await acquireLock(`${base}.lock`, { timeoutMs: 30 * 60_000, ...(signal ? { signal } : {}) });
    try {
      const partialPath = `${base}.partial`;
      // Both at once: a blob's first request waits for this.
      const [present, partialSize] = await Promise.all([
        store.hasBlob(target.digest, target.size),
        stat(partialPath).then(
          (st) => st.size,
          (e: unknown) => {
            if (isErrno(e, 'ENOENT')) return 0;
            throw e;
          },
        ),
      ]);
      if (present) {
        await release();
        return null;
      }
      const hash = createHash(algorithm);
      let offset = partialSize;
      if (target.size !== undefined && offset > target.size) {
        await truncate(partialPath, 0);
        offset = 0;
      }
      if (offset > 0) {
        // Resume: the hash state is rebuilt from the bytes already on disk.
        await pipeline(
          createReadStream(partialPath, { end: offset - 1, highWaterMark: 1 << 20 }),
          async (src: AsyncIterable<Buffer>) => {
            for await (const chunk of src) hash.update(chunk);
          },
          signal ? { signal } : {},
        );
      }
      return new Ingest(store, target, partialPath, release, hash, offset, hex);
    } catch (e) {
      await release();
      throw e;
    }
  }

  /**
   * Appends `source` to the partial file, hashing on the way. `onBytes` gets the running total of
   * bytes on disk. On an error the bytes written so far stay for a later resume.
   */
  async write(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    opts: { signal?: AbortSignal; onBytes?: (done: number) => void } = {},
  ): Promise<void> {
    if (this.closed) throw new Error('ingest already closed');
    await this.dropHandle();
    const fh = await open(this.partialPath, 'a', 0o644);
    // Chunks are coalesced into writes of about 1 MiB; whatever arrived before an error is still
    // flushed, so a resume starts from every byte received.
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const bufs = pending;
      pending = [];
      pendingBytes = 0;
      let { bytesWritten } = await fh.writev(bufs);
      const total = bufs.reduce((n, b) => n + b.length, 0);
      // writev may write short; finish the rest piecewise.
      while (bytesWritten < total) {
        const rest = Buffer.concat(bufs).subarray(bytesWritten);
        bytesWritten += (await fh.write(rest)).bytesWritten;
      }
      this.offset += total;
      if (chunkDone) for (const b of bufs) chunkDone(b);
      unsynced += total;
      // (Not after the last write: commit()'s fsync follows at once.)
      const left = this.size === undefined ? Infinity : this.size - this.offset;
      const syncEvery = left < EARLY_SYNC_BYTES ? TAIL_SYNC_BYTES : EARLY_SYNC_BYTES;
      if (left > 0 && unsynced >= syncEvery && !syncing && earlySyncs < EARLY_SYNCS_MAX) {
        unsynced = 0;
        earlySyncs++;
        syncing = fh.datasync().then(
          () => undefined,
          (e: unknown) => {
            syncError ??= e;
          },
        );
        void syncing.finally(() => {
          earlySyncs--;
          syncing = undefined;
        });
      }
    };
    let unsynced = 0;
    let syncing: Promise<void> | undefined;
    let syncError: unknown;
    const chunkDone = (source as { [CHUNK_DONE]?: (chunk: Uint8Array) => void })[CHUNK_DONE];
    let done = this.offset;
    let failure: { error: unknown } | undefined;
    try {
      for await (const chunk of source) {
        opts.signal?.throwIfAborted();
        if (this.size !== undefined && done + chunk.length > this.size) {
          throw new DeckhandError(
            'ESIZE_MISMATCH',
            `The registry sent more than the ${this.size} bytes declared for blob ${this.digest}; the download was stopped. Try again; if it persists, the registry serves a damaged blob.`,
            { detail: { digest: this.digest, size: this.size } },
          );
        }
        this.hash.update(chunk);
        done += chunk.length;
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= 1 << 20) await flush();
        opts.onBytes?.(done);
      }
      await flush();
    } catch (e) {
      try {
        await flush();
      } catch {
        // The original error matters more; a resume re-hashes whatever reached the disk.
      }
      failure = { error: e };
    }
    await syncing;
    if (syncError === undefined && !failure && this.size !== undefined && this.offset === this.size) this.handle = fh;
    else await fh.close();
    if (syncError !== undefined) {
      // The kernel reports a write-back error to one fsync only, and that was this one: the fsync
      // in commit() (or in a later resume) would not see it. The bytes on disk cannot be trusted,
      // which outweighs whatever else went wrong.
      await rm(this.partialPath, { force: true });
      this.offset = 0;
      throw syncError;
    }
    if (failure) throw failure.error;
  }

  /**
   * Verifies size and digest, makes the blob durable and visible. Throws (and discards the bytes) on
   * a mismatch. The ingest lock is released before this returns, unless `releaseLater` is set: then
   * the blob is durable and visible when this returns, and the returned promise is the release,
   * which the caller must await before it ends (a pull's last blob does not wait for it).
   */
  async commit(opts: { releaseLater?: boolean } = {}): Promise<{ released: Promise<void> }> {
    let committed = false;
    try {
      const fh = this.handle ?? (await open(this.partialPath, 'r+'));
      this.handle = undefined;
      let size: number;
      try {
        // The size is final (this process holds the lock and has written everything): read it while the sync runs.
        [, { size }] = await Promise.all([fh.sync(), fh.stat()]);
      } finally {
        await fh.close();
      }
      if (this.size !== undefined && size !== this.size) {
        await rm(this.partialPath, { force: true });
        throw new DeckhandError(
          'ESIZE_MISMATCH',
          `Blob ${this.digest} arrived with ${size} bytes but ${this.size} were expected; it was discarded.`,
          { detail: { digest: this.digest, expected: this.size, actual: size } },
        );
      }
      const actual = this.hash.digest('hex');
      if (actual !== this.expectedHex) {
        await rm(this.partialPath, { force: true });
        throw new DeckhandError(
          'EDIGEST_MISMATCH',
          `Blob ${this.digest} failed verification: its content hashes to ${actual.slice(0, 12)}…, so it was discarded and nothing was stored.`,
          { detail: { digest: this.digest, actual } },
        );
      }
      const dest = this.store.blobPath(this.digest);
      await rename(this.partialPath, dest);
      await fsyncDir(dirname(dest));
      committed = true;
    } finally {
      if (!committed || !opts.releaseLater) await this.close();
    }
    if (!opts.releaseLater) return { released: Promise.resolve() };
    const released = this.close();
    released.catch(() => undefined);
    return { released };
  }

  /** Stops without committing. The partial bytes stay for a resume unless `discard` is set. */
  async abort(discard = false): Promise<void> {
    await this.dropHandle();
    if (discard) await rm(this.partialPath, { force: true });
    await this.close();
  }

  private async dropHandle(): Promise<void> {
    const fh = this.handle;
    this.handle = undefined;
    await fh?.close().catch(() => undefined);
  }

  private async close(): Promise<void> {
    await this.dropHandle();
    if (this.closed) return;
    this.closed = true;
    await this.release();
  }
}

/** Stores a small in-memory document (manifest, index, config) after verifying it. */
export async function putBlob(store: Store, digest: string, bytes: Uint8Array): Promise<void> {
  const ingest = await Ingest.begin(store, { digest, size: bytes.length });
  if (!ingest) return;
  if (ingest.offset > 0) {
    await ingest.abort(true);
    return putBlob(store, digest, bytes);
  }
  try {
    await ingest.write([bytes]);
  } catch (e) {
    await ingest.abort(true);
    throw e;
  }
  await ingest.commit();
}
