/**
 * The image table: TanStack Table (sorting, repository groups and index platforms as expandable
 * sub-rows) over the pure rows of rows.ts, virtualized with TanStack Virtual in the body, the lowest
 * component, so only the visible rows (and those rendered ahead of the scroll in idle time,
 * render-ahead.ts) are in the DOM however many images the store holds.
 *
 * Selection (image names) lives in the ui slice; the cursor and the range anchor are local. The
 * table is one tab stop (a treegrid with aria-activedescendant); the keys are those of a file list.
 */
import { FlexRender, functionalUpdate, useTable, type ExpandedState, type SortingState } from '@tanstack/react-table';
import { useVirtualizer, observeElementRect, type Rect, type Virtualizer } from '@tanstack/react-virtual';
import {
  memo,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type DragEvent,
  type KeyboardEvent,
  type MouseEvent,
  type RefObject,
} from 'react';
import { useDeckhand } from '../../store/index.ts';
import { IMAGE_DRAG_TYPE } from '../../ui/dnd.ts';
import { COLUMN_WIDTHS, columns, features, headerTitle, type ImageTableRow } from './columns.tsx';
import { RowMenu, type MenuTarget } from './RowMenu.tsx';
import { namesInRange, namesOf, referenceOf, type ColumnId, type TableNode } from './rows.ts';
import { toggleNames } from '../../ui/selection.ts';
import { useRenderAhead } from './render-ahead.ts';

export const ROW_HEIGHT = 30;
/** The viewport assumed while the scroll element has no layout (a hidden pane, jsdom). */
const NO_LAYOUT_RECT: Rect = { width: 1200, height: 720 };

const GRID_COLUMNS = (Object.keys(COLUMN_WIDTHS) as ColumnId[]).map((id) => COLUMN_WIDTHS[id]).join(' ');
const DEFAULT_SORT: SortingState = [{ id: 'repository', desc: false }];

interface Props {
  nodes: TableNode[];
  /** Viewport used when the scroll element reports no size; tests pass one, browsers measure. */
  fallbackRect?: Rect;
}

export function ImagesTable({ nodes, fallbackRect = NO_LAYOUT_RECT }: Props) {
  const [sorting, setSorting] = useState<SortingState>(DEFAULT_SORT);
  // Groups start open, indexes closed; only the exceptions are kept, so new groups open by default.
  const [collapsedGroups, setCollapsedGroups] = useState<ReadonlySet<string>>(() => new Set());
  const [openImages, setOpenImages] = useState<ReadonlySet<string>>(() => new Set());
  const expanded = useMemo(() => {
    const e: Record<string, boolean> = {};
    for (const n of nodes) {
      if (n.kind === 'group') {
        if (!collapsedGroups.has(n.id)) e[n.id] = true;
        for (const c of n.children) if (openImages.has(c.id)) e[c.id] = true;
      } else if (n.kind === 'image' && openImages.has(n.id)) e[n.id] = true;
    }
    return e;
  }, [nodes, collapsedGroups, openImages]);
  const onExpandedChange = useCallback(
    (updater: ExpandedState | ((old: ExpandedState) => ExpandedState)) => {
      const next = functionalUpdate(updater, expanded);
      const isOpen = (id: string) => next === true || next[id] === true;
      const collapsed = new Set<string>();
      const open = new Set<string>();
      for (const n of nodes) {
        const images = n.kind === 'group' ? n.children : n.kind === 'image' ? [n] : [];
        if (n.kind === 'group' && !isOpen(n.id)) collapsed.add(n.id);
        for (const c of images) if (c.children.length > 0 && isOpen(c.id)) open.add(c.id);
      }
      setCollapsedGroups(collapsed);
      setOpenImages(open);
    },
    [expanded, nodes],
  );

  const table = useTable({
    features,
    columns,
    data: nodes,
    getRowId: (n) => n.id,
    getSubRows: (n) => (n.children.length > 0 ? n.children : undefined),
    state: { sorting, expanded },
    onSortingChange: setSorting,
    onExpandedChange,
    enableSortingRemoval: false,
    autoResetExpanded: false,
  });
  const rows = table.getRowModel().rows;

  const selection = useDeckhand((s) => s.selection);
  const select = useDeckhand((s) => s.select);
  const showDetails = useDeckhand((s) => s.showDetails);
  const openDialog = useDeckhand((s) => s.openDialog);
  const selected = useMemo(() => new Set(selection), [selection]);

  const [active, setActive] = useState(-1);
  const anchor = useRef(-1);
  const [scrollTo, setScrollTo] = useState<{ index: number } | null>(null);
  const [menu, setMenu] = useState<MenuTarget | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const tableRef = useRef<HTMLTableElement>(null);
  const baseId = useId();
  const rowId = (index: number) => `${baseId}-row-${index}`;
  const activeIndex = active >= 0 && active < rows.length ? active : -1;

  const moveTo = (index: number, extend: boolean) => {
    if (rows.length === 0) return;
    const i = Math.max(0, Math.min(rows.length - 1, index));
    setActive(i);
    setScrollTo({ index: i });
    if (extend && anchor.current >= 0)
      select(
        namesInRange(
          rows.map((r) => r.original),
          anchor.current,
          i,
        ),
      );
    else {
      anchor.current = i;
      select(namesOf(rows[i]!.original));
    }
  };

  const openDetailsOf = (row: ImageTableRow) => {
    const n = row.original;
    if (n.kind === 'group') row.toggleExpanded();
    else showDetails(n.kind === 'image' ? n.image.name : n.parent.name);
  };

  const openMenuAt = (index: number, x: number, y: number) => {
    const row = rows[index];
    if (!row) return;
    const names = namesOf(row.original);
    const target = names.every((n) => selected.has(n)) && selection.length > 0 ? selection : names;
    if (target !== selection) select(names);
    setMenu({ node: row.original, names: target, x, y });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTableElement>) => {
    if (e.target !== e.currentTarget) return;
    const row = activeIndex >= 0 ? rows[activeIndex] : undefined;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight || fallbackRect.height) / ROW_HEIGHT) - 1);
    switch (e.key) {
      case 'ArrowDown':
        moveTo(activeIndex + 1, e.shiftKey);
        break;
      case 'ArrowUp':
        moveTo(activeIndex < 0 ? rows.length - 1 : activeIndex - 1, e.shiftKey);
        break;
      case 'PageDown':
        moveTo(activeIndex + page, e.shiftKey);
        break;
      case 'PageUp':
        moveTo(activeIndex - page, e.shiftKey);
        break;
      case 'Home':
        moveTo(0, e.shiftKey);
        break;
      case 'End':
        moveTo(rows.length - 1, e.shiftKey);
        break;
      case 'ArrowRight':
        if (row?.getCanExpand() && !row.getIsExpanded()) row.toggleExpanded(true);
        else return;
        break;
      case 'ArrowLeft':
        if (row?.getCanExpand() && row.getIsExpanded()) row.toggleExpanded(false);
        else if (row && row.depth > 0) {
          const parent = row.getParentRow();
          const i = parent ? rows.indexOf(parent) : -1;
          if (i >= 0) moveTo(i, false);
        } else return;
        break;
      case 'Enter':
        if (!row) return;
        openDetailsOf(row);
        break;
      case ' ':
        if (!row) return;
        anchor.current = activeIndex;
        select(toggleNames(selection, namesOf(row.original)));
        break;
      case 'Delete':
      case 'Backspace':
        if (selection.length === 0) return;
        openDialog({ kind: 'remove', refs: selection });
        break;
      case 'Escape':
        if (selection.length === 0) return;
        select([]);
        break;
      case 'a':
        if (!(e.metaKey || e.ctrlKey)) return;
        select([...new Set(rows.flatMap((r) => namesOf(r.original)))]);
        break;
      case 'ContextMenu':
      case 'F10': {
        if (e.key === 'F10' && !e.shiftKey) return;
        const index = activeIndex >= 0 ? activeIndex : 0;
        const el = document.getElementById(rowId(index));
        const box = (el ?? e.currentTarget).getBoundingClientRect();
        if (activeIndex < 0) setActive(index);
        openMenuAt(index, box.left + 24, box.top + Math.min(box.height, ROW_HEIGHT));
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  };

  const onRowClick = (index: number, e: MouseEvent) => {
    const row = rows[index];
    if (!row) return;
    const names = namesOf(row.original);
    if (e.shiftKey && anchor.current >= 0)
      select(
        namesInRange(
          rows.map((r) => r.original),
          anchor.current,
          index,
        ),
      );
    else if (e.metaKey || e.ctrlKey) {
      select(toggleNames(selection, names));
      anchor.current = index;
    } else {
      select(names);
      anchor.current = index;
    }
    setActive(index);
  };

  const onRowContextMenu = (index: number, e: MouseEvent) => {
    e.preventDefault();
    setActive(index);
    anchor.current = index;
    openMenuAt(index, e.clientX, e.clientY);
  };

  // Rows are memoized: hand them stable callbacks that call the latest handlers.
  const latest = useRef({ onRowClick, onRowContextMenu, openDetailsOf, rows });
  useLayoutEffect(() => {
    latest.current = { onRowClick, onRowContextMenu, openDetailsOf, rows };
  });
  const stableClick = useCallback((i: number, e: MouseEvent) => latest.current.onRowClick(i, e), []);
  const stableContextMenu = useCallback((i: number, e: MouseEvent) => latest.current.onRowContextMenu(i, e), []);
  const stableDoubleClick = useCallback((i: number) => {
    const row = latest.current.rows[i];
    if (row) latest.current.openDetailsOf(row);
  }, []);

  const headerGroup = table.getHeaderGroups()[0]!;
  return (
    <div className="images-table-scroll" ref={scrollRef} data-testid="images-table">
      <table
        ref={tableRef}
        className="images-table"
        role="treegrid"
        aria-label="Images"
        aria-multiselectable="true"
        aria-rowcount={rows.length + 1}
        aria-activedescendant={activeIndex >= 0 ? rowId(activeIndex) : undefined}
        tabIndex={0}
        style={{ ['--image-columns' as string]: GRID_COLUMNS }}
        onKeyDown={onKeyDown}
      >
        <thead>
          <tr aria-rowindex={1}>
            {headerGroup.headers.map((header) => {
              const sorted = header.column.getIsSorted();
              const label = String(header.column.columnDef.header);
              return (
                <th
                  key={header.id}
                  className={`col-${header.id}`}
                  aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
                  title={headerTitle(header.id)}
                >
                  <button
                    type="button"
                    className="sort"
                    tabIndex={-1}
                    onClick={header.column.getToggleSortingHandler()}
                    data-testid={`sort-${header.id}`}
                  >
                    {label}
                    <span className="sort-mark" aria-hidden="true">
                      {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                    </span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <TableBody
          rows={rows}
          scrollRef={scrollRef}
          fallbackRect={fallbackRect}
          selected={selected}
          activeIndex={activeIndex}
          scrollTo={scrollTo}
          rowId={rowId}
          onRowClick={stableClick}
          onRowDoubleClick={stableDoubleClick}
          onRowContextMenu={stableContextMenu}
        />
      </table>
      {menu ? (
        <RowMenu
          target={menu}
          onClose={() => {
            setMenu(null);
            tableRef.current?.focus();
          }}
        />
      ) : null}
    </div>
  );
}

interface BodyProps {
  rows: ImageTableRow[];
  scrollRef: RefObject<HTMLDivElement | null>;
  fallbackRect: Rect;
  selected: ReadonlySet<string>;
  activeIndex: number;
  scrollTo: { index: number } | null;
  rowId: (index: number) => string;
  onRowClick: (index: number, e: MouseEvent) => void;
  onRowDoubleClick: (index: number) => void;
  onRowContextMenu: (index: number, e: MouseEvent) => void;
}

const estimateSize = () => ROW_HEIGHT;

/** The virtualized body: TanStack Virtual positions the visible rows inside a full-height tbody. */
function TableBody({
  rows,
  scrollRef,
  fallbackRect,
  selected,
  activeIndex,
  scrollTo,
  rowId,
  onRowClick,
  onRowDoubleClick,
  onRowContextMenu,
}: BodyProps) {
  // Stable options: a new getItemKey makes the virtualizer recompute every row's offset.
  const getItemKey = useCallback((i: number) => rows[i]!.id, [rows]);
  const observeRect = useCallback(
    (instance: Virtualizer<HTMLDivElement, Element>, cb: (rect: Rect) => void) =>
      observeElementRect(instance, (rect) => cb(rect.height > 0 ? rect : fallbackRect)),
    [fallbackRect],
  );
  const getScrollElement = useCallback(() => scrollRef.current, [scrollRef]);
  const instance = useRef<Virtualizer<HTMLDivElement, Element> | null>(null);
  const ahead = useRenderAhead(useCallback(() => instance.current, []));
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement,
    estimateSize,
    getItemKey,
    overscan: 12,
    // Rows beyond the overscan are rendered ahead of the scroll in idle time (render-ahead.ts).
    rangeExtractor: ahead.rangeExtractor,
    onChange: ahead.onChange,
    // Render with the frame, not synchronously inside each scroll event.
    useFlushSync: false,
    initialRect: fallbackRect,
    observeElementRect: observeRect,
  });
  instance.current = virtualizer;
  useEffect(() => {
    if (scrollTo) virtualizer.scrollToIndex(scrollTo.index, { align: 'auto' });
  }, [scrollTo, virtualizer]);

  return (
    <tbody style={{ height: `${virtualizer.getTotalSize()}px` }}>
      {virtualizer.getVirtualItems().map((item) => {
        const row = rows[item.index]!;
        const names = namesOf(row.original);
        const isSelected = names.length > 0 && names.every((n) => selected.has(n));
        return (
          <BodyRow
            key={row.id}
            row={row}
            index={item.index}
            start={item.start}
            id={rowId(item.index)}
            selected={isSelected}
            active={item.index === activeIndex}
            expanded={row.getCanExpand() ? row.getIsExpanded() : undefined}
            onClick={onRowClick}
            onDoubleClick={onRowDoubleClick}
            onContextMenu={onRowContextMenu}
          />
        );
      })}
    </tbody>
  );
}

interface RowProps {
  row: ImageTableRow;
  index: number;
  start: number;
  id: string;
  selected: boolean;
  active: boolean;
  expanded: boolean | undefined;
  onClick: (index: number, e: MouseEvent) => void;
  onDoubleClick: (index: number) => void;
  onContextMenu: (index: number, e: MouseEvent) => void;
}

function onDragStart(e: DragEvent<HTMLTableRowElement>, node: TableNode) {
  if (node.kind !== 'image') return;
  e.dataTransfer.setData(IMAGE_DRAG_TYPE, node.image.name);
  e.dataTransfer.setData('text/plain', referenceOf(node.image));
  e.dataTransfer.effectAllowed = 'copy';
}

const BodyRow = memo(function BodyRow({
  row,
  index,
  start,
  id,
  selected,
  active,
  expanded,
  onClick,
  onDoubleClick,
  onContextMenu,
}: RowProps) {
  const node = row.original;
  const name = node.kind === 'image' ? node.image.name : node.kind === 'platform' ? node.parent.name : undefined;
  const classes = [
    'row',
    node.kind,
    selected ? 'selected' : '',
    active ? 'active' : '',
    node.kind === 'image' && node.image.dangling ? 'dangling' : '',
    node.kind === 'image' && node.image.error ? 'has-error' : '',
  ];
  return (
    <tr
      id={id}
      className={classes.filter(Boolean).join(' ')}
      style={{ transform: `translateY(${start}px)` }}
      aria-rowindex={index + 2}
      aria-level={row.depth + 1}
      aria-selected={selected}
      aria-expanded={expanded}
      data-testid={node.kind === 'image' ? 'image-row' : node.kind === 'group' ? 'group-row' : 'platform-row'}
      data-name={name}
      data-repository={node.kind === 'group' ? node.repository : undefined}
      draggable={node.kind === 'image'}
      onDragStart={(e) => onDragStart(e, node)}
      onMouseDown={(e) => {
        if (e.shiftKey) e.preventDefault(); // no text selection on Shift-click
      }}
      onClick={(e) => onClick(index, e)}
      onDoubleClick={() => onDoubleClick(index)}
      onContextMenu={(e) => onContextMenu(index, e)}
    >
      {row.getAllCells().map((cell) => (
        <td key={cell.id} className={`col-${cell.column.id}`} data-testid={`cell-${cell.column.id}`}>
          <FlexRender cell={cell} />
        </td>
      ))}
    </tr>
  );
});
