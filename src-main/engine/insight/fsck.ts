/**
 * `fsck`: every index.json entry's blobs exist with the right size and digest (re-hashed), and
 * every platform an index entry says it stores is there. Also lists what is safe to clean: blobs
 * nothing references and ingests no live process is writing.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseDigest } from '../../../src-shared/oci/digest.ts';
import { formatPlatform } from '../../../src-shared/oci/platform.ts';
import { listEntries } from '../store/catalog.ts';
import { walkEntry } from '../store/graph.ts';
import { PLATFORMS } from '../store/annotations.ts';
import { leasedDigests } from '../store/leases.ts';
import type { Store } from '../store/layout.ts';
import { deleteBlobs } from '../store/remove.ts';
import { runPrune, type PrunePlan } from './prune.ts';
import { listBlobs, listIngests } from './store-graph.ts';

export interface FsckProblem {
  image: string;
  digest: string;
  problem: 'missing' | 'size' | 'digest' | 'unreadable' | 'platform-missing';
  message: string;
}

export interface FsckReport {
  ok: boolean;
  images: number;
  blobsChecked: number;
  problems: FsckProblem[];
  orphanBlobs: Array<{ digest: string; size: number }>;
  ingests: Array<{ name: string; size: number }>;
}

async function hashFile(path: string, algorithm: string): Promise<string> {
  const h = createHash(algorithm);
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), async (src: AsyncIterable<Buffer>) => {
    for await (const chunk of src) h.update(chunk);
  });
  return h.digest('hex');
}

export async function fsck(store: Store): Promise<FsckReport> {
  const entries = await listEntries(store);
  const problems: FsckProblem[] = [];
  const referenced = new Set<string>();
  const verified = new Map<string, FsckProblem['problem'] | null>();
  for (const entry of entries) {
    const image = entry.refName ?? entry.descriptor.digest;
    let graph;
    try {
      graph = await walkEntry(store, entry.descriptor);
    } catch (e) {
      if (!(e instanceof DeckhandError)) throw e;
      problems.push({
        image,
        digest: entry.descriptor.digest,
        problem: e.code === 'ENOT_FOUND' ? 'missing' : 'unreadable',
        message: e.message,
      });
      continue;
    }
    const claimed = entry.descriptor.annotations?.[PLATFORMS]?.split(',').filter(Boolean) ?? [];
    const stored = new Set(graph.manifests.map((m) => (m.descriptor.platform ? formatPlatform(m.descriptor.platform) : '')));
    for (const p of claimed) {
      if (graph.kind === 'index' && !stored.has(p))
        problems.push({
          image,
          digest: entry.descriptor.digest,
          problem: 'platform-missing',
          message: `${image}: the ${p} image is recorded as stored but its manifest is missing.`,
        });
    }
    for (const [digest, size] of graph.blobs) {
      referenced.add(digest);
      if (!verified.has(digest)) verified.set(digest, await checkBlob(store, digest, size));
      const problem = verified.get(digest);
      if (problem)
        problems.push({
          image,
          digest,
          problem,
          message: `${image}: blob ${digest} is ${problem === 'missing' ? 'missing' : problem === 'size' ? 'of the wrong size' : 'damaged (content does not match its digest)'}.`,
        });
    }
  }
  const leased = await leasedDigests(store);
  const orphanBlobs: FsckReport['orphanBlobs'] = [];
  for (const digest of await listBlobs(store)) {
    if (referenced.has(digest) || leased.has(digest)) continue;
    orphanBlobs.push({ digest, size: (await store.blobSize(digest)) ?? 0 });
  }
  const ingests: FsckReport['ingests'] = (await listIngests(store)).map(({ name, size }) => ({ name, size }));
  return { ok: problems.length === 0, images: entries.length, blobsChecked: verified.size, problems, orphanBlobs, ingests };
}

async function checkBlob(store: Store, digest: string, size: number): Promise<FsckProblem['problem'] | null> {
  const have = await store.blobSize(digest);
  if (have === undefined) return 'missing';
  if (have !== size) return 'size';
  const { algorithm, hex } = parseDigest(digest);
  return (await hashFile(store.blobPath(digest), algorithm)) === hex ? null : 'digest';
}

export interface RepairResult {
  /** Damaged blobs deleted: their images need a pull (or load) again. */
  removedDamaged: string[];
  /** Images that still lack blobs after the repair, with what to do. */
  needPull: string[];
  freedBytes: number;
  deletedBlobs: number;
  deletedIngests: number;
}

/**
 * Fixes what is safe to fix: deletes blobs whose content does not match their digest (useless and
 * misleading; a pull fetches them again), unreferenced blobs no operation holds, and interrupted
 * downloads no process is writing and nobody touched for an hour. Images stay; the report says
 * which ones must be pulled again.
 */
export async function repairStore(store: Store, report: FsckReport): Promise<RepairResult> {
  const damaged = [...new Set(report.problems.filter((p) => p.problem === 'digest' || p.problem === 'size').map((p) => p.digest))];
  const deleted = await deleteBlobs(
    store,
    damaged.map((digest) => ({ digest })),
  );
  const now = Date.now();
  const ingests = (await listIngests(store)).filter((g) => !g.active && g.modified < now - 3_600_000);
  const plan: PrunePlan = {
    images: [],
    blobs: report.orphanBlobs.map((b) => ({ ...b, reason: 'not referenced by any image' })),
    ingests: ingests.map((g) => ({ name: g.name, size: g.size, reason: 'interrupted download, untouched for over an hour' })),
    reclaimedBytes: 0,
    leasedBlobs: 0,
  };
  const pruned = await runPrune(store, plan);
  const needPull = [...new Set(report.problems.filter((p) => p.problem !== 'platform-missing').map((p) => p.image))];
  return {
    removedDamaged: deleted.map((d) => d.digest),
    needPull,
    freedBytes: pruned.freedBytes + deleted.reduce((n, d) => n + d.size, 0),
    deletedBlobs: pruned.deletedBlobs,
    deletedIngests: pruned.deletedIngests,
  };
}
