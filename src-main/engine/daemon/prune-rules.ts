/**
 * What an engine's image prune removes, and the bytes it reports, computed by the engine's own
 * rules so that a preview says what the prune will do.
 *
 * Docker (moby daemon/images/image_prune.go, the graph-driver image store):
 * - Without `-a` only dangling *head* images are candidates: images no other image is built on
 *   (no children) and without a tag (an image with only digest references is dangling too).
 *   With `-a` every image is, except an untagged image with children (an intermediate one).
 * - `until` and `label` filters narrow the candidates.
 * - Each is removed without force: one that a container uses (running or stopped) is refused and
 *   skipped. An image with children is only untagged. Removing an image also removes its parent
 *   when that is left untagged, without children and unused (and so on up the chain).
 * - SpaceReclaimed is the sum of the sizes of the layers actually released: layers of removed
 *   images that no remaining image uses.
 *
 * Podman (pkg/domain/infra/abi/images.go Prune and containers/common libimage):
 * - Candidates are images no container uses (`containers=false`), not read-only, and without
 *   `-a` dangling ones (untagged and without children); `until` and `label` filters narrow them.
 * - Each is removed, then its parent when the parent is left dangling, and the whole is repeated
 *   until a round removes nothing.
 * - The reported size is, per removed image, its whole size (`podman system df` SIZE: all its
 *   layers, shared or not, and its manifest and config), summed. That can be more than the disk
 *   space freed, and is what `podman image prune` prints as reclaimed; the preview says the same.
 */
import type { PrunePlan } from '../../../src-shared/ipc/types.ts';
import type { EngineKind } from './connection.ts';
import type { EnginePruneOptions } from './types.ts';

export interface PruneImage {
  id: string;
  parentId: string | null;
  tags: string[];
  repoDigests: string[];
  created: string | null;
  labels: Record<string, string>;
  /** Names of the containers using it. */
  containers: string[];
  /** Layer chain IDs, oldest first, with their sizes (-1: unknown). */
  chain: string[];
  layerSizes: number[];
  /** The engine's size of the whole image (-1: unknown). */
  size: number;
}

function matchesFilters(img: PruneImage, opts: EnginePruneOptions, now: number): boolean {
  if (opts.olderThanMs !== undefined) {
    const t = Date.parse(img.created ?? '');
    if (Number.isNaN(t) || t > now - opts.olderThanMs) return false;
  }
  for (const l of opts.labels ?? []) {
    if (l.value === undefined ? !(l.key in img.labels) : img.labels[l.key] !== l.value) return false;
  }
  return true;
}

function children(images: PruneImage[]): Map<string, PruneImage[]> {
  const out = new Map<string, PruneImage[]>();
  for (const i of images) if (i.parentId) out.set(i.parentId, [...(out.get(i.parentId) ?? []), i]);
  return out;
}

/** Docker's removed set: a fixed point of "removable once everything built on it is removed". */
function dockerRemoved(images: PruneImage[], opts: EnginePruneOptions, now: number): Map<string, string> {
  const kids = children(images);
  const hasRefs = (i: PruneImage) => i.tags.length > 0 || i.repoDigests.length > 0;
  const candidate = new Set<string>();
  for (const i of images) {
    const head = (kids.get(i.id) ?? []).length === 0;
    if (!opts.all && (!head || i.tags.length > 0)) continue;
    if (!hasRefs(i) && !head) continue;
    if (!matchesFilters(i, opts, now)) continue;
    candidate.add(i.id);
  }
  const removed = new Map<string, string>();
  for (let changed = true; changed;) {
    changed = false;
    for (const i of images) {
      if (removed.has(i.id) || i.containers.length > 0) continue;
      const mine = kids.get(i.id) ?? [];
      if (!mine.every((k) => removed.has(k.id))) continue;
      if (candidate.has(i.id)) removed.set(i.id, reasonOf(i, opts));
      else if (!hasRefs(i) && mine.length > 0) removed.set(i.id, 'untagged parent left without children');
      else continue;
      changed = true;
    }
  }
  return removed;
}

/** Podman's removed set: rounds of candidates, each with its dangling parents, until none is left. */
function podmanRemoved(images: PruneImage[], opts: EnginePruneOptions, now: number): Map<string, string> {
  const removed = new Map<string, string>();
  const byId = new Map(images.map((i) => [i.id, i]));
  const left = (id: string) => images.filter((i) => i.parentId === id && !removed.has(i.id)).length;
  const dangling = (i: PruneImage) => i.tags.length === 0 && left(i.id) === 0;
  for (;;) {
    const round = images.filter(
      (i) => !removed.has(i.id) && i.containers.length === 0 && (opts.all || dangling(i)) && matchesFilters(i, opts, now),
    );
    if (round.length === 0) break;
    for (const i of round) {
      if (removed.has(i.id)) continue;
      removed.set(i.id, reasonOf(i, opts));
      let parent = i.parentId ? byId.get(i.parentId) : undefined;
      while (parent && !removed.has(parent.id) && parent.containers.length === 0 && dangling(parent)) {
        removed.set(parent.id, 'dangling parent of a removed image');
        parent = parent.parentId ? byId.get(parent.parentId) : undefined;
      }
    }
  }
  return removed;
}

function reasonOf(i: PruneImage, opts: EnginePruneOptions): string {
  if (i.tags.length === 0) return 'dangling: untagged, nothing is built on it, no container uses it';
  return opts.olderThanMs !== undefined || opts.labels?.length
    ? 'tagged, matches the filters, no container uses it'
    : 'tagged, and --all was given; no container uses it';
}

/** The name an image is removed by: its first tag, else its ID. */
export function pruneName(i: PruneImage): string {
  return i.tags[0] ?? i.id;
}

/** The plan: images the engine would remove, the layers that frees, and the bytes the engine would report. */
export function planEnginePrune(kind: EngineKind, images: PruneImage[], opts: EnginePruneOptions, now: number): PrunePlan {
  const removed = kind === 'podman' ? podmanRemoved(images, opts, now) : dockerRemoved(images, opts, now);
  const keptLayers = new Set<string>();
  for (const i of images) if (!removed.has(i.id)) for (const c of i.chain) keptLayers.add(c);
  const freed = new Map<string, { size: number; by: string[] }>();
  for (const i of images) {
    if (!removed.has(i.id)) continue;
    i.chain.forEach((c, k) => {
      if (keptLayers.has(c)) return;
      const f = freed.get(c);
      if (f) f.by.push(pruneName(i));
      else freed.set(c, { size: i.layerSizes[k] ?? -1, by: [pruneName(i)] });
    });
  }
  const blobs: PrunePlan['blobs'] = [...freed].map(([digest, f]) => ({
    digest,
    size: f.size,
    reason: `layer only used by removed ${f.by.length === 1 ? 'image' : 'images'} ${f.by.slice(0, 3).join(', ')}${f.by.length > 3 ? ', …' : ''}`,
  }));
  const planned = images.filter((i) => removed.has(i.id));
  let reclaimedBytes: number;
  if (kind === 'podman') {
    reclaimedBytes = planned.some((i) => i.size < 0) ? -1 : planned.reduce((n, i) => n + i.size, 0);
  } else {
    reclaimedBytes = blobs.some((b) => b.size < 0) ? -1 : blobs.reduce((n, b) => n + b.size, 0);
  }
  return {
    images: planned.map((i) => ({ name: pruneName(i), digest: i.id, reason: removed.get(i.id)! })),
    blobs,
    ingests: [],
    reclaimedBytes,
    leasedBlobs: 0,
  };
}
