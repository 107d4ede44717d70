/**
 * Registry to registry (`deckhand copy docker://A docker://B`): manifests are read from A and blobs
 * are streamed from A's response straight into B's upload, never through the store. With
 * `allPlatforms` the whole index goes (mirroring into an internal registry); otherwise the chosen
 * platform's manifest goes alone, as skopeo does without --all. Within one registry, blobs are
 * mounted from the source repository instead of copied.
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseManifestDocument, type Descriptor, type ImageManifest } from '../../../src-shared/oci/manifest.ts';
import { formatPlatform, selectPlatformManifests, type Platform } from '../../../src-shared/oci/platform.ts';
import { formatReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import { RegistryClient } from '../registry/client.ts';
import type { Credentials } from '../registry/auth.ts';
import { findCredentials } from '../config/auth-file.ts';
import type { BlobSource, PushJob } from './blob-push.ts';
import { explainDenied, sendImage, type OutgoingImage, type SendCounts } from './send-image.ts';
import { throttleProgress } from './throttle.ts';

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

async function readSource(client: RegistryClient, src: ImageReference, opts: MirrorOptions): Promise<{ root: OutgoingImage['root']; children: OutgoingImage['children']; manifests: Array<{ descriptor: Descriptor; manifest: ImageManifest }> }> {
  const top = await client.getManifest(src.path, src.digest ?? src.tag ?? 'latest', opts.signal);
  const doc = parseManifestDocument(top.bytes, top.contentType);
  const rootOf = (digest: string, mediaType: string, bytes: Buffer) => ({ digest, mediaType, bytes });
  if (doc.kind === 'manifest') {
    const descriptor = { mediaType: doc.mediaType, digest: top.digest, size: top.bytes.length };
    return { root: rootOf(top.digest, doc.mediaType, top.bytes), children: [], manifests: [{ descriptor, manifest: doc.manifest }] };
  }
  let chosen: Descriptor[] = doc.index.manifests;
  if (!opts.allPlatforms) {
    const best = selectPlatformManifests(doc.index, opts.platform);
    if (!best) throw new DeckhandError('ENO_PLATFORM', `${formatReference(src)} has no image for ${formatPlatform(opts.platform)}. Choose one with --platform, or copy every platform with --all-platforms.`);
    chosen = [best];
  }
  const fetched = [];
  for (const descriptor of chosen) {
    const child = await client.getManifest(src.path, descriptor.digest, opts.signal);
    const sub = parseManifestDocument(child.bytes, child.contentType ?? descriptor.mediaType);
    if (sub.kind !== 'manifest') throw new DeckhandError('EMANIFEST', `${descriptor.digest} in ${formatReference(src)} is a nested index; not supported.`);
    fetched.push({ descriptor, bytes: child.bytes, manifest: sub.manifest });
  }
  if (!opts.allPlatforms) {
    const only = fetched[0]!;
    return { root: rootOf(only.descriptor.digest, only.descriptor.mediaType, only.bytes), children: [], manifests: [only] };
  }
  return { root: rootOf(top.digest, doc.mediaType, top.bytes), children: fetched.map((f) => ({ descriptor: f.descriptor, bytes: f.bytes })), manifests: fetched };
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
    const source = await readSource(from, src, opts);
    if (dest.digest && dest.digest !== source.root.digest) throw new DeckhandError('EUSAGE', `${name} names digest ${dest.digest}, but the source is ${source.root.digest}.`);
    const platforms = source.manifests.map((m) => (m.descriptor.platform ? formatPlatform(m.descriptor.platform) : '')).filter(Boolean);
    emit({ type: 'resolved', ref: formatReference(src), digest: source.root.digest, mediaType: source.root.mediaType, platforms, sparse: false, endpoint: src.domain });
    const sameRegistry = src.domain === dest.domain && src.path !== dest.path;
    const jobs = new Map<string, PushJob>();
    for (const { manifest } of source.manifests) {
      for (const [d, kind] of [[manifest.config, 'config'], ...manifest.layers.map((l) => [l, 'layer'] as const)] as const) {
        if (jobs.has(d.digest) || (d.urls?.length && d.mediaType.includes('nondistributable'))) continue;
        jobs.set(d.digest, { repository: dest.path, digest: d.digest, size: d.size, kind, mountFrom: sameRegistry ? [src.path] : [], source: registrySource(from, src.path, d.digest) });
      }
    }
    const counts = await sendImage(to, dest, { root: source.root, children: source.children, jobs: [...jobs.values()].sort((a, b) => b.size - a.size) }, emit, { ...(opts.concurrency ? { concurrency: opts.concurrency } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
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
