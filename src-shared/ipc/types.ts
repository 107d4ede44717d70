/**
 * The shapes the main side returns through the contract. Plain data (structured clone and JSON
 * alike). The engine's own types are checked against these where the host returns them, so a
 * change on either side fails the typecheck instead of reaching the renderer.
 */
import type { ImageConfig, ImageIndex, ImageManifest } from '../oci/manifest.ts';
import type { FreshnessResult } from '../freshness.ts';

export type { FreshnessResult, FreshnessState } from '../freshness.ts';

/** What checkFreshness answers at once: the results already known, and the tags now being checked (freshnessChanged brings them). */
export interface FreshnessSnapshot {
  results: FreshnessResult[];
  pending: string[];
}

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
  /**
   * Stored bytes: every blob the image references as the store holds it (compressed layers, configs, manifests), each once. Not the unpacked size.
   * An engine's image: the engine's unpacked size (`system df -v` SIZE, shared layers included); -1 when the engine did not compute it.
   */
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
  /** Bytes of this image's blobs that another stored image also uses (each blob once). An engine's image: the engine's SHARED SIZE (-1: not computed). */
  sharedBytes: number;
  /** What removing only this image would free: its blobs no other image uses. An engine's image: the engine's UNIQUE SIZE (-1: not computed). */
  uniqueBytes: number;
  /** An index's stored platform manifests (one per platform; empty for a single manifest). */
  manifests: PlatformManifest[];
  /** The sigstore verification recorded when a pull checked signatures under a sigstoreSigned policy; null when none was required. */
  signature: SignatureStatus | null;
  /** An engine's image: how many containers use it (the engine's count; absent for the store, whose images no container uses). */
  containers?: number;
  /** An engine's image: the names of the containers that use it, where the engine said. */
  containerNames?: string[];
}

/** How a pull verified an image's signatures (from the stored index entry's annotations). */
export interface SignatureStatus {
  /** The key file(s) that verified a signature, comma-separated, or "keyData". */
  verifiedBy: string;
  /** The policy file and the scope that required it: `/etc/containers/policy.json transports.docker["quay.io/team"]`. */
  policy: string;
  /** ISO time of the verification. */
  at: string;
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
  /** Stored (compressed) bytes, as the manifest gives them. */
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

/** One entry of a manifest list being composed from stored images. */
export interface ManifestListEntry {
  /** The stored image it comes from (a multi-platform image gives one entry per platform). */
  image: string;
  digest: string;
  mediaType: string;
  size: number;
  /** The entry's platform, after any change: os/arch[/variant]. */
  platform: string;
  /** What the image's config (or its index) says, before any change. */
  configPlatform: string;
  /** Docker's platform.features (they make the list a Docker manifest list). */
  features: string[];
}

/** What a manifest list would be, before anything is written: its entries, document and digest. */
export interface ManifestListPreview {
  /** application/vnd.oci.image.index.v1+json, or the Docker manifest list type when an entry has features. */
  mediaType: string;
  digest: string;
  size: number;
  /** The document, exactly as it would be stored and pushed. */
  json: string;
  entries: ManifestListEntry[];
}

export interface ManifestListCreated {
  name: string;
  digest: string;
  mediaType: string;
  platforms: string[];
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
  /**
   * Every stored blob this image reaches (manifests, configs, layers), each once, as indexes into
   * DiskUsage.blobDigests and DiskUsage.blobSizes.
   */
  blobs: number[];
}

/**
 * `df` in an indexed form: each blob some image reaches is listed once (its digest in blobDigests,
 * its size in blobSizes at the same index) and images refer to blobs by index, so a base layer
 * shared by thousands of images is sent once instead of once per image.
 */
export interface DiskUsage {
  images: ImageUsage[];
  /** Every blob some image reaches, each once. */
  blobDigests: string[];
  /** The size of blobDigests[i] at index i. */
  blobSizes: number[];
  /**
   * The build step that made blobDigests[i], for a layer whose config history records one (its
   * created_by as `docker history` shows it, after buildStep); null for configs, manifests and
   * layers without history. Absent from answers that do not carry it.
   */
  blobSteps?: Array<string | null>;
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
  /** Stored (compressed) bytes. */
  size: number;
  /** Unpacked bytes; null when unknown. */
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
  /** Unpacked: the layers uncompressed (a layer whose uncompressed size is unknown counts at its stored size). */
  size: number;
  /** Whether `size` knows every layer's uncompressed size (else it is a lower bound). */
  sizeExact: boolean;
  /** Stored: this platform's manifest, config and layers as the store holds them (compressed), each once. */
  storedSize: number;
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

/** A short-name alias recorded from the app (the file is the user's short-name-aliases.conf). */
export interface AliasRecorded {
  name: string;
  value: string;
  file: string;
}

/** A registries.conf mirror of a `[[registry]]`, in the order it is tried. */
export interface RegistryMirrorDetails {
  location: string;
  insecure: boolean;
  pullFromMirror: 'all' | 'digest-only' | 'tag-only';
}

/** A `[[registry]]` of registries.conf (after drop-ins are merged), with the file it came from. */
export interface RegistryRuleDetails {
  file: string;
  prefix: string;
  /** '' for a `*.host` prefix without a location: names are used as they are. */
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrorByDigestOnly: boolean;
  mirrors: RegistryMirrorDetails[];
}

/** Where the login for a registry is found, as pulls and pushes look it up. Never the secret. */
export interface RegistryLoginDetails {
  /** keychain: the desktop app's own (OS keychain); credential-helper: docker-credential-<helper>; auth-file: an auths entry. null: not logged in. */
  storedIn: 'keychain' | 'credential-helper' | 'auth-file' | null;
  /** null with an identity token (OAuth2 refresh token) or when not logged in. */
  username: string | null;
  identityToken: boolean;
  /** The auth file with the entry, the file configuring the helper (`credHelpers of FILE`), or the app's keychain file. */
  file: string | null;
  helper: string | null;
  /** A configured credential helper that could not be asked (missing, failed); the login state is unknown then. */
  problem: string | null;
}

export interface PolicyRequirementDetails {
  type: 'insecureAcceptAnything' | 'reject' | 'signedBy' | 'sigstoreSigned' | 'signedBaseLayer';
  /** Readable: "sigstoreSigned with /etc/pki/team.pub", "insecureAcceptAnything: images are accepted without signatures". */
  text: string;
  keyPaths: string[];
}

/** The policy.json requirements for `docker://HOST`: the file, the scope that matched and each requirement. */
export interface RegistryPolicyDetails {
  file: string;
  /** `transports.docker["quay.io"]`, `transports.docker[""]` or `default`. */
  scope: string;
  requirements: PolicyRequirementDetails[];
}

/** Everything configured for one registry: its registries.conf rule, its login and its signature policy. */
export interface RegistryDetails {
  host: string;
  registriesConf: {
    /** The files read, in order (main file, then drop-ins); empty when there are none. */
    files: string[];
    /** The `[[registry]]` whose prefix matches the host (longest prefix); null when none does. */
    rule: RegistryRuleDetails | null;
    /** Rules for repositories under the host (`host/team`), which apply to those names only. */
    narrower: RegistryRuleDetails[];
    searchRegistries: string[];
    shortNameMode: 'enforcing' | 'permissive' | 'disabled';
  };
  login: RegistryLoginDetails;
  /** null when no policy.json exists: everything is accepted. */
  policy: RegistryPolicyDetails | null;
}

/**
 * Where images are: Deckhand's own store (`store`) or a Docker or Podman engine, by the name
 * `listEngines` gives it. Calls that read or clean up images take one; omitted means the store.
 */
export type SourceId = string;

/** A Docker or Podman engine found on this machine, and whether it answered. */
export interface EngineStatus {
  /** Unique among the engines found: `docker (desktop-linux)`, `podman (podman-machine-default)`, `docker`. Calls take it as their `source`. */
  name: string;
  kind: 'docker' | 'podman';
  /** `unix:///Users/me/.docker/run/docker.sock`, `tcp://127.0.0.1:2376`, `ssh://core@localhost:52001/run/podman/podman.sock`. */
  uri: string;
  /** How it was found: `DOCKER_HOST`, `docker context desktop-linux`, `podman connection podman-machine-default`, `podman machine …`, `socket`. */
  origin: string;
  /** DOCKER_HOST, or the current Docker context, or Podman's default connection: what `copy docker-daemon:REF` uses. */
  isDefault: boolean;
  reachable: boolean;
  /** The engine's version (`20.10.24`, `4.3.1`) when it answered. */
  version: string | null;
  /** The API version in use after negotiation (`1.41`). */
  apiVersion: string | null;
  /** Why it is unreachable (or unsupported, for ssh://), naming its address. */
  error: string | null;
  /** Where the engine keeps images (`/var/lib/docker`, a graph root), where it reports it. */
  rootDir: string | null;
}

/** What a layer's tar entry is (`imageLayers`). */
export type LayerEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** One tar entry of a layer (whiteout markers are not entries: the analysis reads them as removals). */
export interface LayerFileEntry {
  /** Absolute, clean: `/usr/bin/env`. */
  path: string;
  type: LayerEntryType;
  mode: number;
  uid: number;
  gid: number;
  /** The tar header's size: a regular file's bytes; 0 for directories, links and devices. */
  size: number;
  /** Symlinks: where they point; hard links: the path (absolute, clean) they share content with. */
  linkTarget: string | null;
  /** sha256 of a regular file's bytes; null for everything else. */
  hash: string | null;
}

/** What a layer did to a path, against the layers below it. */
export interface LayerFileChange {
  path: string;
  status: 'added' | 'modified' | 'unchanged' | 'removed';
  /** Removed: the bytes of everything removed at and under the path; otherwise the entry's size. */
  size: number;
  entry: LayerFileEntry | null;
}

export interface LayerChangeCount {
  count: number;
  bytes: number;
}

/** One layer of `imageLayers`, bottom first. */
export interface LayerFiles {
  digest: string;
  /** The blob's (compressed) size. */
  size: number;
  /** The bytes its tar entries hold. */
  contentBytes: number;
  createdBy: string | null;
  added: LayerChangeCount;
  modified: LayerChangeCount;
  removed: LayerChangeCount;
  files?: LayerFileChange[];
}

/** A path seen in two or more layers (dive's inefficiency). */
export interface LayerInefficiency {
  path: string;
  cumulativeSize: number;
  count: number;
  layers: Array<{ index: number; digest: string; createdBy: string | null }>;
}

/** `imageLayers`: what is inside each layer of a stored image, and the image's efficiency. */
export interface ImageLayers {
  image: string;
  manifest: string;
  platform: string;
  layers: LayerFiles[];
  efficiency: {
    score: number;
    wastedBytes: number;
    userWastedPercent: number | null;
    userBytes: number;
    inefficiencies: LayerInefficiency[];
  };
}

/** `imageEfficiency`: an image's efficiency figures without its layers and files. */
export interface ImageEfficiency {
  image: string;
  /** The platform manifest analysed. */
  manifest: string;
  platform: string;
  /** 0 to 1: the share of the image's bytes that are not wasted (dive's score). */
  score: number;
  /** Bytes of paths written again or removed by a later layer. */
  wastedBytes: number;
  /** Wasted bytes against the bytes above the first layer; null when there are none. */
  userWastedPercent: number | null;
  userBytes: number;
}
