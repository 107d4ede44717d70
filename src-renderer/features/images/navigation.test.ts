import { describe, expect, test } from 'vitest';
import { hex, image } from './fixtures.ts';
import {
  commandFor,
  initialNavigation,
  reduceSelection,
  type KeyContext,
  type SelectionAction,
  type SelectionState,
} from './navigation.ts';
import { buildTree, type TableNode } from './rows.ts';

// Rows in display order: a group of two tags, then two single images.
const a1 = image({ repository: 'example.com/a', tag: '1', digest: `sha256:${hex('1')}` });
const a2 = image({ repository: 'example.com/a', tag: '2', digest: `sha256:${hex('2')}` });
const b = image({ repository: 'example.com/b', tag: '1', digest: `sha256:${hex('3')}` });
const c = image({ repository: 'example.com/c', tag: '1', digest: `sha256:${hex('4')}` });
const group = buildTree([a1, a2, b, c])[0]!;
const rows: TableNode[] = [group, ...group.children, ...buildTree([b, c])];

const start: SelectionState = { ...initialNavigation, selection: [] };
const run = (actions: SelectionAction[], from: SelectionState = start) => actions.reduce((s, a) => reduceSelection(s, a, rows), from);

describe('reduceSelection', () => {
  test('rows are in display order: the group row, its images, then single images', () => {
    expect(rows.map((r) => r.kind)).toEqual(['group', 'image', 'image', 'image', 'image']);
  });

  test('moving selects the row, and Shift extends from the anchor (a group row stands for its images)', () => {
    const s1 = run([{ type: 'move', to: 3, extend: false }]);
    expect(s1).toEqual({ cursor: 3, anchor: 3, selection: [b.name] });
    const s2 = run([{ type: 'move', to: 4, extend: true }], s1);
    expect(s2).toEqual({ cursor: 4, anchor: 3, selection: [b.name, c.name] });
    const s3 = run([{ type: 'move', to: 0, extend: true }], s2);
    expect(s3).toEqual({ cursor: 0, anchor: 3, selection: [a1.name, a2.name, b.name] });
  });

  test('moves are clamped to the rows; with no rows nothing changes', () => {
    expect(run([{ type: 'move', to: 99, extend: false }]).cursor).toBe(4);
    expect(run([{ type: 'move', to: -5, extend: false }]).cursor).toBe(0);
    expect(reduceSelection(start, { type: 'move', to: 0, extend: false }, [])).toBe(start);
  });

  test('Shift without an anchor moves as a plain move', () => {
    expect(run([{ type: 'move', to: 2, extend: true }])).toEqual({ cursor: 2, anchor: 2, selection: [a2.name] });
  });

  test('clicks: only, toggle (Cmd/Ctrl) and range (Shift) from the last clicked row', () => {
    const s = run([
      { type: 'click', index: 1, mode: 'only' },
      { type: 'click', index: 4, mode: 'toggle' },
    ]);
    expect(s).toEqual({ cursor: 4, anchor: 4, selection: [a1.name, c.name] });
    expect(run([{ type: 'click', index: 4, mode: 'toggle' }], s).selection).toEqual([a1.name]);
    const r = run([
      { type: 'click', index: 1, mode: 'only' },
      { type: 'click', index: 3, mode: 'range' },
    ]);
    expect(r).toEqual({ cursor: 3, anchor: 1, selection: [a1.name, a2.name, b.name] });
    // A Shift-click before any anchor selects just that row.
    expect(run([{ type: 'click', index: 2, mode: 'range' }])).toEqual({ cursor: 2, anchor: 2, selection: [a2.name] });
  });

  test('Space toggles the cursor row and moves the anchor there; all and clear', () => {
    const s = run([{ type: 'move', to: 1, extend: false }, { type: 'move', to: 2, extend: true }, { type: 'toggle' }]);
    expect(s).toEqual({ cursor: 2, anchor: 2, selection: [a1.name] });
    expect(run([{ type: 'toggle' }])).toEqual(start); // no cursor: nothing to toggle
    expect(run([{ type: 'all' }]).selection).toEqual([a1.name, a2.name, b.name, c.name]);
    const cleared = run([{ type: 'all' }, { type: 'clear' }]);
    expect(cleared.selection).toEqual([]);
    expect(reduceSelection(cleared, { type: 'clear' }, rows)).toBe(cleared);
  });

  test('the menu keeps a selection the row is part of, and otherwise selects the row alone', () => {
    const both = run([
      { type: 'click', index: 3, mode: 'only' },
      { type: 'click', index: 4, mode: 'toggle' },
    ]);
    expect(run([{ type: 'menu', index: 3 }], both)).toEqual({ cursor: 3, anchor: 3, selection: [b.name, c.name] });
    expect(run([{ type: 'menu', index: 1 }], both)).toEqual({ cursor: 1, anchor: 1, selection: [a1.name] });
    expect(run([{ type: 'menu', index: 0 }], both).selection).toEqual([a1.name, a2.name]);
  });
});

describe('commandFor', () => {
  const key = (k: string, mods: Partial<{ shiftKey: boolean; metaKey: boolean; ctrlKey: boolean }> = {}) => ({
    key: k,
    shiftKey: false,
    metaKey: false,
    ctrlKey: false,
    ...mods,
  });
  const ctx = (over: Partial<KeyContext> = {}): KeyContext => ({
    cursor: 3,
    count: 10,
    page: 4,
    hasSelection: true,
    row: { expandable: false, expanded: false, parent: null },
    ...over,
  });
  const moveTo = (to: number, extend = false) => ({ type: 'select', action: { type: 'move', to, extend } });

  test('arrows, pages, Home and End move the cursor; Shift extends', () => {
    expect(commandFor(key('ArrowDown'), ctx())).toEqual(moveTo(4));
    expect(commandFor(key('ArrowDown', { shiftKey: true }), ctx())).toEqual(moveTo(4, true));
    expect(commandFor(key('ArrowUp'), ctx())).toEqual(moveTo(2));
    expect(commandFor(key('ArrowUp'), ctx({ cursor: -1 }))).toEqual(moveTo(9)); // from nowhere: the last row
    expect(commandFor(key('ArrowDown'), ctx({ cursor: -1 }))).toEqual(moveTo(0));
    expect(commandFor(key('PageDown'), ctx())).toEqual(moveTo(7));
    expect(commandFor(key('PageUp'), ctx())).toEqual(moveTo(-1)); // clamped by the reducer
    expect(commandFor(key('Home', { shiftKey: true }), ctx())).toEqual(moveTo(0, true));
    expect(commandFor(key('End'), ctx())).toEqual(moveTo(9));
  });

  test('Right opens a closed row; Left closes an open one, else goes to the parent row', () => {
    const closed = ctx({ row: { expandable: true, expanded: false, parent: null } });
    const open = ctx({ row: { expandable: true, expanded: true, parent: null } });
    const child = ctx({ row: { expandable: false, expanded: false, parent: 1 } });
    expect(commandFor(key('ArrowRight'), closed)).toEqual({ type: 'expand', open: true });
    expect(commandFor(key('ArrowRight'), open)).toBeNull();
    expect(commandFor(key('ArrowLeft'), open)).toEqual({ type: 'expand', open: false });
    expect(commandFor(key('ArrowLeft'), child)).toEqual(moveTo(1));
    expect(commandFor(key('ArrowLeft'), ctx())).toBeNull();
  });

  test('Enter, Space, Delete, Escape and Cmd/Ctrl+A; keys without a row or a selection are left alone', () => {
    expect(commandFor(key('Enter'), ctx())).toEqual({ type: 'details' });
    expect(commandFor(key(' '), ctx())).toEqual({ type: 'select', action: { type: 'toggle' } });
    expect(commandFor(key('Delete'), ctx())).toEqual({ type: 'remove' });
    expect(commandFor(key('Backspace'), ctx())).toEqual({ type: 'remove' });
    expect(commandFor(key('Escape'), ctx())).toEqual({ type: 'select', action: { type: 'clear' } });
    expect(commandFor(key('a', { metaKey: true }), ctx())).toEqual({ type: 'select', action: { type: 'all' } });
    expect(commandFor(key('a', { ctrlKey: true }), ctx())).toEqual({ type: 'select', action: { type: 'all' } });
    expect(commandFor(key('a'), ctx())).toBeNull();
    expect(commandFor(key('Enter'), ctx({ row: null }))).toBeNull();
    expect(commandFor(key(' '), ctx({ row: null }))).toBeNull();
    expect(commandFor(key('Delete'), ctx({ hasSelection: false }))).toBeNull();
    expect(commandFor(key('Escape'), ctx({ hasSelection: false }))).toBeNull();
    expect(commandFor(key('x'), ctx())).toBeNull();
  });

  test('the Menu key and Shift+F10 open the context menu; F10 alone does not', () => {
    expect(commandFor(key('ContextMenu'), ctx())).toEqual({ type: 'menu' });
    expect(commandFor(key('F10', { shiftKey: true }), ctx())).toEqual({ type: 'menu' });
    expect(commandFor(key('F10'), ctx())).toBeNull();
  });
});
