/**
 * The shapes the main side returns through the contract. Plain data (structured clone and JSON
 * alike). The engine's own types are checked against these where the host returns them, so a
 * change on either side fails the typecheck instead of reaching the renderer.
 */
import type { ImageConfig, ImageIndex, ImageManifest } from '../oci/manifest.ts';

/** One stored image: an index.json entry with its name, platforms and size. */
export interface ImageRow {
  repository: string | null;
  tag: string | null;
  digest: string;
  /** Config digest of the (first) platform image, as docker and podman show image IDs. */
  id: string | null;
  mediaType: string;
  platforms: string[];
  size: number;
  created: string | null;
  dangling: boolean;
  /** An index stored with only some of its platforms. */
  sparse: boolean;
  /** For a dangling image, the name it had before its tag moved. */
  previousRef: string | null;
  source: string | null;
  pulled: string | null;
  /** Set when the entry cannot be read; the rest of the list is still valid. */
  error: string | null;
}

export interface LayerDetails {
  digest: string;
  mediaType: string;
  size: number;
  diffId: string | null;
  createdBy: string | null;
  stored: boolean;
}

export interface PlatformDetails {
  platform: string;
  digest: string;
  manifest: ImageManifest;
  config: ImageConfig;
  configDigest: string;
  layers: LayerDetails[];
}

export interface ImageDetails extends ImageRow {
  refName: string | null;
  index: ImageIndex | null;
  images: PlatformDetails[];
  /** Platforms listed by a sparse index whose manifests are not stored. */
  absentPlatforms: string[];
}

export interface TagResult {
  ref: string;
  digest: string;
  /** The digest the name pointed to before, now kept as a dangling entry. */
  previous: string | null;
}

export interface RemoveResult {
  removed: string[];
  deleted: Array<{ digest: string; size: number }>;
  freedBytes: number;
}

export type TransferKind = 'pull' | 'push';

export interface TransferStarted {
  transferId: string;
}

export interface HostInfo {
  /** Which host serves the contract: the Electron app or `deckhand serve`. */
  host: 'electron' | 'web';
  storeDir: string;
  /** This machine's platform, the default for pulls (`linux/arm64` on Apple Silicon). */
  platform: string;
}

/** `df`: per image total, shared and unique bytes (every blob counted once), and store totals. */
export interface ImageUsage {
  name: string;
  repository: string | null;
  tag: string | null;
  digest: string;
  dangling: boolean;
  totalBytes: number;
  sharedBytes: number;
  uniqueBytes: number;
}

export interface DiskUsage {
  images: ImageUsage[];
  totalBytes: number;
  reclaimableBytes: number;
  blobCount: number;
  blobBytes: number;
  sharedBytes: number;
  unreferencedBlobs: number;
  unreferencedBytes: number;
  ingestCount: number;
  ingestBytes: number;
}

/** A layer in an image's chain, keyed by chain ID, as `podman image tree` shows it. */
export interface TreeLayer {
  id: string;
  digest: string;
  size: number;
  uncompressed: number | null;
  createdBy: string | null;
  /** Images whose top layer this is. */
  topOf: string[];
}

export interface ImageTree {
  name: string;
  platform: string;
  id: string;
  tags: string[];
  size: number;
  layers: TreeLayer[];
}

/** The whole store as one tree of layers under a virtual root, for a d3-hierarchy layout. */
export interface LayerNode extends TreeLayer {
  children: LayerNode[];
}

export interface PrunePlan {
  images: Array<{ name: string; digest: string; reason: string }>;
  blobs: Array<{ digest: string; size: number; reason: string }>;
  ingests: Array<{ name: string; size: number; reason: string }>;
  reclaimedBytes: number;
  leasedBlobs: number;
}

/** A plan the main side keeps under `planId`: runPrune removes exactly what it lists. */
export interface PlannedPrune extends PrunePlan {
  planId: string;
}

export interface PruneResult {
  removedImages: string[];
  deletedBlobs: number;
  deletedIngests: number;
  freedBytes: number;
  skipped: Array<{ item: string; reason: string }>;
}
