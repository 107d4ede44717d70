/**
 * What Deckhand does with a Docker or Podman engine, as one interface: the views (images, details,
 * layer tree, disk usage, the layer map), cleanup (remove, prune with an exact preview) and the
 * engine's event stream. Answers have the same shapes as the store's (src-shared/ipc/types.ts), so
 * the host, the CLI and the renderer treat every source alike; an engine's rows also carry
 * `containers`.
 *
 * Sizes are the engine's: unpacked bytes as `docker system df -v` and `podman system df -v` report
 * them, never recomputed. `-1` from an engine means unknown, and is never shown as zero.
 */
import type {
  DiskUsage,
  EngineStatus,
  ImageDetails,
  ImageRow,
  ImageTree,
  LayerNode,
  PrunePlan,
  PruneResult,
  RemoveResult,
} from '../../../src-shared/ipc/types.ts';
import type { EngineConnection, EngineKind } from './connection.ts';

export interface EnginePruneOptions {
  /** `prune -a`: every image no container uses, not only dangling ones. */
  all?: boolean;
  /** `--filter until=…`: only images created before this many ms ago. */
  olderThanMs?: number;
  labels?: Array<{ key: string; value?: string }>;
}

/** One event from the engine's stream, old (`status`/`id`) and new (`Action`/`Actor`) shapes read alike. */
export interface EngineEvent {
  /** `image`, `container`, … */
  type: string;
  /** `pull`, `delete`, `untag`, `tag`, `load`, `remove`, `create`, `destroy`, … */
  action: string;
  /** The image or container ID or name the event is about. */
  id: string;
  time: number;
}

export interface EngineApi {
  readonly name: string;
  readonly kind: EngineKind;
  readonly connection: EngineConnection;
  status(): Promise<EngineStatus>;
  images(): Promise<ImageRow[]>;
  inspect(ref: string): Promise<ImageDetails>;
  tree(ref: string): Promise<ImageTree[]>;
  /** Every image's layers as one tree under a virtual root, for the layer map. */
  layerForest(): Promise<LayerNode>;
  /** `layers: false`: the engine's own numbers only (fast; no per-image layers, so no blobs). */
  usage(opts?: { layers?: boolean }): Promise<DiskUsage>;
  /** Removes images without force; an image a container uses fails with EIN_USE naming the containers. */
  remove(refs: string[]): Promise<RemoveResult>;
  /** What a prune would remove, and the bytes it would free, as the engine would compute them. */
  planPrune(opts: EnginePruneOptions): Promise<PrunePlan>;
  /**
   * Removes what the plan lists (what is still removable); the result's bytes are the engine's report.
   * `opts`: the options the plan was made with (a plan made by the same engine object remembers them).
   */
  runPrune(plan: PrunePlan, opts?: EnginePruneOptions): Promise<PruneResult>;
  /** Calls `onEvent` for each event until `signal` aborts, reconnecting after a drop. */
  watch(onEvent: (e: EngineEvent) => void, signal: AbortSignal): Promise<void>;
}
