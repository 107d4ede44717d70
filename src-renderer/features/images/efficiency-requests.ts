/**
 * Which images the Efficiency column asks the main side about while the table is not sorted by it:
 * the image rows in sight once scrolling has settled. Nothing is asked while the table scrolls (a
 * fling through 10,000 rows asks nothing), answers already cached are not asked again, a few
 * requests are on their way at once, and a request for a row no longer in sight at the next settle,
 * or when the table goes, is cancelled (which tells the host: see data/analyses.ts).
 */
import type { QueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { DeckhandApi, ImageRow } from '../../../src-shared/ipc/contract.ts';
import { analysedPlatform, efficiencyQuery, efficiencyState } from '../../data/analyses.ts';
import type { Source } from '../../data/keys.ts';
import type { TableNode } from './rows.ts';

/** Quiet time after the last scroll before the rows in sight are asked about (ms). */
export const SETTLE_MS = 400;
const AHEAD = 2;

/** The image rows (not unreadable) among `nodes` drawn in a viewport at `scrollTop`, `height` high. */
export function imagesInSight(nodes: readonly TableNode[], scrollTop: number, height: number, rowHeight: number): ImageRow[] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight));
  const last = Math.min(nodes.length, Math.ceil((scrollTop + height) / rowHeight));
  const out: ImageRow[] = [];
  for (let i = first; i < last; i++) {
    const n = nodes[i]!;
    if (n.kind === 'image' && !n.image.error) out.push(n.image);
  }
  return out;
}

export function useVisibleEfficiency(opts: {
  client: QueryClient;
  api: DeckhandApi;
  source: Source;
  host: string | null;
  /** The table's rows in display order. */
  shown: readonly TableNode[];
  scrollRef: RefObject<HTMLElement | null>;
  fallbackHeight: number;
  rowHeight: number;
  enabled: boolean;
}): void {
  const { client, api, source, host, shown, scrollRef, fallbackHeight, rowHeight, enabled } = opts;
  const latest = useRef(shown);
  // What is on its way, across settles and a sort by Efficiency (which wants it too).
  const [asked] = useState(() => new Map<string, readonly unknown[]>());
  // The table going away cancels what it asked (the host stops once nobody else wants it).
  useEffect(
    () => () => {
      for (const queryKey of asked.values()) void client.cancelQueries({ queryKey, exact: true });
      asked.clear();
    },
    [client, asked],
  );
  const settleRef = useRef<(() => void) | null>(null);
  useEffect(() => {
    latest.current = shown;
    settleRef.current?.();
  }, [shown]);
  useEffect(() => {
    const el = scrollRef.current;
    if (!enabled || !el) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let round = 0;
    const request = () => {
      const mine = ++round;
      const sight = imagesInSight(latest.current, el.scrollTop, el.clientHeight || fallbackHeight, rowHeight);
      const wanted = sight.map((image) => ({ image, query: efficiencyQuery(api, source, image, analysedPlatform(image, host)) }));
      const keys = new Set(wanted.map((w) => JSON.stringify(w.query.queryKey)));
      for (const [k, queryKey] of asked) {
        if (keys.has(k)) continue;
        asked.delete(k);
        void client.cancelQueries({ queryKey, exact: true });
      }
      const todo = wanted.filter((w) => efficiencyState(client, source, w.image, host) === undefined);
      const one = async (): Promise<void> => {
        while (mine === round && todo.length > 0) {
          const { query } = todo.shift()!;
          const k = JSON.stringify(query.queryKey);
          asked.set(k, query.queryKey);
          // A failure stays in the cache (the cell shows it); a cancel leaves the image unknown.
          await client.fetchQuery(query).catch(() => undefined);
          asked.delete(k);
        }
      };
      for (let i = 0; i < AHEAD; i++) void one();
    };
    const settle = () => {
      clearTimeout(timer);
      timer = setTimeout(request, SETTLE_MS);
    };
    settleRef.current = settle;
    el.addEventListener('scroll', settle, { passive: true });
    settle();
    return () => {
      round++;
      clearTimeout(timer);
      el.removeEventListener('scroll', settle);
      settleRef.current = null;
    };
  }, [client, api, source, host, scrollRef, fallbackHeight, rowHeight, enabled, asked]);
}
