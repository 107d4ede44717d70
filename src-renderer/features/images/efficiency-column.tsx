/**
 * The image table's Efficiency column (issue 18): dive's score as a percentage and the wasted bytes,
 * filled in as analyses finish. The rows in sight are asked about once scrolling settles
 * (efficiency-requests.ts; TanStack queries the host answers from its queue, one image at a time);
 * sorting by the column asks for every image's
 * (ImagesTable shows "analysing N of M"). Not-yet-known values sort last in either direction, and a
 * failed analysis shows "—" with the reason on hover. Sort values come from the query cache through
 * the table's meta, so the column never copies results into the rows.
 */
import { useQueryClient } from '@tanstack/react-query';
import type { ColumnHelper, SortingState } from '@tanstack/react-table';
import { useEffect, useMemo, type Dispatch, type RefObject, type SetStateAction } from 'react';
import type { ImageRow } from '../../../src-shared/ipc/contract.ts';
import { formatBytes } from '../../../src-shared/format.ts';
import { useApi } from '../../api/provider.tsx';
import {
  analysedPlatform,
  efficiencyQuery,
  efficiencyState,
  useCachedEfficiency,
  useEfficiencyForAll,
  type EfficiencyState,
} from '../../data/analyses.ts';
import { isStore } from '../../data/keys.ts';
import { useSource } from '../../data/queries.ts';
import type { features, ImageTableRow } from './columns.tsx';
import { useHostPlatform } from './host-platform.ts';
import { useVisibleEfficiency } from './efficiency-requests.ts';
import { ROW_HEIGHT } from './TableBody.tsx';
import type { TableNode } from './rows.ts';

/** What the table's meta gives the column: each image's efficiency as the cache knows it. */
export interface EfficiencyMeta {
  efficiencyOf: (image: ImageRow) => EfficiencyState;
}

export const EFFICIENCY_LABEL = 'Efficiency';
export const EFFICIENCY_TITLE =
  "dive's efficiency score (the share of the image's bytes not wasted) and the wasted bytes: files a later layer overwrote or removed. Analysed as rows are shown; sorting analyses every image.";

/** `0.931` → `93.1 %`. */
export const scoreText = (score: number): string => `${(Math.round(score * 1000) / 10).toFixed(1)} %`;

/** The cell's hover text for known figures. */
export const efficiencyTitle = (score: number, wasted: number): string =>
  `Efficiency ${scoreText(score)}: ${formatBytes(wasted)} wasted (files a later layer overwrote or removed)`;

/** A row's sort value: an image's score; a group's lowest known score; undefined while unknown (or failed). */
export function efficiencyValue(node: TableNode, of: EfficiencyMeta['efficiencyOf']): number | undefined {
  const score = (image: ImageRow) => {
    const s = of(image);
    return s && 'value' in s ? s.value.score : undefined;
  };
  if (node.kind === 'image') return score(node.image);
  if (node.kind === 'platform') return undefined;
  let low: number | undefined;
  for (const c of node.children) {
    const s = score(c.image);
    if (s !== undefined && (low === undefined || s < low)) low = s;
  }
  return low;
}

/**
 * Ascending is least efficient first. Unknown values go last whichever the direction: TanStack
 * negates the result for a descending sort, so the unknown side's sign is flipped in advance.
 */
export function compareEfficiency(a: number | undefined, b: number | undefined, desc: boolean): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return desc ? -1 : 1;
  if (b === undefined) return desc ? 1 : -1;
  return a - b;
}

function efficiencySort(a: ImageTableRow, b: ImageTableRow, id: string): number {
  const of = a.table.options.meta?.efficiencyOf;
  if (!of) return 0;
  const desc = a.table.atoms.sorting.get().find((s) => s.id === id)?.desc ?? false;
  return compareEfficiency(efficiencyValue(a.original, of), efficiencyValue(b.original, of), desc);
}

function ImageEfficiencyCell({ image }: { image: ImageRow }) {
  const source = useSource();
  const host = useHostPlatform();
  // The cell only reads the cache: the table asks for the rows in sight (efficiency-requests.ts).
  const state = useCachedEfficiency(source, image, analysedPlatform(image, host));
  if (state?.data) {
    const { score, wastedBytes } = state.data;
    return (
      <span className="efficiency" data-testid="efficiency" data-score={score} title={efficiencyTitle(score, wastedBytes)}>
        <span className="efficiency-score">{scoreText(score)}</span>
        <span className="efficiency-wasted muted">{formatBytes(wastedBytes)}</span>
      </span>
    );
  }
  if (!state && !isStore(source)) return <AnalyseOnRequest source={source} image={image} platform={analysedPlatform(image, host)} />;
  if (state?.status === 'error' && state.error) {
    return (
      <span className="muted" data-testid="efficiency-failed" title={`Not analysed: ${state.error.message}`}>
        —
      </span>
    );
  }
  return (
    <span
      className="muted"
      data-testid="efficiency-pending"
      title={
        isStore(source)
          ? 'Not analysed yet: rows in sight are analysed once scrolling stops'
          : "Not analysed yet: an engine's image is analysed when its Files tab is opened (it is exported first)"
      }
    >
      …
    </span>
  );
}

/** An engine's image is exported whole to be analysed: only when asked, one row at a time. */
function AnalyseOnRequest({ source, image, platform }: { source: string; image: ImageRow; platform: string | null }) {
  const client = useQueryClient();
  const api = useApi();
  return (
    <button
      type="button"
      className="link efficiency-ask"
      data-testid="efficiency-ask"
      title={`Analyse ${image.name}'s layers: the engine exports the image into a temporary store first`}
      onClick={(e) => {
        e.stopPropagation();
        void client.fetchQuery(efficiencyQuery(api, source, image, platform)).catch(() => undefined);
      }}
    >
      Analyse
    </button>
  );
}

function EfficiencyCell({ node }: { node: TableNode }) {
  // Groups and platform rows show nothing; an unreadable entry has nothing to analyse.
  if (node.kind !== 'image' || node.image.error) return null;
  return <ImageEfficiencyCell image={node.image} />;
}

export const efficiencyColumn = (helper: ColumnHelper<typeof features, TableNode>) =>
  helper.accessor((node) => node.id, {
    id: 'efficiency',
    header: EFFICIENCY_LABEL,
    sortFn: efficiencySort,
    cell: (c) => <EfficiencyCell node={c.row.original} />,
  });

/** How often, at most, the table sorts again while results arrive (ms). */
const RESORT_MS = 250;

/**
 * The table's side of the column: the meta its sort reads, and while the table is sorted by
 * Efficiency, every image asked for (the progress returned) and the rows sorted again as results
 * arrive (a new sorting array is what makes TanStack sort again).
 */
export function useEfficiencyTable(
  nodes: readonly TableNode[],
  sorting: SortingState,
  setSorting: Dispatch<SetStateAction<SortingState>>,
): { meta: EfficiencyMeta; progress: { done: number; total: number } | null } {
  const client = useQueryClient();
  const api = useApi();
  const source = useSource();
  const host = useHostPlatform();
  const meta = useMemo<EfficiencyMeta>(
    () => ({ efficiencyOf: (image) => efficiencyState(client, source, image, host) }),
    [client, source, host],
  );
  const sorted = sorting.some((s) => s.id === 'efficiency');
  const images = useMemo(
    () =>
      nodes
        .flatMap((n) => (n.kind === 'group' ? n.children.map((c) => c.image) : n.kind === 'image' ? [n.image] : []))
        .filter((i) => !i.error),
    [nodes],
  );
  // An engine's image is analysed through an export of the whole image: only on request (its Files
  // tab), never for a sort or the rows in sight; a sort orders what is known.
  const askAll = sorted && isStore(source);
  const progress = useEfficiencyForAll(client, api, source, images, host, askAll);
  useEffect(() => {
    if (!sorted) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = client.getQueryCache().subscribe((e) => {
      if (e.type !== 'updated' || e.query.queryKey[0] !== 'analysis' || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        setSorting((s) => [...s]);
      }, RESORT_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [client, sorted, setSorting]);
  return { meta, progress: askAll ? progress : null };
}

/** While the table is not sorted by Efficiency: the rows in sight are asked about once scrolling settles. */
export function useEfficiencyInSight(
  shown: readonly TableNode[],
  scrollRef: RefObject<HTMLElement | null>,
  fallbackHeight: number,
  sorting: SortingState,
): void {
  const source = useSource();
  useVisibleEfficiency({
    client: useQueryClient(),
    api: useApi(),
    source,
    host: useHostPlatform(),
    shown,
    scrollRef,
    fallbackHeight,
    rowHeight: ROW_HEIGHT,
    enabled: isStore(source) && !sorting.some((s) => s.id === 'efficiency'),
  });
}

/** "Analysing 4 of 12 images…" while a sort by Efficiency waits for analyses. */
export function EfficiencyProgress({ progress }: { progress: { done: number; total: number } | null }) {
  if (!progress || progress.done >= progress.total) return null;
  return (
    <p className="efficiency-progress muted" role="status" data-testid="efficiency-progress">
      Efficiency: analysing {progress.done + 1} of {progress.total} images (images not analysed yet sort last)…
    </p>
  );
}
