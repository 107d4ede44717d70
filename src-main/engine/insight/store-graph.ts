/**
 * The whole store as a graph: every index.json entry with the blobs it reaches, each blob with the
 * entries that use it, what is on disk, what live operations hold by lease, and interrupted ingests.
 * Images, df, tree and prune are views of it. Sizes come from descriptors: every blob was verified
 * against its digest and size when it entered the store.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { isDigest } from '../../../src-shared/oci/digest.ts';
import { repositoryName } from '../../../src-shared/oci/reference.ts';
import { listEntries, type CatalogEntry, type IdsOf } from '../store/catalog.ts';
import { leasedDigests } from '../store/leases.ts';
import { isErrno, processAlive } from '../store/fsutil.ts';
import type { Store } from '../store/layout.ts';
import { MetaCache, type BlobMeta, type ManifestMeta } from '../store/meta.ts';
import { forEachLimit } from '../../../src-shared/pool.ts';
import type { Descriptor } from '../../../src-shared/oci/manifest.ts';

/**
 * One string per distinct value. A digest is read from blobs/ and again from every manifest that
 * names it (as a layer, a config, a diff ID), each read its own copy of the same 71 characters; the
 * graph keeps one. On a 10,000-image store that is 50,600 digest strings instead of 190,000.
 */
class Strings {
  private readonly seen = new Map<string, string>();

  of(s: string): string {
    const known = this.seen.get(s);
    if (known !== undefined) return known;
    this.seen.set(s, s);
    return s;
  }

  /** Points a manifest's metadata (shared by every entry that names the manifest) at the kept strings, once. */
  meta(m: BlobMeta, done: WeakSet<BlobMeta>): BlobMeta {
    if (done.has(m)) return m;
    done.add(m);
    if (m.kind === 'index') {
      for (const c of m.children) {
        c.digest = this.of(c.digest);
        c.mediaType = this.of(c.mediaType);
        if (c.platform !== null) c.platform = this.of(c.platform);
      }
      return m;
    }
    m.config.digest = this.of(m.config.digest);
    m.platform = this.of(m.platform);
    for (const l of m.layers) {
      l.digest = this.of(l.digest);
      l.mediaType = this.of(l.mediaType);
      if (l.diffId !== null) l.diffId = this.of(l.diffId);
    }
    return m;
  }
}

export interface PlatformImage {
  manifest: string;
  meta: ManifestMeta;
  /** The platform the index lists this manifest under, when it says one (a manifest list may override the config's). */
  listedAs?: string;
}

export interface GraphImage {
  entry: CatalogEntry;
  /** The name as shown: the reference, a bare tag, or the digest of a dangling entry. */
  name: string;
  repository: string | null;
  tag: string | null;
  kind: 'index' | 'manifest';
  /** Stored blobs the entry reaches (manifests, configs, layers), digest → size, each once. */
  blobs: Map<string, number>;
  platforms: PlatformImage[];
  /** Platforms of an index whose manifests are not stored. */
  absent: string[];
  /** Referenced blobs that are not on disk (fsck's business; listed so views stay honest). */
  missing: string[];
  created: string | null;
  error: string | null;
}

export interface IngestInfo {
  name: string;
  size: number;
  modified: number;
  active: boolean;
}

export interface StoreGraph {
  images: GraphImage[];
  /** Blob digest → indexes into `images` of the entries using it. */
  users: Map<string, number[]>;
  /** Every blob file under blobs/, digest → size (sizes stat'ed only for blobs no entry describes). */
  onDisk: Map<string, number>;
  leased: Set<string>;
  ingests: IngestInfo[];
}

/** Every well-formed digest under blobs/. */
export async function listBlobs(store: Store): Promise<Set<string>> {
  const out = new Set<string>();
  for (const alg of await readdir(join(store.root, 'blobs')).catch(() => [] as string[])) {
    for (const hex of await readdir(join(store.root, 'blobs', alg)).catch(() => [] as string[])) {
      const digest = `${alg}:${hex}`;
      if (isDigest(digest)) out.add(digest);
    }
  }
  return out;
}

export async function listIngests(store: Store): Promise<IngestInfo[]> {
  const out: IngestInfo[] = [];
  const names = await readdir(store.ingestDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith('.partial'))) {
    try {
      const s = await stat(join(store.ingestDir, name));
      out.push({ name, size: s.size, modified: s.mtimeMs, active: await ingestActive(store, name) });
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
    }
  }
  return out;
}

/** An ingest is active while a live process holds its lock file. */
async function ingestActive(store: Store, partial: string): Promise<boolean> {
  try {
    const lock = JSON.parse(await readFile(join(store.ingestDir, partial.replace(/\.partial$/, '.lock')), 'utf8')) as { pid?: number };
    return typeof lock.pid === 'number' && processAlive(lock.pid);
  } catch {
    return false;
  }
}

function nameOf(entry: CatalogEntry): Pick<GraphImage, 'name' | 'repository' | 'tag'> {
  if (entry.ref) return { name: entry.refName!, repository: repositoryName(entry.ref), tag: entry.ref.tag ?? null };
  if (entry.bareTag !== null) return { name: entry.bareTag, repository: null, tag: entry.bareTag };
  return { name: entry.descriptor.digest, repository: null, tag: null };
}

async function addPlatform(
  image: GraphImage,
  meta: ManifestMeta,
  manifest: string,
  size: number,
  onDisk: Map<string, number>,
  listedAs?: string | null,
): Promise<void> {
  image.platforms.push(listedAs ? { manifest, meta, listedAs } : { manifest, meta });
  for (const [digest, s] of [
    [manifest, size],
    [meta.config.digest, meta.config.size],
    ...meta.layers.map((l) => [l.digest, l.size] as const),
  ] as const) {
    if (onDisk.has(digest)) image.blobs.set(digest, s);
    else if (!image.missing.includes(digest)) image.missing.push(digest);
  }
  if (meta.created && (!image.created || meta.created > image.created)) image.created = meta.created;
}

export async function buildStoreGraph(store: Store, cache?: MetaCache): Promise<StoreGraph> {
  const meta = cache ?? (await MetaCache.load(store));
  const [entries, present, leased, ingests] = await Promise.all([
    listEntries(store),
    listBlobs(store),
    leasedDigests(store),
    listIngests(store),
  ]);
  const strings = new Strings();
  const canonical = new WeakSet<BlobMeta>();
  const onDisk = new Map<string, number>([...present].map((d) => [d, -1]));
  const metaOf = async (d: Pick<Descriptor, 'digest' | 'mediaType'>) => strings.meta(await meta.get(d), canonical);
  // Cold cache: read the manifests and configs many at a time (the loop below then hits the cache).
  await forEachLimit(entries, 32, async (entry) => {
    if (!onDisk.has(entry.descriptor.digest)) return;
    const top = await meta.get(entry.descriptor).catch(() => undefined);
    if (top?.kind === 'index')
      await Promise.all(top.children.filter((c) => onDisk.has(c.digest)).map((c) => meta.get(c).catch(() => undefined)));
  });
  const images: GraphImage[] = [];
  for (const entry of entries) {
    const d = entry.descriptor;
    d.digest = strings.of(d.digest);
    d.mediaType = strings.of(d.mediaType);
    const image: GraphImage = {
      entry,
      ...nameOf(entry),
      kind: 'manifest',
      blobs: new Map(),
      platforms: [],
      absent: [],
      missing: [],
      created: null,
      error: null,
    };
    images.push(image);
    if (!onDisk.has(d.digest)) {
      image.missing.push(d.digest);
      image.error = `The manifest ${d.digest} of ${image.name} is missing from the store.`;
      continue;
    }
    try {
      const top = await metaOf(d);
      if (top.kind === 'manifest') {
        await addPlatform(image, top, d.digest, d.size, onDisk);
        continue;
      }
      image.kind = 'index';
      image.blobs.set(d.digest, d.size);
      for (const child of top.children) {
        if (!onDisk.has(child.digest)) {
          if (child.platform !== 'unknown/unknown') image.absent.push(child.platform ?? child.digest);
          continue;
        }
        const sub = await metaOf(child);
        if (sub.kind !== 'manifest')
          throw new DeckhandError('EMANIFEST', `Nested index ${child.digest} inside ${d.digest} is not supported.`);
        await addPlatform(image, sub, child.digest, child.size, onDisk, child.platform);
      }
    } catch (e) {
      if (!(e instanceof DeckhandError)) throw e;
      image.error = e.message;
      image.blobs.set(d.digest, d.size);
    }
  }
  // The blobs on disk again, keyed by the kept strings (a Map keeps the key it was first given).
  const disk = new Map<string, number>();
  for (const digest of present) disk.set(strings.of(digest), -1);
  const users = new Map<string, number[]>();
  images.forEach((image, i) => {
    for (const [digest, size] of image.blobs) {
      disk.set(digest, size);
      const list = users.get(digest);
      if (list) list.push(i);
      else users.set(digest, [i]);
    }
  });
  // Sizes of blobs nothing describes (orphans) come from the file system.
  for (const [digest, size] of disk) {
    if (size >= 0) continue;
    disk.set(digest, (await store.blobSize(digest)) ?? 0);
  }
  await meta.save(present);
  return { images, users, onDisk: disk, leased, ingests };
}

/** Each entry's image IDs (the config digests of its stored platforms) and platform manifests, for looking images up by ID. */
export function graphIds(graph: StoreGraph): IdsOf {
  const found = new Map(
    graph.images.map((i) => [
      i.entry,
      { ids: [...new Set(i.platforms.map((p) => p.meta.config.digest))], manifests: i.platforms.map((p) => p.manifest) },
    ]),
  );
  return (e) => found.get(e) ?? { ids: [], manifests: [] };
}
