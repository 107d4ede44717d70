/**
 * Manifest lists made from stored images, as `podman manifest` makes them: the list is a stored
 * image like any other, an index in index.json whose entries are stored image manifests. Its
 * instances are kept alive by it (rmi and prune walk an index's children), and each edit writes
 * the new index blob through the verifying ingest, then moves the name in one index.json write
 * under the store lock, checking there that every instance is still stored and that the list is
 * still the version that was edited (nothing half-written; a concurrent edit is refused).
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseImageConfig, parseManifestDocument, type Descriptor } from '../../../src-shared/oci/manifest.ts';
import {
  formatPlatform,
  hostPlatform,
  isAttestationDescriptor,
  normalizePlatform,
  selectPlatformManifests,
  type Platform,
} from '../../../src-shared/oci/platform.ts';
import { parseReference } from '../../../src-shared/oci/reference.ts';
import { PLATFORMS } from './annotations.ts';
import { listEntries, matchEntries, refNameOf, resolveOne, setTag } from './catalog.ts';
import { putBlob } from './ingest.ts';
import type { Store } from './layout.ts';
import {
  buildList,
  modelOf,
  overrideEntry,
  type BuiltList,
  type ListEntry,
  type ListModel,
  type PlatformOverride,
} from './list-document.ts';

export interface StoredList {
  /** The list's name as stored. */
  name: string;
  descriptor: Descriptor;
  model: ListModel;
}

/** The entry for one stored image manifest: its platform from its config (os, architecture, variant, os.version, os.features). */
async function manifestEntry(store: Store, d: Descriptor, fromIndex?: Platform): Promise<ListEntry> {
  const doc = parseManifestDocument(await store.readBlob(d.digest), d.mediaType);
  if (doc.kind !== 'manifest')
    throw new DeckhandError('EMANIFEST', `${d.digest} is an index inside an index; a list holds image manifests.`);
  const config = parseImageConfig(await store.readBlob(doc.manifest.config.digest));
  const platform: Platform = fromIndex ?? {
    os: config.os,
    architecture: config.architecture,
    ...(config.variant ? { variant: config.variant } : {}),
    ...(config['os.version'] ? { 'os.version': config['os.version'] } : {}),
    ...((config as { 'os.features'?: string[] })['os.features']?.length
      ? { 'os.features': (config as { 'os.features'?: string[] })['os.features'] }
      : {}),
  };
  // Checked when the list is built, after any override: a config's odd value can be corrected with --arch and the like.
  return { mediaType: doc.mediaType, digest: d.digest, size: d.size, platform: normalizePlatform(platform) };
}

/**
 * The entries a stored image gives a list: an image manifest is one entry; an index gives its
 * instances (`all`: every one, stored or refused naming the absent ones) or this machine's platform.
 */
export async function entriesOf(store: Store, input: string, opts: { all?: boolean; host?: Platform } = {}): Promise<ListEntry[]> {
  const entry = await resolveOne(store, input);
  const d = entry.descriptor;
  const doc = parseManifestDocument(await store.readBlob(d.digest), d.mediaType);
  if (doc.kind === 'manifest') return [await manifestEntry(store, d)];
  const children = doc.index.manifests.filter((c) => !isAttestationDescriptor(c));
  const name = entry.refName ?? input;
  if (!opts.all) {
    const want = opts.host ?? hostPlatform(process.platform, process.arch);
    const chosen = selectPlatformManifests({ ...doc.index, manifests: children }, want);
    if (!chosen)
      throw new DeckhandError(
        'ENO_PLATFORM',
        `${name} is a multi-platform image with no ${formatPlatform(want)} image (it has ${children.map((c) => (c.platform ? formatPlatform(c.platform) : c.digest)).join(', ') || 'none'}). Add all of them with --all.`,
      );
    if (!(await store.hasBlob(chosen.digest)))
      throw new DeckhandError('ENO_PLATFORM', `${name}'s ${formatPlatform(want)} image is not stored. Pull it first.`);
    return [await manifestEntry(store, chosen, chosen.platform)];
  }
  const absent: string[] = [];
  for (const c of children) if (!(await store.hasBlob(c.digest, c.size))) absent.push(c.platform ? formatPlatform(c.platform) : c.digest);
  if (absent.length > 0)
    throw new DeckhandError(
      'ENO_PLATFORM',
      `${name} does not have ${absent.join(', ')} stored, so --all cannot add ${absent.length === 1 ? 'it' : 'them'}. Pull them first (\`deckhand pull --all-platforms\`), or add this machine's platform without --all.`,
      { detail: { missing: absent } },
    );
  return Promise.all(children.map((c) => manifestEntry(store, c, c.platform)));
}

/** The list called `name`: a stored index. */
export async function readList(store: Store, name: string): Promise<StoredList> {
  const entry = await resolveOne(store, name);
  const doc = parseManifestDocument(await store.readBlob(entry.descriptor.digest), entry.descriptor.mediaType);
  if (doc.kind !== 'index')
    throw new DeckhandError(
      'EUSAGE',
      `${name} is a single image, not a manifest list. Make a list with \`deckhand manifest create LIST ${name}\`.`,
      { detail: { name } },
    );
  return { name: entry.refName ?? name, descriptor: entry.descriptor, model: modelOf(doc.index) };
}

/** The entry `digest` (full, or a unique prefix) names in the list. */
export function findEntry(list: StoredList, digest: string): number {
  const hex = digest.replace(/^sha256:/, '');
  const found = list.model.entries.flatMap((e, i) => (/^[0-9a-f]{3,64}$/.test(hex) && e.digest.startsWith(`sha256:${hex}`) ? [i] : []));
  if (found.length === 1) return found[0]!;
  throw new DeckhandError(
    found.length === 0 ? 'ENOT_FOUND' : 'EUSAGE',
    found.length === 0
      ? `${list.name} has no entry ${digest}. Its entries: ${list.model.entries.map((e) => e.digest).join(', ') || 'none'} (\`deckhand manifest inspect ${list.name}\`).`
      : `${digest} matches ${found.length} entries of ${list.name}; give more of the digest.`,
    { detail: { digest } },
  );
}

/** Checks a new list's name: a tag (a list is pushed by name), not a digest. */
export function listName(name: string): string {
  const ref = parseReference(name);
  if (ref.digest) throw new DeckhandError('EUSAGE', `${name} carries a digest; a list is named by a tag.`);
  return refNameOf(ref);
}

/**
 * Stores `model` as `name`: the index blob (verified), then the name in one index.json write that
 * checks the instances are stored and that the name still points where `expect` says (null: free).
 */
export async function writeList(store: Store, name: string, model: ListModel, expect: string | null): Promise<BuiltList> {
  const built = buildList(model);
  await putBlob(store, built.digest, built.bytes);
  const required = new Map<string, number>([
    [built.digest, built.size],
    ...model.entries.map((e) => [e.digest, e.size] as [string, number]),
  ]);
  const descriptor: Descriptor = { mediaType: built.mediaType, digest: built.digest, size: built.size };
  const platforms = model.entries.map((e) => formatPlatform(e.platform)).join(',');
  const outcome = await setTag(
    store,
    parseReference(name),
    descriptor,
    { [PLATFORMS]: platforms },
    {
      required,
      action: 'tag',
      replace: true,
      expect,
    },
  );
  if (outcome.missing.length > 0)
    throw new DeckhandError(
      'ESTORE',
      `${outcome.missing.join(', ')} ${outcome.missing.length === 1 ? 'was' : 'were'} removed from the store meanwhile; the list was not written. Add the images again.`,
      { detail: { missing: outcome.missing } },
    );
  return built;
}

export interface ListImage {
  image: string;
  /** An index: every instance instead of this machine's platform. */
  all?: boolean;
  override?: PlatformOverride;
}

/** The entries of `images`, each overridden as asked. */
export async function entriesFor(store: Store, images: ListImage[]): Promise<ListEntry[]> {
  const out: ListEntry[] = [];
  for (const i of images) {
    const entries = await entriesOf(store, i.image, { all: i.all ?? false });
    out.push(...entries.map((e) => (i.override ? overrideEntry(e, i.override) : e)));
  }
  return out;
}

/** `manifest create LIST [IMAGE...]`: a new list; the name must be free. */
export async function createList(
  store: Store,
  name: string,
  images: ListImage[],
  annotations?: Record<string, string>,
): Promise<BuiltList> {
  const full = listName(name);
  if (matchEntries(await listEntries(store), full).length > 0)
    throw new DeckhandError(
      'EUSAGE',
      `${full} already names a stored image. Add to it with \`deckhand manifest add\`, or pick another name.`,
      { detail: { name: full } },
    );
  return writeList(store, full, { entries: await entriesFor(store, images), ...(annotations ? { annotations } : {}) }, null);
}

/** `manifest add LIST IMAGE`: the image's entries appended; an image already listed is refused. */
export async function addToList(store: Store, name: string, image: ListImage): Promise<BuiltList> {
  const list = await readList(store, name);
  const added = await entriesFor(store, [image]);
  return writeList(store, list.name, { ...list.model, entries: [...list.model.entries, ...added] }, list.descriptor.digest);
}

/** `manifest annotate LIST DIGEST`: the entry's platform fields and annotations overridden, or (`index`) the list's annotations. */
export async function annotateList(
  store: Store,
  name: string,
  digest: string | undefined,
  override: PlatformOverride,
  opts: { index?: boolean } = {},
): Promise<BuiltList> {
  const list = await readList(store, name);
  if (opts.index) {
    const { annotations, ...rest } = override;
    if (Object.values(rest).some((v) => v !== undefined))
      throw new DeckhandError(
        'EUSAGE',
        '--index applies annotations to the list itself; platform options (--os, --arch, …) apply to one entry. Give them separately.',
      );
    return writeList(
      store,
      list.name,
      { ...list.model, annotations: { ...list.model.annotations, ...annotations } },
      list.descriptor.digest,
    );
  }
  if (digest === undefined)
    throw new DeckhandError('EUSAGE', 'Name the entry to annotate by its digest (see `deckhand manifest inspect`).');
  const i = findEntry(list, digest);
  const entries = list.model.entries.map((e, j) => (j === i ? overrideEntry(e, override) : e));
  return writeList(store, list.name, { ...list.model, entries }, list.descriptor.digest);
}

/** `manifest remove LIST DIGEST`: the entry taken out (the image itself stays stored while something uses it). */
export async function removeFromList(store: Store, name: string, digest: string): Promise<BuiltList> {
  const list = await readList(store, name);
  const i = findEntry(list, digest);
  return writeList(store, list.name, { ...list.model, entries: list.model.entries.filter((_, j) => j !== i) }, list.descriptor.digest);
}

/** One entry of a list being composed, and the stored image it came from. */
export interface ComposedEntry {
  image: string;
  entry: ListEntry;
  /** The platform its image's config (or index) gives, before any override. */
  configPlatform: Platform;
}

export interface ComposedList {
  entries: ComposedEntry[];
  built: BuiltList;
}

/**
 * The list `images` would make, each multi-platform image with all its platforms, each entry
 * overridden as `overrides` says (by digest): what the app's combine dialog shows before anything
 * is written, and what createComposedList writes.
 */
export async function composeList(store: Store, images: string[], overrides: Map<string, PlatformOverride>): Promise<ComposedList> {
  const entries: ComposedEntry[] = [];
  for (const image of images)
    for (const entry of await entriesOf(store, image, { all: true })) {
      const o = overrides.get(entry.digest);
      entries.push({ image, configPlatform: entry.platform, entry: o ? overrideEntry(entry, o) : entry });
    }
  const unknown = [...overrides.keys()].filter((d) => !entries.some((e) => e.entry.digest === d));
  if (unknown.length > 0)
    throw new DeckhandError(
      'EUSAGE',
      `No image of the list has the digest ${unknown.join(', ')}; the images changed meanwhile. Look again.`,
    );
  return { entries, built: buildList({ entries: entries.map((e) => e.entry) }) };
}

/**
 * Writes the composed list as `name` (a new name), if it still is the document `expectDigest`
 * names: what was shown is what is written, or nothing is.
 */
export async function createComposedList(
  store: Store,
  name: string,
  images: string[],
  overrides: Map<string, PlatformOverride>,
  expectDigest: string,
): Promise<{ name: string; built: BuiltList }> {
  const full = listName(name);
  const composed = await composeList(store, images, overrides);
  if (composed.built.digest !== expectDigest)
    throw new DeckhandError(
      'EUSAGE',
      `The list would now be ${composed.built.digest}, not the ${expectDigest} shown: the images changed meanwhile. Nothing was written; look at the preview again.`,
    );
  if (matchEntries(await listEntries(store), full).length > 0)
    throw new DeckhandError('EUSAGE', `${full} already names a stored image. Pick another name.`, { detail: { name: full } });
  return { name: full, built: await writeList(store, full, { entries: composed.entries.map((e) => e.entry) }, null) };
}
