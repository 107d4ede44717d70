/**
 * The shapes the main side returns through the contract. Plain data (structured clone and JSON
 * alike). The engine's own types are checked against these where the host returns them, so a
 * change on either side fails the typecheck instead of reaching the renderer.
 */
import type { ImageConfig, ImageIndex, ImageManifest } from '../oci/manifest.ts';

/** One stored image: an index.json entry with its name, platforms and size. */
export interface ImageRow {
  /** The name calls take back: the reference, a bare tag, or the digest of a dangling entry. Unique in the store. */
  name: string;
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
  /** Bytes of this image's blobs that another stored image also uses (each blob once). */
  sharedBytes: number;
  /** What removing only this image would free: its blobs no other image uses. */
  uniqueBytes: number;
  /** An index's stored platform manifests (one per platform; empty for a single manifest). */
  manifests: PlatformManifest[];
}

export interface PlatformManifest {
  platform: string;
  digest: string;
  /** Manifest, config and layers of this platform, each blob once. */
  size: number;
}

/** One move of a tag, from the store's tag log: the digest it pointed to from `at` on. */
export interface TagHistoryEntry {
  digest: string;
  /** The digest it pointed to before, or null when the tag was new. */
  previous: string | null;
  at: string;
  /** What moved it: pull, tag, load, copy. */
  action: string;
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
  /** Where this name pointed over time, newest first (empty for a dangling image). */
  tagHistory: TagHistoryEntry[];
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

export type TransferKind = 'pull' | 'push' | 'copy' | 'load' | 'save';

export interface TransferStarted {
  transferId: string;
}

export interface HostInfo {
  /** Which host serves the contract: the Electron app or `deckhand serve`. */
  host: 'electron' | 'web';
  storeDir: string;
  /** This machine's platform, the default for pulls (`linux/arm64` on Apple Silicon). */
  platform: string;
  /** Where a save proposes to write archives (the user's Downloads folder). */
  downloadsDir: string;
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
  /** Every stored blob this image reaches (manifests, configs, layers), each once; sizes in DiskUsage.blobSizes. */
  blobs: string[];
}

export interface DiskUsage {
  images: ImageUsage[];
  /** Digest → size of every blob some image reaches. */
  blobSizes: Record<string, number>;
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
  /** Images whose top layer this is, as labels (`name (platform)` for one platform of several). */
  topOf: string[];
  /** The same images by stored name, as calls take them (each name once). */
  topNames: string[];
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

/** A registry the sidebar shows, and why Deckhand knows it. */
export interface RegistryInfo {
  /** host[:port] as references name it (docker.io for Docker Hub). */
  host: string;
  /** auth: a credentials file has a login for it; images: stored images came from it; added: the user added it here. */
  sources: Array<'auth' | 'images' | 'added'>;
  /** Plain HTTP or unverified TLS was asked for when it was added. */
  insecure: boolean;
}

/** A registry's repositories from `/v2/_catalog`, where the registry allows listing them. */
export interface RegistryRepositories {
  host: string;
  repositories: string[];
  /** False when the list was cut at the first pages (a registry with very many repositories). */
  complete: boolean;
}

export interface RegistryTags {
  host: string;
  repository: string;
  tags: string[];
}

/** A login saved from the app (the password is never part of a result). */
export interface LoginResult {
  registry: string;
  username: string;
  /** credential-helper: the helper configured for the registry holds it; keychain: encrypted with the OS keychain by the desktop app. */
  storedIn: 'credential-helper' | 'keychain';
  /** The helper's name (docker-credential-<helper>), when storedIn is credential-helper. */
  helper?: string;
}

export interface LogoutResult {
  registry: string;
  /** Where a login was removed from; empty when the app had none saved (one from another tool's auth file stays). */
  removedFrom: Array<'credential-helper' | 'keychain'>;
}
