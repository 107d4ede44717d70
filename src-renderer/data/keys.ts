/**
 * Query keys. Everything read from a place images live starts with that source: `['store', …]`
 * for Deckhand's own store, `['engine', name, …]` for a Docker or Podman engine, so an engine's
 * views reuse the store's queries with another source, and a source's change event (storeChanged,
 * engineChanged) invalidates its prefix only. The engines found are `['engines']`. Registry data
 * is keyed by the registry: the list (`['registries']`), then per host.
 */
import type { CallInput } from '../../src-shared/ipc/contract.ts';

/** Where images live: `'store'` (Deckhand's own store) or an engine's name as listEngines gives it. */
export type Source = string;
export const STORE: Source = 'store';

export const isStore = (source: Source): boolean => source === STORE;

/** The key prefix of a source's queries. */
export const sourceKey = (source: Source): readonly string[] => (isStore(source) ? [STORE] : ['engine', source]);

/** What a call takes to address `source`: nothing for the store, `{ source }` for an engine. */
export const sourceInput = (source: Source): { source?: string } => (isStore(source) ? {} : { source });

export const keys = {
  hostInfo: () => ['host', 'info'] as const,
  engines: () => ['engines'] as const,
  images: (source: Source) => [...sourceKey(source), 'images'] as const,
  diskUsage: (source: Source) => [...sourceKey(source), 'diskUsage'] as const,
  tree: (source: Source) => [...sourceKey(source), 'tree'] as const,
  details: (source: Source, name: string) => [...sourceKey(source), 'details', name] as const,
  imageTree: (source: Source, name: string) => [...sourceKey(source), 'imageTree', name] as const,
  /** What is inside each layer of an image (`platform` null: the host's); an engine's is exported for it. */
  layers: (source: Source, name: string, platform: string | null) => [...sourceKey(source), 'layers', name, platform] as const,
  /** `round` tells a "plan again" from the plan already shown for the same input. */
  prunePlan: (source: Source, input: CallInput<'planPrune'>, round: number) => [...sourceKey(source), 'prunePlan', input, round] as const,
  /** The store only: the manifest list stored images would make, with the dialog's changes. */
  manifestPreview: (input: CallInput<'previewManifestList'>) => [STORE, 'manifestPreview', input] as const,
  /** The store only: whether each tag is still what its registry's tag names (checkFreshness, freshnessChanged). */
  freshness: () => [STORE, 'freshness'] as const,
  registries: () => ['registries'] as const,
  repositories: (host: string) => ['registry', host, 'repositories'] as const,
  tags: (host: string, repository: string) => ['registry', host, 'tags', repository] as const,
  registryDetails: (host: string) => ['registry', host, 'details'] as const,
};
