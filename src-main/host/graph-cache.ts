/**
 * The store graph, built once and shared by every view until the store changes: listImages, df,
 * the layer forest and prune plans at startup all ask for it at once, and each used to walk the
 * whole store. Any change notice (this host's own operations, or the watcher seeing index.json,
 * blobs or ingests change) drops it; the next call builds a new one. A build that was under way
 * when a change came in still answers the calls that were waiting for it, but is not kept.
 */
import { buildStoreGraph, type StoreGraph } from '../engine/insight/store-graph.ts';
import type { Store } from '../engine/store/layout.ts';

export class GraphCache {
  private current: Promise<StoreGraph> | undefined;
  private readonly store: () => Promise<Store>;
  private readonly build: (store: Store) => Promise<StoreGraph>;

  constructor(store: () => Promise<Store>, build: (store: Store) => Promise<StoreGraph> = buildStoreGraph) {
    this.store = store;
    this.build = build;
  }

  get(): Promise<StoreGraph> {
    if (!this.current) {
      const building = this.store().then(this.build);
      this.current = building;
      // A failed build is not kept: the next call tries again.
      building.catch(() => {
        if (this.current === building) this.current = undefined;
      });
    }
    return this.current;
  }

  invalidate(): void {
    this.current = undefined;
  }
}
