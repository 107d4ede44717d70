/**
 * Cleanup as a plan, then an action. The plan names every image, blob and ingest that would go and
 * why, and the bytes that frees; the run removes what the plan named, re-checking under the index
 * lock that nothing has come to need it since (a new tag, a running pull's lease) and reporting
 * what it actually freed. Leased blobs are roots: a running pull, push, load or copy keeps them.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { formatBytes } from '../../../src-shared/format.ts';
import { parseReference, repositoryName } from '../../../src-shared/oci/reference.ts';
import { PREVIOUS_REF, PULLED } from '../store/annotations.ts';
import { toEntry } from '../store/catalog.ts';
import { updateIndex } from '../store/index-file.ts';
import { leasedDigests } from '../store/leases.ts';
import { deleteBlobs } from '../store/remove.ts';
import type { Store } from '../store/layout.ts';
import { MetaCache, reachable } from '../store/meta.ts';
import { sweepLayerCache } from './layers/analyze.ts';
import type { PrunePlan, PruneResult } from '../../../src-shared/ipc/types.ts';
import { buildStoreGraph, listIngests, type GraphImage, type StoreGraph } from './store-graph.ts';

export interface LabelFilter {
  key: string;
  value?: string;
}

export interface PruneOptions {
  /** Also remove tagged images (those matching the filters). */
  all?: boolean;
  /** Only images created (or, without a creation time, pulled) more than this many ms ago. */
  untilMs?: number;
  labels?: LabelFilter[];
  /** Per repository, keep this many of the newest images whatever the filters say. */
  keepLast?: number;
  /** Interrupted downloads untouched this long are removed (default one hour). */
  staleIngestMs?: number;
  now?: number;
}

// The shapes are the contract's: what prune returns is what crosses IPC.
export type { PrunePlan, PruneResult } from '../../../src-shared/ipc/types.ts';

const HOUR = 3_600_000;

function recency(image: GraphImage): number {
  const t = Date.parse(image.created ?? image.entry.descriptor.annotations?.[PULLED] ?? '');
  return Number.isNaN(t) ? 0 : t;
}

function repositoryOf(image: GraphImage): string {
  if (image.repository) return image.repository;
  const previous = image.entry.descriptor.annotations?.[PREVIOUS_REF];
  if (previous) {
    try {
      return repositoryName(parseReference(previous));
    } catch {
      // A damaged annotation only loses the grouping.
    }
  }
  return '';
}

function matches(image: GraphImage, opts: PruneOptions, now: number): boolean {
  if (opts.untilMs !== undefined && !(recency(image) > 0 && recency(image) <= now - opts.untilMs)) return false;
  for (const f of opts.labels ?? []) {
    const has = image.platforms.some((p) => (f.value === undefined ? f.key in p.meta.labels : p.meta.labels[f.key] === f.value));
    if (!has) return false;
  }
  return true;
}

export function planPrune(graph: StoreGraph, opts: PruneOptions = {}): PrunePlan {
  const now = opts.now ?? Date.now();
  const protectedByKeep = new Set<number>();
  if (opts.keepLast !== undefined) {
    const byRepo = new Map<string, number[]>();
    graph.images.forEach((img, i) => byRepo.set(repositoryOf(img), [...(byRepo.get(repositoryOf(img)) ?? []), i]));
    for (const list of byRepo.values()) {
      list.sort((a, b) => recency(graph.images[b]!) - recency(graph.images[a]!));
      for (const i of list.slice(0, opts.keepLast)) protectedByKeep.add(i);
    }
  }
  const removed = new Set<number>();
  const images: PrunePlan['images'] = [];
  // Reasons are plain phrases without parentheses: the CLI puts each in parentheses, the app in a column of its own.
  graph.images.forEach((img, i) => {
    const dangling = img.entry.refName === null;
    if ((!dangling && !opts.all) || protectedByKeep.has(i) || !matches(img, opts, now)) return;
    removed.add(i);
    const was = img.entry.descriptor.annotations?.[PREVIOUS_REF];
    images.push({
      name: img.name,
      digest: img.entry.descriptor.digest,
      reason: dangling
        ? `dangling${was ? `, was ${was}` : ''}`
        : opts.untilMs !== undefined || opts.labels?.length
          ? 'tagged, matches the filters'
          : 'tagged, and --all was given',
    });
  });
  const blobs: PrunePlan['blobs'] = [];
  let leasedBlobs = 0;
  for (const [digest, size] of graph.onDisk) {
    const users = graph.users.get(digest) ?? [];
    if (users.some((i) => !removed.has(i))) continue;
    if (graph.leased.has(digest)) {
      leasedBlobs++;
      continue;
    }
    const names = users.map((i) => graph.images[i]!.name);
    blobs.push({
      digest,
      size,
      reason: names.length
        ? `only used by removed ${names.length === 1 ? 'image' : 'images'} ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}`
        : 'not referenced by any image',
    });
  }
  const stale = opts.staleIngestMs ?? HOUR;
  const ingests = graph.ingests
    .filter((g) => !g.active && g.modified <= now - stale)
    .map((g) => ({
      name: g.name,
      size: g.size,
      reason: `interrupted download, untouched for ${Math.round((now - g.modified) / 60_000)} min`,
    }));
  const reclaimedBytes = blobs.reduce((n, b) => n + b.size, 0) + ingests.reduce((n, g) => n + g.size, 0);
  return { images, blobs, ingests, reclaimedBytes, leasedBlobs };
}

export async function runPrune(store: Store, plan: PrunePlan): Promise<PruneResult> {
  const skipped: PruneResult['skipped'] = [];
  const removedImages: string[] = [];
  let freedBytes = 0;
  let deletedBlobs = 0;
  const meta = await MetaCache.load(store);
  await updateIndex(
    store,
    async (index) => {
      const planned = new Set(plan.images.map((p) => `${p.digest} ${p.name}`));
      index.manifests = index.manifests.filter((d) => {
        const entry = toEntry(d);
        const key = `${d.digest} ${entry.refName ?? d.digest}`;
        if (!planned.has(key)) return true;
        removedImages.push(entry.refName ?? d.digest);
        return false;
      });
      for (const p of plan.images)
        if (!removedImages.includes(p.name))
          skipped.push({ item: p.name, reason: 'no longer in the store as planned (renamed or removed since)' });
      // What the remaining images and live operations need now, not when the plan was made.
      const needed = await leasedDigests(store);
      for (const d of index.manifests) for (const digest of await reachable(meta, d)) needed.add(digest);
      const doomed = plan.blobs.filter((b) => {
        if (!needed.has(b.digest)) return true;
        skipped.push({ item: b.digest, reason: 'needed again since the plan was made' });
        return false;
      });
      return doomed;
    },
    {
      afterWrite: async (doomed) => {
        const deleted = await deleteBlobs(store, doomed);
        deletedBlobs = deleted.length;
        freedBytes += deleted.reduce((n, b) => n + b.size, 0);
      },
    },
  );
  let deletedIngests = 0;
  const current = new Map((await listIngests(store)).map((g) => [g.name, g]));
  for (const g of plan.ingests) {
    const now = current.get(g.name);
    if (!now) continue;
    if (now.active) {
      skipped.push({ item: g.name, reason: 'a download resumed it since the plan was made' });
      continue;
    }
    await rm(join(store.ingestDir, g.name), { force: true });
    deletedIngests++;
    freedBytes += now.size;
  }
  // What `deckhand layers` found in the layers just deleted.
  await sweepLayerCache(store);
  return { removedImages, deletedBlobs, deletedIngests, freedBytes, skipped };
}

/** Parses `--filter until=DURATION` (Go-style 90m, 24h, 7d; d is ours) and `label=K[=V]`. */
export function parseFilters(filters: string[]): Pick<PruneOptions, 'untilMs' | 'labels'> {
  const out: Pick<PruneOptions, 'untilMs' | 'labels'> = {};
  for (const f of filters) {
    const eq = f.indexOf('=');
    const key = eq < 0 ? f : f.slice(0, eq);
    const value = eq < 0 ? '' : f.slice(eq + 1);
    if (key === 'until') {
      const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(value);
      if (!m) throw new DeckhandError('EUSAGE', `--filter until=${value}: give a duration like 30m, 12h or 7d.`);
      out.untilMs = Number(m[1]) * { s: 1000, m: 60_000, h: HOUR, d: 24 * HOUR }[m[2] as 's' | 'm' | 'h' | 'd'];
    } else if (key === 'label') {
      if (!value) throw new DeckhandError('EUSAGE', '--filter label= needs a key: label=KEY or label=KEY=VALUE.');
      const e2 = value.indexOf('=');
      (out.labels ??= []).push(e2 < 0 ? { key: value } : { key: value.slice(0, e2), value: value.slice(e2 + 1) });
    } else {
      throw new DeckhandError('EUSAGE', `--filter ${key} is not supported; use until=DURATION or label=KEY[=VALUE].`);
    }
  }
  return out;
}

export function describePlan(plan: PrunePlan): string {
  return `${plan.images.length} image(s), ${plan.blobs.length} blob(s), ${plan.ingests.length} interrupted download(s): ${formatBytes(plan.reclaimedBytes)}`;
}

export async function prune(
  store: Store,
  opts: PruneOptions & { dryRun?: boolean } = {},
): Promise<{ plan: PrunePlan; result?: PruneResult }> {
  const plan = planPrune(await buildStoreGraph(store), opts);
  // A store that is not there yet (opened to read) has nothing to prune; running would create it.
  if (opts.dryRun) return { plan };
  if (!store.exists) return { plan, result: { removedImages: [], deletedBlobs: 0, deletedIngests: 0, freedBytes: 0, skipped: [] } };
  return { plan, result: await runPrune(store, plan) };
}
