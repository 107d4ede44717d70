/**
 * `deckhand copy SRC DEST` between transports, with the names skopeo uses: a plain reference is an
 * image in the store; `docker://REF` a registry; `oci:DIR[:REF]` an OCI layout directory. (Archives
 * are `deckhand save` and `deckhand load`.) Each endpoint becomes an ImageSource or an
 * ImageDestination and the one pipeline moves the image: registry to registry streams blobs from
 * one to the other without touching the disk, mounting within one registry; sigstore signatures
 * travel along when the image goes whole.
 *
 * Transports of rooms above this one (the daemon room's `docker-daemon:REF`, an image in a Docker
 * or Podman engine) are plugged in by the caller (`CopyOptions.transports`): this room parses their
 * prefix and runs the same pipeline on the source or destination they open, without knowing them.
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
import { loadBlobLocations, recordBlobLocations } from '../store/blob-locations.ts';
import { blobDigests, copyImage } from './copy-image.ts';
import type { CopyCounts, ImageDestination, ImageSource, ResolvedImage } from './image.ts';
import { LayoutDestination, LayoutSource } from './layout.ts';
import { RegistryDestination } from './registry-destination.ts';
import { RegistrySource } from './registry-source.ts';
import { pulledAnnotations } from './pull.ts';

export type Endpoint =
  | { kind: 'store'; ref: string }
  | { kind: 'docker'; ref: ImageReference }
  | { kind: 'oci'; dir: string; ref: string | undefined }
  /** A transport plugged in by the caller: `transport:rest`. */
  | { kind: 'plugged'; transport: string; rest: string };

/** An image source a plugged transport opens: it says what the resolved event and a stored entry record. */
export interface PluggedSource extends ImageSource {
  /** The image as the user named it (`docker-daemon:app:1`). */
  readonly name: string;
  /** Who served it, for the resolved event (the engine's address). */
  readonly endpoint: string;
  /** The store name it gets when the destination names none (a full reference). */
  readonly storeName: string;
  /** The annotations of the store entry it becomes. */
  annotations(image: ResolvedImage): Promise<Record<string, string>>;
}

export interface PluggedDestination extends ImageDestination {
  /** The name the image gets there, for events and the result. */
  readonly name: string;
}

export interface OpenContext {
  store: Store;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal | undefined;
  onEvent: TransferListener | undefined;
}

/** A transport another room provides, by its prefix (`docker-daemon`). */
export interface CopyTransport {
  /** Checks `rest` (what follows `prefix:`) before anything starts; throws EUSAGE when it is malformed. */
  check(rest: string, role: 'source' | 'destination'): void;
  openSource(rest: string, ctx: OpenContext): Promise<PluggedSource>;
  openDestination(rest: string, ctx: OpenContext): Promise<PluggedDestination>;
  /** Its destinations hold one platform per name (an engine): a stored index gives the chosen platform's image. */
  onePlatform?: boolean;
}

const usage = 'Use a stored image name, docker://REGISTRY/REPO[:TAG|@DIGEST], oci:DIR[:REF], or docker-daemon:NAME[:TAG].';

/**
 * Parses a copy endpoint. Like containers/image, `oci:` splits the directory at the first colon.
 * `transports` are the prefixes plugged in by the caller (whose own `check` validates the rest).
 */
export function parseEndpoint(s: string, transports: Record<string, CopyTransport> = {}): Endpoint {
  if (s.startsWith('docker://')) return { kind: 'docker', ref: parseReference(s.slice('docker://'.length)) };
  const prefix = /^([a-z-]+):/.exec(s)?.[1];
  if (prefix !== undefined && Object.hasOwn(transports, prefix))
    return { kind: 'plugged', transport: prefix, rest: s.slice(prefix.length + 1) };
  if (s.startsWith('oci:')) {
    const rest = s.slice('oci:'.length);
    const colon = rest.indexOf(':');
    const dir = colon < 0 ? rest : rest.slice(0, colon);
    const ref = colon < 0 ? undefined : rest.slice(colon + 1);
    if (!dir) throw new DeckhandError('EUSAGE', `${s} names no directory. ${usage}`);
    if (ref === '') throw new DeckhandError('EUSAGE', `${s} ends with an empty reference. ${usage}`);
    return { kind: 'oci', dir, ref };
  }
  if (s.startsWith('docker-daemon:'))
    throw new DeckhandError(
      'EUSAGE',
      `${s}: an image in a Docker or Podman engine is copied by \`deckhand copy\` and the app; this caller has no engine.`,
    );
  if (/^(oci-archive|docker-archive|containers-storage|dir):/.test(s)) {
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
  /** Transports of other rooms by prefix (`docker-daemon`), see CopyTransport. */
  transports?: Record<string, CopyTransport>;
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

type Source = RegistrySource | LayoutSource | PluggedSource;

function pluggedOf(transports: Record<string, CopyTransport> | undefined, e: Endpoint & { kind: 'plugged' }): CopyTransport {
  return transports![e.transport]!;
}

function isPlugged(source: Source): source is PluggedSource {
  return !(source instanceof RegistrySource) && !(source instanceof LayoutSource);
}

function openContext(store: Store, opts: CopyOptions): OpenContext {
  return { store, env: opts.env ?? process.env, signal: opts.signal, onEvent: opts.onEvent };
}

async function openSource(store: Store, src: Endpoint, dest: Endpoint, ctx: RegistryContext, opts: CopyOptions): Promise<Opened<Source>> {
  if (src.kind === 'docker') return { side: new RegistrySource(ctx, ctx.planPull(src.ref)), name: formatReference(src.ref) };
  if (src.kind === 'plugged') {
    const side = await pluggedOf(opts.transports, src).openSource(src.rest, openContext(store, opts));
    return { side, name: side.name };
  }
  // A source layout must exist already: opening it as a destination would create one at a mistyped path.
  const from = src.kind === 'oci' ? await Store.openExisting(src.dir) : store;
  const input = src.kind === 'oci' ? (src.ref ?? (await onlyImage(from, src.dir))) : src.ref;
  // A layout can hold a sparse index as it is; a registry cannot.
  const sparse = dest.kind === 'docker' ? ({ mode: 'refuse', why: sparseRefusal } as const) : ({ mode: 'keep' } as const);
  const onePlatform =
    dest.kind === 'plugged' && pluggedOf(opts.transports, dest).onePlatform ? { onePlatform: { want: opts.platform } } : {};
  return { side: new LayoutSource(from, input, { sparse, onEvent: opts.onEvent, ...onePlatform }), name: input };
}

async function openDestination(
  store: Store,
  dest: Endpoint,
  ctx: RegistryContext,
  source: Source,
  opts: CopyOptions,
): Promise<Opened<ImageDestination>> {
  if (dest.kind === 'plugged') {
    const side = await pluggedOf(opts.transports, dest).openDestination(dest.rest, openContext(store, opts));
    return { side, name: side.name };
  }
  if (dest.kind === 'docker') {
    // Within one registry, blobs are mounted from the source repository instead of copied; an
    // image from another transport (an engine) is mounted from where the store's pushes put its blobs.
    const locations = isPlugged(source) ? await loadBlobLocations(store) : undefined;
    const mountFrom = (digest: string): string[] => {
      if (locations) return locations(dest.ref.domain, dest.ref.path, digest);
      return source instanceof RegistrySource && source.served.ref.domain === dest.ref.domain && source.served.ref.path !== dest.ref.path
        ? [source.served.ref.path]
        : [];
    };
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
      if (source instanceof RegistrySource) return (await pulledAnnotations(to, source, image)).annotations;
      return source.annotations(image);
    },
  });
  return { side: layout, name: dest.ref ?? '' };
}

export async function copy(store: Store, srcText: string, destText: string, opts: CopyOptions): Promise<CopyResult> {
  const src = parseEndpoint(srcText, opts.transports);
  const dest = parseEndpoint(destText, opts.transports);
  if (src.kind === 'plugged') pluggedOf(opts.transports, src).check(src.rest, 'source');
  if (dest.kind === 'plugged') pluggedOf(opts.transports, dest).check(dest.rest, 'destination');
  const ctx = await RegistryContext.load(opts);
  const source = await openSource(store, src, dest, ctx, opts);
  if (src.kind === 'docker') opts.onEvent?.({ type: 'resolving', ref: source.name });
  let destination: Opened<ImageDestination> | undefined;
  try {
    destination = await openDestination(store, dest, ctx, source.side, opts);
    const target = destination.side;
    let name = destination.name;
    const { image, counts }: { image: ResolvedImage; counts: CopyCounts } = await copyImage(source.side as ImageSource, target, {
      selection: { platform: opts.platform, allPlatforms: opts.allPlatforms ?? false },
      operation: `Copy to ${destText}`,
      cancelled:
        dest.kind === 'docker'
          ? 'open uploads were abandoned.'
          : dest.kind === 'plugged'
            ? 'the engine was sent no complete image.'
            : 'copied blobs are kept and the next copy reuses them.',
      signal: opts.signal,
      onEvent: opts.onEvent,
      check: (image) => {
        if (dest.kind === 'docker' && dest.ref.digest && dest.ref.digest !== image.root.digest)
          throw new DeckhandError('EUSAGE', `${name} names digest ${dest.ref.digest}, but the source is ${image.root.digest}.`);
      },
      resolved: (image) => {
        if (target instanceof LayoutDestination && (dest.kind === 'oci' || dest.kind === 'store')) {
          const side = source.side;
          const fallback =
            side instanceof LayoutSource
              ? (side.entry!.refName ?? source.name)
              : side instanceof RegistrySource
                ? formatReference(side.logical.digest ? { ...side.logical, digest: image.root.digest } : side.logical)
                : side.storeName;
          const named = nameIn(dest, dest.ref ?? fallback);
          target.name(named);
          name = typeof named === 'string' ? named : formatReference(named);
        }
        if (source.side instanceof RegistrySource) return { ref: source.name, ...source.side.servedBy };
        if (source.side instanceof LayoutSource) return { ref: source.name, endpoint: source.side.store.root };
        return { ref: source.name, endpoint: source.side.endpoint };
      },
    });
    if (target instanceof RegistryDestination && (source.side instanceof RegistrySource || isPlugged(source.side))) {
      if (source.side instanceof RegistrySource) {
        // Sigstore signatures travel with the image when it goes whole (one platform taken out of an index is another digest).
        const served = source.side.served;
        if (image.root.digest === source.side.rootDigest)
          await copySignatures(served.client, served.ref.path, target.client, target.target.path, image.root.digest, opts.signal);
      } else {
        // As a push from the store does: the next push of these blobs to that registry can mount them.
        await recordBlobLocations(store, { registry: target.target.domain, repository: target.target.path }, blobDigests(image));
      }
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
