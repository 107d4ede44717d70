/**
 * Where each blob has been seen: registry and repository, most recent first, the way
 * containers/image's blob-info cache remembers locations. A push asks it for another repository of
 * the same registry that holds a blob, so the registry can mount it instead of receiving it again.
 * Kept in `.deckhand/blob-locations.json`, merged under a lock so the app and the CLI can both
 * record; a lost or damaged file only costs mounts, never correctness.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withLock } from './lock.ts';
import { isErrno, writeFileAtomic } from './fsutil.ts';
import type { Store } from './layout.ts';

export interface BlobLocation {
  registry: string;
  repository: string;
}

type Table = Record<string, BlobLocation[]>;

const MAX_PER_BLOB = 8;
const MAX_BLOBS = 20_000;

function fileOf(store: Store): string {
  return join(store.root, '.deckhand', 'blob-locations.json');
}

async function load(store: Store): Promise<Table> {
  try {
    const doc = JSON.parse(await readFile(fileOf(store), 'utf8')) as unknown;
    return typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Table) : {};
  } catch (e) {
    if (isErrno(e, 'ENOENT') || e instanceof SyntaxError) return {};
    throw e;
  }
}

/** Records that `registry/repository` holds each digest. */
export async function recordBlobLocations(store: Store, location: BlobLocation, digests: Iterable<string>): Promise<void> {
  const list = [...digests];
  // Already the most recent location of every blob: nothing to write (a re-push stays cheap).
  const known = await load(store);
  if (list.every((d) => known[d]?.[0]?.registry === location.registry && known[d]?.[0]?.repository === location.repository)) return;
  await withLock(`${fileOf(store)}.lock`, async () => {
    const table = await load(store);
    for (const digest of list) {
      const seen = (table[digest] ?? []).filter((l) => l.registry !== location.registry || l.repository !== location.repository);
      // Re-inserting moves the entry to the end, so the oldest blobs are the first to go.
      delete table[digest];
      table[digest] = [location, ...seen].slice(0, MAX_PER_BLOB);
    }
    const keys = Object.keys(table);
    for (const key of keys.slice(0, Math.max(0, keys.length - MAX_BLOBS))) delete table[key];
    await writeFileAtomic(fileOf(store), JSON.stringify(table));
  });
}

/** Loads the table once; the returned function lists repositories of `registry` other than `except` known to hold `digest`, most recent first. */
export async function loadBlobLocations(store: Store): Promise<(registry: string, except: string, digest: string) => string[]> {
  const table = await load(store);
  return (registry, except, digest) =>
    (table[digest] ?? []).filter((l) => l.registry === registry && l.repository !== except).map((l) => l.repository);
}
