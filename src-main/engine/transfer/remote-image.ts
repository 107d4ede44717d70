/**
 * What a reference names in a registry: the top manifest or index, and the platform manifests a
 * transfer takes from it (the chosen platform, or all with `allPlatforms`). Shared by pull and by
 * registry-to-registry copies.
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseManifestDocument, type Descriptor, type ImageManifest } from '../../../src-shared/oci/manifest.ts';
import { formatPlatform, selectPlatformManifests, type Platform } from '../../../src-shared/oci/platform.ts';
import { formatReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { RegistryClient } from '../registry/client.ts';

export interface RemoteImage {
  root: { digest: string; mediaType: string; bytes: Buffer };
  /** The platform manifests taken; for a single manifest, the root itself. */
  children: Array<{ descriptor: Descriptor; bytes: Buffer; manifest: ImageManifest }>;
  /** The root is an index. */
  isIndex: boolean;
  /** An index of which only some platforms are taken. */
  sparse: boolean;
}

export async function resolveRemote(client: RegistryClient, ref: ImageReference, opts: { platform: Platform; allPlatforms?: boolean; signal?: AbortSignal }): Promise<RemoteImage> {
  const fetched = await client.getManifest(ref.path, ref.digest ?? ref.tag ?? 'latest', opts.signal);
  const doc = parseManifestDocument(fetched.bytes, fetched.contentType);
  const root = { digest: fetched.digest, mediaType: doc.mediaType, bytes: fetched.bytes };
  if (doc.kind === 'manifest') {
    return { root, children: [{ descriptor: { mediaType: doc.mediaType, digest: fetched.digest, size: fetched.bytes.length }, bytes: fetched.bytes, manifest: doc.manifest }], isIndex: false, sparse: false };
  }
  let chosen: Descriptor[];
  if (opts.allPlatforms) {
    chosen = doc.index.manifests;
  } else {
    const best = selectPlatformManifests(doc.index, opts.platform);
    if (!best) {
      const available = doc.index.manifests.filter((d) => d.platform && d.platform.os !== 'unknown').map((d) => formatPlatform(d.platform!));
      throw new DeckhandError('ENO_PLATFORM', `${formatReference(ref)} has no image for ${formatPlatform(opts.platform)}. Available: ${available.join(', ') || 'none'}. Choose one with --platform, or use --all-platforms.`, { detail: { available, wanted: formatPlatform(opts.platform) } });
    }
    chosen = [best];
  }
  const children = [];
  for (const descriptor of chosen) {
    const child = await client.getManifest(ref.path, descriptor.digest, opts.signal);
    const sub = parseManifestDocument(child.bytes, child.contentType ?? descriptor.mediaType);
    if (sub.kind !== 'manifest') throw new DeckhandError('EMANIFEST', `${descriptor.digest} in ${formatReference(ref)} is a nested index; Deckhand does not support nested indexes yet.`);
    children.push({ descriptor, bytes: child.bytes, manifest: sub.manifest });
  }
  return { root, children, isIndex: true, sparse: chosen.length < doc.index.manifests.length };
}
