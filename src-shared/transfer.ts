/**
 * Progress events of a transfer (pull today; push, copy, load and save later), as the engine emits
 * them and the CLI and renderer show them. Plain data so they cross IPC unchanged.
 */
export type BlobKind = 'manifest' | 'config' | 'layer';

export type BlobState = 'waiting' | 'exists' | 'downloading' | 'verifying' | 'done' | 'error';

export type TransferEvent =
  | { type: 'resolving'; ref: string }
  | { type: 'resolved'; ref: string; digest: string; mediaType: string; platforms: string[]; sparse: boolean; endpoint: string }
  | { type: 'blob'; digest: string; kind: BlobKind; state: BlobState; done: number; total: number }
  | { type: 'retry'; digest: string; attempt: number; reason: string }
  | { type: 'done'; ref: string; digest: string; fetchedBytes: number; fetchedBlobs: number; skippedBlobs: number }
  | { type: 'error'; code: string; message: string };

export type TransferListener = (event: TransferEvent) => void;
