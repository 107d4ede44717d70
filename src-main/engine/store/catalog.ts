/**
 * The store's catalog: index.json entries as named images. A tagged image is a descriptor whose
 * `org.opencontainers.image.ref.name` is the full normalized reference; layouts written by other
 * tools may carry a bare tag there (skopeo's `oci:dir:latest`), which is read as is. When a tag
 * moves, the old descriptor stays as a dangling entry that remembers its previous name.
 */
import { formatReference, parseReference, parseTaggedName, type ImageReference } from '../../../src-shared/oci/reference.ts';
import { shortDigest } from '../../../src-shared/oci/digest.ts';
import type { Descriptor } from '../../../src-shared/oci/manifest.ts';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { readIndex, updateIndex } from './index-file.ts';
import { PREVIOUS_REF, PULLED, REF_NAME, UNTAGGED } from './annotations.ts';
import { emptyStoreNote, type Store } from './layout.ts';
import { appendTagLog, type TagAction } from './tag-log.ts';
import { entryDigests, MetaCache } from './meta.ts';

export interface CatalogEntry {
  descriptor: Descriptor;
  /** The raw ref.name annotation, or null for a dangling entry. */
  refName: string | null;
  /** The parsed reference when refName is a full reference. */
  ref: ImageReference | null;
  /** refName when it is a bare tag (no repository). */
  bareTag: string | null;
}

export function toEntry(descriptor: Descriptor): CatalogEntry {
  const refName = descriptor.annotations?.[REF_NAME] ?? null;
  if (refName === null) return { descriptor, refName, ref: null, bareTag: null };
  try {
    const parsed = parseTaggedName(refName);
    if ('bareTag' in parsed) return { descriptor, refName, ref: null, bareTag: parsed.bareTag };
    return { descriptor, refName, ref: parsed, bareTag: null };
  } catch {
    // An annotation we cannot parse is still a name the user can type back exactly.
    return { descriptor, refName, ref: null, bareTag: refName };
  }
}

export async function listEntries(store: Store): Promise<CatalogEntry[]> {
  return (await readIndex(store)).manifests.map(toEntry);
}

/** The canonical ref.name for a reference: `docker.io/library/nginx:1.25`. */
export function refNameOf(ref: ImageReference): string {
  return formatReference(ref);
}

/**
 * The shortest ID or digest prefix taken, in hex characters: podman's (containers/storage, buildah
 * and CRI-O accept a truncated image ID of at least 3). Docker takes any prefix; 3 keeps a typo of
 * one or two characters from naming an image to remove.
 */
export const MIN_ID_PREFIX = 3;

/**
 * The hex a user gave when `input` can be an image ID or digest: `sha256:` and a full or partial hex,
 * or bare hex of MIN_ID_PREFIX to 64 characters. `byIdOnly`: it cannot be a name (it carries
 * `sha256:` or is 64 characters, which the reference grammar refuses as a name).
 */
export function idPrefixOf(input: string): { hex: string; byIdOnly: boolean } | null {
  const m = /^(sha256:)?([0-9a-f]+)$/.exec(input);
  if (!m || m[2]!.length < MIN_ID_PREFIX || m[2]!.length > 64) return null;
  return { hex: m[2]!, byIdOnly: m[1] !== undefined || m[2]!.length === 64 };
}

/** Looks like an ID or digest (so it is never offered to `pull`), whether or not it is well formed. */
function looksLikeId(input: string): boolean {
  return /^(sha256:)?[0-9a-f]+$/.test(input) || /^sha256:/.test(input);
}

/** What else names an entry: its image IDs (config digests) and an index's platform manifests; see entryDigests in meta.ts. */
export type IdsOf = (entry: CatalogEntry) => { ids: readonly string[]; manifests: readonly string[] };

export interface Match<E extends CatalogEntry> {
  found: E[];
  /** How `input` named them: a name (reference or bare tag), or an ID / digest (prefix). */
  by: 'name' | 'id';
}

/**
 * Finds the entries a user means by `input`, as podman looks an image up: a stored name exactly,
 * then a reference (normalized as docker does; `repo@sha256:…` by digest in that repository), then
 * an image ID (config digest; `idsOf` gives each entry's), an index digest or the digest of a
 * manifest (the entry's own, or one of an index's platforms, from `idsOf`), full or a
 * prefix of at least MIN_ID_PREFIX hex characters, with or without `sha256:`. A name comes before
 * an ID, so a repository called `cafe` is found by its name.
 */
export function matchImages<E extends CatalogEntry>(entries: E[], input: string, idsOf?: IdsOf): Match<E> {
  const exact = entries.filter((e) => e.refName === input);
  if (exact.length > 0) return { found: exact, by: 'name' };
  const id = idPrefixOf(input);
  const byId = (hex: string): Match<E> => {
    const prefix = `sha256:${hex}`;
    return {
      found: entries.filter((e) => {
        if (e.descriptor.digest.startsWith(prefix)) return true;
        const other = idsOf?.(e);
        return other !== undefined && [...other.ids, ...other.manifests].some((d) => d.startsWith(prefix));
      }),
      by: 'id',
    };
  };
  if (id?.byIdOnly) return byId(id.hex);
  let ref: ImageReference;
  try {
    ref = parseReference(input);
  } catch (e) {
    if (id) return byId(id.hex);
    throw e;
  }
  let named: E[];
  if (ref.tag === undefined && ref.digest !== undefined) {
    const repo = formatReference({ domain: ref.domain, path: ref.path });
    named = entries.filter(
      (e) => e.descriptor.digest === ref.digest && (e.ref === null || formatReference({ domain: e.ref.domain, path: e.ref.path }) === repo),
    );
  } else {
    const name = refNameOf(ref);
    named = entries.filter((e) => e.ref !== null && refNameOf(e.ref) === name);
  }
  if (named.length > 0 || !id) return { found: named, by: 'name' };
  return byId(id.hex);
}

/** The entries `input` names (see matchImages). */
export function matchEntries<E extends CatalogEntry>(entries: E[], input: string, idsOf?: IdsOf): E[] {
  return matchImages(entries, input, idsOf).found;
}

/**
 * Each entry's image IDs, read from the metadata cache only when `input` could be an ID (a name
 * lookup reads nothing more than index.json).
 */
export async function idsFor(store: Store, entries: CatalogEntry[], input: string): Promise<IdsOf | undefined> {
  if (!idPrefixOf(input)) return undefined;
  const meta = await MetaCache.load(store);
  const found = new Map<CatalogEntry, { ids: string[]; manifests: string[] }>();
  for (const e of entries) found.set(e, await entryDigests(meta, e.descriptor));
  return (e) => found.get(e) ?? { ids: [], manifests: [] };
}

export async function resolveOne(store: Store, input: string): Promise<CatalogEntry> {
  const entries = await listEntries(store);
  const idsOf = await idsFor(store, entries, input);
  return pickOne(matchEntries(entries, input, idsOf), input, { idsOf, store, storeEmpty: entries.length === 0 });
}

/**
 * The error for an image not in the store. A name gets the hint to pull it; an ID or a digest never
 * does (a registry has no image by a local ID). An empty store says so, and where it is.
 */
export function noSuchImage(input: string, opts: { store?: Store; storeEmpty?: boolean; nothingRemoved?: boolean } = {}): DeckhandError {
  // An ID or digest is never offered to pull, nor is a name rmi did not find.
  const noPull = looksLikeId(input) || opts.nothingRemoved === true;
  const empty = opts.storeEmpty && opts.store ? emptyStoreNote(opts.store) : undefined;
  const parts = [
    `${looksLikeId(input) ? `No image with ID or digest ${input}` : `No image named ${input}`} in the store.`,
    ...(opts.nothingRemoved ? ['Nothing was removed.'] : []),
    ...(empty ? [empty] : []),
    ...(noPull
      ? empty
        ? []
        : ['Run `deckhand images` to see what is stored.']
      : empty
        ? [`Run \`deckhand pull ${input}\` to get it.`]
        : [`Run \`deckhand images\` to see what is stored, or \`deckhand pull ${input}\`.`]),
  ];
  return new DeckhandError('ENOT_FOUND', parts.join(' '), { detail: { input } });
}

/** How an ambiguous match lists its candidates: each image by name, ID and digest. */
export function describeCandidates(found: CatalogEntry[], idsOf?: IdsOf): string {
  const seen = new Map<string, CatalogEntry[]>();
  for (const e of found) seen.set(e.descriptor.digest, [...(seen.get(e.descriptor.digest) ?? []), e]);
  return [...seen.entries()]
    .map(([digest, es]) => {
      const names = es.map((e) => e.refName).filter((n): n is string => n !== null);
      const ids = idsOf ? [...new Set(es.flatMap((e) => idsOf(e).ids))] : [];
      return `${names.length ? names.join(', ') : '<none>'} (${ids.length ? `ID ${ids.map((i) => shortDigest(i)).join(', ')}, ` : ''}digest ${shortDigest(digest)})`;
    })
    .join('; ');
}

/** The one image `found` (what matchEntries gave for `input`) names, or ENOT_FOUND / EUSAGE for none or several. */
export function pickOne<E extends CatalogEntry>(
  found: E[],
  input: string,
  opts: { idsOf?: IdsOf | undefined; store?: Store; storeEmpty?: boolean } = {},
): E {
  if (found.length === 0)
    throw noSuchImage(input, { ...(opts.store ? { store: opts.store } : {}), ...(opts.storeEmpty ? { storeEmpty: true } : {}) });
  const digests = new Set(found.map((e) => e.descriptor.digest));
  if (digests.size > 1) {
    throw new DeckhandError(
      'EUSAGE',
      `${input} matches ${digests.size} different images: ${describeCandidates(found, opts.idsOf)}. Give a longer ID or a full reference.`,
      { detail: { input, candidates: [...digests] } },
    );
  }
  return found[0]!;
}

/**
 * Points `ref` at `descriptor`. If the tag pointed elsewhere, the old descriptor stays as a
 * dangling entry (tag history is never lost silently); a dangling entry of the new digest is
 * absorbed. Returns the digest the tag pointed to before, if it moved, with that entry and whether it
 * was kept as a dangling entry (no other name holds it). A name that is new or moved
 * gets a line in the tag log (tag-log.ts) with `action` (default 'tag') once index.json committed.
 */
export async function setTag(
  store: Store,
  ref: ImageReference | string,
  descriptor: Descriptor,
  annotations: Record<string, string> = {},
  opts: {
    required?: Map<string, number>;
    action?: TagAction;
    /**
     * A new version of the same thing (a manifest list edited): the old descriptor is not kept as
     * a dangling entry; its blobs go to prune like any that nothing uses.
     */
    replace?: boolean;
    /** The digest the name must point to now (null: the name must be free), checked under the lock; else nothing is written. */
    expect?: string | null;
  } = {},
): Promise<{ previous?: string; replaced?: { descriptor: Descriptor; dangling: boolean }; missing: string[] }> {
  // A string is a ref.name as is: a bare tag in a plain OCI layout (`oci:DIR:latest`).
  const name = typeof ref === 'string' ? ref : refNameOf(ref);
  let unchanged = false;
  let at = '';
  // The tag log's line is written once index.json is durable, while the lock is released.
  const log = async (outcome: { previous?: string; missing: string[] }) => {
    if (outcome.missing.length === 0 && (outcome.previous !== undefined || !unchanged)) {
      // The tag itself has committed; a log that cannot be written (read-only metadata) costs only history.
      await appendTagLog(store, {
        name,
        digest: descriptor.digest,
        previous: outcome.previous ?? null,
        at,
        action: opts.action ?? 'tag',
      }).catch(() => undefined);
    }
  };
  return updateIndex(
    store,
    async (index) => {
      // Checked under the lock: a concurrent rmi or prune cannot remove these between check and tag.
      // All at once: one stat each, and the lock is held for one round trip to the disk, not one per blob.
      const required = [...(opts.required ?? [])];
      const present = await Promise.all(required.map(([digest, size]) => store.hasBlob(digest, size)));
      const missing = required.filter((_, i) => !present[i]).map(([digest]) => digest);
      if (missing.length > 0) return { missing };
      if (opts.expect !== undefined) {
        const current = index.manifests.find((d) => {
          const e = toEntry(d);
          return e.refName === name || (e.ref !== null && refNameOf(e.ref) === name);
        })?.digest;
        if ((current ?? null) !== opts.expect)
          throw new DeckhandError(
            'EUSAGE',
            current === undefined
              ? `${name} was removed meanwhile; nothing was written. Create it again.`
              : opts.expect === null
                ? `${name} already names an image (${shortDigest(current)}); nothing was written. Pick another name, or remove it first.`
                : `${name} changed meanwhile (it is ${shortDigest(current)} now); nothing was written. Look at it again and retry.`,
            { detail: { name, current: current ?? null, expected: opts.expect } },
          );
      }
      const now = new Date().toISOString();
      at = now;
      unchanged = false;
      let previous: string | undefined;
      let replaced: { descriptor: Descriptor; dangling: boolean } | undefined;
      const kept: Descriptor[] = [];
      for (const d of index.manifests) {
        const entry = toEntry(d);
        const sameName = entry.refName === name || (entry.ref !== null && refNameOf(entry.ref) === name);
        if (sameName) {
          if (d.digest === descriptor.digest) unchanged = true;
          else {
            previous = d.digest;
            // The old image stays as a dangling entry unless another name still holds it.
            const stillNamed = index.manifests.some((o) => o !== d && o.digest === d.digest && toEntry(o).refName !== null);
            replaced = { descriptor: d, dangling: !stillNamed && !opts.replace };
            if (!stillNamed && !opts.replace) {
              const { [REF_NAME]: _dropped, ...rest } = d.annotations ?? {};
              kept.push({ ...d, annotations: { ...rest, [PREVIOUS_REF]: name, [UNTAGGED]: now } });
            }
          }
          continue;
        }
        if (entry.refName === null && d.digest === descriptor.digest) continue;
        kept.push(d);
      }
      kept.push({
        ...descriptor,
        annotations: { ...descriptor.annotations, ...annotations, [REF_NAME]: name, [PULLED]: annotations[PULLED] ?? now },
      });
      index.manifests = kept;
      return previous === undefined || replaced === undefined ? { missing } : { previous, replaced, missing };
    },
    { committed: log },
  );
}
