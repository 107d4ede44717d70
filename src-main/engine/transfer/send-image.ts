/**
 * Sends one image to a repository: blobs first (HEAD, mount, upload; bounded concurrency),
 * manifests last, children before their index. Shared by push (blobs from the store) and mirror
 * (blobs streamed from another registry).
 */
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import { MANIFEST_ACCEPT } from '../../../src-shared/oci/mediatypes.ts';
import type { Descriptor } from '../../../src-shared/oci/manifest.ts';
import { formatReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import type { RegistryClient } from '../registry/client.ts';
import { manifestDigest, putManifest } from '../registry/upload.ts';
import { pushBlob, type PushJob } from './blob-push.ts';
import { forEachLimit } from './pool.ts';

export interface OutgoingImage {
  root: { digest: string; mediaType: string; bytes: Buffer };
  /** Platform manifests to put before the root (empty for a single manifest). */
  children: Array<{ descriptor: Descriptor; bytes: Buffer }>;
  jobs: PushJob[];
}

export interface SendCounts {
  uploadedBytes: number;
  uploadedBlobs: number;
  existingBlobs: number;
  mountedBlobs: number;
}

export async function sendImage(client: RegistryClient, target: ImageReference, image: OutgoingImage, emit: TransferListener, opts: { concurrency?: number; signal?: AbortSignal }): Promise<SendCounts> {
  const { root, children, jobs } = image;
  const name = formatReference(target);
  const counts: SendCounts = { uploadedBytes: 0, uploadedBlobs: 0, existingBlobs: 0, mountedBlobs: 0 };
  const reference = target.tag ?? root.digest;
  // A registry accepts a manifest only once every blob it references is in the repository, so a
  // tag already naming this digest means there is nothing to send: one HEAD instead of one per blob.
  if ((await manifestDigest(client, target.path, reference, MANIFEST_ACCEPT, opts.signal)) === root.digest) {
    counts.existingBlobs = jobs.length;
    for (const job of jobs) emit({ type: 'blob', digest: job.digest, kind: job.kind, state: 'exists', done: job.size, total: job.size });
    emit({ type: 'manifest', digest: root.digest, ref: name, state: 'exists' });
    return counts;
  }
  await forEachLimit(jobs, opts.concurrency ?? 6, async (job) => {
    const outcome = await pushBlob(client, job, emit, opts.signal);
    if (outcome.how === 'exists') counts.existingBlobs++;
    else if (outcome.how === 'mounted') counts.mountedBlobs++;
    else {
      counts.uploadedBlobs++;
      counts.uploadedBytes += outcome.uploaded;
    }
  });
  for (const child of children) {
    const childRef = `${target.domain}/${target.path}@${child.descriptor.digest}`;
    if ((await manifestDigest(client, target.path, child.descriptor.digest, [child.descriptor.mediaType], opts.signal)) === child.descriptor.digest) {
      emit({ type: 'manifest', digest: child.descriptor.digest, ref: childRef, state: 'exists' });
      continue;
    }
    await putManifest(client, target.path, child.descriptor.digest, child.bytes, child.descriptor.mediaType, opts.signal);
    emit({ type: 'manifest', digest: child.descriptor.digest, ref: childRef, state: 'done' });
  }
  const reported = await putManifest(client, target.path, reference, root.bytes, root.mediaType, opts.signal);
  if (reported && reported !== root.digest) {
    throw new DeckhandError('EREGISTRY', `${target.domain} stored ${name} as ${reported}, not as the pushed ${root.digest}; it rewrote the manifest. The tag now points at content Deckhand did not send.`, { detail: { reported, pushed: root.digest } });
  }
  emit({ type: 'manifest', digest: root.digest, ref: name, state: 'done' });
  return counts;
}

/** A 401/403 on push with credentials means read-only credentials only if they can read; check. */
export async function explainDenied(e: unknown, client: RegistryClient, ref: ImageReference, signal?: AbortSignal): Promise<unknown> {
  if (!isDeckhandError(e, 'EDENIED') || !(e.detail as { readOnly?: boolean } | undefined)?.readOnly) return e;
  try {
    const reply = await client.send({ method: 'GET', path: `/v2/${ref.path}/tags/list?n=1`, scope: `repository:${ref.path}:pull`, repository: ref.path, object: `Repository ${ref.path}`, signal });
    await reply.body.dump();
    return e;
  } catch (probe) {
    if (isDeckhandError(probe, 'ENOT_FOUND')) return e;
    if (isDeckhandError(probe, 'EUNAUTHORIZED')) return new DeckhandError('EUNAUTHORIZED', `${ref.domain} rejected the credentials for ${ref.path}. Run \`deckhand login ${ref.domain}\` again.`, { cause: probe });
    return e;
  }
}
