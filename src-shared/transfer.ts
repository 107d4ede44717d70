/**
 * Progress events of a transfer (pull today; push, copy, load and save later), as the engine emits
 * them and the CLI and renderer show them. Plain data so they cross IPC unchanged.
 */
/** A blob's role in the image: an index (a multi-platform image's top document), a platform's manifest, its config, a layer. */
export type BlobKind = 'index' | 'manifest' | 'config' | 'layer';

/**
 * `exists`: the destination already had it (nothing moved). `mounted`: the registry linked it from
 * another repository it holds (nothing moved). `downloading`/`uploading`/`writing`: bytes moving
 * (pull, push, archive). `verifying`: checking the digest before the blob becomes visible.
 */
export type BlobState = 'waiting' | 'exists' | 'mounted' | 'downloading' | 'uploading' | 'writing' | 'verifying' | 'done' | 'error';

export type TransferEvent =
  | { type: 'resolving'; ref: string }
  /**
   * The source has said what the image is. `endpoint`: where it was read: the base URL of the registry that served the manifest,
   * or the store, OCI layout or archive it came from (a push resolves in the store, before the registry is asked anything);
   * `mirror`: the registries.conf mirror's location, when a mirror served it.
   */
  | {
      type: 'resolved';
      ref: string;
      digest: string;
      mediaType: string;
      platforms: string[];
      sparse: boolean;
      endpoint: string;
      mirror?: string | undefined;
    }
  | { type: 'blob'; digest: string; kind: BlobKind; state: BlobState; done: number; total: number }
  | { type: 'retry'; digest: string; attempt: number; reason: string }
  | { type: 'done'; ref: string; digest: string; fetchedBytes: number; fetchedBlobs: number; skippedBlobs: number }
  | {
      type: 'pushed';
      ref: string;
      digest: string;
      uploadedBytes: number;
      uploadedBlobs: number;
      existingBlobs: number;
      mountedBlobs: number;
    }
  | { type: 'manifest'; digest: string; ref: string; state: 'exists' | 'done' }
  /**
   * A Docker or Podman engine's side of a move: `exporting` the image out of it (its docker-archive
   * stream, before the blobs are checked) or `loading` the archive into it. `done`: bytes so far;
   * `state: 'done'` once the engine finished (after `loading`, once it answered that it loaded the image).
   */
  | { type: 'engine'; phase: 'exporting' | 'loading'; ref: string; engine: string; done: number; state: 'running' | 'done' }
  | { type: 'error'; code: string; message: string };

export type TransferListener = (event: TransferEvent) => void;
