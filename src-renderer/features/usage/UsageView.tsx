/**
 * Disk usage, after `docker system df -v`: the store's totals, a treemap of what each repository
 * and image costs with shared layers drawn once, and a cleanup selection whose exact saving updates
 * as it changes. A click on a repository or an image toggles it into the cleanup selection, which
 * is this view's own (what is selected in the images table is not something to remove here);
 * "Remove selected…" opens the remove dialog for it.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type SyntheticEvent } from 'react';
import { formatBytes } from '../../../src-shared/format.ts';
import type { DiskUsage, ImageUsage } from '../../../src-shared/ipc/contract.ts';
import { isStore } from '../../data/keys.ts';
import { useDiskUsage, useHostInfo, useImages, useSource } from '../../data/queries.ts';
import { AllSources } from './AllSources.tsx';
import { useDeckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { Bytes, groupDigits } from '../../ui/format.tsx';
import { useElementSize } from '../tree/useElementSize.ts';
import { layoutUsage, LABEL_BAND, repositoryOf, SHARED_GROUP, type UsageCell } from './layout.ts';
import { blobUsers, selectionFigures } from './selection.ts';
import { bandFits, WastedBand, WastedContext, WastedPattern } from './WastedBand.tsx';
import { toggleNames } from '../../ui/selection.ts';
import { fitMiddle, textMeasure } from '../../ui/truncate.ts';
import './usage.css';

const CHAR_WIDTH = 6.6;
/** The image list draws the rows in sight and this many either side; a row's height is measured once drawn. */
const LIST_OVERSCAN = 20;
const LIST_ROW = 21;
/** The list's fixed columns (checkbox, unique, shared) and a cell's padding; the name gets the rest. */
const LIST_FIXED = 26 + 2 * 68;
const CELL_PADDING = 12;
const BADGE_WIDTH = 72;
/** An image cell taking at least this share of the map asks for its image's analysis (at most 50 do). */
const ASK_SHARE = 0.02;
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const exact = (n: number) => `${formatBytes(n)} (${groupDigits(n)} bytes)`;

function Totals({ usage, engine }: { usage: DiskUsage; engine: boolean }) {
  const items: Array<[string, number, string | null, string]> = engine
    ? [
        ['Total', usage.totalBytes, "the engine's own count, unpacked", 'usage-total'],
        ['Shared', usage.sharedBytes, 'by more than one image', 'usage-shared'],
        ['Reclaimable by prune', usage.reclaimableBytes, 'images no container uses', 'usage-reclaimable'],
      ]
    : [
        ['Total', usage.totalBytes, null, 'usage-total'],
        ['Blobs', usage.blobBytes, plural(usage.blobCount, 'blob'), 'usage-blobs'],
        ['Shared', usage.sharedBytes, 'by more than one image', 'usage-shared'],
        ['Unreferenced', usage.unreferencedBytes, plural(usage.unreferencedBlobs, 'blob'), 'usage-unreferenced'],
        ['Interrupted downloads', usage.ingestBytes, plural(usage.ingestCount, 'ingest'), 'usage-ingests'],
        ['Reclaimable by prune', usage.reclaimableBytes, 'dangling images, unreferenced blobs', 'usage-reclaimable'],
      ];
  return (
    <dl className="usage-totals">
      {items.map(([label, bytes, note, testId]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>
            <Bytes value={bytes} testId={testId} />
            {note ? <span className="muted"> · {note}</span> : null}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** A layer's build step as the first line of its title, where df knows it. */
const stepLine = (c: UsageCell) => (c.step ? `${c.step}\n` : '');

function cellTitle(c: UsageCell): string {
  switch (c.kind) {
    case 'repository':
      return `${c.label}: ${exact(c.bytes)} of its own in ${plural(c.names.length, 'image')}. Click to select them all.`;
    case 'image':
      return `${c.names[0]}: ${exact(c.bytes)} no other image needs. Click to select it.`;
    case 'blob':
      return `${stepLine(c)}${c.digest}: ${exact(c.bytes)}, only in ${c.names[0]}`;
    case 'shared-group':
      return `${SHARED_GROUP}: ${exact(c.bytes)} that more than one image needs, each counted once`;
    case 'shared-blob':
      return `${stepLine(c)}${c.digest}: ${exact(c.bytes)}, shared by ${plural(c.users?.length ?? 0, 'image')}: ${(c.users ?? []).slice(0, 10).join(', ')}${(c.users?.length ?? 0) > 10 ? ', …' : ''}`;
    default:
      return exact(c.bytes);
  }
}

function fits(c: UsageCell, banded: boolean): boolean {
  const w = c.x1 - c.x0;
  const h = c.y1 - c.y0;
  return w > Math.min(c.label.length, 6) * CHAR_WIDTH + 8 && h > (banded ? LABEL_BAND * 2.5 : 14);
}

function clip(label: string, width: number): string {
  const max = Math.floor((width - 8) / CHAR_WIDTH);
  return label.length <= max ? label : `${label.slice(0, Math.max(1, max - 1))}…`;
}

interface CellProps {
  cell: UsageCell;
  kids: Map<string, UsageCell[]>;
  stateOf: (c: UsageCell) => 'selected' | 'partial' | null;
  onToggle: (names: string[]) => void;
}

/** A cell with its children inside it, so a click on a blob is a click on its image (and an image's, not its repository's). */
function Cell({ cell, kids, stateOf, onToggle }: CellProps) {
  const w = cell.x1 - cell.x0;
  const h = cell.y1 - cell.y0;
  const interactive = cell.kind === 'repository' || cell.kind === 'image';
  const group = cell.kind === 'repository' || cell.kind === 'image' || cell.kind === 'shared-group';
  const showLabel = fits(cell, group);
  const state = stateOf(cell);
  const className = `usage-cell ${cell.kind}${state ? ` ${state}` : ''}`;
  const content = (
    <>
      <title>{cellTitle(cell)}</title>
      <rect x={cell.x0} y={cell.y0} width={w} height={h} />
      {showLabel ? (
        <text x={cell.x0 + 4} y={cell.y0 + 12}>
          {clip(cell.label, w)}
        </text>
      ) : null}
      {(kids.get(cell.id) ?? []).map((c) => (
        <Cell key={c.id} cell={c} kids={kids} stateOf={stateOf} onToggle={onToggle} />
      ))}
      {cell.kind === 'image' && bandFits(cell) ? <WastedBand cell={cell} /> : null}
    </>
  );
  if (interactive) {
    const act = (e: SyntheticEvent) => {
      // The innermost cell decides: an image, not the repository around it.
      e.stopPropagation();
      onToggle(cell.names);
    };
    return (
      <g
        className={className}
        data-testid="usage-cell"
        data-name={cell.kind === 'image' ? cell.names[0] : cell.label}
        data-kind={cell.kind}
        data-bytes={cell.bytes}
        role="button"
        tabIndex={0}
        aria-pressed={state === 'selected'}
        aria-label={`${cell.kind === 'repository' ? `Repository ${cell.label}` : `Image ${cell.names[0]}`}, ${formatBytes(cell.bytes)} of its own`}
        onClick={act}
        onKeyDown={(e: KeyboardEvent) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            act(e);
          }
        }}
      >
        {content}
      </g>
    );
  }
  const testId = cell.kind === 'blob' ? 'usage-blob' : cell.kind === 'shared-blob' ? 'usage-shared-blob' : 'usage-shared-group';
  return (
    <g className={className} data-testid={testId} data-digest={cell.digest} data-bytes={cell.bytes}>
      {content}
    </g>
  );
}

function UsageMap({ usage, selection, onToggle }: { usage: DiskUsage; selection: Set<string>; onToggle: (names: string[]) => void }) {
  const boxRef = useRef<HTMLDivElement>(null);
  const size = useElementSize(boxRef, { width: 900, height: 480 });
  const width = Math.max(240, size.width);
  const height = Math.max(240, size.height);
  const layout = useMemo(() => layoutUsage(usage, { width, height }), [usage, width, height]);
  // Wasted bytes (the Efficiency column's analyses) drawn in the image cells; the largest ask for them.
  const rows = useImages().data;
  const host = useHostInfo()?.platform ?? null;
  const wasted = useMemo(
    () => ({ rows: new Map((rows ?? []).map((r) => [r.name, r])), host, askArea: width * height * ASK_SHARE }),
    [rows, host, width, height],
  );
  const stateOf = (c: UsageCell): 'selected' | 'partial' | null => {
    if (c.kind !== 'repository' && c.kind !== 'image' && c.kind !== 'blob') return null;
    const n = c.names.filter((name) => selection.has(name)).length;
    return n === 0 ? null : n === c.names.length ? 'selected' : 'partial';
  };
  // Children inside their parents; cells with no area are left out.
  const kids = useMemo(() => {
    const m = new Map<string, UsageCell[]>();
    for (const c of layout.cells) {
      if (c.parentId === null || c.x1 - c.x0 < 0.5 || c.y1 - c.y0 < 0.5) continue;
      m.set(c.parentId, [...(m.get(c.parentId) ?? []), c]);
    }
    return m;
  }, [layout]);
  return (
    <div className="usage-map-box" ref={boxRef}>
      {layout.totalBytes === 0 ? (
        <p className="muted usage-empty">The stored images reach no blobs with a size.</p>
      ) : (
        <svg
          className="usage-svg"
          width={width}
          height={height}
          role="group"
          aria-label={`Disk usage map: ${formatBytes(layout.totalBytes)} in ${plural(usage.images.length, 'image')}`}
        >
          <WastedPattern />
          <WastedContext.Provider value={wasted}>
            {(kids.get('root') ?? []).map((c) => (
              <Cell key={c.id} cell={c} kids={kids} stateOf={stateOf} onToggle={onToggle} />
            ))}
          </WastedContext.Provider>
        </svg>
      )}
    </div>
  );
}

function ImageList({ usage, selection, onToggle }: { usage: DiskUsage; selection: Set<string>; onToggle: (names: string[]) => void }) {
  const images = useMemo(
    () => [...usage.images].sort((a, b) => repositoryOf(a).localeCompare(repositoryOf(b)) || a.name.localeCompare(b.name)),
    [usage],
  );
  // Only the rows in sight are in the page (10,000 images would be 100,000 elements); spacers keep the scroll height.
  const boxRef = useRef<HTMLDivElement>(null);
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const { width, height } = useElementSize(boxRef, { width: 300, height: 600 });
  // Names are cut in the middle to the name column's width, measured in the list's font: the tag
  // and the repository's end stay. The other columns have fixed widths (table-layout: fixed).
  const [font, setFont] = useState('');
  useLayoutEffect(() => {
    const table = boxRef.current?.querySelector('table');
    if (table) setFont(getComputedStyle(table).font);
  }, []);
  const measure = useMemo(() => textMeasure(font, CHAR_WIDTH), [font]);
  const nameOf = (i: ImageUsage) => {
    const room = width - LIST_FIXED - CELL_PADDING - (i.dangling ? BADGE_WIDTH : 0);
    return fitMiddle(i.name, Math.max(40, room), measure);
  };
  const [scrollTop, setScrollTop] = useState(0);
  const [rowHeight, setRowHeight] = useState(LIST_ROW);
  useLayoutEffect(() => {
    const h = bodyRef.current?.querySelector('tr[data-row]')?.getBoundingClientRect().height ?? 0;
    if (h > 0 && Math.abs(h - rowHeight) > 0.01) setRowHeight(h);
  }, [images, rowHeight]);
  const from = Math.max(0, Math.floor(scrollTop / rowHeight) - LIST_OVERSCAN);
  const to = Math.min(images.length, Math.ceil((scrollTop + height) / rowHeight) + LIST_OVERSCAN);
  return (
    <div className="usage-list" ref={boxRef} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      <table>
        <caption className="muted">Images, as docker system df -v lists them</caption>
        <thead>
          <tr>
            <th scope="col" className="usage-list-check">
              <span className="visually-hidden">Selected</span>
            </th>
            <th scope="col">Image</th>
            <th scope="col" className="num usage-list-bytes">
              Unique
            </th>
            <th scope="col" className="num usage-list-bytes">
              Shared
            </th>
          </tr>
        </thead>
        <tbody ref={bodyRef}>
          {from > 0 ? <tr aria-hidden="true" style={{ height: from * rowHeight }} /> : null}
          {images.slice(from, to).map((i) => (
            <tr key={i.name} data-row="" className={selection.has(i.name) ? 'selected' : undefined}>
              <td>
                <input
                  type="checkbox"
                  checked={selection.has(i.name)}
                  onChange={() => onToggle([i.name])}
                  aria-label={`Select ${i.name}`}
                />
              </td>
              <td className="usage-list-name">
                <div className="usage-list-cell">
                  <span className="usage-list-text" data-truncates="" title={i.name}>
                    {nameOf(i)}
                  </span>
                  {i.dangling ? <span className="badge">dangling</span> : null}
                </div>
              </td>
              <td className="num">
                <Bytes value={i.uniqueBytes} />
              </td>
              <td className="num">
                <Bytes value={i.sharedBytes} />
              </td>
            </tr>
          ))}
          {to < images.length ? <tr aria-hidden="true" style={{ height: (images.length - to) * rowHeight }} /> : null}
        </tbody>
      </table>
    </div>
  );
}

function SelectionPanel({ usage, selectionList }: { usage: DiskUsage; selectionList: string[] }) {
  const select = useDeckhand((s) => s.setCleanup);
  const openDialog = useDeckhand((s) => s.openDialog);
  const users = useMemo(() => blobUsers(usage), [usage]);
  const figures = useMemo(() => selectionFigures(usage, selectionList, users), [usage, selectionList, users]);
  const dangling = useMemo(() => usage.images.filter((i) => i.dangling).map((i) => i.name), [usage]);
  const n = figures.names.length;
  return (
    <section className="usage-selection" aria-label="Cleanup selection" aria-live="polite">
      <p className="usage-selection-figure">
        <strong>{plural(n, 'image')} selected</strong> · frees <Bytes value={figures.reclaimableBytes} testId="selection-reclaimable" />
      </p>
      {n > 0 ? (
        <p className="muted usage-selection-detail">
          {figures.freedSharedBlobs.length > 0
            ? `Includes ${plural(figures.freedSharedBlobs.length, 'shared blob')} (${formatBytes(figures.freedSharedBytes)}) only selected images use. `
            : ''}
          {figures.keptBlobs.length > 0 ? `${formatBytes(figures.keptBytes)} stays: images not selected need it.` : ''}
        </p>
      ) : (
        <p className="muted usage-selection-detail">Click repositories or images on the map to choose what to remove.</p>
      )}
      <div className="usage-selection-actions">
        <button type="button" className="danger" disabled={n === 0} onClick={() => openDialog({ kind: 'remove', refs: figures.names })}>
          Remove selected…
        </button>
        <button type="button" disabled={dangling.length === 0} onClick={() => select([...new Set([...selectionList, ...dangling])])}>
          Select dangling ({dangling.length})
        </button>
        <button type="button" disabled={selectionList.length === 0} onClick={() => select([])}>
          Clear selection
        </button>
      </div>
    </section>
  );
}

/** Which source the view measures: the one chosen in the sidebar, or All sources. */
function Scope() {
  const source = useSource();
  const all = useDeckhand((s) => s.usageAll);
  const setAll = useDeckhand((s) => s.setUsageAll);
  return (
    <div className="usage-scope" role="group" aria-label="Sources measured">
      <button type="button" aria-pressed={!all} onClick={() => setAll(false)} data-testid="usage-scope-source">
        {isStore(source) ? 'This store' : source}
      </button>
      <button type="button" aria-pressed={all} onClick={() => setAll(true)} data-testid="usage-scope-all">
        All sources
      </button>
    </div>
  );
}

export function UsageView() {
  const all = useDeckhand((s) => s.usageAll);
  return (
    <section className="usage-view" data-testid="usage-map" aria-label="Disk usage">
      <Scope />
      {all ? <AllSources /> : <SourceUsage />}
    </section>
  );
}

function SourceUsage() {
  const usage = useDiskUsage();
  const source = useSource();
  const engine = !isStore(source);
  const usageError = usage.error ? messageOf(usage.error) : null;
  const selectionList = useDeckhand((s) => s.cleanup);
  const select = useDeckhand((s) => s.setCleanup);
  const selection = useMemo(() => new Set(selectionList), [selectionList]);

  const onToggle = (names: string[]) => select(toggleNames(useDeckhand.getState().cleanup, names));
  const data = usage.data ?? null;
  // Images removed (here or elsewhere) leave the cleanup selection.
  useEffect(() => {
    if (!data) return;
    const cleanup = useDeckhand.getState().cleanup;
    if (cleanup.length === 0) return;
    const stored = new Set(data.images.map((i) => i.name));
    if (cleanup.some((n) => !stored.has(n))) select(cleanup.filter((n) => stored.has(n)));
  }, [data, select]);

  return (
    <>
      {usageError ? (
        <div className="usage-error" role="alert">
          Could not read the disk usage: {usageError}{' '}
          <button type="button" onClick={() => void usage.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {!data ? (
        usageError ? null : (
          <p className="muted usage-empty" role="status">
            Measuring {engine ? source : 'the store'}…
          </p>
        )
      ) : (
        <>
          <div className="usage-head">
            <Totals usage={data} engine={engine} />
            <button type="button" onClick={() => void usage.refetch()} aria-label="Reload disk usage">
              Reload
            </button>
          </div>
          {data.images.length === 0 ? (
            <div className="usage-empty" data-testid="usage-empty">
              <p>
                <strong>No images in {engine ? source : 'the store'}.</strong>
              </p>
              <p className="muted">
                Pull or load an image to see what it costs here. Prune still clears unreferenced blobs and interrupted downloads.
              </p>
            </div>
          ) : (
            <div className="usage-body">
              <UsageMap usage={data} selection={selection} onToggle={onToggle} />
              <aside className="usage-side" aria-label="Cleanup">
                <SelectionPanel usage={data} selectionList={selectionList} />
                <ul className="usage-legend" aria-label="Legend">
                  <li>
                    <span className="swatch unique" aria-hidden="true" /> Only this image
                  </li>
                  <li>
                    <span className="swatch shared" aria-hidden="true" /> {SHARED_GROUP}, each once
                  </li>
                  <li title="Files a later layer overwrote or removed, still shipped in the lower layer: the band's share of an image's cell is the share wasted">
                    <span className="swatch wasted" aria-hidden="true" /> Wasted (once analysed)
                  </li>
                </ul>
                <ImageList usage={data} selection={selection} onToggle={onToggle} />
              </aside>
            </div>
          )}
        </>
      )}
    </>
  );
}
