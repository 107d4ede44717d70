/**
 * An OCI layout (the store itself, or an `oci:DIR`) as an ImageSource and an ImageDestination.
 * Reading: the named entry and what it references; a sparse index (some platforms not stored) is
 * refused, cut down to the stored platforms as a new index, or taken as it is, as the caller says.
 * Writing: every blob streams through the verifying ingest, which keeps a partial for the next
 * attempt to resume from; manifests go in after what they reference and the name last, under the
 * store lock and a lease, so a concurrent rmi or prune cannot take anything away mid-flight.
 */
import { open } from 'node:fs/promises';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseManifestDocument, type Descriptor } from '../../../src-shared/oci/manifest.ts';
import { formatPlatform, hostPlatform, parsePlatform, platformMatchRank, type Platform } from '../../../src-shared/oci/platform.ts';
import type { ImageReference } from '../../../src-shared/oci/reference.ts';
import type { BlobKind, BlobState, TransferListener } from '../../../src-shared/transfer.ts';
import { refNameOf, resolveOne, setTag, type CatalogEntry } from '../store/catalog.ts';
import { missingBlobs, presentPlatformsIndex, walkEntry } from '../store/graph.ts';
import { Ingest, putBlob } from '../store/ingest.ts';
import { Lease } from '../store/leases.ts';
import type { Store } from '../store/layout.ts';
import { CHUNK_DONE, type ChunkStream } from '../registry/http.ts';
import type { TagAction } from '../store/tag-log.ts';
import type { BlobJob, BlobOutcome, BlobReader, ImageDestination, ImageDocument, ImageSource, ResolvedImage } from './image.ts';
import { platformOfManifest } from './platforms.ts';

/** A stored blob from `offset`, read into reused buffers (see readChunks). */
export function layoutBlob(store: Store, digest: string): BlobReader {
  return { open: async (offset) => readChunks(store.blobPath(digest), offset) };
}

const READ_CHUNK = 1 << 20;
/** Buffers a reader keeps for reuse; an upload has one or two chunks with the socket at a time. */
const SPARE_BUFFERS = 4;

/**
 * The file from `offset` in 1 MiB reads into buffers that are reused once the consumer hands them
 * back (CHUNK_DONE: an upload after the socket has taken their bytes, an ingest once written), so a
 * push neither allocates a fresh megabyte per read nor leaves them to the GC: with
 * fs.createReadStream, 420 MB of 1 MiB buffers cost V8 a mark-compact every few tens of MB plus a
 * page fault per fresh 4 KiB. A consumer that never hands chunks back just gets fresh buffers.
 */
function readChunks(path: string, offset: number): ChunkStream {
  const spare: Buffer[] = [];
  const out = new WeakSet<ArrayBufferLike>();
  return {
    [CHUNK_DONE]: (chunk) => {
      // Only a buffer this reader lent, and only once: a buffer in two places at once would be overwritten.
      if (!out.delete(chunk.buffer)) return;
      if (spare.length < SPARE_BUFFERS) spare.push(Buffer.from(chunk.buffer, 0, READ_CHUNK));
    },
    async *[Symbol.asyncIterator]() {
      const fh = await open(path, 'r');
      try {
        for (let position = offset; ;) {
          const buf = spare.pop() ?? Buffer.allocUnsafeSlow(READ_CHUNK);
          const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, position);
          if (bytesRead === 0) return;
          position += bytesRead;
          out.add(buf.buffer);
          yield buf.subarray(0, bytesRead);
        }
      } finally {
        await fh.close();
      }
    },
  };
}

export interface LayoutSourceOptions {
  /**
   * A sparse index: `refuse` (with the caller's words for why), `present` (a new index of the
   * stored platforms, another digest), or `keep` (as it is: the copy is as sparse as the source).
   */
  sparse: { mode: 'refuse'; why: (name: string, absent: string) => string } | { mode: 'present' } | { mode: 'keep' };
  /** Take one platform (docker-archive): `want`, else this machine's, else the only one stored. */
  onePlatform?: { want: Platform | undefined };
  /**
   * The index alone, none of its images (`manifest push --all=false`): the destination must hold
   * them already (the caller checks).
   */
  indexOnly?: boolean;
  onEvent?: TransferListener | undefined;
}

export class LayoutSource implements ImageSource {
  readonly store: Store;
  readonly input: string;
  private readonly opts: LayoutSourceOptions;
  /** The catalog entry read (after resolve). */
  entry: CatalogEntry | undefined;
  /** What is read stays leased until the copy is over: a concurrent rmi or prune cannot take it away. */
  private lease: Lease | undefined;

  constructor(store: Store, input: string, opts: LayoutSourceOptions) {
    this.store = store;
    this.input = input;
    this.opts = opts;
  }

  get description(): string {
    return this.store.root;
  }

  async resolve(): Promise<ResolvedImage> {
    const { store, input } = this;
    const entry = (this.entry = await resolveOne(store, input));
    this.lease ??= await Lease.create(store, `read ${input}`);
    await this.lease.add(entry.descriptor.digest);
    if (this.opts.indexOnly) return this.indexAlone(entry);
    const graph = await walkEntry(store, entry.descriptor);
    await this.lease.add(...graph.blobs.keys());
    const name = entry.refName ?? input;
    const missing = await missingBlobs(store, graph);
    if (missing.length > 0) {
      throw new DeckhandError(
        'ESTORE',
        `${name} is missing ${missing.length} blob(s) in ${store.root} (${missing[0]}${missing.length > 1 ? ', …' : ''}); nothing was copied. Run \`deckhand fsck\`, then pull the image again.`,
        { detail: { missing } },
      );
    }
    const rootBytes = await store.readBlob(entry.descriptor.digest);
    const root: ImageDocument = { digest: entry.descriptor.digest, mediaType: entry.descriptor.mediaType, bytes: rootBytes };
    const children = await Promise.all(
      graph.manifests.map(async (m) => ({
        descriptor: m.descriptor,
        manifest: m.manifest,
        bytes: await store.readBlob(m.descriptor.digest),
      })),
    );
    const platforms = await Promise.all(graph.manifests.map((m) => platformOfManifest(store, m.descriptor, m.manifest)));
    if (this.opts.onePlatform) {
      const { want } = this.opts.onePlatform;
      const target = want ?? hostPlatform(process.platform, process.arch);
      const ranked = children
        .map((c, i) => ({ c, p: platforms[i]!, rank: platformMatchRank(target, c.descriptor.platform ?? parsePlatform(platforms[i]!)) }))
        .filter((x) => x.rank >= 0)
        .sort((a, b) => a.rank - b.rank);
      const chosen = ranked[0] ?? (children.length === 1 && !want ? { c: children[0]!, p: platforms[0]! } : undefined);
      if (!chosen)
        throw new DeckhandError(
          'ENO_PLATFORM',
          `${name} has no stored image for ${formatPlatform(target)} (stored: ${platforms.join(', ') || 'none'}). A docker-archive holds one platform; choose one with --platform.`,
        );
      return {
        root: { digest: chosen.c.descriptor.digest, mediaType: chosen.c.descriptor.mediaType, bytes: chosen.c.bytes },
        children: [chosen.c],
        isIndex: false,
        sparse: false,
        platforms: [chosen.p],
      };
    }
    if (graph.absent.length > 0) {
      const absent = graph.absent.map((d) => (d.platform ? formatPlatform(d.platform) : d.digest));
      const sparse = this.opts.sparse;
      if (sparse.mode === 'refuse')
        throw new DeckhandError('ENO_PLATFORM', sparse.why(name, `${absent.join(', ')} ${absent.length === 1 ? 'is' : 'are'}`), {
          detail: { missing: absent },
        });
      if (graph.manifests.length === 0)
        throw new DeckhandError('ENO_PLATFORM', `${name} has none of its platforms stored; there is nothing to copy. Pull it again.`);
      if (sparse.mode === 'present') {
        const cut = presentPlatformsIndex(rootBytes, graph);
        return {
          root: { digest: cut.digest, mediaType: root.mediaType, bytes: cut.bytes },
          children,
          isIndex: true,
          sparse: false,
          platforms,
        };
      } else {
        this.opts.onEvent?.({
          type: 'retry',
          digest: entry.descriptor.digest,
          attempt: 0,
          reason: `${graph.absent.length} platform(s) of this index are not stored; the copy holds only the stored ones`,
        });
      }
    }
    return { root, children, isIndex: graph.kind === 'index', sparse: graph.kind === 'index' && graph.absent.length > 0, platforms };
  }

  /** The index document and nothing it references. */
  private async indexAlone(entry: CatalogEntry): Promise<ResolvedImage> {
    const bytes = await this.store.readBlob(entry.descriptor.digest);
    const doc = parseManifestDocument(bytes, entry.descriptor.mediaType);
    if (doc.kind !== 'index')
      throw new DeckhandError('EUSAGE', `${entry.refName ?? this.input} is a single image, not a list; push it whole.`);
    return {
      root: { digest: entry.descriptor.digest, mediaType: doc.mediaType, bytes },
      children: [],
      isIndex: true,
      sparse: false,
      platforms: doc.index.manifests.map((d) => (d.platform ? formatPlatform(d.platform) : '')),
    };
  }

  blob(descriptor: Descriptor): BlobReader {
    return layoutBlob(this.store, descriptor.digest);
  }

  async close(): Promise<void> {
    await this.lease?.release();
  }
}

export interface LayoutDestinationOptions {
  /** The names the image gets (a bare tag for a plain layout); none: it is stored unnamed (dangling). */
  names: Array<ImageReference | string>;
  /** Annotations of the index.json entry, known once the blobs are in (the stored platforms, say). */
  annotations: (image: ResolvedImage) => Promise<Record<string, string>>;
  action: TagAction;
  /** How moving bytes are shown: `downloading` from a registry, `writing` from a file or layout. */
  verb: Extract<BlobState, 'downloading' | 'writing'>;
  /** Names an image without a name (load of an untagged archive image). */
  unnamed?: (store: Store, descriptor: Descriptor) => Promise<void>;
  /**
   * Work of the caller's that needs the store but not the blobs (a pull records where the blobs are
   * found), started with the manifests' writes once the first blob moves (see prepare).
   */
  whileMoving?: (store: Store, image: ResolvedImage) => void;
  /** A blob is in (durable and visible): a pull reads a config it will need at the end now. */
  stored?: (store: Store, digest: string, kind: BlobKind) => void;
}

export class LayoutDestination implements ImageDestination {
  readonly concurrency = 6;
  readonly keepsSparseIndex = true;
  private opened: Store | undefined;
  private readonly opening: Promise<Store>;
  private readonly root: string;
  private readonly opts: LayoutDestinationOptions;
  private lease: Lease | undefined;
  /** The lease's first write: awaited before anything is committed, not before the first requests go out. */
  private leasing: Promise<unknown> = Promise.resolve();
  private required = new Map<string, number>();
  /** The manifests, stored while the blobs move (see prepare); putManifest waits for its own. */
  private manifestsWritten = new Map<string, Promise<void>>();
  /** Ingest locks of committed blobs still being released (off the path to the tag); close() waits for them. */
  private releasing: Array<Promise<void>> = [];
  /** Starts the manifests' writes (and the caller's whileMoving), once. */
  private startWhileMoving: (() => void) | undefined;
  /** Names that pointed to another image before this copy named them: the image they left, and whether it is now dangling. */
  readonly moved: Array<{ name: string; previous: Descriptor; dangling: boolean }> = [];

  /**
   * `store` may still be opening (the CLI's pull opens a new store while the manifest is fetched):
   * nothing here needs it before prepare, and its root is known at once.
   */
  constructor(store: Store | { root: string; opening: Promise<Store> }, opts: LayoutDestinationOptions) {
    this.root = store.root;
    if ('opening' in store) this.opening = store.opening;
    else {
      this.opened = store;
      this.opening = Promise.resolve(store);
    }
    this.opts = opts;
  }

  /** The store, once prepare has opened it. */
  get store(): Store {
    if (!this.opened) throw new Error('LayoutDestination: the store is used before prepare');
    return this.opened;
  }

  get description(): string {
    return this.root;
  }

  /** Sets the name once it is known (a short name's candidate that served the pull). */
  name(name: ImageReference | string): void {
    this.opts.names = [name];
  }

  async prepare(image: ResolvedImage, blobs: Descriptor[]): Promise<{ complete: boolean }> {
    const store = (this.opened ??= await this.opening);
    this.required = new Map([
      [image.root.digest, image.root.bytes.length],
      ...image.children.map((c) => [c.descriptor.digest, c.bytes.length] as [string, number]),
      ...blobs.map((b) => [b.digest, b.size] as [string, number]),
    ]);
    if (this.lease) await this.lease.add(...this.required.keys());
    else {
      // Nothing is committed before the lease is written (putBlob and putManifest wait for it), so
      // the blobs' first requests need not wait for it: they go out while it is written.
      this.leasing = Lease.create(store, `copy ${image.root.digest}`, this.required.keys()).then((lease) => (this.lease = lease));
      this.leasing.catch(() => undefined);
    }
    // The manifests are verified and leased already: they are stored while the blobs move, not
    // after, so that naming the image is the only disk work left once the last blob is in. A
    // manifest in blobs/ names nothing (index.json does, last); until then it is leased content like
    // the blobs, and a crash leaves it as an orphan for prune, as it leaves finished layers. They
    // start once the first blob's body flows, not here: here the disk work of the blobs' first
    // requests (stat, ingest lock) is what the link waits for.
    this.startWhileMoving = () => {
      this.startWhileMoving = undefined;
      const documents = image.isIndex
        ? [...image.children.map((c) => ({ digest: c.descriptor.digest, bytes: c.bytes })), image.root]
        : [image.root];
      for (const doc of documents) {
        const written = this.leasing.then(() => putBlob(store, doc.digest, doc.bytes));
        // Awaited by putManifest, which reports a failure (after trying once more).
        written.catch(() => undefined);
        this.manifestsWritten.set(doc.digest, written);
      }
      this.opts.whileMoving?.(store, image);
    };
    return { complete: false };
  }

  async putBlob(job: BlobJob, reader: BlobReader, emit: TransferListener, signal?: AbortSignal): Promise<BlobOutcome> {
    const { digest, size, kind } = job;
    const ingest = await Ingest.begin(this.store, { digest, size }, signal);
    if (!ingest) {
      // Absent at the first look means another process finished it while we waited: not ours, not skipped.
      emit({ type: 'blob', digest, kind, state: job.attempt === 0 ? 'exists' : 'done', done: size, total: size });
      return { how: job.attempt === 0 ? 'exists' : 'moved' };
    }
    try {
      if (ingest.offset < size) {
        const startedAt = ingest.offset;
        const body = await reader.open(ingest.offset, signal);
        this.startWhileMoving?.();
        emit({ type: 'blob', digest, kind, state: this.opts.verb, done: ingest.offset, total: size });
        try {
          await ingest.write(body, {
            ...(signal ? { signal } : {}),
            onBytes: (done) => emit({ type: 'blob', digest, kind, state: this.opts.verb, done, total: size }),
          });
        } finally {
          // Bytes that reached the disk count even when the body broke: they are not moved again.
          job.moved(ingest.offset - startedAt);
        }
        if (ingest.offset < size) {
          // The body ended early (a lying Content-Length or a cut connection): keep the bytes, resume.
          throw new DeckhandError('ENETWORK', `The source ended blob ${digest} after ${ingest.offset} of ${size} bytes.`, {
            detail: { code: 'ESHORT_BODY' },
          });
        }
      }
      emit({ type: 'blob', digest, kind, state: 'verifying', done: size, total: size });
      await this.leasing;
      this.releasing.push((await ingest.commit({ releaseLater: true })).released);
      this.opts.stored?.(this.store, digest, kind);
    } catch (e) {
      await ingest.abort().catch(() => undefined);
      throw e;
    }
    emit({ type: 'blob', digest, kind, state: 'done', done: size, total: size });
    return { how: 'moved' };
  }

  async putManifest(doc: ImageDocument): Promise<void> {
    // No blob moved (all were stored already): now, then.
    this.startWhileMoving?.();
    const early = this.manifestsWritten.get(doc.digest);
    this.manifestsWritten.delete(doc.digest);
    if (early) {
      try {
        return await early;
      } catch {
        // Written again below, whose error is the one reported.
      }
    }
    // A later round (a concurrent prune removed it), or the early write failed.
    await this.leasing;
    await putBlob(this.store, doc.digest, doc.bytes);
  }

  async commit(image: ResolvedImage): Promise<{ missing: string[] }> {
    const descriptor: Descriptor = { mediaType: image.root.mediaType, digest: image.root.digest, size: image.root.bytes.length };
    if (this.opts.names.length === 0) {
      await this.opts.unnamed?.(this.store, descriptor);
      return { missing: [] };
    }
    const annotations = await this.opts.annotations(image);
    for (const name of this.opts.names) {
      const outcome = await setTag(this.store, name, descriptor, annotations, { required: this.required, action: this.opts.action });
      if (outcome.missing.length > 0) return outcome;
      if (outcome.replaced)
        this.moved.push({
          name: typeof name === 'string' ? name : refNameOf(name),
          previous: outcome.replaced.descriptor,
          dangling: outcome.replaced.dangling,
        });
    }
    return { missing: [] };
  }

  async close(): Promise<void> {
    // A copy that failed before its manifests were needed: their writes end before the lease does.
    await Promise.allSettled([...this.manifestsWritten.values(), this.leasing, ...this.releasing]);
    await this.lease?.release();
  }
}
