/**
 * Query keys. Everything read from a place images live starts with that source (`['store',
 * 'images']`): the local store today, a Docker or Podman engine next, so an engine's views reuse
 * these queries with another source, and a source's change event invalidates its prefix only.
 * Registry data is keyed by the registry: the list (`['registries']`), then per host.
 */
import type { CallInput } from '../../src-shared/ipc/contract.ts';

/** Where images live. Only the local store so far; engines add `engine:<id>` sources. */
export type Source = 'store';
export const STORE: Source = 'store';

export const keys = {
  hostInfo: () => ['host', 'info'] as const,
  images: (source: Source) => [source, 'images'] as const,
  diskUsage: (source: Source) => [source, 'diskUsage'] as const,
  tree: (source: Source) => [source, 'tree'] as const,
  details: (source: Source, name: string) => [source, 'details', name] as const,
  imageTree: (source: Source, name: string) => [source, 'imageTree', name] as const,
  /** `round` tells a "plan again" from the plan already shown for the same input. */
  prunePlan: (source: Source, input: CallInput<'planPrune'>, round: number) => [source, 'prunePlan', input, round] as const,
  registries: () => ['registries'] as const,
  repositories: (host: string) => ['registry', host, 'repositories'] as const,
  tags: (host: string, repository: string) => ['registry', host, 'tags', repository] as const,
  registryDetails: (host: string) => ['registry', host, 'details'] as const,
};
