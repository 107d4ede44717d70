/** Which stored entries a freshness check covers: every tagged image, or the ones named. */
import { DeckhandError } from '../../../src-shared/errors.ts';
import { matchEntries, noSuchImage } from '../store/catalog.ts';
import type { StoreGraph } from '../insight/store-graph.ts';
import type { CheckTarget } from './check.ts';

function targetOf(image: StoreGraph['images'][number]): CheckTarget | null {
  const { entry } = image;
  if (!entry.ref || entry.ref.tag === undefined || entry.refName === null) return null;
  // A single-platform pull of a multi-platform tag stores the registry's index with only that
  // platform's manifest: the entry's digest is the index's, and the platforms stored are compared.
  const sparse = image.kind === 'index' && image.absent.length > 0;
  return {
    reference: entry.refName,
    ref: { ...entry.ref, tag: entry.ref.tag },
    localDigest: entry.descriptor.digest,
    partOf: sparse ? image.platforms.map((p) => ({ platform: p.meta.platform, digest: p.manifest })) : null,
  };
}

/** The tagged images of the store (`refs` empty), or each one `refs` names: a name that matches nothing, or nothing tagged, is an error. */
export function freshnessTargets(graph: StoreGraph, refs: readonly string[] = []): CheckTarget[] {
  const all = graph.images.map(targetOf);
  if (refs.length === 0) return all.filter((t): t is CheckTarget => t !== null);
  const entries = graph.images.map((i) => i.entry);
  const out = new Map<string, CheckTarget>();
  for (const input of refs) {
    const found = matchEntries(entries, input);
    if (found.length === 0) throw noSuchImage(input, { storeEmpty: entries.length === 0 });
    const tagged = found.map((e) => all[entries.indexOf(e)]).filter((t): t is CheckTarget => t !== null && t !== undefined);
    if (tagged.length === 0)
      throw new DeckhandError(
        'EUSAGE',
        `${input} names no tagged image, so there is no registry tag to compare with. Name the image by its repository and tag.`,
        { detail: { input } },
      );
    for (const t of tagged) out.set(t.reference, t);
  }
  return [...out.values()];
}
