/**
 * `deckhand push SRC [DEST]`: a stored image into a registry through the copy pipeline. A whole
 * index goes with every platform (one push defines the platform matrix); a sparse index is refused,
 * naming the missing platforms, unless the caller asks to push only the present ones as a new index.
 * Blobs known to be elsewhere in the registry are mounted; the pushed locations are remembered.
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseManifestDocument, type Descriptor } from '../../../src-shared/oci/manifest.ts';
import { formatPlatform, hostPlatform } from '../../../src-shared/oci/platform.ts';
import { formatReference, parseReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { RegistryClient } from '../registry/client.ts';
import { manifestDigest } from '../registry/upload.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import { RegistryContext } from '../config/context.ts';
import type { Credentials } from '../registry/auth.ts';
import { loadBlobLocations, recordBlobLocations } from '../store/blob-locations.ts';
import { resolveOne } from '../store/catalog.ts';
import type { Store } from '../store/layout.ts';
import { loadSigningKey, signPushed, type SignOptions } from '../signature/enforce.ts';
import { blobDigests, copyImage } from './copy-image.ts';
import { LayoutSource } from './layout.ts';
import { RegistryDestination } from './registry-destination.ts';

export interface PushOptions {
  /** For a sparse index: push the present platforms as a new index instead of failing. */
  presentPlatforms?: boolean;
  /**
   * `manifest push --all=false`: an index alone, none of its images; refused, naming them, when
   * the destination repository does not hold them all already (one HEAD each).
   */
  indexOnly?: boolean;
  tlsVerify?: boolean;
  /** `--cert-dir`: CA and client certificates for the registry, instead of certs.d. */
  certDir?: string;
  credentials?: Credentials;
  env?: NodeJS.ProcessEnv;
  context?: RegistryContext;
  concurrency?: number;
  signal?: AbortSignal;
  onEvent?: TransferListener;
  /** `--sign-by-sigstore-private-key`: attach a sigstore signature of the pushed digest. */
  sign?: SignOptions;
}

export interface PushResult {
  ref: string;
  digest: string;
  mediaType: string;
  platforms: string[];
  uploadedBytes: number;
  uploadedBlobs: number;
  existingBlobs: number;
  mountedBlobs: number;
}

const sparseRefusal = (name: string, absent: string) =>
  `${name} is a sparse index: ${absent} not stored, so pushing it as is would publish an index whose images are missing. Pull them first (\`deckhand pull --all-platforms\`), or push only the stored platforms as a new index with --present-platforms.`;

/** Every image an index lists is in the target repository already (HEAD), or EUSAGE naming those that are not. */
async function checkInstancesThere(
  store: Store,
  root: Descriptor,
  client: RegistryClient,
  target: ImageReference,
  name: string,
  signal?: AbortSignal,
): Promise<void> {
  const doc = parseManifestDocument(await store.readBlob(root.digest), root.mediaType);
  if (doc.kind !== 'index')
    throw new DeckhandError('EUSAGE', `${name}: only a list can be pushed without its images; this is a single image.`);
  const absent: string[] = [];
  for (const d of doc.index.manifests)
    if ((await manifestDigest(client, target.path, d.digest, [d.mediaType], signal)) !== d.digest)
      absent.push(`${d.platform ? `${formatPlatform(d.platform)} ` : ''}${d.digest}`);
  if (absent.length > 0)
    throw new DeckhandError(
      'ENOT_FOUND',
      `${target.domain}/${target.path} does not have ${absent.length === 1 ? 'this image' : 'these images'} of the list: ${absent.join(', ')}. Nothing was pushed. Push the list with its images (--all), or push them there first.`,
      { detail: { missing: absent } },
    );
}

export async function push(store: Store, src: string, dest?: string, opts: PushOptions = {}): Promise<PushResult> {
  const entry = await resolveOne(store, src);
  const target = dest ? parseReference(dest) : entry.ref;
  if (!target)
    throw new DeckhandError(
      'EUSAGE',
      `${src} has no registry name to push to; give a destination, e.g. \`deckhand push ${src} registry.example.com/team/app:1.0\`.`,
    );
  const name = formatReference(target);
  const ctx = opts.context ?? (await RegistryContext.load(opts));
  // registries.conf: a blocked registry refuses the push; `insecure` applies unless --tls-verify was given.
  const client = await ctx.pushClient(target, opts.credentials);
  // The key is decrypted first: a wrong passphrase fails before anything is uploaded.
  const signingKey = opts.sign ? await loadSigningKey(opts.sign) : undefined;
  const locations = await loadBlobLocations(store);
  if (opts.indexOnly) await checkInstancesThere(store, entry.descriptor, client, target, name, opts.signal);
  const source = new LayoutSource(store, src, {
    sparse: opts.presentPlatforms ? { mode: 'present' } : { mode: 'refuse', why: sparseRefusal },
    ...(opts.indexOnly ? { indexOnly: true } : {}),
  });
  const destination = new RegistryDestination(client, target, { mountFrom: (d) => locations(target.domain, target.path, d) });
  try {
    const { image, counts } = await copyImage(source, destination, {
      // Every stored platform goes: the selection does not narrow a stored image.
      selection: { platform: hostPlatform(process.platform, process.arch), allPlatforms: true },
      operation: `Push of ${name}`,
      cancelled: 'open uploads were abandoned. Blobs already uploaded stay in the registry and will not be sent again.',
      signal: opts.signal,
      onEvent: opts.onEvent,
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      check: (image) => {
        if (target.digest && target.digest !== image.root.digest)
          throw new DeckhandError(
            'EUSAGE',
            `${name} names digest ${target.digest}, but ${src} is ${image.root.digest}. A digest cannot be renamed; push to a tag or to the image's own digest.`,
          );
      },
      // The image is read from the store: the registry has not answered anything yet.
      resolved: () => ({ ref: entry.refName ?? src, endpoint: store.root }),
    });
    if (signingKey) await signPushed(client, target, image.root.digest, signingKey, opts.signal);
    await recordBlobLocations(store, { registry: target.domain, repository: target.path }, blobDigests(image));
    const result: PushResult = {
      ref: name,
      digest: image.root.digest,
      mediaType: image.root.mediaType,
      platforms: image.platforms,
      uploadedBytes: counts.bytes,
      uploadedBlobs: counts.moved,
      existingBlobs: counts.existing,
      mountedBlobs: counts.mounted,
    };
    opts.onEvent?.({
      type: 'pushed',
      ref: name,
      digest: result.digest,
      uploadedBytes: result.uploadedBytes,
      uploadedBlobs: result.uploadedBlobs,
      existingBlobs: result.existingBlobs,
      mountedBlobs: result.mountedBlobs,
    });
    return result;
  } finally {
    await destination.close();
    await source.close();
  }
}
