/**
 * `pull`: a registry source into the store through the copy pipeline. registries.conf picks where
 * to read (short names, mirrors), policy.json decides before any blob moves, only missing blobs are
 * fetched, and the tag moves last. The result says what moved and who served it.
 */
import { formatReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import { formatPlatform, platformsEqual, type Platform } from '../../../src-shared/oci/platform.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import { RegistryContext } from '../config/context.ts';
import type { PullPlan } from '../config/pull-plan.ts';
import type { Credentials } from '../registry/auth.ts';
import { PLATFORMS, SIGNATURE_POLICY, SIGNATURE_VERIFIED_AT, SIGNATURE_VERIFIED_BY, SOURCE } from '../store/annotations.ts';
import { recordBlobLocations } from '../store/blob-locations.ts';
import type { OpeningStore, Store } from '../store/layout.ts';
import type { TagAction } from '../store/tag-log.ts';
import type { PolicyDecision } from '../signature/evaluate.ts';
import { blobDigests, copyImage } from './copy-image.ts';
import type { ResolvedImage } from './image.ts';
import { LayoutDestination } from './layout.ts';
import { platformOfManifest } from './platforms.ts';
import { RegistrySource } from './registry-source.ts';

/** What the stored entry records of a sigstore verification; nothing when the policy required no signature. */
export function signatureAnnotations(decision: PolicyDecision | undefined, at: Date = new Date()): Record<string, string> {
  if (!decision?.allowed || decision.verifiedBy.length === 0) return {};
  return {
    [SIGNATURE_VERIFIED_BY]: [...new Set(decision.verifiedBy.map((k) => k.key))].join(', '),
    [SIGNATURE_POLICY]: `${decision.file} ${decision.scope}`,
    [SIGNATURE_VERIFIED_AT]: at.toISOString(),
  };
}

/** What a stored entry pulled from `source` records: where it came from, its stored platforms and a verified signature. */
export async function pulledAnnotations(
  store: Store,
  source: RegistrySource,
  image: ResolvedImage,
  readConfig?: (digest: string) => Promise<Buffer>,
): Promise<{ annotations: Record<string, string>; platforms: string[] }> {
  const platforms = await Promise.all(image.children.map((c) => platformOfManifest(store, c.descriptor, c.manifest, readConfig)));
  const ref = source.logical;
  return {
    platforms,
    annotations: { [SOURCE]: `${ref.domain}/${ref.path}`, [PLATFORMS]: platforms.join(','), ...signatureAnnotations(source.decision) },
  };
}

export interface PullOptions {
  /** The platform to pull from an index; defaults to the host's. */
  platform: Platform;
  allPlatforms?: boolean;
  tlsVerify?: boolean;
  /** `--cert-dir`: CA and client certificates for the registry, instead of certs.d. */
  certDir?: string;
  credentials?: Credentials;
  concurrency?: number;
  /** The name to give the image in the store instead of the pulled reference (a bare tag for a plain layout). */
  tagAs?: ImageReference | string;
  /** What the tag log records for the name's move (default 'pull'; a copy into a layout says 'copy'). */
  tagAction?: TagAction;
  signal?: AbortSignal;
  onEvent?: TransferListener;
  env?: NodeJS.ProcessEnv;
  /** `--signature-policy PATH`: the policy.json to enforce instead of the user's or the system's. */
  signaturePolicy?: string;
  /** The operation's registry configuration, when the caller has read it already (the host plans before it starts the transfer). */
  context?: RegistryContext;
  /** Where to read `input` from, already planned from registries.conf. */
  plans?: PullPlan[];
}

export interface PullResult {
  ref: string;
  digest: string;
  mediaType: string;
  platforms: string[];
  /** True when an index was stored with only some of its platforms. */
  sparse: boolean;
  fetchedBytes: number;
  fetchedBlobs: number;
  skippedBlobs: number;
  endpoint: string;
  /** The registries.conf mirror (its location) that served the pull, when one did. */
  mirror?: string;
  /** The reference actually read, when registries.conf rewrote it or a mirror served it. */
  source?: string;
}

/**
 * `store` may still be opening (Store.begin): the CLI opens it while the manifest is fetched, which
 * does not need it.
 */
export async function pull(store: Store | OpeningStore, input: string, opts: PullOptions): Promise<PullResult> {
  const ctx = opts.context ?? (await RegistryContext.load(opts));
  const plans = opts.plans ?? ctx.planPull(input);
  const asked = plans.length === 1 ? formatReference(plans[0]!.logical) : input;
  opts.onEvent?.({ type: 'resolving', ref: asked });
  const source = new RegistrySource(ctx, plans, { credentials: opts.credentials });
  // The name is known once a source served the manifest (a short name may have had several candidates).
  const tagName = (digest: string): ImageReference => {
    const ref = source.logical;
    return ref.digest ? { domain: ref.domain, path: ref.path, digest } : ref;
  };
  let storedPlatforms: string[] = [];
  // Where the blobs are found: the repository whose manifest names them holds them, so this is
  // written while they move rather than at the end (an fsync'd file under a lock less in the tail
  // of every pull). A wrong entry (a pull that then fails) would cost a push one mount attempt,
  // which the registry answers with an upload session.
  let locations: Promise<void> | undefined;
  // The configs the entry's platforms are read from (a platform manifest without a platform in an
  // index: a plain image), read as soon as each is stored rather than after the last blob.
  const configsRead = new Map<string, Promise<Buffer> | undefined>();
  const readConfig = (digest: string) => configsRead.get(digest) ?? destination.store.readBlob(digest);
  const destination = new LayoutDestination(store, {
    names: [],
    action: opts.tagAction ?? 'pull',
    verb: 'downloading',
    whileMoving: (s, image) => {
      const served = source.served;
      locations = recordBlobLocations(s, { registry: served.ref.domain, repository: served.ref.path }, blobDigests(image));
      locations.catch(() => undefined);
    },
    stored: (s, digest) => {
      if (!configsRead.has(digest) || configsRead.get(digest)) return;
      const read = s.readBlob(digest);
      read.catch(() => undefined);
      configsRead.set(digest, read);
    },
    annotations: async (image) => {
      const pulled = await pulledAnnotations(destination.store, source, image, readConfig);
      storedPlatforms = pulled.platforms;
      return pulled.annotations;
    },
  });
  try {
    const { image, counts } = await copyImage(source, destination, {
      selection: { platform: opts.platform, allPlatforms: opts.allPlatforms ?? false },
      operation: `Pull of ${asked}`,
      cancelled: 'downloaded bytes are kept and the next pull resumes from them.',
      signal: opts.signal,
      onEvent: opts.onEvent,
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      resolved: (image) => {
        for (const c of image.children) if (!c.descriptor.platform) configsRead.set(c.manifest.config.digest, undefined);
        const name = formatReference(source.logical);
        destination.name(opts.tagAs ?? tagName(image.root.digest));
        const first = image.children[0]?.descriptor.platform;
        const compatible =
          !opts.allPlatforms && first && !platformsEqual(first, opts.platform)
            ? `no exact ${formatPlatform(opts.platform)} image; using compatible ${formatPlatform(first)}`
            : undefined;
        return { ref: name, ...source.servedBy, ...(compatible ? { note: compatible } : {}) };
      },
    });
    const served = source.served;
    const name = formatReference(source.logical);
    await locations;
    const ref = typeof opts.tagAs === 'string' ? opts.tagAs : formatReference(opts.tagAs ?? tagName(image.root.digest));
    const result: PullResult = {
      ref,
      digest: image.root.digest,
      mediaType: image.root.mediaType,
      platforms: storedPlatforms,
      sparse: image.sparse,
      fetchedBytes: counts.bytes,
      fetchedBlobs: counts.moved,
      skippedBlobs: counts.skipped,
      endpoint: served.endpoint,
      ...(served.mirror !== undefined ? { mirror: served.mirror } : {}),
      ...(formatReference(served.ref) !== name ? { source: formatReference(served.ref) } : {}),
    };
    opts.onEvent?.({
      type: 'done',
      ref: result.ref,
      digest: result.digest,
      fetchedBytes: result.fetchedBytes,
      fetchedBlobs: result.fetchedBlobs,
      skippedBlobs: result.skippedBlobs,
    });
    return result;
  } finally {
    await locations?.catch(() => undefined);
    await destination.close();
    await source.close();
  }
}
