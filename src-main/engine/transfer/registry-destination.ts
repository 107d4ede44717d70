/**
 * A repository in a registry as an ImageDestination: blobs by HEAD, mount or upload (blob-push.ts),
 * platform manifests before their index, the tag last. A tag that already names the image's digest
 * means the registry holds everything (it accepts a manifest only once all its blobs are there), so
 * a re-push costs one HEAD.
 */
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import { MANIFEST_ACCEPT } from '../../../src-shared/oci/mediatypes.ts';
import { formatReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import type { RegistryClient } from '../registry/client.ts';
import { cancelUpload, manifestDigest, putManifest } from '../registry/upload.ts';
import { abandonSessions, pushBlobAttempt, type PushTarget } from './blob-push.ts';
import type { BlobJob, BlobOutcome, BlobReader, ImageDestination, ImageDocument, ResolvedImage } from './image.ts';

export class RegistryDestination implements ImageDestination {
  readonly concurrency = 6;
  readonly client: RegistryClient;
  readonly target: ImageReference;
  private readonly push: PushTarget;
  private readonly mountFrom: (digest: string) => string[];

  constructor(client: RegistryClient, target: ImageReference, opts: { mountFrom?: (digest: string) => string[] } = {}) {
    this.client = client;
    this.target = target;
    this.mountFrom = opts.mountFrom ?? (() => []);
    this.push = { client, repository: target.path, mountFrom: [], sessions: new Map() };
  }

  get description(): string {
    return `registry ${this.target.domain}`;
  }

  async prepare(image: ResolvedImage, _blobs: unknown, emit: TransferListener, signal?: AbortSignal): Promise<{ complete: boolean }> {
    const reference = this.target.tag ?? image.root.digest;
    if ((await manifestDigest(this.client, this.target.path, reference, MANIFEST_ACCEPT, signal)) !== image.root.digest)
      return { complete: false };
    emit({ type: 'manifest', digest: image.root.digest, ref: formatReference(this.target), state: 'exists' });
    return { complete: true };
  }

  putBlob(job: BlobJob, reader: BlobReader, emit: TransferListener, signal?: AbortSignal): Promise<BlobOutcome> {
    return pushBlobAttempt({ ...this.push, mountFrom: this.mountFrom(job.digest) }, job, reader, emit, signal);
  }

  async discardBlob(digest: string): Promise<void> {
    const session = this.push.sessions.get(digest);
    if (!session) return;
    this.push.sessions.delete(digest);
    await cancelUpload(this.client, session);
  }

  async putManifest(doc: ImageDocument, role: 'child' | 'root', emit: TransferListener, signal?: AbortSignal): Promise<void> {
    const { domain, path } = this.target;
    if (role === 'child') {
      const ref = `${domain}/${path}@${doc.digest}`;
      if ((await manifestDigest(this.client, path, doc.digest, [doc.mediaType], signal)) === doc.digest)
        return emit({ type: 'manifest', digest: doc.digest, ref, state: 'exists' });
      await putManifest(this.client, path, doc.digest, doc.bytes, doc.mediaType, signal);
      return emit({ type: 'manifest', digest: doc.digest, ref, state: 'done' });
    }
    const name = formatReference(this.target);
    const reported = await putManifest(this.client, path, this.target.tag ?? doc.digest, doc.bytes, doc.mediaType, signal);
    if (reported && reported !== doc.digest) {
      throw new DeckhandError(
        'EREGISTRY',
        `${domain} stored ${name} as ${reported}, not as the pushed ${doc.digest}; it rewrote the manifest. The tag now points at content Deckhand did not send.`,
        { detail: { reported, pushed: doc.digest } },
      );
    }
    emit({ type: 'manifest', digest: doc.digest, ref: name, state: 'done' });
  }

  async commit(): Promise<{ missing: string[] }> {
    return { missing: [] };
  }

  /** A 401/403 on push with credentials means read-only credentials only if they can read; check. */
  async explain(e: unknown, signal?: AbortSignal): Promise<unknown> {
    if (!isDeckhandError(e, 'EDENIED') || !(e.detail as { readOnly?: boolean } | undefined)?.readOnly) return e;
    const { domain, path } = this.target;
    try {
      const reply = await this.client.send({
        method: 'GET',
        path: `/v2/${path}/tags/list?n=1`,
        scope: `repository:${path}:pull`,
        repository: path,
        object: `Repository ${path}`,
        signal,
      });
      await reply.body.dump();
      return e;
    } catch (probe) {
      if (isDeckhandError(probe, 'ENOT_FOUND')) return e;
      if (isDeckhandError(probe, 'EUNAUTHORIZED'))
        return new DeckhandError(
          'EUNAUTHORIZED',
          `${domain} rejected the credentials for ${path}. Run \`deckhand login ${domain}\` again.`,
          { cause: probe },
        );
      return e;
    }
  }

  async close(): Promise<void> {
    await abandonSessions(this.push);
    await this.client.close();
  }
}
