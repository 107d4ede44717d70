/**
 * Server state: one TanStack Query per call, keyed by keys.ts, fetched with the client from
 * ApiProvider. Nothing here goes stale by time: data is invalidated by events (storeChanged, a
 * finished push, a login), so `staleTime` is Infinity and a view that mounts again shows what it
 * had unless an event said otherwise. Errors are shown, not retried behind the user's back.
 */
import { keepPreviousData, QueryClient, queryOptions, useQuery, type UseQueryOptions } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { CallInput, DeckhandApi, PlannedPrune } from '../../src-shared/ipc/contract.ts';
import { useApi } from '../api/provider.tsx';
import { cancellable } from './analyses.ts';
import { useDeckhand } from '../store/index.ts';
import { whenIdle } from '../ui/idle.ts';
import { keys, sourceInput, sourceKey, STORE, type Source } from './keys.ts';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: Infinity, retry: false, refetchOnWindowFocus: false, refetchOnReconnect: false },
      mutations: { retry: false },
    },
  });
}

// Option factories: the hooks below, prefetching in main.tsx and tests share them.
export const hostInfoQuery = (api: DeckhandApi) => queryOptions({ queryKey: keys.hostInfo(), queryFn: () => api.hostInfo() });
// A source's calls: the store's exactly as before (no input), an engine's with `{ source }`.
const input = (source: Source) => {
  const i = sourceInput(source);
  return i.source === undefined ? undefined : i;
};
export const enginesQuery = (api: DeckhandApi) => queryOptions({ queryKey: keys.engines(), queryFn: () => api.listEngines() });
export const imagesQuery = (api: DeckhandApi, source: Source = STORE) =>
  queryOptions({ queryKey: keys.images(source), queryFn: () => api.listImages(input(source)) });
// df and the layer forest are large answers their views recompute whole: no deep comparison with
// the previous answer on the main thread (TanStack's structural sharing) for them.
export const diskUsageQuery = (api: DeckhandApi, source: Source = STORE) =>
  queryOptions({ queryKey: keys.diskUsage(source), queryFn: () => api.diskUsage(input(source)), structuralSharing: false });
export const treeQuery = (api: DeckhandApi, source: Source = STORE) =>
  queryOptions({ queryKey: keys.tree(source), queryFn: () => api.layerForest(input(source)), structuralSharing: false });
export const registriesQuery = (api: DeckhandApi) => queryOptions({ queryKey: keys.registries(), queryFn: () => api.listRegistries() });

/** The window's host (store path, platform, downloads folder); it does not change while the window is open. */
export function useHostInfo() {
  return useQuery(hostInfoQuery(useApi())).data ?? null;
}

/** The source the sidebar has chosen: the views show it unless told otherwise. */
export function useSource(): Source {
  return useDeckhand((s) => s.source);
}

/** The Docker and Podman engines found, reachable or not (refetched on enginesChanged). */
export function useEngines() {
  return useQuery(enginesQuery(useApi()));
}

/** A source's images (default: the source chosen in the sidebar). */
export function useImages(source?: Source) {
  const chosen = useSource();
  return useQuery(imagesQuery(useApi(), source ?? chosen));
}

/** df for a whole source: the larger answer, so callers say when they want it (`enabled`). */
export function useDiskUsage({ enabled = true, source }: { enabled?: boolean; source?: Source } = {}) {
  const chosen = useSource();
  return useQuery({ ...diskUsageQuery(useApi(), source ?? chosen), enabled });
}

/** The layer forest of a whole source (the Layer tree view). */
export function useTree(source?: Source) {
  const chosen = useSource();
  return useQuery(treeQuery(useApi(), source ?? chosen));
}

export function useImageDetails(name: string, source?: Source) {
  const api = useApi();
  const src = useSource();
  const from = source ?? src;
  return useQuery({ queryKey: keys.details(from, name), queryFn: () => api.inspectImage({ ref: name, ...sourceInput(from) }) });
}

/** One image's layer trees (for its uncompressed layer sizes), once its digest is known. */
export function useImageTree(name: string, enabled: boolean, source?: Source) {
  const api = useApi();
  const src = useSource();
  const from = source ?? src;
  return useQuery({
    queryKey: keys.imageTree(from, name),
    queryFn: () => api.imageTree({ ref: name, ...sourceInput(from) }),
    enabled,
  });
}

/**
 * What is inside each layer of an image, with every entry (`platform` null: the host's). The
 * analysis reads every layer blob the first time (an engine's image is exported first), so it is
 * asked for only when shown (`enabled`). Each fetch has its own request id, given to `onRequest`
 * so the caller can follow its layersProgress events; cancelling the query (Cancel, or the tab
 * going away) tells the host to stop.
 */
export function useImageLayers(
  name: string,
  platform: string | null,
  enabled: boolean,
  { source, onRequest }: { source?: Source; onRequest?: (requestId: string) => void } = {},
) {
  const api = useApi();
  const chosen = useSource();
  const from = source ?? chosen;
  return useQuery({
    queryKey: keys.layers(from, name, platform),
    queryFn: ({ signal }) => {
      const requestId = cancellable(api, signal);
      onRequest?.(requestId);
      return api.imageLayers({ ref: name, ...(platform !== null ? { platform } : {}), ...sourceInput(from), requestId });
    },
    enabled,
    structuralSharing: false,
  });
}

/**
 * The manifest list `input` would make (the combine dialog's preview): a moment of the store like a
 * prune plan, so never reused by a later dialog; a storeChanged (under ['store']) previews again.
 */
export function useManifestPreview(input: CallInput<'previewManifestList'>) {
  const api = useApi();
  return useQuery({
    queryKey: keys.manifestPreview(input),
    queryFn: () => api.previewManifestList(input),
    staleTime: 0,
    gcTime: 0,
    placeholderData: keepPreviousData,
  });
}

/**
 * A prune plan for one input. A plan is the host's promise about one moment of the store, so it is
 * never reused from the cache by a later dialog (`gcTime: 0`); `enabled: false` once it has been run.
 */
export function usePrunePlan(
  input: CallInput<'planPrune'> | null,
  round: number,
  enabled: boolean,
  options: Pick<UseQueryOptions<PlannedPrune>, 'placeholderData'> = {},
  source?: Source,
) {
  const api = useApi();
  const chosen = useSource();
  const from = source ?? chosen;
  return useQuery({
    queryKey: keys.prunePlan(from, input ?? { all: false }, round),
    queryFn: () => api.planPrune({ ...input!, ...sourceInput(from) }),
    enabled: enabled && input !== null,
    staleTime: 0,
    gcTime: 0,
    ...options,
  });
}

export function useRegistries() {
  return useQuery(registriesQuery(useApi()));
}

export const repositoriesQuery = (api: DeckhandApi, host: string) =>
  queryOptions({ queryKey: keys.repositories(host), queryFn: () => api.registryRepositories({ host }) });

/** A registry's repositories (its catalog), fetched once the registry is opened. */
export function useRepositories(host: string, enabled: boolean) {
  return useQuery({ ...repositoriesQuery(useApi(), host), enabled });
}

/** A repository's tags, fetched once the repository is opened. */
export function useTags(host: string, repository: string, enabled: boolean) {
  const api = useApi();
  return useQuery({ queryKey: keys.tags(host, repository), queryFn: () => api.registryTags({ host, repository }), enabled });
}

/** What applies to a registry (registries.conf, login, policy), read each time its dialog opens. */
export function useRegistryDetails(host: string) {
  const api = useApi();
  return useQuery({ queryKey: keys.registryDetails(host), queryFn: () => api.registryDetails({ host }), gcTime: 0 });
}

/**
 * A source's content changed (storeChanged, a prune run here): every query under it is invalidated.
 * Those on screen refetch at once, the rest when next shown. A fetch already on its way may
 * describe the source before the change, so it is cancelled and its answer dropped: an older
 * listing never lands after a newer one. (Invalidation alone would keep waiting for a first fetch
 * that has no data yet instead of asking again.)
 */
export async function sourceChanged(client: QueryClient, source: Source = STORE): Promise<void> {
  const queryKey = [...sourceKey(source)];
  await client.cancelQueries({ queryKey });
  await client.invalidateQueries({ queryKey });
}

/**
 * The store's df for the figures that can wait (the exact space in the Images view, the prune
 * button): asked for once the image list has arrived and the browser has been idle (the window has
 * settled, once per window), so the table comes first. A view that mounts later asks at once.
 */
export function useDiskUsageWhenIdle() {
  const listed = useQuery({ ...imagesQuery(useApi(), useSource()), select: () => true }).data === true;
  const settled = useDeckhand((s) => s.settled);
  useEffect(() => {
    if (!listed || settled) return;
    return whenIdle(() => useDeckhand.getState().settle());
  }, [listed, settled]);
  return useDiskUsage({ enabled: settled });
}

/** Data no event has made stale yet (null while a refetch after a change is on its way). */
export const freshData = <T>(q: { data: T | undefined; isStale: boolean }): T | null =>
  q.data !== undefined && !q.isStale ? q.data : null;
