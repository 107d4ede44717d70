/**
 * The image table's selection and keyboard as pure functions, tested without a DOM.
 *
 * The table shows `rows` (its row model in display order: groups, images, platforms). The
 * selection is image names (shared with the layer tree and the disk-usage map); the cursor is the
 * row the keyboard is on (aria-activedescendant) and the anchor the row a Shift range starts from.
 * `commandFor` maps a key to what it does, as a file list would; `reduceSelection` applies the
 * selection part of it.
 */
import { toggleNames } from '../../ui/selection.ts';
import { namesInRange, namesOf, type TableNode } from './rows.ts';

export interface SelectionState {
  /** The keyboard's row, -1 for none. */
  cursor: number;
  /** Where a Shift range starts, -1 for none. */
  anchor: number;
  selection: string[];
}

export type SelectionAction =
  /** The cursor to row `to` (clamped to the rows); `extend` selects from the anchor to it. */
  | { type: 'move'; to: number; extend: boolean }
  /** A click: `only` selects the row, `toggle` (Cmd/Ctrl) adds or removes it, `range` (Shift) selects from the anchor. */
  | { type: 'click'; index: number; mode: 'only' | 'toggle' | 'range' }
  /** Space: toggles the cursor's row. */
  | { type: 'toggle' }
  | { type: 'all' }
  | { type: 'clear' }
  /** The context menu opens on a row: it acts on the selection when the row is part of it, else on the row alone. */
  | { type: 'menu'; index: number };

export const initialNavigation = { cursor: -1, anchor: -1 };

export function reduceSelection(state: SelectionState, action: SelectionAction, rows: readonly TableNode[]): SelectionState {
  const names = (i: number) => namesOf(rows[i]!);
  switch (action.type) {
    case 'move': {
      if (rows.length === 0) return state;
      const i = Math.max(0, Math.min(rows.length - 1, action.to));
      if (action.extend && state.anchor >= 0) return { ...state, cursor: i, selection: namesInRange(rows, state.anchor, i) };
      return { cursor: i, anchor: i, selection: names(i) };
    }
    case 'click': {
      if (!rows[action.index]) return state;
      const i = action.index;
      if (action.mode === 'range' && state.anchor >= 0) return { ...state, cursor: i, selection: namesInRange(rows, state.anchor, i) };
      if (action.mode === 'toggle') return { cursor: i, anchor: i, selection: toggleNames(state.selection, names(i)) };
      return { cursor: i, anchor: i, selection: names(i) };
    }
    case 'toggle':
      if (!rows[state.cursor]) return state;
      return { ...state, anchor: state.cursor, selection: toggleNames(state.selection, names(state.cursor)) };
    case 'all':
      return { ...state, selection: [...new Set(rows.flatMap(namesOf))] };
    case 'clear':
      return state.selection.length === 0 ? state : { ...state, selection: [] };
    case 'menu': {
      if (!rows[action.index]) return state;
      const i = action.index;
      const chosen = new Set(state.selection);
      const inSelection = state.selection.length > 0 && names(i).every((n) => chosen.has(n));
      return { cursor: i, anchor: i, selection: inSelection ? state.selection : names(i) };
    }
  }
}

/** What the table knows when a key is pressed. */
export interface KeyContext {
  cursor: number;
  count: number;
  /** Rows a Page Up or Page Down moves. */
  page: number;
  hasSelection: boolean;
  /** The cursor's row: whether it opens (a group, an index) and is open, and its parent row's index. */
  row: { expandable: boolean; expanded: boolean; parent: number | null } | null;
}

export interface KeyInput {
  key: string;
  shiftKey: boolean;
  metaKey: boolean;
  ctrlKey: boolean;
}

export type TableCommand =
  | { type: 'select'; action: SelectionAction }
  | { type: 'expand'; open: boolean }
  | { type: 'details' }
  | { type: 'remove' }
  | { type: 'menu' };

const select = (action: SelectionAction): TableCommand => ({ type: 'select', action });

/** The key map: null for a key the table leaves alone (so the browser's default stays). */
export function commandFor(e: KeyInput, ctx: KeyContext): TableCommand | null {
  const { cursor, count, page, row } = ctx;
  const move = (to: number) => select({ type: 'move', to, extend: e.shiftKey });
  switch (e.key) {
    case 'ArrowDown':
      return move(cursor + 1);
    case 'ArrowUp':
      return move(cursor < 0 ? count - 1 : cursor - 1);
    case 'PageDown':
      return move(cursor + page);
    case 'PageUp':
      return move(cursor - page);
    case 'Home':
      return move(0);
    case 'End':
      return move(count - 1);
    case 'ArrowRight':
      return row?.expandable && !row.expanded ? { type: 'expand', open: true } : null;
    case 'ArrowLeft':
      if (row?.expandable && row.expanded) return { type: 'expand', open: false };
      return row && row.parent !== null ? select({ type: 'move', to: row.parent, extend: false }) : null;
    case 'Enter':
      return row ? { type: 'details' } : null;
    case ' ':
      return row ? select({ type: 'toggle' }) : null;
    case 'Delete':
    case 'Backspace':
      return ctx.hasSelection ? { type: 'remove' } : null;
    case 'Escape':
      return ctx.hasSelection ? select({ type: 'clear' }) : null;
    case 'a':
      return e.metaKey || e.ctrlKey ? select({ type: 'all' }) : null;
    case 'ContextMenu':
      return { type: 'menu' };
    case 'F10':
      return e.shiftKey ? { type: 'menu' } : null;
    default:
      return null;
  }
}
