/**
 * The Files tab's stacked view, as a pure function: the image's file system as of a layer (dive's
 * aggregated tree), built from the analysis' per-layer changes. Each layer's removals (whiteouts:
 * a path and everything under it) apply before its entries, as an opaque directory's do; each path
 * keeps the entry and the layer that last wrote it.
 */
import type { ImageLayers, LayerFileChange, LayerFileEntry } from '../../../src-shared/ipc/contract.ts';

export interface StackedEntry {
  path: string;
  size: number;
  entry: LayerFileEntry;
  /** The layer (0: the bottom) that last wrote the path. */
  layer: number;
  /** What that layer did to it. */
  status: Exclude<LayerFileChange['status'], 'removed'>;
}

/** Whether `path` is `removed` or lies under it. */
function under(path: string, removed: ReadonlySet<string>): boolean {
  for (let p = path; p.length > 0; p = p.slice(0, Math.max(0, p.lastIndexOf('/')))) if (removed.has(p)) return true;
  return false;
}

/** The entries present once layers 0..`upTo` are stacked, in path order. */
export function stackedFiles(report: ImageLayers, upTo: number): StackedEntry[] {
  const present = new Map<string, StackedEntry>();
  for (let i = 0; i <= Math.min(upTo, report.layers.length - 1); i++) {
    const files = report.layers[i]!.files ?? [];
    const removed = new Set(files.filter((f) => f.status === 'removed').map((f) => f.path));
    if (removed.size > 0) for (const path of [...present.keys()]) if (under(path, removed)) present.delete(path);
    for (const f of files) {
      if (f.status === 'removed' || !f.entry) continue;
      present.set(f.path, { path: f.path, size: f.size, entry: f.entry, layer: i, status: f.status });
    }
  }
  return [...present.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Each directory's size in a view: the bytes of the files listed under it (at any depth), as dive's
 * tree sums them. Removed paths (a layer's whiteouts) add nothing: their size is what they hid.
 */
export function directorySizes(
  rows: ReadonlyArray<{ path: string; size: number; entry?: LayerFileEntry | null | undefined; status?: string | null }>,
): Map<string, number> {
  const totals = new Map<string, number>();
  for (const r of rows) if (r.entry?.type === 'dir') totals.set(r.path, 0);
  for (const r of rows) {
    if (r.status === 'removed' || !r.entry || r.entry.type === 'dir' || r.size === 0) continue;
    for (let p = r.path.slice(0, Math.max(0, r.path.lastIndexOf('/'))); p.length > 0; p = p.slice(0, Math.max(0, p.lastIndexOf('/')))) {
      const total = totals.get(p);
      if (total !== undefined) totals.set(p, total + r.size);
    }
  }
  return totals;
}
