/**
 * The combine dialog's pure parts: the name it proposes, the changes it sends (an entry's platform
 * or features as the user edited them, only where they differ from what the preview said), and how
 * it names the list's kind.
 */
import type { ImageRow, ManifestListEntry } from '../../../src-shared/ipc/contract.ts';
import { DOCKER_MANIFEST_LIST } from '../../../src-shared/oci/mediatypes.ts';
import { repositoryOfRef } from './rows.ts';

/** The selected images the dialog can combine: stored, named, readable. */
export function combinable(rows: readonly ImageRow[], selection: readonly string[]): string[] {
  const byName = new Map(rows.map((r) => [r.name, r]));
  return selection.filter((n) => {
    const r = byName.get(n);
    return r !== undefined && r.error === null && !r.sparse;
  });
}

/**
 * `REPO:multi-platform` when the images share a repository and that name is free (else the same
 * with a number), empty when they do not share one.
 */
export function proposedName(rows: readonly ImageRow[], refs: readonly string[]): string {
  const repos = new Set(refs.map((r) => rows.find((row) => row.name === r)?.repository ?? repositoryOfRef(r)));
  if (repos.size !== 1) return '';
  const [repo] = repos;
  if (!repo) return '';
  const taken = new Set(rows.map((r) => r.name));
  for (let i = 1; i < 100; i++) {
    const name = `${repo}:multi-platform${i === 1 ? '' : `-${i}`}`;
    if (!taken.has(name)) return name;
  }
  return '';
}

export interface Draft {
  platform: string;
  features: string;
}

export interface Change {
  digest: string;
  platform?: string;
  features?: string[];
}

/** Features as typed: comma- or space-separated, empty ones dropped. */
export function featuresOf(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((f) => f.trim())
    .filter(Boolean);
}

/**
 * The changes to send: every entry whose draft differs from its image's own platform (configPlatform)
 * or has features. Sent whole each time, so a preview depends on the drafts alone.
 */
export function changesOf(entries: readonly ManifestListEntry[], drafts: ReadonlyMap<string, Draft>): Change[] {
  const out: Change[] = [];
  for (const e of entries) {
    const d = drafts.get(e.digest);
    if (!d) continue;
    const platform = d.platform.trim();
    const features = featuresOf(d.features);
    const c: Change = { digest: e.digest };
    if (platform !== '' && platform !== e.configPlatform) c.platform = platform;
    if (features.length > 0) c.features = features;
    if (c.platform !== undefined || c.features !== undefined) out.push(c);
  }
  return out;
}

export function listKind(mediaType: string): { label: string; why: string } {
  return mediaType === DOCKER_MANIFEST_LIST
    ? {
        label: 'Docker manifest list',
        why: 'An entry has features, which only a Docker manifest list can carry (the OCI index reserves them).',
      }
    : {
        label: 'OCI image index',
        why: 'Every registry and runtime in use reads it. Features on an entry would need a Docker manifest list.',
      };
}
