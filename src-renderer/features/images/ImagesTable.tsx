/**
 * The image table: TanStack Table (sorting, repository groups and index platforms as expandable
 * sub-rows) over the pure rows of rows.ts, virtualized in its body (TableBody.tsx).
 *
 * Selection (image names) lives in the ui slice; the cursor and the range anchor are local, and
 * both change only through the pure reducer and key map of navigation.ts. The table is one tab
 * stop (a treegrid with aria-activedescendant); the keys are those of a file list.
 *
 * The columns fit the table's width (fit.ts): the less useful ones hide first, names shrink in the
 * middle, and figures keep their width.
 */
import { useTable, type Header, type SortingState } from '@tanstack/react-table';
import type { Rect } from '@tanstack/react-virtual';
import { useCallback, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type RefObject } from 'react';
import { useDeckhand } from '../../store/index.ts';
import { columnLabel, columns, features, headerTitle, type ImageTableRow } from './columns.tsx';
import { EfficiencyProgress, useEfficiencyInSight, useEfficiencyTable } from './efficiency-column.tsx';
import { STORE } from '../../data/keys.ts';
import { gridTemplate, visibleColumns } from './fit.ts';
import { useExpansion } from './expansion.ts';
import { commandFor, initialNavigation, reduceSelection, type SelectionAction } from './navigation.ts';
import { RowMenu, type MenuTarget } from './RowMenu.tsx';
import type { ColumnId, TableNode } from './rows.ts';
import { ROW_HEIGHT, TableBody } from './TableBody.tsx';

/** The viewport assumed while the scroll element has no layout (a hidden pane, jsdom). */
const NO_LAYOUT_RECT: Rect = { width: 1200, height: 720 };

const DEFAULT_SORT: SortingState = [{ id: 'repository', desc: false }];

interface Props {
  nodes: TableNode[];
  /** Viewport used when the scroll element reports no size; tests pass one, browsers measure. */
  fallbackRect?: Rect;
}

export function ImagesTable({ nodes, fallbackRect = NO_LAYOUT_RECT }: Props) {
  const [sorting, setSorting] = useState<SortingState>(DEFAULT_SORT);
  const { expanded, onExpandedChange } = useExpansion(nodes);
  const efficiency = useEfficiencyTable(nodes, sorting, setSorting);
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
    meta: efficiency.meta,
  });
  const rows = table.getRowModel().rows;
  const shown = useMemo(() => rows.map((r) => r.original), [rows]);

  const selection = useDeckhand((s) => s.selection);
  const select = useDeckhand((s) => s.select);
  const showDetails = useDeckhand((s) => s.showDetails);
  const openDialog = useDeckhand((s) => s.openDialog);
  const selected = useMemo(() => new Set(selection), [selection]);

  const [nav, setNav] = useState(initialNavigation);
  const [scrollTo, setScrollTo] = useState<{ index: number } | null>(null);
  const [menu, setMenu] = useState<MenuTarget | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  useEfficiencyInSight(shown, scrollRef, fallbackRect.height, sorting);
  const tableRef = useRef<HTMLTableElement>(null);
  const engine = useDeckhand((s) => s.source !== STORE);
  const platforms = useMemo(
    () =>
      !engine ||
      nodes.some((n) =>
        n.kind === 'group' ? n.children.some((c) => c.image.platforms.length > 0) : n.kind === 'image' && n.image.platforms.length > 0,
      ),
    [engine, nodes],
  );
  const { key: shownKey, width: tableWidth } = useShownColumns(scrollRef, fallbackRect.width, engine, platforms);
  const columnsShown = useMemo(() => shownKey.split(' ') as ColumnId[], [shownKey]);
  const baseId = useId();
  const rowId = (index: number) => `${baseId}-row-${index}`;
  const cursor = nav.cursor >= 0 && nav.cursor < rows.length ? nav.cursor : -1;

  const apply = (action: SelectionAction) => {
    const next = reduceSelection({ ...nav, cursor, selection }, action, shown);
    setNav({ cursor: next.cursor, anchor: next.anchor });
    if (next.selection !== selection) select(next.selection);
    if (action.type === 'move') setScrollTo({ index: next.cursor });
    return next;
  };

  const openDetailsOf = (row: ImageTableRow) => {
    const n = row.original;
    if (n.kind === 'group') row.toggleExpanded();
    else showDetails(n.kind === 'image' ? n.image.name : n.parent.name);
  };

  /** Chooses what the menu acts on; the row's contextmenu event then opens it (RowMenuTrigger). */
  const aimMenu = (index: number) => {
    const row = rows[index];
    if (row) setMenu({ node: row.original, names: apply({ type: 'menu', index }).selection });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTableElement>) => {
    if (e.target !== e.currentTarget) return;
    const row = cursor >= 0 ? rows[cursor] : undefined;
    const parent = row && row.depth > 0 ? rows.indexOf(row.getParentRow()!) : -1;
    const command = commandFor(e, {
      cursor,
      count: rows.length,
      page: Math.max(1, Math.floor((scrollRef.current?.clientHeight || fallbackRect.height) / ROW_HEIGHT) - 1),
      hasSelection: selection.length > 0,
      row: row ? { expandable: row.getCanExpand(), expanded: row.getIsExpanded(), parent: parent >= 0 ? parent : null } : null,
    });
    if (!command) return;
    e.preventDefault();
    if (command.type === 'select') apply(command.action);
    else if (command.type === 'expand') row?.toggleExpanded(command.open);
    else if (command.type === 'details') openDetailsOf(row!);
    else if (command.type === 'remove') openDialog({ kind: 'remove', refs: selection });
    else {
      // Open it as a right-click on the cursor's row would, below the row's start.
      const index = Math.max(0, cursor);
      const at = document.getElementById(rowId(index)) ?? e.currentTarget.querySelector('tbody');
      if (!rows[index] || !at) return;
      aimMenu(index);
      const box = at.getBoundingClientRect();
      const y = box.top + Math.min(box.height, ROW_HEIGHT);
      at.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: box.left + 24, clientY: y }));
    }
  };

  const onRowClick = (index: number, e: MouseEvent) =>
    apply({ type: 'click', index, mode: e.shiftKey ? 'range' : e.metaKey || e.ctrlKey ? 'toggle' : 'only' });

  const onRowContextMenu = (index: number) => aimMenu(index);

  // Rows are memoized: hand them stable callbacks that call the latest handlers.
  const latest = useRef({ onRowClick, onRowContextMenu, openDetailsOf, rows });
  useLayoutEffect(() => {
    latest.current = { onRowClick, onRowContextMenu, openDetailsOf, rows };
  });
  const stableClick = useCallback((i: number, e: MouseEvent) => latest.current.onRowClick(i, e), []);
  const stableContextMenu = useCallback((i: number) => latest.current.onRowContextMenu(i), []);
  const stableDoubleClick = useCallback((i: number) => {
    const row = latest.current.rows[i];
    if (row) latest.current.openDetailsOf(row);
  }, []);

  return (
    <>
      <EfficiencyProgress progress={efficiency.progress} />
      <RowMenu target={menu} onClosed={() => tableRef.current?.focus()}>
        <div className="images-table-scroll" ref={scrollRef} data-testid="images-table">
          <table
            ref={tableRef}
            className="images-table"
            role="treegrid"
            aria-label="Images"
            aria-multiselectable="true"
            aria-rowcount={rows.length + 1}
            aria-activedescendant={cursor >= 0 ? rowId(cursor) : undefined}
            tabIndex={0}
            style={{ ['--image-columns' as string]: gridTemplate(columnsShown, tableWidth) }}
            data-columns={shownKey}
            onKeyDown={onKeyDown}
          >
            <TableHead
              headers={table.getHeaderGroups()[0]!.headers.filter((h) => columnsShown.includes(h.id as ColumnId))}
              engine={engine}
            />
            <TableBody
              rows={rows}
              shown={columnsShown}
              scrollRef={scrollRef}
              fallbackRect={fallbackRect}
              selected={selected}
              activeIndex={cursor}
              scrollTo={scrollTo}
              rowId={rowId}
              onRowClick={stableClick}
              onRowDoubleClick={stableDoubleClick}
              onRowContextMenu={stableContextMenu}
            />
          </table>
        </div>
      </RowMenu>
    </>
  );
}

/**
 * The shown columns, as one space-separated string (stable while the set is): they follow the
 * scroll element's width, which a ResizeObserver reports (the window, the details panel opening).
 */
function useShownColumns(
  scrollRef: RefObject<HTMLDivElement | null>,
  fallbackWidth: number,
  engine: boolean,
  platforms: boolean,
): { key: string; width: number } {
  const [width, setWidth] = useState(fallbackWidth);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const measure = () => setWidth(el.clientWidth > 0 ? el.clientWidth : fallbackWidth);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [scrollRef, fallbackWidth]);
  return { key: visibleColumns(width, engine, platforms).join(' '), width };
}

/** The header row: one sort button per column, aria-sort following the sort. */
function TableHead({ headers, engine }: { headers: Array<Header<typeof features, TableNode>>; engine: boolean }) {
  return (
    <thead>
      <tr aria-rowindex={1}>
        {headers.map((header) => {
          const sorted = header.column.getIsSorted();
          return (
            <th
              key={header.id}
              className={`col-${header.id}`}
              aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
              title={headerTitle(header.id, engine)}
            >
              <button
                type="button"
                className="sort"
                tabIndex={-1}
                onClick={header.column.getToggleSortingHandler()}
                data-testid={`sort-${header.id}`}
              >
                {columnLabel(header.id as ColumnId, engine)}
                <span className="sort-mark" aria-hidden="true">
                  {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                </span>
              </button>
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
