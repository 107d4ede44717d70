/**
 * An image's wasted bytes inside its disk-usage cell, as a pure function: a band across the bottom
 * of the cell whose share of the cell's area is the image's wasted share (1 − dive's score: wasted
 * bytes over the bytes its layers hold), with a label where it fits. The treemap's layout is not
 * touched: the band is drawn over the cell's own layers.
 */
import { formatBytes } from '../../../src-shared/format.ts';

export interface WastedBand {
  x: number;
  y: number;
  width: number;
  height: number;
  /** "12 MB wasted": drawn in the band when it fits, always in its title. */
  label: string;
  /** Whether the label fits inside the band. */
  labelled: boolean;
}

/** Text width used to decide whether a label fits (the map's 11 px font). */
const CHAR_WIDTH = 6.6;
const LABEL_HEIGHT = 13;

/** The band of a cell (x0, y0, x1, y1) for an image with this score and wasted bytes; null when nothing is wasted or nothing shows. */
export function wastedBand(
  cell: { x0: number; y0: number; x1: number; y1: number },
  score: number,
  wastedBytes: number,
): WastedBand | null {
  const fraction = Math.min(1, Math.max(0, 1 - score));
  const width = cell.x1 - cell.x0;
  const height = (cell.y1 - cell.y0) * fraction;
  if (wastedBytes <= 0 || fraction === 0 || width < 1 || height < 0.5) return null;
  const label = `${formatBytes(wastedBytes)} wasted`;
  return {
    x: cell.x0,
    y: cell.y1 - height,
    width,
    height,
    label,
    labelled: height >= LABEL_HEIGHT && width >= label.length * CHAR_WIDTH + 8,
  };
}

/** The band's hover text. */
export const wastedTitle = (name: string, score: number, wastedBytes: number): string =>
  `${name}: ${formatBytes(wastedBytes)} wasted (${(Math.round((1 - score) * 1000) / 10).toFixed(1)} % of what its layers hold: files a later layer overwrote or removed). The band's share of the cell is that share.`;
