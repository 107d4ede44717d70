/**
 * The image table's body: TanStack Virtual positions the visible rows (and those rendered ahead of
 * the scroll in idle time, render-ahead.ts) inside a full-height tbody, so however many images the
 * store holds only a few hundred rows are ever in the DOM. Rows are memoized and get stable
 * handlers that take the row's index.
 */
import { FlexRender } from '@tanstack/react-table';
import { useVirtualizer, observeElementRect, type Rect, type Virtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useRef, type DragEvent, type MouseEvent, type RefObject } from 'react';
import { setImageDrag } from '../../ui/dnd.ts';
import { deckhand } from '../../store/index.ts';
import type { ImageTableRow } from './columns.tsx';
import { useRenderAhead } from './render-ahead.ts';
import { namesOf, referenceOf, type ColumnId, type TableNode } from './rows.ts';
import { RowMenuTrigger } from './RowMenu.tsx';

export const ROW_HEIGHT = 30;

interface BodyProps {
  rows: ImageTableRow[];
  /** The columns that fit (fit.ts), in table order. */
  shown: readonly ColumnId[];
  scrollRef: RefObject<HTMLDivElement | null>;
  fallbackRect: Rect;
  selected: ReadonlySet<string>;
  activeIndex: number;
  scrollTo: { index: number } | null;
  rowId: (index: number) => string;
  onRowClick: (index: number, e: MouseEvent) => void;
  onRowDoubleClick: (index: number) => void;
  /** Runs before the context menu opens on the row (RowMenuTrigger, the tbody, opens it). */
  onRowContextMenu: (index: number) => void;
}

const estimateSize = () => ROW_HEIGHT;

export function TableBody({
  rows,
  shown,
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
    <RowMenuTrigger asChild>
      <tbody style={{ height: `${virtualizer.getTotalSize()}px` }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index]!;
          const names = namesOf(row.original);
          const isSelected = names.length > 0 && names.every((n) => selected.has(n));
          return (
            <BodyRow
              key={row.id}
              row={row}
              shown={shown}
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
    </RowMenuTrigger>
  );
}

interface RowProps {
  row: ImageTableRow;
  shown: readonly ColumnId[];
  index: number;
  start: number;
  id: string;
  selected: boolean;
  active: boolean;
  expanded: boolean | undefined;
  onClick: (index: number, e: MouseEvent) => void;
  onDoubleClick: (index: number) => void;
  onContextMenu: (index: number) => void;
}

function onDragStart(e: DragEvent<HTMLTableRowElement>, node: TableNode) {
  if (node.kind !== 'image') return;
  setImageDrag(e.dataTransfer, { name: node.image.name, source: deckhand.getState().source }, referenceOf(node.image));
}

const BodyRow = memo(function BodyRow({
  row,
  shown,
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
      onContextMenu={() => onContextMenu(index)}
    >
      {row
        .getAllCells()
        .filter((cell) => shown.includes(cell.column.id as ColumnId))
        .map((cell) => (
          <td key={cell.id} className={`col-${cell.column.id}`} data-testid={`cell-${cell.column.id}`}>
            <FlexRender cell={cell} />
          </td>
        ))}
    </tr>
  );
});
