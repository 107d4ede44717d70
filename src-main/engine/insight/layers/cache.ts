/**
 * The layers cache, in the store's `.deckhand/layer-files/`: layers never change, so what a read
 * of a layer finds is kept per layer digest (`sha256-HEX.json`), and the figures of an image's
 * analysis per manifest digest (`sha256-HEX.report.json`, `.dive-report.json` for dive's rules).
 * Every file is written atomically (a temporary file renamed into place, like the meta cache);
 * losing any of them only costs time. A layer's file is columnar (one array per field), so a warm
 * analysis of tens of thousands of files parses a few compact arrays, not an object per file.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno, writeFileAtomic } from '../../store/fsutil.ts';
import type { Store } from '../../store/layout.ts';
import type { EntryType, LayerContents, LayerEntry } from './model.ts';

/** Bumped whenever the files' format or what the analysis computes changes: older files are ignored and rewritten. */
export const CACHE_VERSION = 2;

const TYPE_CODES: Record<EntryType, string> = { file: 'f', dir: 'd', symlink: 'l', hardlink: 'h', char: 'c', block: 'b', fifo: 'p' };
const CODE_TYPES = Object.fromEntries(Object.entries(TYPE_CODES).map(([t, c]) => [c, t])) as Record<string, EntryType>;

interface LayerDoc {
  version: number;
  digest: string;
  paths: string[];
  /** One character per entry (TYPE_CODES). */
  types: string;
  modes: number[];
  uids: number[];
  gids: number[];
  sizes: number[];
  links: Array<string | null>;
  hashes: Array<string | null>;
  whiteouts: string[];
  opaque: string[];
}

/** A layer's contents as its cache file's text (what the reader worker sends back). */
export function encodeLayer(digest: string, contents: LayerContents): string {
  const e = contents.entries;
  const doc: LayerDoc = {
    version: CACHE_VERSION,
    digest,
    paths: e.map((x) => x.path),
    types: e.map((x) => TYPE_CODES[x.type]).join(''),
    modes: e.map((x) => x.mode),
    uids: e.map((x) => x.uid),
    gids: e.map((x) => x.gid),
    sizes: e.map((x) => x.size),
    links: e.map((x) => x.linkTarget),
    hashes: e.map((x) => x.hash),
    whiteouts: contents.whiteouts,
    opaque: contents.opaque,
  };
  return JSON.stringify(doc);
}

/** A cache file's text back into contents; null when it is of another version or another layer, or not one. */
export function decodeLayer(digest: string, text: string): LayerContents | null {
  let doc: LayerDoc;
  try {
    doc = JSON.parse(text) as LayerDoc;
  } catch {
    return null;
  }
  if (doc?.version !== CACHE_VERSION || doc.digest !== digest || !Array.isArray(doc.paths)) return null;
  const n = doc.paths.length;
  if (
    doc.types.length !== n ||
    [doc.modes, doc.uids, doc.gids, doc.sizes, doc.links, doc.hashes].some((a) => !Array.isArray(a) || a.length !== n)
  )
    return null;
  const entries = new Array<LayerEntry>(n);
  for (let i = 0; i < n; i++) {
    const type = CODE_TYPES[doc.types[i]!];
    if (!type) return null;
    entries[i] = {
      path: doc.paths[i]!,
      type,
      mode: doc.modes[i]!,
      uid: doc.uids[i]!,
      gid: doc.gids[i]!,
      size: doc.sizes[i]!,
      linkTarget: doc.links[i]!,
      hash: doc.hashes[i]!,
    };
  }
  return { entries, whiteouts: doc.whiteouts, opaque: doc.opaque };
}

function cacheDir(store: Store): string {
  return join(store.root, '.deckhand', 'layer-files');
}

/** A layer's cache file. */
export function layerCachePath(store: Store, digest: string): string {
  return join(cacheDir(store), `${digest.replace(':', '-')}.json`);
}

/** An image's report file: per manifest digest, one for Deckhand's figures and one for dive's. */
function reportPath(store: Store, manifest: string, dive: boolean): string {
  return join(cacheDir(store), `${manifest.replace(':', '-')}.${dive ? 'dive-report' : 'report'}.json`);
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return null;
    throw e;
  }
}

/** Writes a cache file atomically; a store Deckhand may only read is analysed without caching. */
async function writeCacheFile(file: string, text: string): Promise<void> {
  try {
    await mkdir(join(file, '..'), { recursive: true });
    // Not fsynced: a file a crash left short fails to parse and is read again, like a missing one.
    await writeFileAtomic(file, text, { durable: false });
  } catch (e) {
    if (!isErrno(e, 'EACCES', 'EPERM', 'EROFS')) throw e;
  }
}

/** A layer's contents from the cache, or null when not cached (or cached by another version). */
export async function cachedLayer(store: Store, digest: string): Promise<LayerContents | null> {
  const text = await readText(layerCachePath(store, digest));
  return text === null ? null : decodeLayer(digest, text);
}

/**
 * A layer's cache text, unparsed (the reader thread parses it), or null when not cached or cached by
 * another version. A text cut short is only found out by its parse: the analysis then reads the
 * layer again.
 */
export async function cachedLayerText(store: Store, digest: string): Promise<string | null> {
  const text = await readText(layerCachePath(store, digest));
  return text !== null && text.startsWith(`{"version":${CACHE_VERSION},"digest":${JSON.stringify(digest)},`) ? text : null;
}

export function writeLayerCache(store: Store, digest: string, text: string): Promise<void> {
  return writeCacheFile(layerCachePath(store, digest), text);
}

/** An image's cached report (without `image` and without files), or null. */
export async function cachedReport<R>(store: Store, manifest: string, dive: boolean): Promise<R | null> {
  const text = await readText(reportPath(store, manifest, dive));
  if (text === null) return null;
  try {
    const doc = JSON.parse(text) as { version?: number; manifest?: string; report?: R };
    return doc.version === CACHE_VERSION && doc.manifest === manifest && doc.report ? doc.report : null;
  } catch {
    return null;
  }
}

export function writeReportCache(store: Store, manifest: string, dive: boolean, report: unknown): Promise<void> {
  return writeCacheFile(reportPath(store, manifest, dive), JSON.stringify({ version: CACHE_VERSION, manifest, report }));
}

/** Deletes the cache files of layers and images no longer stored (prune calls it); returns how many. */
export async function sweepLayerCache(store: Store): Promise<number> {
  let names: string[];
  try {
    names = await readdir(cacheDir(store));
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return 0;
    throw e;
  }
  let swept = 0;
  for (const name of names) {
    const m = /^([a-z0-9]+)-([0-9a-f]+)(?:\.report|\.dive-report)?\.json$/.exec(name);
    // Temporary files of a write in progress (.NAME.PID.RANDOM.tmp) are left alone.
    if (!m) continue;
    if (await store.hasBlob(`${m[1]}:${m[2]}`)) continue;
    await rm(join(cacheDir(store), name), { force: true });
    swept++;
  }
  return swept;
}
