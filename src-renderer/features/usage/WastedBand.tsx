/**
 * Draws an image's wasted bytes inside its disk-usage cell (wasted.ts's band), once its efficiency
 * is known. The largest cells ask for it (a few at a time through the host's queue); the others
 * show it once the Images table (its Efficiency column) has had the image analysed.
 */
import { createContext, useContext, useEffect, useState } from 'react';
import type { ImageRow } from '../../../src-shared/ipc/contract.ts';
import { analysedPlatform, useImageEfficiency } from '../../data/analyses.ts';
import { isStore } from '../../data/keys.ts';
import { useSource } from '../../data/queries.ts';
import type { UsageCell } from './layout.ts';
import { wastedBand, wastedTitle } from './wasted.ts';

export interface WastedContextValue {
  /** The source's image rows by name (what an analysis is keyed by). */
  rows: Map<string, ImageRow>;
  host: string | null;
  /** A cell at least this large (px²) asks for its image's analysis; smaller ones only show a known one. */
  askArea: number;
}

export const WastedContext = createContext<WastedContextValue | null>(null);

/** The defs the bands fill with: diagonal hatching, so the band reads without colour. */
export function WastedPattern() {
  return (
    <defs>
      <pattern id="wasted-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
        <rect width="6" height="6" className="wasted-hatch-bg" />
        <line x1="0" y1="0" x2="0" y2="6" className="wasted-hatch-line" />
      </pattern>
    </defs>
  );
}

function useStayed(ms: number): boolean {
  const [stayed, setStayed] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => setStayed(true), ms);
    return () => clearTimeout(t);
  }, [ms]);
  return stayed;
}

function Band({ cell, row, ctx }: { cell: UsageCell; row: ImageRow; ctx: WastedContextValue }) {
  const source = useSource();
  const area = (cell.x1 - cell.x0) * (cell.y1 - cell.y0);
  const stayed = useStayed(300);
  const query = useImageEfficiency(source, row, analysedPlatform(row, ctx.host), stayed && area >= ctx.askArea && isStore(source));
  if (!query.data) return null;
  const band = wastedBand(cell, query.data.score, query.data.wastedBytes);
  if (!band) return null;
  return (
    <g className="usage-wasted" data-testid="usage-wasted" data-name={row.name} data-wasted={query.data.wastedBytes}>
      <title>{wastedTitle(row.name, query.data.score, query.data.wastedBytes)}</title>
      <rect x={band.x} y={band.y} width={band.width} height={band.height} fill="url(#wasted-hatch)" />
      {band.labelled ? (
        <text x={band.x + 4} y={band.y + band.height - 3}>
          {band.label}
        </text>
      ) : null}
    </g>
  );
}

/** Cells smaller than this (px², or 8 px a side) get no band: on a crowded map that is most of them, and they watch nothing. */
const MIN_AREA = 400;

/** Whether a cell is large enough for a band (the map renders WastedBand only for those). */
export function bandFits(cell: UsageCell): boolean {
  const w = cell.x1 - cell.x0;
  const h = cell.y1 - cell.y0;
  return w >= 8 && h >= 8 && w * h >= MIN_AREA;
}

/** An image cell's band, when its image is listed and its efficiency known. */
export function WastedBand({ cell }: { cell: UsageCell }) {
  const ctx = useContext(WastedContext);
  const row = ctx?.rows.get(cell.names[0] ?? '');
  if (!ctx || !row || row.error) return null;
  return <Band cell={cell} row={row} ctx={ctx} />;
}
