/**
 * Layer analyses (the Efficiency column, the Files tab) as TanStack queries. An analysis reads every
 * layer of an image the first time, so each query carries a request id: when the query is cancelled
 * (its last observer unmounts: the row scrolled away, the tab closed, or the user pressed Cancel),
 * `cancelAnalysis` tells the host, which stops the work once nobody else wants it.
 *
 * Efficiency keys are `['analysis', source, 'efficiency', digest, platform]`, outside the source's
 * prefix on purpose: what an image's layers hold never changes under its digest (an engine's image
 * ID), so storeChanged and engineChanged, which cancel and refetch everything under the source,
 * must not restart analyses that are still right.
 */
import { hashKey, isCancelledError, useQuery, useQueryClient, type QueryClient, type QueryState } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { DeckhandApi, ImageEfficiency, ImageRow } from '../../src-shared/ipc/contract.ts';
import { useApi } from '../api/provider.tsx';
import { isStore, sourceInput, type Source } from './keys.ts';

export const analysisKeys = {
  efficiency: (source: Source, digest: string, platform: string | null) => ['analysis', source, 'efficiency', digest, platform] as const,
};

/** A fresh id for one request, and a listener that cancels it when `signal` aborts. */
export function cancellable(api: DeckhandApi, signal: AbortSignal | undefined): string {
  const requestId = crypto.randomUUID();
  signal?.addEventListener('abort', () => void api.cancelAnalysis({ requestId }).catch(() => undefined), { once: true });
  return requestId;
}

/** What identifies an image's analysis: its digest in the store, its image ID in an engine. */
export const analysedDigest = (image: ImageRow, source: Source): string => (isStore(source) ? image.digest : (image.id ?? image.digest));

/**
 * The platform whose layers count for an image's efficiency: none to choose for a single manifest;
 * for an index, the host's when stored, else the first stored one.
 */
export function analysedPlatform(image: ImageRow, host: string | null): string | null {
  if (image.manifests.length === 0) return null;
  const stored = image.manifests.map((m) => m.platform);
  return host && stored.includes(host) ? host : (stored[0] ?? null);
}

export const efficiencyQuery = (api: DeckhandApi, source: Source, image: ImageRow, platform: string | null) => ({
  queryKey: analysisKeys.efficiency(source, analysedDigest(image, source), platform),
  queryFn: ({ signal }: { signal: AbortSignal }): Promise<ImageEfficiency> =>
    api.imageEfficiency({
      ref: image.name,
      ...(platform !== null ? { platform } : {}),
      ...sourceInput(source),
      requestId: cancellable(api, signal),
    }),
});

/** One image's efficiency, asked for once `enabled` (its row stayed on screen); what is cached shows at once. */
export function useImageEfficiency(source: Source, image: ImageRow, platform: string | null, enabled = true) {
  return useQuery({ ...efficiencyQuery(useApi(), source, image, platform), enabled });
}

/**
 * What the cache holds for one image's efficiency, without asking and without adding a query to
 * the cache: a table row's cell reads it this way, so scrolling past 10,000 rows creates nothing.
 */
export function useCachedEfficiency(source: Source, image: ImageRow, platform: string | null): QueryState<ImageEfficiency> | undefined {
  const client = useQueryClient();
  const key = analysisKeys.efficiency(source, analysedDigest(image, source), platform);
  const hash = hashKey(key);
  const subscribe = useCallback(
    (changed: () => void) => client.getQueryCache().subscribe((e) => (e.query.queryHash === hash ? changed() : undefined)),
    [client, hash],
  );
  return useSyncExternalStore(subscribe, () => client.getQueryCache().get<ImageEfficiency>(hash)?.state);
}

/** What the cache knows of an image's efficiency: the figures, a failure's reason, or nothing yet. */
export type EfficiencyState = { value: ImageEfficiency } | { error: string } | undefined;

export function efficiencyState(client: QueryClient, source: Source, image: ImageRow, host: string | null): EfficiencyState {
  const state = client.getQueryState<ImageEfficiency>(
    analysisKeys.efficiency(source, analysedDigest(image, source), analysedPlatform(image, host)),
  );
  if (state?.data !== undefined) return { value: state.data };
  if (state?.status === 'error') return { error: state.error instanceof Error ? state.error.message : String(state.error) };
  return undefined;
}

/** At most this many efficiency requests on their way at once (the host analyses one image at a time anyway). */
const AHEAD = 2;

/**
 * While `enabled` (the table is sorted by Efficiency), asks for every image's efficiency not known
 * yet, a few at a time; returns how many are known (or failed) of how many. Stops asking when
 * disabled; what is on its way finishes and stays cached.
 */
export function useEfficiencyForAll(
  client: QueryClient,
  api: DeckhandApi,
  source: Source,
  images: readonly ImageRow[],
  host: string | null,
  enabled: boolean,
): { done: number; total: number } {
  // Bumped as answers arrive; the count is read from the cache while rendering.
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    const todo = images.filter((i) => efficiencyState(client, source, i, host) === undefined);
    const cancels = new Map<ImageRow, number>();
    let next = 0;
    const one = async (): Promise<void> => {
      while (!stopped && next < todo.length) {
        const image = todo[next++]!;
        await client.fetchQuery(efficiencyQuery(api, source, image, analysedPlatform(image, host))).catch((e: unknown) => {
          // Cancelled because its row left the screen while it ran: asked again later (a few times at most).
          const n = cancels.get(image) ?? 0;
          if (isCancelledError(e) && n < 3) {
            cancels.set(image, n + 1);
            todo.push(image);
          }
        });
        if (!stopped) setTick((t) => t + 1);
      }
    };
    for (let i = 0; i < AHEAD; i++) void one();
    return () => {
      stopped = true;
    };
  }, [client, api, source, images, host, enabled]);
  const done = useMemo(
    () => (enabled ? images.reduce((n, i) => n + (efficiencyState(client, source, i, host) ? 1 : 0), 0) : 0),
    // tick: an answer arrived since.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [client, source, images, host, enabled, tick],
  );
  return { done, total: images.length };
}
