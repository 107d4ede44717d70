/**
 * The disk-usage map, after `docker system df -v`: the store as a treemap of repository → image →
 * blob, where every stored blob an image reaches is drawn exactly once. A blob that more than one
 * image reaches goes in one "Shared layers" group, once; an image's cell holds only the blobs no
 * other image needs, so its area is what removing it alone would free. Pure: d3-hierarchy computes
 * the rectangles, React draws them.
 */
import { hierarchy, treemap, treemapSquarify } from 'd3-hierarchy';
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
  for (const image of usage.images) byRepo.set(repositoryOf(image), [...(byRepo.get(repositoryOf(image)) ?? []), image]);
  const size = (k: number) => usage.blobSizes[k] ?? 0;
  const digestOf = (k: number) => usage.blobDigests[k] ?? '';

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
          return { id: `blob:${image.name}:${d}`, kind: 'blob', label: short(d), size: size(k), names: [image.name], digest: d };
        }),
    })),
  }));
  const shared: Node[] = [];
  users.forEach((who, k) => {
    if (who.length <= 1) return;
    const d = digestOf(k);
    shared.push({ id: `shared:${d}`, kind: 'shared-blob', label: short(d), size: size(k), names: [], digest: d, users: who });
  });
  const children =
    shared.length > 0
      ? [...repositories, { id: 'shared', kind: 'shared-group' as const, label: SHARED_GROUP, size: 0, names: [], children: shared }]
      : repositories;
  return { id: 'root', kind: 'root', label: 'Store', size: 0, names: [], children };
}

export function layoutUsage(usage: DiskUsage, options: UsageLayoutOptions): UsageLayout {
  const { width, height } = options;
  const padding = options.padding ?? true;
  const root = hierarchy(usageTree(usage), (n) => n.children)
    .sum((n) => (n.children ? 0 : n.size))
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0) || a.data.id.localeCompare(b.data.id));
  const layout = treemap<Node>().tile(treemapSquarify).size([width, height]).round(false);
  if (padding) {
    // A band for the label of each repository, image and the shared group, where it fits.
    layout
      .paddingInner(2)
      .paddingOuter(1)
      .paddingTop((n) => (n.depth === 0 ? 0 : n.depth <= 2 && n.children && n.y1 - n.y0 > LABEL_BAND * 2.5 ? LABEL_BAND : 1));
  }
  const laid = layout(root);
  const cells: UsageCell[] = laid.descendants().map((n) => {
    const cell: UsageCell = {
      id: n.data.id,
      kind: n.data.kind,
      depth: n.depth,
      label: n.data.label,
      bytes: n.value ?? 0,
      x0: n.x0,
      y0: n.y0,
      x1: Math.max(n.x0, n.x1),
      y1: Math.max(n.y0, n.y1),
      names: n.data.names,
      parentId: n.parent ? n.parent.data.id : null,
    };
    if (n.data.digest) cell.digest = n.data.digest;
    if (n.data.users) cell.users = n.data.users;
    return cell;
  });
  return { width, height, cells, totalBytes: root.value ?? 0 };
}
