/**
 * The layer tree's layout, after `podman image tree` over the whole store: base layers on the
 * left, each image as a leaf on the right, one row per image. d3-hierarchy computes the geometry
 * (sums, order, rows); React renders it. Pure, so the view memoizes it on the data and its width.
 *
 * Every image gets its own leaf row (a virtual child of its top layer), so an image whose top layer
 * has further layers built on it (a base image) is still a leaf. Rows come from a cluster layout
 * (leaves evenly spaced, a parent centred on its children); columns from each layer's depth in its
 * chain, so a layer's column is its position in every image that holds it.
 */
import { cluster, hierarchy, type HierarchyNode } from 'd3-hierarchy';
import type { LayerNode } from '../../../src-shared/ipc/contract.ts';
import { middleEllipsis } from '../../ui/truncate.ts';

export interface TreeSize {
  /** The width available; the layout grows wider when the chains are too deep to fit. */
  width: number;
  /**
   * What to show for some stored names instead of the name (a dangling image's "dangling (was
   * hello:1.0)"); a label's platform suffix is kept.
   */
  labels?: ReadonlyMap<string, string>;
}

export interface LaidLayer {
  id: string;
  digest: string;
  createdBy: string | null;
  /** Depth in the chain: 1 for a base layer. */
  depth: number;
  x: number;
  y: number;
  /** This layer's own (compressed) size. */
  bytes: number;
  uncompressed: number | null;
  /** This layer and every layer built on it, each once. */
  subtreeBytes: number;
  /** Stored image names that hold this layer: its own images and those built on it. */
  names: string[];
  /** How many of those images depend on it; shared when more than one. */
  imageCount: number;
  shared: boolean;
  tone: 'shared' | 'unique';
  radius: number;
  /** The images whose top layer this is, as labels (with the platform when an image has several). */
  topOf: string[];
  leaf: boolean;
}

/** An image's leaf: a row of its own beside its top layer. */
export interface LaidImage {
  key: string;
  /** The label shown (`name (platform)` for one platform of several). */
  label: string;
  /** The stored name, as calls take it. */
  name: string;
  layerId: string;
  x: number;
  y: number;
  /** Bytes of the image's whole chain (compressed layers). */
  chainBytes: number;
  layers: number;
}

export interface TreeLink {
  key: string;
  kind: 'layer' | 'image';
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface TreeLayout {
  /** The width to draw in: the available width, or more where the chains are too deep for it. */
  width: number;
  height: number;
  /** The drawing's own width (its right edge: the longest image label), for fitting it to the view. */
  contentWidth: number;
  /** Pixels between two columns of layers. */
  column: number;
  layers: LaidLayer[];
  images: LaidImage[];
  links: TreeLink[];
  /** Longest label drawn, in characters (labels longer than LABEL_MAX are cut). */
  labelChars: number;
}

export const ROW = 22;
export const MARGIN = 16;
export const MIN_COLUMN = 30;
export const MAX_COLUMN = 120;
export const LABEL_MAX = 48;
const CHAR_WIDTH = 7;
export const MIN_RADIUS = 3;
export const MAX_RADIUS = 9;

type Datum = { kind: 'layer'; layer: LayerNode } | { kind: 'image'; label: string; name: string; layer: LayerNode };

/** An image's stored name from a `topOf` label: the platform suffix dropped (a reference has no spaces). */
const nameOfLabel = (label: string): string => label.replace(/ \([^()]*\)$/, '');

/** A layer's images by stored name: topNames where the main side fills them, else from the labels. */
export function topNamesOf(layer: Pick<LayerNode, 'topOf' | 'topNames'>): string[] {
  const names = layer.topNames ?? [];
  return names.length > 0 ? names : [...new Set(layer.topOf.map(nameOfLabel))];
}

/** The stored name an image label belongs to. */
function nameFor(label: string, names: string[]): string {
  return names.find((n) => label === n || label.startsWith(`${n} (`)) ?? nameOfLabel(label);
}

export const radiusFor = (bytes: number, maxBytes: number): number =>
  maxBytes <= 0 ? MIN_RADIUS : MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * Math.sqrt(Math.max(0, bytes) / maxBytes);

/** An image's label cut to LABEL_MAX in the middle: the repository's end and the tag stay (the whole label on hover). */
export function clipLabel(label: string): string {
  if (label.length <= LABEL_MAX) return label;
  // A dangling image's "dangling (was NAME)" keeps its words; the name inside is cut.
  const wrapped = /^(dangling \(was )(.*?)(\)(?: \([^()]*\))?)$/.exec(label);
  if (wrapped) return `${wrapped[1]}${middleEllipsis(wrapped[2]!, LABEL_MAX - wrapped[1]!.length - wrapped[3]!.length)}${wrapped[3]}`;
  return middleEllipsis(label, LABEL_MAX);
}

const childrenOf =
  (labels: ReadonlyMap<string, string> | undefined) =>
  (d: Datum): Datum[] | undefined => {
    if (d.kind === 'image') return undefined;
    const names = topNamesOf(d.layer);
    /** The label shown: the stored name's display label where one is given, with the label's platform suffix. */
    const shown = (label: string, name: string) => {
      const display = labels?.get(name);
      return display === undefined ? label : `${display}${label.slice(name.length)}`;
    };
    const images = d.layer.topOf.map((label): Datum => {
      const name = nameFor(label, names);
      return { kind: 'image', label: shown(label, name), name, layer: d.layer };
    });
    // topOf can be empty where only topNames came across; an image still gets its row.
    if (images.length === 0) for (const name of names) images.push({ kind: 'image', label: shown(name, name), name, layer: d.layer });
    return [...images, ...d.layer.children.map((layer): Datum => ({ kind: 'layer', layer }))];
  };

const leafCount = (n: HierarchyNode<Datum>): number => n.leaves().filter((l) => l.data.kind === 'image').length;

export function layoutTree(forest: LayerNode, size: TreeSize): TreeLayout {
  const root = hierarchy<Datum>({ kind: 'layer', layer: forest }, childrenOf(size.labels));
  // value: subtree bytes (each layer once: a chain ID is one node).
  root.sum((d) => (d.kind === 'layer' ? d.layer.size : 0));
  // Images first at each layer, then the biggest subtrees; ties by id, so the order is stable.
  root.sort((a, b) => {
    if (a.data.kind !== b.data.kind) return a.data.kind === 'image' ? -1 : 1;
    if (a.data.kind === 'image' && b.data.kind === 'image') return a.data.label.localeCompare(b.data.label);
    return (b.value ?? 0) - (a.value ?? 0) || leafCount(b) - leafCount(a) || a.data.layer.id.localeCompare(b.data.layer.id);
  });

  const imageNodes = root.leaves().filter((l) => l.data.kind === 'image');
  if (imageNodes.length === 0)
    return { width: size.width, height: 0, contentWidth: 0, column: MAX_COLUMN, layers: [], images: [], links: [], labelChars: 0 };

  // Rows: one per image leaf, evenly spaced.
  const rows = cluster<Datum>()
    .nodeSize([ROW, 1])
    .separation(() => 1)(root);
  let minX = Infinity;
  let maxX = -Infinity;
  rows.each((n) => {
    minX = Math.min(minX, n.x);
    maxX = Math.max(maxX, n.x);
  });

  const labelChars = Math.min(LABEL_MAX, Math.max(...imageNodes.map((n) => (n.data.kind === 'image' ? n.data.label.length : 0))));
  const labelWidth = labelChars * CHAR_WIDTH + 12;
  // Columns: a base layer at depth 1, an image one column right of its top layer.
  const columns = root.height; // deepest image leaf's depth below the virtual root
  const available = size.width - 2 * MARGIN - labelWidth - MAX_RADIUS;
  const column = Math.max(MIN_COLUMN, Math.min(MAX_COLUMN, columns > 1 ? available / (columns - 1) : MAX_COLUMN));
  const colX = (depth: number) => MARGIN + MAX_RADIUS + (depth - 1) * column;
  const rowY = (x: number) => MARGIN + (x - minX);
  const contentWidth = Math.ceil(colX(columns) + labelWidth + MARGIN);
  const width = Math.max(size.width, contentWidth);
  const height = Math.ceil(MARGIN * 2 + (maxX - minX));

  let maxBytes = 0;
  rows.each((n) => {
    if (n.data.kind === 'layer' && n.depth > 0) maxBytes = Math.max(maxBytes, n.data.layer.size);
  });

  const layers: LaidLayer[] = [];
  const images: LaidImage[] = [];
  const links: TreeLink[] = [];
  for (const n of rows.descendants()) {
    if (n.depth === 0) continue;
    const x = colX(n.depth);
    const y = rowY(n.x);
    const parent = n.parent && n.parent.depth > 0 ? n.parent : null;
    if (parent) {
      links.push({
        key: `${parent.data.layer.id}>${n.data.kind === 'image' ? `image:${n.data.label}` : n.data.layer.id}`,
        kind: n.data.kind,
        x0: colX(parent.depth),
        y0: rowY(parent.x),
        x1: x,
        y1: y,
      });
    }
    if (n.data.kind === 'image') {
      const chain = n.ancestors().filter((a) => a.depth > 0 && a.data.kind === 'layer');
      images.push({
        key: `${n.data.layer.id}:${n.data.label}`,
        label: n.data.label,
        name: n.data.name,
        layerId: n.data.layer.id,
        x,
        y,
        chainBytes: chain.reduce((s, a) => s + a.data.layer.size, 0),
        layers: chain.length,
      });
      continue;
    }
    const layer = n.data.layer;
    const names = [...new Set(n.leaves().flatMap((l) => (l.data.kind === 'image' ? [l.data.name] : [])))].sort();
    const shared = names.length > 1;
    layers.push({
      id: layer.id,
      digest: layer.digest,
      createdBy: layer.createdBy,
      depth: n.depth,
      x,
      y,
      bytes: layer.size,
      uncompressed: layer.uncompressed,
      subtreeBytes: n.value ?? 0,
      names,
      imageCount: names.length,
      shared,
      tone: shared ? 'shared' : 'unique',
      radius: radiusFor(layer.size, maxBytes),
      topOf: layer.topOf,
      leaf: layer.children.length === 0,
    });
  }
  return { width, height, contentWidth, column, layers, images, links, labelChars };
}

/** The most a small store's drawing is enlarged to fill the view: more would blow a few dots up into a poster. */
export const MAX_FIT_SCALE = 1.6;

/** Where the drawing goes in the view: its scale, its offset (centred) and the canvas it needs. */
export interface TreeFit {
  scale: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A layout fitted to the view, as a chart fits its plot: a drawing smaller than the view both ways
 * is scaled up to fill it (up to MAX_FIT_SCALE) and centred; a larger one keeps its scale (the view
 * scrolls, and draws only the rows in sight), centred along the side where it is smaller.
 */
export function fitTree(content: { width: number; height: number }, view: { width: number; height: number }): TreeFit {
  if (content.width <= 0 || content.height <= 0) return { scale: 1, x: 0, y: 0, width: view.width, height: view.height };
  const fits = content.width <= view.width && content.height <= view.height;
  const scale = fits ? Math.max(1, Math.min(MAX_FIT_SCALE, view.width / content.width, view.height / content.height)) : 1;
  const w = content.width * scale;
  const h = content.height * scale;
  return {
    scale,
    x: Math.max(0, (view.width - w) / 2),
    y: Math.max(0, (view.height - h) / 2),
    width: Math.max(view.width, Math.ceil(w)),
    height: Math.max(view.height, Math.ceil(h)),
  };
}

/** What of a layout the view draws: the layers, image leaves and links between two heights. */
export interface TreeWindow {
  layers: LaidLayer[];
  images: LaidImage[];
  links: TreeLink[];
}

/**
 * The part of `layout` between `top` and `bottom` (pixels from its top edge): images whose row is
 * in it, layers in it or carrying one of those images' labels, and links that cross it. A store of
 * 10,000 images lays out 220,000 pixels of rows; the view draws the few dozen in sight.
 */
export function windowOf(layout: TreeLayout, top: number, bottom: number): TreeWindow {
  const inside = (y: number) => y >= top && y <= bottom;
  const images = layout.images.filter((i) => inside(i.y));
  const labelled = new Set(images.map((i) => i.layerId));
  return {
    layers: layout.layers.filter((l) => inside(l.y) || labelled.has(l.id)),
    images,
    links: layout.links.filter((k) => Math.min(k.y0, k.y1) <= bottom && Math.max(k.y0, k.y1) >= top),
  };
}
