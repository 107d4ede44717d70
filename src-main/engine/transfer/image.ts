/**
 * The two sides of every image transfer, in the shape containers/image and go-containerregistry
 * use: an ImageSource says what an image is (its manifests) and hands out its blobs; an
 * ImageDestination takes blobs and manifests and names the result. copy-image.ts moves an image
 * from any source to any destination. A registry, the store or an `oci:` layout, and an archive are
 * sources and destinations; a new place for images is one more of each, never another path.
 */
import type { Descriptor, ImageManifest } from '../../../src-shared/oci/manifest.ts';
import type { Platform } from '../../../src-shared/oci/platform.ts';
import type { BlobKind, TransferListener } from '../../../src-shared/transfer.ts';

export interface ImageDocument {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface PlatformManifest {
  descriptor: Descriptor;
  bytes: Buffer;
  manifest: ImageManifest;
}

/** What a source resolved: the top document and the platform manifests the copy takes. */
export interface ResolvedImage {
  /** The manifest or index that gets the destination's name (for one platform taken out of an index: that manifest). */
  root: ImageDocument;
  /** The platform manifests that go; for a single manifest, the root itself. */
  children: PlatformManifest[];
  /** The root is an index. */
  isIndex: boolean;
  /** An index of which only some platforms are taken. */
  sparse: boolean;
  /**
   * The selection took one platform out of an index: a destination that cannot hold a sparse index
   * gets that platform's manifest alone. (A stored sparse index is not a selection: it is refused.)
   */
  selected?: boolean;
  /** The platform of each child, in order ('' when unknown). */
  platforms: string[];
}

/** Which platforms a copy takes from an index. */
export interface Selection {
  platform: Platform;
  allPlatforms: boolean;
}

/** A blob's bytes from `offset` to the end. A reader whose source cannot seek skips to `offset` itself. */
export interface BlobReader {
  open(offset: number, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
}

/** `body` from byte `offset` on, for a body that starts at 0 (a registry that ignored Range, an archive entry). */
export async function* fromOffset(body: AsyncIterable<Uint8Array>, offset: number): AsyncIterable<Uint8Array> {
  let skip = offset;
  for await (const chunk of body) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    yield skip > 0 ? chunk.subarray(skip) : chunk;
    skip = 0;
  }
}

export interface BlobJob {
  digest: string;
  size: number;
  kind: BlobKind;
  /** 0 for the first try of this blob; the pipeline retries a blob as a whole. */
  attempt: number;
  /** Counts bytes that reached the destination, also in an attempt that then fails (they are not moved again). */
  moved(bytes: number): void;
}

/** Whether the blob moved, or the destination had it (`exists`) or linked it from elsewhere (`mounted`). */
export interface BlobOutcome {
  how: 'moved' | 'exists' | 'mounted';
}

export interface ImageSource {
  /** Where the image comes from, for messages ("registry 127.0.0.1:5000", "the store"). */
  readonly description: string;
  resolve(selection: Selection, signal?: AbortSignal): Promise<ResolvedImage>;
  /** Random access to one blob. */
  blob(descriptor: Descriptor): BlobReader;
  /**
   * A source read front to back (an archive) delivers the wanted blobs in its own order instead of
   * `blob()`; `each` must consume or ignore the content before the next one comes.
   */
  eachBlob?(wanted: Descriptor[], each: (descriptor: Descriptor, reader: BlobReader) => Promise<void>, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface ImageDestination {
  readonly description: string;
  /** It can hold an index with only some platforms present (a layout can; a registry cannot). */
  readonly keepsSparseIndex?: boolean;
  /** How many blobs it takes at once (an archive writes one entry at a time). */
  readonly concurrency: number;
  /**
   * Before any blob moves: leases, and whether the destination already holds exactly this image,
   * in which case no blob is sent (a re-push costs one HEAD).
   */
  prepare(image: ResolvedImage, blobs: Descriptor[], emit: TransferListener, signal?: AbortSignal): Promise<{ complete: boolean }>;
  /** One attempt at one blob; a failed attempt leaves what it can for the next to resume from. */
  putBlob(job: BlobJob, reader: BlobReader, emit: TransferListener, signal?: AbortSignal): Promise<BlobOutcome>;
  /** The pipeline gave up on this blob: release what the attempts kept (an open upload session). */
  discardBlob?(digest: string): Promise<void>;
  /** Stores a platform manifest (children first) or, last, the root under the destination's name. */
  putManifest(document: ImageDocument, role: 'child' | 'root', emit: TransferListener, signal?: AbortSignal): Promise<void>;
  /** Names the image; `missing` lists blobs that vanished meanwhile (a concurrent prune), which the pipeline sends again. */
  commit(image: ResolvedImage, signal?: AbortSignal): Promise<{ missing: string[] }>;
  /** Turns a failure into what the user should read (a read-only login, say). */
  explain?(error: unknown, signal?: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

export interface CopyOptions {
  selection: Selection;
  /** "Pull of example.com/app:1": the start of the cancellation message. */
  operation: string;
  /** What a cancellation leaves behind, said after "was cancelled; ". */
  cancelled: string;
  concurrency?: number;
  signal?: AbortSignal | undefined;
  onEvent?: TransferListener | undefined;
  /** Checked after the source resolved and before any blob moves (a digest the destination names, say). */
  check?: (image: ResolvedImage) => void;
  /** What the `resolved` event says: the name, who served it, and a note worth a line (a compatible platform chosen). */
  resolved: (image: ResolvedImage) => { ref: string; endpoint: string; mirror?: string; note?: string };
}

export interface CopyCounts {
  /** Bytes that moved (downloaded, uploaded or written). */
  bytes: number;
  moved: number;
  existing: number;
  mounted: number;
  /** Blobs present before the copy started (not counting blobs another process finished meanwhile). */
  skipped: number;
}

export interface CopyOutcome {
  image: ResolvedImage;
  counts: CopyCounts;
}
