/**
 * The store's catalog: index.json entries as named images. A tagged image is a descriptor whose
 * `org.opencontainers.image.ref.name` is the full normalized reference; layouts written by other
 * tools may carry a bare tag there (skopeo's `oci:dir:latest`), which is read as is. When a tag
 * moves, the old descriptor stays as a dangling entry that remembers its previous name.
 */
import { formatReference, parseReference, parseTaggedName, type ImageReference } from '../../../src-shared/oci/reference.ts';
import { isDigest, shortDigest } from '../../../src-shared/oci/digest.ts';
import type { Descriptor } from '../../../src-shared/oci/manifest.ts';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { readIndex, updateIndex } from './index-file.ts';
import { PREVIOUS_REF, PULLED, REF_NAME, UNTAGGED } from './annotations.ts';
import type { Store } from './layout.ts';
import { appendTagLog, type TagAction } from './tag-log.ts';

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
 * Finds the entries a user means by `input`: a reference (normalized as docker does), a bare tag
 * exactly as stored, a full digest, or a digest prefix / image ID of at least 4 hex characters.
 */
export function matchEntries(entries: CatalogEntry[], input: string): CatalogEntry[] {
  const exact = entries.filter((e) => e.refName === input);
  if (exact.length > 0) return exact;
  const hexPrefix = /^(sha256:)?([0-9a-f]{4,64})$/.exec(input);
  if (hexPrefix) {
    const byId = entries.filter((e) => e.descriptor.digest.startsWith(`sha256:${hexPrefix[2]}`));
    if (byId.length > 0 || isDigest(input)) return byId;
  }
  let ref: ImageReference;
  try {
    ref = parseReference(input);
  } catch (e) {
    if (hexPrefix) return [];
    throw e;
  }
  if (ref.tag === undefined && ref.digest !== undefined) {
    const repo = formatReference({ domain: ref.domain, path: ref.path });
    return entries.filter(
      (e) => e.descriptor.digest === ref.digest && (e.ref === null || formatReference({ domain: e.ref.domain, path: e.ref.path }) === repo),
    );
  }
  const name = refNameOf(ref);
  return entries.filter((e) => e.ref !== null && refNameOf(e.ref) === name);
}

export async function resolveOne(store: Store, input: string): Promise<CatalogEntry> {
  return pickOne(matchEntries(await listEntries(store), input), input);
}

/** The one image `found` (what matchEntries gave for `input`) names, or ENOT_FOUND / EUSAGE for none or several. */
export function pickOne<E extends CatalogEntry>(found: E[], input: string): E {
  if (found.length === 0) {
    throw new DeckhandError(
      'ENOT_FOUND',
      `No image named ${input} in the store. Run \`deckhand images\` to see what is stored, or \`deckhand pull ${input}\`.`,
      { detail: { input } },
    );
  }
  const digests = new Set(found.map((e) => e.descriptor.digest));
  if (digests.size > 1) {
    throw new DeckhandError(
      'EUSAGE',
      `${input} matches ${digests.size} different images (${[...digests].map((d) => shortDigest(d)).join(', ')}). Give a longer ID or a full reference.`,
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
  opts: { required?: Map<string, number>; action?: TagAction } = {},
): Promise<{ previous?: string; replaced?: { descriptor: Descriptor; dangling: boolean }; missing: string[] }> {
  // A string is a ref.name as is: a bare tag in a plain OCI layout (`oci:DIR:latest`).
  const name = typeof ref === 'string' ? ref : refNameOf(ref);
  let unchanged = false;
  let at = '';
  const outcome = await updateIndex(store, async (index) => {
    // Checked under the lock: a concurrent rmi or prune cannot remove these between check and tag.
    const missing: string[] = [];
    for (const [digest, size] of opts.required ?? []) if (!(await store.hasBlob(digest, size))) missing.push(digest);
    if (missing.length > 0) return { missing };
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
          replaced = { descriptor: d, dangling: !stillNamed };
          if (!stillNamed) {
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
  });
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
  return outcome;
}
