/**
 * The disk-usage map, after `docker system df -v`: the store as a treemap of repository → image →
 * blob, where every stored blob an image reaches is drawn exactly once. A blob that more than one
 * image reaches goes in one "Shared layers" group, once; an image's cell holds only the blobs no
 * other image needs, so its area is what removing it alone would free. Pure: d3-hierarchy computes
 * the rectangles, React draws them.
 */
import { hierarchy, treemap, treemapSquarify, type HierarchyNode, type HierarchyRectangularNode } from 'd3-hierarchy';
import type { DiskUsage, ImageUsage } from '../../../src-shared/ipc/contract.ts';
import { blobUsers } from './selection.ts';

export type CellKind = 'root' | 'repository' | 'image' | 'blob' | 'shared-group' | 'shared-blob';

export interface UsageCell {
  id: string;
  kind: CellKind;
  depth: number;
  label: string;
  /** Bytes under the cell (each blob once). */
  bytes: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** The images a click toggles: a repository's images, an image, a blob's one image. Empty for shared cells. */
  names: string[];
  /** For blob cells: the digest; for shared blobs also every image that reaches it. */
  digest?: string;
  /** For a layer: the build step that made it (its label), when df knows it. */
  step?: string;
  users?: string[];
  parentId: string | null;
}

export interface UsageLayout {
  width: number;
  height: number;
  cells: UsageCell[];
  /** Bytes drawn: every reachable blob once. */
  totalBytes: number;
}

export interface UsageLayoutOptions {
  width: number;
  height: number;
  /** Room for group labels and gaps between cells (off, areas are exactly proportional to bytes). */
  padding?: boolean;
}

/** How an image without a repository (dangling, or stored by digest) is grouped, as docker prints it. */
export const NO_REPOSITORY = '<none>';
export const SHARED_GROUP = 'Shared layers';
export const LABEL_BAND = 16;

interface Node {
  id: string;
  kind: CellKind;
  label: string;
  size: number;
  names: string[];
  digest?: string;
  step?: string;
  users?: string[];
  children?: Node[];
}

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

export function imageLabel(image: ImageUsage): string {
  if (image.tag) return image.tag;
  if (image.name.includes('@')) return `@${short(image.name.slice(image.name.indexOf('@') + 1))}`;
  return image.name === image.repository || !image.repository ? short(image.digest) : image.name;
}

export function repositoryOf(image: ImageUsage): string {
  return image.repository ?? NO_REPOSITORY;
}

/** The hierarchy the treemap lays out: root → repositories (+ the shared group) → images → blobs. */
export function usageTree(usage: DiskUsage): Node {
  const users = blobUsers(usage);
  const byRepo = new Map<string, ImageUsage[]>();
  for (const image of usage.images) {
    const list = byRepo.get(repositoryOf(image));
    if (list) list.push(image);
    else byRepo.set(repositoryOf(image), [image]);
  }
  const size = (k: number) => usage.blobSizes[k] ?? 0;
  const digestOf = (k: number) => usage.blobDigests[k] ?? '';
  // A layer is labelled by its build step, as docker history and dive show it; the digest otherwise.
  const named = (k: number, node: Node): Node => {
    const step = usage.blobSteps?.[k];
    return step ? { ...node, label: step, step } : node;
  };

  const repositories: Node[] = [...byRepo].map(([repo, images]) => ({
    id: `repo:${repo}`,
    kind: 'repository',
    label: repo,
    size: 0,
    names: images.map((i) => i.name),
    children: images.map((image) => ({
      id: `image:${image.name}`,
      kind: 'image',
      label: imageLabel(image),
      size: 0,
      names: [image.name],
      children: [...new Set(image.blobs)]
        .filter((k) => (users[k]?.length ?? 0) <= 1)
        .map((k) => {
          const d = digestOf(k);
          return named(k, { id: `blob:${image.name}:${d}`, kind: 'blob', label: short(d), size: size(k), names: [image.name], digest: d });
        }),
    })),
  }));
  const shared: Node[] = [];
  users.forEach((who, k) => {
    if (who.length <= 1) return;
    const d = digestOf(k);
    shared.push(named(k, { id: `shared:${d}`, kind: 'shared-blob', label: short(d), size: size(k), names: [], digest: d, users: who }));
  });
  const children =
    shared.length > 0
      ? [...repositories, { id: 'shared', kind: 'shared-group' as const, label: SHARED_GROUP, size: 0, names: [], children: shared }]
      : repositories;
  return { id: 'root', kind: 'root', label: 'Store', size: 0, names: [], children };
}

/** Images and the shared group: their blobs are laid out only where the cell has room to show them. */
const deferred = (n: Node) => n.kind === 'image' || n.kind === 'shared-group';

const byValue = (a: HierarchyNode<Node>, b: HierarchyNode<Node>) => (b.value ?? 0) - (a.value ?? 0) || a.data.id.localeCompare(b.data.id);

function cellOf(n: HierarchyRectangularNode<Node>, depth: number, parentId: string | null): UsageCell {
  const cell: UsageCell = {
    id: n.data.id,
    kind: n.data.kind,
    depth,
    label: n.data.label,
    bytes: n.value ?? 0,
    x0: n.x0,
    y0: n.y0,
    x1: Math.max(n.x0, n.x1),
    y1: Math.max(n.y0, n.y1),
    names: n.data.names,
    parentId,
  };
  if (n.data.digest) cell.digest = n.data.digest;
  if (n.data.step) cell.step = n.data.step;
  if (n.data.users) cell.users = n.data.users;
  return cell;
}

/**
 * The treemap in two steps, with the same arithmetic as one d3 treemap over the whole hierarchy:
 * first the store, repositories, images and the shared group (an image's value is the sum of its
 * blobs, so every rectangle is where it would be); then the blobs of each image (and of the shared
 * group) whose cell has room for them. Where less than half a pixel is left inside the cell's
 * padding, none of its blobs can be drawn (the view skips cells under half a pixel), so they are
 * not laid out: on 10,000 images that is all of them, and the layout keeps a cell for what can be
 * drawn instead of one for every blob.
 */
export function layoutUsage(usage: DiskUsage, options: UsageLayoutOptions): UsageLayout {
  const { width, height } = options;
  const padding = options.padding ?? true;
  const inner = padding ? 2 : 0;
  const outer = padding ? 1 : 0;
  /** A band for the label of each repository, image and the shared group, where it fits. */
  const bandOf = (depth: number, boxHeight: number) => (depth === 0 ? 0 : depth <= 2 && boxHeight > LABEL_BAND * 2.5 ? LABEL_BAND : 1);
  const root = hierarchy(usageTree(usage), (n) => (deferred(n) ? undefined : n.children))
    .sum((n) => (deferred(n) ? (n.children ?? []).reduce((s, c) => s + c.size, 0) : n.children ? 0 : n.size))
    .sort(byValue);
  const layout = treemap<Node>().tile(treemapSquarify).size([width, height]).round(false);
  if (padding)
    layout
      .paddingInner(inner)
      .paddingOuter(outer)
      .paddingTop((n) => (n.children ? bandOf(n.depth, n.y1 - n.y0) : 1));
  const laid = layout(root);
  const cells: UsageCell[] = laid.descendants().map((n) => cellOf(n, n.depth, n.parent ? n.parent.data.id : null));

  // The blobs, inside each image (and the shared group) that has room for them; as d3's treemap
  // places a parent's children: its box less its padding, tiled, each child inset by half the
  // inner padding.
  for (const n of laid.descendants()) {
    if (!deferred(n.data) || !n.data.children?.length) continue;
    const p = inner / 2;
    // Grouped as d3 does (x0 += paddingLeft - p), so every coordinate is the same double.
    let x0 = n.x0 + (outer - p);
    let y0 = n.y0 + ((padding ? bandOf(n.depth, n.y1 - n.y0) : 0) - p);
    let x1 = n.x1 - (outer - p);
    let y1 = n.y1 - (outer - p);
    if (x1 < x0) x0 = x1 = (x0 + x1) / 2;
    if (y1 < y0) y0 = y1 = (y0 + y1) / 2;
    // Each blob ends up inset by p on every side: with less than half a pixel left, none can be drawn.
    if (x1 - x0 - 2 * p < 0.5 || y1 - y0 - 2 * p < 0.5) continue;
    const sub = hierarchy(n.data, (d) => (d === n.data ? d.children : undefined))
      .sum((d) => (d === n.data ? 0 : d.size))
      .sort(byValue) as HierarchyRectangularNode<Node>;
    treemapSquarify(sub, x0, y0, x1, y1);
    for (const c of sub.children ?? []) {
      let cx0 = c.x0 + p;
      let cy0 = c.y0 + p;
      let cx1 = c.x1 - p;
      let cy1 = c.y1 - p;
      if (cx1 < cx0) cx0 = cx1 = (cx0 + cx1) / 2;
      if (cy1 < cy0) cy0 = cy1 = (cy0 + cy1) / 2;
      Object.assign(c, { x0: cx0, y0: cy0, x1: cx1, y1: cy1 });
      cells.push(cellOf(c, n.depth + 1, n.data.id));
    }
  }
  return { width, height, cells, totalBytes: root.value ?? 0 };
}
