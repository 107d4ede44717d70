/**
 * Registry to registry (`deckhand copy docker://A docker://B`): manifests are read from A and blobs
 * are streamed from A's response straight into B's upload, never through the store. With
 * `allPlatforms` the whole index goes (mirroring into an internal registry); otherwise the chosen
 * platform's manifest goes alone, as skopeo does without --all. Within one registry, blobs are
 * mounted from the source repository instead of copied.
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import { referencedBlobs } from '../../../src-shared/oci/manifest.ts';
import { formatPlatform, type Platform } from '../../../src-shared/oci/platform.ts';
import { formatReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import { RegistryClient } from '../registry/client.ts';
import type { Credentials } from '../registry/auth.ts';
import { findCredentials } from '../config/auth-file.ts';
import type { BlobSource, PushJob } from './blob-push.ts';
import { explainDenied, sendImage, type OutgoingImage, type SendCounts } from './send-image.ts';
import { throttleProgress } from './throttle.ts';
import { resolveRemote, type RemoteImage } from './remote-image.ts';

export interface MirrorOptions {
  platform: Platform;
  allPlatforms?: boolean;
  tlsVerify?: boolean;
  srcCredentials?: Credentials;
  destCredentials?: Credentials;
  env?: NodeJS.ProcessEnv;
  concurrency?: number;
  signal?: AbortSignal;
  onEvent?: TransferListener;
}

export interface MirrorResult extends SendCounts {
  ref: string;
  digest: string;
  platforms: string[];
}

function registrySource(client: RegistryClient, repository: string, digest: string): BlobSource {
  return {
    async open(offset, signal) {
      const reply = await client.getBlob(repository, digest, { offset, ...(signal ? { signal } : {}) });
      if (reply.start === offset) return reply.body;
      // The source ignored the Range: skip what the destination already holds.
      return (async function* () {
        let skip = offset;
        for await (const chunk of reply.body as AsyncIterable<Buffer>) {
          if (skip >= chunk.length) {
            skip -= chunk.length;
            continue;
          }
          yield skip > 0 ? chunk.subarray(skip) : chunk;
          skip = 0;
        }
      })();
    },
  };
}

/**
 * What goes to the destination: the whole index with `allPlatforms`; otherwise the chosen platform's
 * manifest alone, as skopeo copies without --all.
 */
function outgoing(remote: RemoteImage, allPlatforms: boolean): Pick<OutgoingImage, 'root' | 'children'> {
  if (!remote.isIndex) return { root: remote.root, children: [] };
  if (!allPlatforms) {
    const only = remote.children[0]!;
    return { root: { digest: only.descriptor.digest, mediaType: only.descriptor.mediaType, bytes: only.bytes }, children: [] };
  }
  return { root: remote.root, children: remote.children.map((c) => ({ descriptor: c.descriptor, bytes: c.bytes })) };
}

export async function mirror(src: ImageReference, dest: ImageReference, opts: MirrorOptions): Promise<MirrorResult> {
  const emit = throttleProgress(opts.onEvent);
  const name = formatReference(dest);
  emit({ type: 'resolving', ref: formatReference(src) });
  const srcCredentials = opts.srcCredentials ?? (await findCredentials(src.domain, src.path, opts.env));
  const destCredentials = opts.destCredentials ?? (await findCredentials(dest.domain, dest.path, opts.env));
  const tls = opts.tlsVerify === undefined ? {} : { tlsVerify: opts.tlsVerify };
  const from = new RegistryClient({ domain: src.domain, ...(srcCredentials ? { credentials: srcCredentials } : {}), ...tls });
  const to = new RegistryClient({ domain: dest.domain, ...(destCredentials ? { credentials: destCredentials } : {}), ...tls });
  try {
    const remote = await resolveRemote(from, src, opts);
    const source = outgoing(remote, opts.allPlatforms ?? false);
    if (dest.digest && dest.digest !== source.root.digest) throw new DeckhandError('EUSAGE', `${name} names digest ${dest.digest}, but the source is ${source.root.digest}.`);
    const platforms = remote.children.map((c) => (c.descriptor.platform ? formatPlatform(c.descriptor.platform) : '')).filter(Boolean);
    emit({ type: 'resolved', ref: formatReference(src), digest: source.root.digest, mediaType: source.root.mediaType, platforms, sparse: false, endpoint: src.domain });
    const sameRegistry = src.domain === dest.domain && src.path !== dest.path;
    const jobs = referencedBlobs(remote.children.map((c) => c.manifest)).map(({ descriptor: d, kind }): PushJob => ({ repository: dest.path, digest: d.digest, size: d.size, kind, mountFrom: sameRegistry ? [src.path] : [], source: registrySource(from, src.path, d.digest) }));
    const counts = await sendImage(to, dest, { ...source, jobs: jobs.sort((a, b) => b.size - a.size) }, emit, { ...(opts.concurrency ? { concurrency: opts.concurrency } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    emit({ type: 'pushed', ref: name, digest: source.root.digest, ...counts });
    return { ref: name, digest: source.root.digest, platforms, ...counts };
  } catch (e) {
    let err = await explainDenied(e, to, dest, opts.signal);
    if (!(err instanceof DeckhandError) && opts.signal?.aborted) err = new DeckhandError('ECANCELLED', `Copy to ${name} was cancelled; open uploads were abandoned.`, { cause: e });
    if (err instanceof DeckhandError) emit({ type: 'error', code: err.code, message: err.message });
    throw err;
  } finally {
    await from.close();
    await to.close();
  }
}
