/**
 * `tag`: gives a stored image another name. A tag names a digest, so the target cannot carry one.
 * Where the image came from and which platforms are stored carry over; the name's own dates do
 * not. A tag that moves keeps the old image as a dangling entry (see setTag).
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import type { Descriptor } from '../../../src-shared/oci/manifest.ts';
import { parseReference } from '../../../src-shared/oci/reference.ts';
import { PLATFORMS, SOURCE } from './annotations.ts';
import { refNameOf, resolveOne, setTag } from './catalog.ts';
import type { Store } from './layout.ts';

export interface TagResult {
  ref: string;
  digest: string;
  /** The digest the name pointed to before, now kept as a dangling entry. */
  previous: string | null;
}

/** The descriptor without its per-name annotations, and the annotations that travel with the image. */
export function carriedDescriptor(d: Descriptor): { descriptor: Descriptor; annotations: Record<string, string> } {
  const { annotations = {}, ...descriptor } = d;
  return {
    descriptor,
    annotations: Object.fromEntries([SOURCE, PLATFORMS].filter((k) => annotations[k] !== undefined).map((k) => [k, annotations[k]!])),
  };
}

export async function tagImage(store: Store, source: string, target: string): Promise<TagResult> {
  const dest = parseReference(target);
  if (dest.digest) throw new DeckhandError('EUSAGE', `${target} carries a digest; a tag names a digest, it cannot be one.`);
  const { descriptor, annotations } = carriedDescriptor((await resolveOne(store, source)).descriptor);
  const { previous } = await setTag(store, dest, descriptor, annotations, { action: 'tag' });
  return { ref: refNameOf(dest), digest: descriptor.digest, previous: previous ?? null };
}
