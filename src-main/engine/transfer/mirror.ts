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
import type { RemoteImage } from './remote-image.ts';
import { openFirstSource, planPull, type OpenedSource } from './pull-source.ts';
import { loadRegistriesConf } from '../config/registries-conf.ts';
import { pushTarget } from '../config/registry-match.ts';
import { enforcePolicy } from '../signature/enforce.ts';
import { copySignatures } from '../signature/attachments.ts';

export interface MirrorOptions {
  platform: Platform;
  allPlatforms?: boolean;
  tlsVerify?: boolean;
  /** `--cert-dir`: used for both registries, instead of certs.d. */
  certDir?: string;
  srcCredentials?: Credentials;
  destCredentials?: Credentials;
  env?: NodeJS.ProcessEnv;
  concurrency?: number;
  signal?: AbortSignal;
  onEvent?: TransferListener;
  /** `--signature-policy PATH`: the policy.json to enforce on the source instead of the user's or the system's. */
  signaturePolicy?: string;
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
  // registries.conf: the source is read as a pull reads it (blocked, rewritten, mirrors); the
  // destination is written as a push writes it (blocked, insecure; never a mirror).
  const conf = await loadRegistriesConf(opts.env ?? process.env);
  const plans = planPull(conf, src);
  const destInsecure = pushTarget(conf, dest).insecure && opts.tlsVerify === undefined;
  const destCredentials = opts.destCredentials ?? (await findCredentials(dest.domain, dest.path, opts.env));
  const tls = { ...(opts.tlsVerify === undefined ? {} : { tlsVerify: opts.tlsVerify }), ...(opts.certDir ? { certDir: opts.certDir } : {}), ...(opts.env ? { env: opts.env } : {}) };
  const to = new RegistryClient({ domain: dest.domain, ...(destCredentials ? { credentials: destCredentials } : {}), ...tls, ...(destInsecure ? { tlsVerify: false } : {}) });
  let opened: OpenedSource | undefined;
  try {
    opened = await openFirstSource(plans, { ...opts, ...(opts.srcCredentials ? { credentials: opts.srcCredentials } : {}) });
    const { client: from, remote } = opened;
    const at = opened.source.ref;
    await enforcePolicy(from, src, remote.root, opts);
    const source = outgoing(remote, opts.allPlatforms ?? false);
    if (dest.digest && dest.digest !== source.root.digest) throw new DeckhandError('EUSAGE', `${name} names digest ${dest.digest}, but the source is ${source.root.digest}.`);
    const platforms = remote.children.map((c) => (c.descriptor.platform ? formatPlatform(c.descriptor.platform) : '')).filter(Boolean);
    emit({ type: 'resolved', ref: formatReference(src), digest: source.root.digest, mediaType: source.root.mediaType, platforms, sparse: false, endpoint: from.base ?? at.domain, ...(opened.source.mirror !== undefined ? { mirror: opened.source.mirror } : {}) });
    const sameRegistry = at.domain === dest.domain && at.path !== dest.path;
    const jobs = referencedBlobs(remote.children.map((c) => c.manifest)).map(({ descriptor: d, kind }): PushJob => ({ repository: dest.path, digest: d.digest, size: d.size, kind, mountFrom: sameRegistry ? [at.path] : [], source: registrySource(from, at.path, d.digest) }));
    const counts = await sendImage(to, dest, { ...source, jobs: jobs.sort((a, b) => b.size - a.size) }, emit, { ...(opts.concurrency ? { concurrency: opts.concurrency } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    // Sigstore signatures travel with the image when it goes whole (one platform taken out of an index is another digest).
    if (source.root.digest === remote.root.digest) await copySignatures(from, at.path, to, dest.path, source.root.digest, opts.signal);
    emit({ type: 'pushed', ref: name, digest: source.root.digest, ...counts });
    return { ref: name, digest: source.root.digest, platforms, ...counts };
  } catch (e) {
    let err = await explainDenied(e, to, dest, opts.signal);
    if (!(err instanceof DeckhandError) && opts.signal?.aborted) err = new DeckhandError('ECANCELLED', `Copy to ${name} was cancelled; open uploads were abandoned.`, { cause: e });
    if (err instanceof DeckhandError) emit({ type: 'error', code: err.code, message: err.message });
    throw err;
  } finally {
    await opened?.client.close();
    await to.close();
  }
}
