/**
 * `deckhand copy SRC DEST` between transports, with the names skopeo uses: a plain reference is an
 * image in the store; `docker://REF` a registry; `oci:DIR[:REF]` an OCI layout directory. (Archives
 * are `deckhand save` and `deckhand load`.) Each endpoint becomes an ImageSource or an
 * ImageDestination and the one pipeline moves the image: registry to registry streams blobs from
 * one to the other without touching the disk, mounting within one registry; sigstore signatures
 * travel along when the image goes whole.
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import { formatReference, parseReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { Platform } from '../../../src-shared/oci/platform.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import { RegistryContext } from '../config/context.ts';
import { Store } from '../store/layout.ts';
import { listEntries } from '../store/catalog.ts';
import { carriedDescriptor } from '../store/tag.ts';
import { copySignatures } from '../signature/attachments.ts';
import { copyImage } from './copy-image.ts';
import type { CopyCounts, ImageDestination, ImageSource, ResolvedImage } from './image.ts';
import { LayoutDestination, LayoutSource } from './layout.ts';
import { RegistryDestination } from './registry-destination.ts';
import { RegistrySource } from './registry-source.ts';
import { pulledAnnotations } from './pull.ts';

export type Endpoint =
  { kind: 'store'; ref: string } | { kind: 'docker'; ref: ImageReference } | { kind: 'oci'; dir: string; ref: string | undefined };

const usage = 'Use a stored image name, docker://REGISTRY/REPO[:TAG|@DIGEST], or oci:DIR[:REF].';

/** Parses a copy endpoint. Like containers/image, `oci:` splits the directory at the first colon. */
export function parseEndpoint(s: string): Endpoint {
  if (s.startsWith('docker://')) return { kind: 'docker', ref: parseReference(s.slice('docker://'.length)) };
  if (s.startsWith('oci:')) {
    const rest = s.slice('oci:'.length);
    const colon = rest.indexOf(':');
    const dir = colon < 0 ? rest : rest.slice(0, colon);
    const ref = colon < 0 ? undefined : rest.slice(colon + 1);
    if (!dir) throw new DeckhandError('EUSAGE', `${s} names no directory. ${usage}`);
    if (ref === '') throw new DeckhandError('EUSAGE', `${s} ends with an empty reference. ${usage}`);
    return { kind: 'oci', dir, ref };
  }
  if (/^(oci-archive|docker-archive|docker-daemon|containers-storage|dir):/.test(s)) {
    throw new DeckhandError(
      'EUSAGE',
      `${s.split(':')[0]}: is not a copy transport here. For archives use \`deckhand save\` and \`deckhand load\`. ${usage}`,
    );
  }
  return { kind: 'store', ref: s };
}

export interface CopyOptions {
  platform: Platform;
  allPlatforms?: boolean;
  tlsVerify?: boolean;
  /** `--cert-dir`: CA and client certificates for the registry (both, registry to registry), instead of certs.d. */
  certDir?: string;
  env?: NodeJS.ProcessEnv;
  /** `--signature-policy PATH`: policy.json for a registry source instead of the user's or the system's. */
  signaturePolicy?: string;
  signal?: AbortSignal;
  onEvent?: TransferListener;
}

export interface CopyResult {
  ref: string;
  digest: string;
  /** Bytes that moved (downloaded, uploaded or written); 0 when the destination had everything. */
  bytes: number;
}

/** The name an image gets in a layout: a full reference in the store, as written in a plain layout (bare tags stay bare). */
function nameIn(dest: Endpoint & { kind: 'oci' | 'store' }, name: string): ImageReference | string {
  return dest.kind === 'store' || name.includes('/') ? parseReference(name) : name;
}

/** `oci:DIR` without a reference means the layout's only image, as in skopeo. */
async function onlyImage(layout: Store, dir: string): Promise<string> {
  const entries = await listEntries(layout);
  if (entries.length !== 1) throw new DeckhandError('EUSAGE', `oci:${dir} holds ${entries.length} images; name one as oci:${dir}:REF.`);
  return entries[0]!.descriptor.digest;
}

interface Opened<T> {
  side: T;
  /** The name events and results use for this side. */
  name: string;
}

const sparseRefusal = (name: string, absent: string) =>
  `${name} is a sparse index: ${absent} not stored, so a registry would get an index whose images are missing. Pull them first (\`deckhand pull --all-platforms\`), or push only the stored platforms as a new index with \`deckhand push --present-platforms\`.`;

async function openSource(
  store: Store,
  src: Endpoint,
  dest: Endpoint,
  ctx: RegistryContext,
  opts: CopyOptions,
): Promise<Opened<RegistrySource | LayoutSource>> {
  if (src.kind === 'docker') return { side: new RegistrySource(ctx, ctx.planPull(src.ref)), name: formatReference(src.ref) };
  // A source layout must exist already: opening it as a destination would create one at a mistyped path.
  const from = src.kind === 'oci' ? await Store.openExisting(src.dir) : store;
  const input = src.kind === 'oci' ? (src.ref ?? (await onlyImage(from, src.dir))) : src.ref;
  // A layout can hold a sparse index as it is; a registry cannot.
  const sparse = dest.kind === 'docker' ? ({ mode: 'refuse', why: sparseRefusal } as const) : ({ mode: 'keep' } as const);
  return { side: new LayoutSource(from, input, { sparse, onEvent: opts.onEvent }), name: input };
}

async function openDestination(
  store: Store,
  dest: Endpoint,
  ctx: RegistryContext,
  source: RegistrySource | LayoutSource,
): Promise<Opened<ImageDestination>> {
  if (dest.kind === 'docker') {
    // Within one registry, blobs are mounted from the source repository instead of copied.
    const mountFrom = (): string[] =>
      source instanceof RegistrySource && source.served.ref.domain === dest.ref.domain && source.served.ref.path !== dest.ref.path
        ? [source.served.ref.path]
        : [];
    return { side: new RegistryDestination(await ctx.pushClient(dest.ref), dest.ref, { mountFrom }), name: formatReference(dest.ref) };
  }
  const to = dest.kind === 'oci' ? await Store.open(dest.dir) : store;
  const fromRegistry = source instanceof RegistrySource;
  const layout = new LayoutDestination(to, {
    names: [],
    action: 'copy',
    verb: fromRegistry ? 'downloading' : 'writing',
    annotations: async (image: ResolvedImage) => {
      if (source instanceof LayoutSource) return carriedDescriptor(source.entry!.descriptor).annotations;
      return (await pulledAnnotations(to, source, image)).annotations;
    },
  });
  return { side: layout, name: dest.ref ?? '' };
}

export async function copy(store: Store, srcText: string, destText: string, opts: CopyOptions): Promise<CopyResult> {
  const src = parseEndpoint(srcText);
  const dest = parseEndpoint(destText);
  const ctx = await RegistryContext.load(opts);
  const source = await openSource(store, src, dest, ctx, opts);
  if (src.kind === 'docker') opts.onEvent?.({ type: 'resolving', ref: source.name });
  let destination: Opened<ImageDestination> | undefined;
  try {
    destination = await openDestination(store, dest, ctx, source.side);
    const target = destination.side;
    let name = destination.name;
    const { image, counts }: { image: ResolvedImage; counts: CopyCounts } = await copyImage(source.side as ImageSource, target, {
      selection: { platform: opts.platform, allPlatforms: opts.allPlatforms ?? false },
      operation: `Copy to ${destText}`,
      cancelled: dest.kind === 'docker' ? 'open uploads were abandoned.' : 'copied blobs are kept and the next copy reuses them.',
      signal: opts.signal,
      onEvent: opts.onEvent,
      check: (image) => {
        if (dest.kind === 'docker' && dest.ref.digest && dest.ref.digest !== image.root.digest)
          throw new DeckhandError('EUSAGE', `${name} names digest ${dest.ref.digest}, but the source is ${image.root.digest}.`);
      },
      resolved: (image) => {
        if (target instanceof LayoutDestination && dest.kind !== 'docker') {
          const fallback =
            source.side instanceof LayoutSource
              ? (source.side.entry!.refName ?? source.name)
              : formatReference(source.side.logical.digest ? { ...source.side.logical, digest: image.root.digest } : source.side.logical);
          const named = nameIn(dest, dest.ref ?? fallback);
          target.name(named);
          name = typeof named === 'string' ? named : formatReference(named);
        }
        if (source.side instanceof RegistrySource) return { ref: source.name, ...source.side.servedBy };
        return { ref: source.name, endpoint: source.side.store.root };
      },
    });
    if (source.side instanceof RegistrySource && target instanceof RegistryDestination) {
      // Sigstore signatures travel with the image when it goes whole (one platform taken out of an index is another digest).
      const served = source.side.served;
      if (image.root.digest === source.side.rootDigest)
        await copySignatures(served.client, served.ref.path, target.client, target.target.path, image.root.digest, opts.signal);
      opts.onEvent?.({
        type: 'pushed',
        ref: name,
        digest: image.root.digest,
        uploadedBytes: counts.bytes,
        uploadedBlobs: counts.moved,
        existingBlobs: counts.existing,
        mountedBlobs: counts.mounted,
      });
    }
    return { ref: name, digest: image.root.digest, bytes: counts.bytes };
  } finally {
    await destination?.side.close();
    await source.side.close();
  }
}
