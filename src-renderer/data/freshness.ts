/**
 * Whether each stored tag is still what its registry's tag names (docs/freshness.md), as server
 * state under ['store', 'freshness']: checkFreshness answers with what the host knows and the tags
 * it is checking; freshnessChanged brings each result as it arrives (mergeFreshness). A store
 * change invalidates the query like every store query, so a pulled tag is checked again.
 */
import { queryOptions, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { DeckhandApi, FreshnessResult, FreshnessSnapshot } from '../../src-shared/ipc/contract.ts';
import { useApi } from '../api/provider.tsx';
import { keys } from './keys.ts';

/** By reference: the latest result, and the references being checked. */
export interface FreshnessView {
  results: ReadonlyMap<string, FreshnessResult>;
  pending: ReadonlySet<string>;
}

const EMPTY: FreshnessView = { results: new Map(), pending: new Set() };

/** Results that arrived while the call was on its way stay: a result checked at or after `since` wins over "pending". */
export function foldSnapshot(snapshot: FreshnessSnapshot, previous: FreshnessView | undefined, since: string): FreshnessView {
  const results = new Map(snapshot.results.map((r) => [r.reference, r]));
  const pending = new Set<string>();
  for (const ref of snapshot.pending) {
    const arrived = previous?.results.get(ref);
    if (arrived && arrived.checkedAt >= since) results.set(ref, arrived);
    else pending.add(ref);
  }
  return { results, pending };
}

/** freshnessChanged: each result replaces the tag's previous one and ends its "checking". */
export function mergeFreshness(client: QueryClient, arrived: readonly FreshnessResult[]): void {
  client.setQueryData<FreshnessView>(keys.freshness(), (old) => {
    const results = new Map(old?.results ?? []);
    const pending = new Set(old?.pending ?? []);
    for (const r of arrived) {
      results.set(r.reference, r);
      pending.delete(r.reference);
    }
    return { results, pending };
  });
}

export const freshnessQuery = (api: DeckhandApi, client: QueryClient) =>
  queryOptions({
    queryKey: keys.freshness(),
    queryFn: async (): Promise<FreshnessView> => {
      const since = new Date().toISOString();
      const snapshot = await api.checkFreshness();
      return foldSnapshot(snapshot, client.getQueryData<FreshnessView>(keys.freshness()), since);
    },
    structuralSharing: false,
  });

/** The store's tags' freshness; asks the host when the images view shows the column (`enabled`). */
export function useFreshness(enabled = true): FreshnessView {
  const client = useQueryClient();
  return useQuery({ ...freshnessQuery(useApi(), client), enabled }).data ?? EMPTY;
}

/** Checks `refs` again now (the registry's 429 back-off still holds); their results come as events. */
export async function recheckFreshness(api: DeckhandApi, client: QueryClient, refs: string[]): Promise<void> {
  const snapshot = await api.checkFreshness({ refs, force: true });
  client.setQueryData<FreshnessView>(keys.freshness(), (old) => {
    const results = new Map(old?.results ?? []);
    const pending = new Set(old?.pending ?? []);
    for (const r of snapshot.results) results.set(r.reference, r);
    for (const ref of snapshot.pending) pending.add(ref);
    return { results, pending };
  });
}
