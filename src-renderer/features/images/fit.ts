/**
 * How the image table fits the room it has, as pure functions. Columns give way in a fixed order
 * (the least useful first, as Finder and Activity Monitor drop columns): Shared, then Unique,
 * then Efficiency, then Platforms, then Created, then Digest. Repository, Tag and Stored always stay; the names
 * shrink instead, in the middle. Figures (sizes, times) keep their width and are never cut.
 */
import type { ColumnId } from './rows.ts';

/** Every column in table order with its grid track; `min` is the width it needs, in pixels. */
export const COLUMN_TRACKS: ReadonlyArray<{ id: ColumnId; track: string; min: number }> = [
  { id: 'repository', track: 'minmax(250px, 2.2fr)', min: 250 },
  { id: 'tag', track: 'minmax(110px, 1.3fr)', min: 110 },
  { id: 'digest', track: '136px', min: 136 },
  { id: 'platforms', track: 'minmax(130px, 1.2fr)', min: 130 },
  { id: 'size', track: '84px', min: 84 },
  { id: 'unique', track: '84px', min: 84 },
  { id: 'shared', track: '84px', min: 84 },
  { id: 'efficiency', track: '124px', min: 124 },
  { id: 'created', track: '112px', min: 112 },
  { id: 'registry', track: 'minmax(144px, 1fr)', min: 144 },
];

/** The order columns hide in as the table narrows: first listed, first gone. */
export const HIDE_ORDER: readonly ColumnId[] = ['shared', 'unique', 'efficiency', 'registry', 'platforms', 'created', 'digest'];

/** An engine's images also show the containers using them (after Shared), the last column to hide. */
export const ENGINE_TRACKS: ReadonlyArray<{ id: ColumnId; track: string; min: number }> = [
  ...COLUMN_TRACKS.slice(0, 7),
  { id: 'containers', track: 'minmax(96px, 0.8fr)', min: 96 },
  ...COLUMN_TRACKS.slice(7).filter((c) => c.id !== 'registry'),
];
/** Every track, for the grid template: the store's Registry column is not an engine's. */
const ALL_TRACKS = [...ENGINE_TRACKS, ...COLUMN_TRACKS.filter((c) => !ENGINE_TRACKS.some((e) => e.id === c.id))];
export const ENGINE_HIDE_ORDER: readonly ColumnId[] = ['shared', 'unique', 'efficiency', 'platforms', 'created', 'digest', 'containers'];

/**
 * The columns shown in `width` pixels, in table order: hiding in HIDE_ORDER until the rest fit.
 * `engine`: an engine's table; `platforms: false` leaves out a Platforms column no row fills (an
 * engine's list does not say).
 */
export function visibleColumns(width: number, engine = false, platforms = true): ColumnId[] {
  const tracks = (engine ? ENGINE_TRACKS : COLUMN_TRACKS).filter((c) => platforms || c.id !== 'platforms');
  const shown = new Set(tracks.map((c) => c.id));
  const need = () => tracks.reduce((n, c) => n + (shown.has(c.id) ? c.min : 0), 0);
  for (const id of engine ? ENGINE_HIDE_ORDER : HIDE_ORDER) {
    if (need() <= width) break;
    shown.delete(id);
  }
  return tracks.filter((c) => shown.has(c.id)).map((c) => c.id);
}

/** The narrowest the repository column gets when even the columns that never hide do not fit. */
export const REPOSITORY_FLOOR = 120;

/**
 * The grid template of the shown columns in `width` pixels. When even the columns that stay do
 * not fit, the repository column gives up its minimum (down to REPOSITORY_FLOOR) before anything
 * goes off screen; below that the table scrolls sideways.
 */
export function gridTemplate(shown: readonly ColumnId[], width = Infinity): string {
  const tracks = ALL_TRACKS.filter((c) => shown.includes(c.id));
  const others = tracks.reduce((n, c) => n + (c.id === 'repository' ? 0 : c.min), 0);
  return tracks
    .map((c) => {
      if (c.id !== 'repository' || others + c.min <= width) return c.track;
      return `minmax(${Math.max(REPOSITORY_FLOOR, Math.floor(width - others))}px, 2.2fr)`;
    })
    .join(' ');
}

/**
 * A repository name split for truncation in the middle: the registry (`127.0.0.1:5000/`) and the
 * last path component (`hello`) stay, the path between gives way first, so a narrow column reads
 * `127.0.0.1:5000/…/hello` rather than `127.0.0.1:5000/d…`.
 */
export function splitName(name: string): { head: string; middle: string; tail: string } {
  const last = name.lastIndexOf('/');
  if (last < 0) return { head: '', middle: '', tail: name };
  const first = name.indexOf('/');
  const host = name.slice(0, first);
  const isRegistry = host.includes('.') || host.includes(':') || host === 'localhost';
  const head = isRegistry ? name.slice(0, first + 1) : '';
  return { head, middle: name.slice(head.length, last + 1), tail: name.slice(last + 1) };
}
