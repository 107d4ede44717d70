/**
 * Copies an image between two OCI layouts (the store and an `oci:DIR`, or two stores): every blob
 * streams through the destination's verifying ingest, manifests after what they reference, the
 * name last. Nothing is linked, so damage in the source cannot spread unnoticed.
 */
import { createReadStream } from 'node:fs';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import type { ImageReference } from '../../../src-shared/oci/reference.ts';
import { resolveOne, setTag } from '../store/catalog.ts';
import { walkEntry } from '../store/graph.ts';
import { Ingest } from '../store/ingest.ts';
import { Lease } from '../store/leases.ts';
import { carriedDescriptor } from '../store/tag.ts';
import type { Store } from '../store/layout.ts';
import { DeckhandError } from '../../../src-shared/errors.ts';

export interface LayoutCopyResult {
  digest: string;
  copiedBlobs: number;
  copiedBytes: number;
  existingBlobs: number;
}

export async function copyBetweenLayouts(from: Store, to: Store, input: string, name: ImageReference | string, opts: { signal?: AbortSignal; onEvent?: TransferListener } = {}): Promise<LayoutCopyResult> {
  const entry = await resolveOne(from, input);
  const graph = await walkEntry(from, entry.descriptor);
  if (graph.absent.length > 0) {
    // The copy is as sparse as the source; say so rather than hide it.
    opts.onEvent?.({ type: 'retry', digest: entry.descriptor.digest, attempt: 0, reason: `${graph.absent.length} platform(s) of this index are not stored; the copy holds only the stored ones` });
  }
  const manifests = new Set([entry.descriptor.digest, ...graph.manifests.map((m) => m.descriptor.digest)]);
  // Layers and configs, then platform manifests, then the root.
  const order = [...graph.blobs].sort(([a], [b]) => Number(manifests.has(a)) - Number(manifests.has(b)) || Number(a === entry.descriptor.digest) - Number(b === entry.descriptor.digest));
  const result: LayoutCopyResult = { digest: entry.descriptor.digest, copiedBlobs: 0, copiedBytes: 0, existingBlobs: 0 };
  const lease = await Lease.create(to, `copy ${entry.descriptor.digest}`);
  try {
    await lease.add(...graph.blobs.keys());
    for (const [digest, size] of order) {
      opts.signal?.throwIfAborted();
      const kind = manifests.has(digest) ? 'manifest' : graph.manifests.some((m) => m.manifest.config.digest === digest) ? 'config' : 'layer';
      if (!(await from.hasBlob(digest, size))) throw new DeckhandError('ESTORE', `Blob ${digest} of ${input} is missing from ${from.root}. Run \`deckhand fsck\` there.`);
      const ingest = await Ingest.begin(to, { digest, size }, opts.signal);
      if (!ingest) {
        result.existingBlobs++;
        opts.onEvent?.({ type: 'blob', digest, kind, state: 'exists', done: size, total: size });
        continue;
      }
      try {
        // A partial left by an interrupted copy resumes where it stopped (the ingest re-hashed it).
        await ingest.write(createReadStream(from.blobPath(digest), { start: ingest.offset, highWaterMark: 1 << 20 }), {
          ...(opts.signal ? { signal: opts.signal } : {}),
          onBytes: (done) => opts.onEvent?.({ type: 'blob', digest, kind, state: 'writing', done, total: size }),
        });
        await ingest.commit();
      } catch (e) {
        await ingest.abort().catch(() => undefined);
        throw e;
      }
      result.copiedBlobs++;
      result.copiedBytes += size;
      opts.onEvent?.({ type: 'blob', digest, kind, state: 'done', done: size, total: size });
    }
    const { descriptor, annotations } = carriedDescriptor(entry.descriptor);
    await setTag(to, name, descriptor, annotations, { required: graph.blobs, action: 'copy' });
    return result;
  } finally {
    await lease.release();
  }
}
