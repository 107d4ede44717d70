/**
 * Disk usage across every source (This store and each engine), as pure functions: each source's
 * figures (total, shared, unique, reclaimable) from its df, and one treemap with a top-level cell
 * per source sized by its total, so the user sees where the gigabytes are. Inside a source: one
 * cell per image for what only it uses (what removing it alone frees), one for the layers its
 * images share (each once), and the rest (unreferenced blobs, interrupted downloads, anything the
 * engine counts beyond its images). d3-hierarchy computes the rectangles, React draws them.
 */
import { hierarchy, treemap, treemapSquarify } from 'd3-hierarchy';
import type { DiskUsage } from '../../../src-shared/ipc/contract.ts';

export interface SourceFigures {
  totalBytes: number;
  sharedBytes: number;
  /** Bytes only one image uses, over all the source's images. */
  uniqueBytes: number;
  reclaimableBytes: number;
  /** Total less shared and unique: unreferenced blobs, interrupted downloads, what the engine counts beyond its images. */
  otherBytes: number;
  images: number;
}

/** An engine's -1 (a figure it did not compute) adds nothing here; the cells show what is known. */
export function sourceFigures(u: DiskUsage): SourceFigures {
  const uniqueBytes = u.images.reduce((n, i) => n + Math.max(0, i.uniqueBytes), 0);
  const sharedBytes = Math.max(0, u.sharedBytes);
  const totalBytes = Math.max(u.totalBytes, uniqueBytes + sharedBytes);
  return {
    totalBytes,
    sharedBytes,
    uniqueBytes,
    reclaimableBytes: Math.max(0, u.reclaimableBytes),
    otherBytes: Math.max(0, totalBytes - uniqueBytes - sharedBytes),
    images: u.images.length,
  };
}

export type SourceCellKind = 'source' | 'image' | 'shared' | 'other';

export interface SourceCell {
  id: string;
  kind: SourceCellKind;
  source: string;
  label: string;
  bytes: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export const SOURCE_LABEL_BAND = 18;
export const SHARED_LABEL = 'Shared layers';
export const OTHER_LABEL = 'Other';

interface Node {
  id: string;
  kind: SourceCellKind | 'root';
  source: string;
  label: string;
  size: number;
  children?: Node[];
}

/** The treemap of `sources` (each with its df) in `width` × `height`; sources with nothing in them get no cell. */
export function layoutSources(
  sources: ReadonlyArray<{ source: string; label: string; usage: DiskUsage }>,
  width: number,
  height: number,
): SourceCell[] {
  const root: Node = {
    id: 'root',
    kind: 'root',
    source: '',
    label: '',
    size: 0,
    children: sources.map(({ source, label, usage }) => {
      const f = sourceFigures(usage);
      const children: Node[] = usage.images
        .filter((i) => i.uniqueBytes > 0)
        .map((i) => ({ id: `${source}\u0000image\u0000${i.name}`, kind: 'image', source, label: i.name, size: i.uniqueBytes }));
      if (f.sharedBytes > 0)
        children.push({ id: `${source}\u0000shared`, kind: 'shared', source, label: SHARED_LABEL, size: f.sharedBytes });
      if (f.otherBytes > 0) children.push({ id: `${source}\u0000other`, kind: 'other', source, label: OTHER_LABEL, size: f.otherBytes });
      return { id: source, kind: 'source', source, label, size: 0, children };
    }),
  };
  const h = hierarchy<Node>(root, (n) => n.children)
    .sum((n) => (n.children ? 0 : n.size))
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
  if ((h.value ?? 0) === 0) return [];
  const laid = treemap<Node>()
    .tile(treemapSquarify)
    .size([width, height])
    .paddingInner(2)
    .paddingOuter((n) => (n.depth === 1 ? 3 : 0))
    .paddingTop((n) => (n.depth === 1 ? SOURCE_LABEL_BAND : 0))
    .round(true)(h);
  return laid
    .descendants()
    .filter((n) => n.depth > 0 && (n.value ?? 0) > 0)
    .map((n) => ({
      id: n.data.id,
      kind: n.data.kind as SourceCellKind,
      source: n.data.source,
      label: n.data.label,
      bytes: n.value ?? 0,
      x0: n.x0,
      y0: n.y0,
      x1: n.x1,
      y1: n.y1,
    }));
}
