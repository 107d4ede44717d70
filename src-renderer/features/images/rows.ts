/**
 * The image table's rows, as pure functions of the store's ImageRows: filtering, grouping by
 * repository, index expansion, the sort comparators, references to copy, and the bytes a removal
 * frees. No React here, so all of it is tested without a DOM.
 *
 * Grouping rule: images that share a repository (a dangling image counts under the repository it
 * was known by) become one group row with a sub-row per image; a repository with a single image is
 * a single row. An index image has a sub-row per stored platform manifest.
 */
import { selectionFigures } from '../usage/selection.ts';
import type { DiskUsage, ImageRow, PlatformManifest } from '../../../src-shared/ipc/contract.ts';

export interface GroupNode {
  kind: 'group';
  id: string;
  repository: string;
  children: ImageNode[];
  /** Sort values of a group: its largest image, its newest creation time. */
  size: number;
  uniqueBytes: number;
  sharedBytes: number;
  created: string | null;
}

export interface ImageNode {
  kind: 'image';
  id: string;
  image: ImageRow;
  /** The repository the row is listed under (its own, or the one a dangling image had). */
  repository: string | null;
  children: PlatformNode[];
}

export interface PlatformNode {
  kind: 'platform';
  id: string;
  parent: ImageRow;
  manifest: PlatformManifest;
  children: never[];
}

export type TableNode = GroupNode | ImageNode | PlatformNode;

/** `sha256:0123…` → the first 12 hex characters, as `docker images` shows IDs (one definition, in src-shared). */
export { shortDigest } from '../../../src-shared/oci/digest.ts';

/** The repository part of a reference: `docker.io/library/nginx:1` → `docker.io/library/nginx`. */
export function repositoryOfRef(ref: string): string {
  let rest = ref;
  const at = rest.indexOf('@');
  if (at >= 0) rest = rest.slice(0, at);
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) rest = rest.slice(0, colon);
  return rest;
}

/** The repository an image is listed under: its own, or for a dangling image the one it had. */
export function listedRepository(image: ImageRow): string | null {
  if (image.repository) return image.repository;
  if (image.previousRef) return repositoryOfRef(image.previousRef);
  return null;
}

/** What "Copy reference" copies: `repo:tag`, a bare tag, or the digest reference of a dangling image. */
export function referenceOf(image: ImageRow): string {
  if (image.repository && image.tag) return `${image.repository}:${image.tag}`;
  if (image.dangling) return digestReferenceOf(image);
  return image.name;
}

/** `repo@sha256:…` (the bare digest when the image has no repository). */
export function digestReferenceOf(image: ImageRow, digest: string = image.digest): string {
  const repo = listedRepository(image);
  return repo ? `${repo}@${digest}` : digest;
}

export const isIndex = (image: ImageRow): boolean => image.manifests.length > 0 || /index|manifest\.list/.test(image.mediaType);

/** Does this image run natively on `host` (`linux/arm64`)? A `linux/arm64/v8` image counts for `linux/arm64`. */
export function runsNatively(platforms: string[], host: string): boolean {
  if (platforms.length === 0) return true; // unknown: say nothing rather than warn wrongly
  const [os, arch] = host.split('/');
  return platforms.some((p) => {
    const [pos, parch] = p.split('/');
    return pos === os && parch === arch;
  });
}

/** The warning an image without a native platform gets, or null. */
export function emulationWarning(platforms: string[], host: string | null | undefined): string | null {
  if (!host || runsNatively(platforms, host)) return null;
  return `${platforms.join(', ')} only: runs under emulation on ${host}`;
}

/** Architecture family for the badge colour. */
export function archOf(platform: string): 'arm' | 'amd' | 'other' {
  const arch = platform.split('/')[1] ?? '';
  if (arch.startsWith('arm')) return 'arm';
  if (arch === 'amd64' || arch === '386') return 'amd';
  return 'other';
}

const haystacks = new WeakMap<ImageRow, string>();

function haystack(image: ImageRow): string {
  let h = haystacks.get(image);
  if (h === undefined) {
    h = [
      image.name,
      image.repository ?? '',
      image.tag ?? '',
      image.digest,
      image.previousRef ?? '',
      ...image.platforms,
      ...image.manifests.map((m) => `${m.platform} ${m.digest}`),
    ]
      .join('\n')
      .toLowerCase();
    haystacks.set(image, h);
  }
  return h;
}

/** The images whose repository, tag, digest, platform (or name) contain the query, case-insensitively. */
export function filterImages(rows: ImageRow[], query: string): ImageRow[] {
  const q = query.trim().toLowerCase();
  if (!q) return rows;
  const terms = q.split(/\s+/);
  return rows.filter((r) => {
    const h = haystack(r);
    return terms.every((t) => h.includes(t));
  });
}

function imageNode(image: ImageRow, repository: string | null): ImageNode {
  const id = `i:${image.name}`;
  return {
    kind: 'image',
    id,
    image,
    repository,
    children: image.manifests.map((manifest) => ({
      kind: 'platform',
      id: `p:${image.name}:${manifest.digest}`,
      parent: image,
      manifest,
      children: [],
    })),
  };
}

/** Groups images by repository (see the rule at the top); the order within is the input order. */
export function buildTree(rows: ImageRow[]): TableNode[] {
  const byRepo = new Map<string, ImageRow[]>();
  for (const r of rows) {
    const key = listedRepository(r) ?? '';
    const list = byRepo.get(key);
    if (list) list.push(r);
    else byRepo.set(key, [r]);
  }
  const out: TableNode[] = [];
  for (const [key, images] of byRepo) {
    const repository = key || null;
    if (images.length === 1) {
      out.push(imageNode(images[0]!, repository));
      continue;
    }
    let size = 0;
    let uniqueBytes = 0;
    let sharedBytes = 0;
    let created: string | null = null;
    for (const i of images) {
      size = Math.max(size, i.size);
      uniqueBytes = Math.max(uniqueBytes, i.uniqueBytes);
      sharedBytes = Math.max(sharedBytes, i.sharedBytes);
      if (i.created && (!created || i.created > created)) created = i.created;
    }
    out.push({
      kind: 'group',
      id: `g:${key}`,
      repository: key,
      children: images.map((i) => imageNode(i, repository)),
      size,
      uniqueBytes,
      sharedBytes,
      created,
    });
  }
  return out;
}

/** The image names a row stands for: a group's images, an image, a platform's image. */
export function namesOf(node: TableNode): string[] {
  if (node.kind === 'group') return node.children.map((c) => c.image.name);
  if (node.kind === 'image') return [node.image.name];
  return [node.parent.name];
}

// ---- sort values and comparators ----

export type ColumnId =
  'repository' | 'tag' | 'digest' | 'platforms' | 'size' | 'unique' | 'shared' | 'efficiency' | 'containers' | 'created' | 'registry';

export function sortValue(node: TableNode, column: ColumnId): string | number | undefined {
  switch (column) {
    case 'repository':
      return node.kind === 'group'
        ? node.repository
        : node.kind === 'image'
          ? (node.repository ?? '')
          : (listedRepository(node.parent) ?? '');
    case 'tag':
      if (node.kind === 'group') return node.children.map((c) => c.image.tag ?? '').sort(compareText)[0] ?? '';
      if (node.kind === 'platform') return node.manifest.platform;
      return node.image.tag ?? '';
    case 'digest':
      return node.kind === 'group' ? '' : node.kind === 'image' ? node.image.digest : node.manifest.digest;
    case 'platforms':
      return node.kind === 'group'
        ? [...new Set(node.children.flatMap((c) => c.image.platforms))].sort().join(' ')
        : node.kind === 'image'
          ? node.image.platforms.join(' ')
          : node.manifest.platform;
    case 'size':
      return node.kind === 'group' ? node.size : node.kind === 'image' ? node.image.size : node.manifest.size;
    case 'unique':
      return node.kind === 'group' ? node.uniqueBytes : node.kind === 'image' ? node.image.uniqueBytes : undefined;
    case 'shared':
      return node.kind === 'group' ? node.sharedBytes : node.kind === 'image' ? node.image.sharedBytes : undefined;
    case 'efficiency':
      // Known only once analysed: the column sorts from the analyses' cache (efficiency-column.tsx).
      return undefined;
    case 'containers':
      return node.kind === 'group'
        ? node.children.reduce((n, c) => n + (c.image.containers ?? 0), 0)
        : node.kind === 'image'
          ? node.image.containers
          : undefined;
    case 'registry':
      // Known only to the freshness query, not to the row: the column does not sort.
      return undefined;
    case 'created': {
      const iso = node.kind === 'group' ? node.created : node.kind === 'image' ? node.image.created : node.parent.created;
      const t = iso ? Date.parse(iso) : NaN;
      return Number.isNaN(t) ? undefined : t;
    }
  }
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Natural, case-insensitive text order (`app:2` before `app:10`); empty text last. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return 1;
  if (b === '') return -1;
  return collator.compare(a, b);
}

export function compareNumber(a: number, b: number): number {
  return a - b;
}

// ---- selection ----

/** Names of the rows from index `a` to `b` (either order), each once, in row order. */
export function namesInRange(nodes: readonly TableNode[], a: number, b: number): string[] {
  const [from, to] = a <= b ? [a, b] : [b, a];
  const out = new Set<string>();
  for (let i = Math.max(0, from); i <= Math.min(nodes.length - 1, to); i++) for (const n of namesOf(nodes[i]!)) out.add(n);
  return [...out];
}

// ---- what a removal frees ----

export interface FreedEstimate {
  bytes: number;
  /** True when computed from every image's blobs (df); false for a lower bound from the rows alone. */
  exact: boolean;
}

/**
 * The bytes removing `names` frees. With df's per-image blob lists the answer is exact: the blobs
 * the removed images reach that no remaining image reaches. Without it, the sum of each removed
 * image's unique bytes is a lower bound: it misses blobs shared only among the removed images.
 */
export function freedByRemoving(names: string[], rows: ImageRow[], usage: DiskUsage | null): FreedEstimate {
  const removing = new Set(names);
  if (usage && names.every((n) => usage.images.some((i) => i.name === n))) {
    return { bytes: selectionFigures(usage, removing).reclaimableBytes, exact: true };
  }
  const heldElsewhere = new Set(rows.filter((r) => !removing.has(r.name)).map((r) => r.digest));
  let bytes = 0;
  const counted = new Set<string>();
  for (const r of rows) {
    if (!removing.has(r.name) || heldElsewhere.has(r.digest) || counted.has(r.digest)) continue;
    counted.add(r.digest);
    bytes += r.uniqueBytes;
  }
  return { bytes, exact: false };
}

/**
 * The disk space a set of images takes, each blob once: exact from df's blob lists; otherwise a
 * lower bound (their unique bytes plus the largest shared part, which they all might share).
 */
export function bytesOf(images: ImageRow[], usage: DiskUsage | null): FreedEstimate {
  if (usage) {
    const byName = new Map(usage.images.map((i) => [i.name, i]));
    if (images.every((i) => byName.has(i.name))) {
      const blobs = new Set<number>();
      for (const i of images) for (const b of byName.get(i.name)!.blobs) blobs.add(b);
      let bytes = 0;
      for (const b of blobs) bytes += usage.blobSizes[b] ?? 0;
      return { bytes, exact: true };
    }
  }
  let unique = 0;
  let shared = 0;
  const seen = new Set<string>();
  for (const i of images) {
    if (seen.has(i.digest)) continue;
    seen.add(i.digest);
    // An engine's -1 (not computed) counts as nothing known: the figure stays a lower bound.
    unique += Math.max(0, i.uniqueBytes);
    shared = Math.max(shared, i.sharedBytes);
  }
  return { bytes: unique + shared, exact: images.length <= 1 && images.every((i) => i.uniqueBytes >= 0 && i.sharedBytes >= 0) };
}
