import { expect, test } from 'vitest';
import { COLUMN_TRACKS, ENGINE_TRACKS, gridTemplate, HIDE_ORDER, REPOSITORY_FLOOR, splitName, visibleColumns } from './fit.ts';

const all = COLUMN_TRACKS.map((c) => c.id);
const need = (ids: string[]) => COLUMN_TRACKS.filter((c) => ids.includes(c.id)).reduce((n, c) => n + c.min, 0);

test('every column shows when there is room', () => {
  expect(visibleColumns(2000)).toEqual(all);
  expect(visibleColumns(need(all))).toEqual(all);
});

test('columns give way in the chosen order, one at a time, keeping table order', () => {
  expect(visibleColumns(need(all) - 1)).toEqual(all.filter((c) => c !== 'shared'));
  const six = ['repository', 'tag', 'digest', 'platforms', 'size', 'created'];
  expect(visibleColumns(need(six))).toEqual(six);
  expect(visibleColumns(need(six) - 1)).toEqual(['repository', 'tag', 'digest', 'size', 'created']);
  expect(visibleColumns(need(['repository', 'tag', 'digest', 'size']))).toEqual(['repository', 'tag', 'digest', 'size']);
  let shown = all;
  for (let width = need(all); width > 0; width -= 8) {
    const next = visibleColumns(width);
    // Each narrower width shows a subset; what goes is always the next in HIDE_ORDER.
    expect(next.every((c) => shown.includes(c))).toBe(true);
    const hidden = all.filter((c) => !next.includes(c));
    expect([...hidden].sort()).toEqual(HIDE_ORDER.slice(0, hidden.length).sort());
    shown = next;
  }
  // Repository, Tag and Stored never go.
  expect(visibleColumns(0)).toEqual(['repository', 'tag', 'size']);
});

test('the grid template has one track per shown column', () => {
  const track = (id: string) => COLUMN_TRACKS.find((c) => c.id === id)!.track;
  expect(gridTemplate(['repository', 'size'])).toBe(`${track('repository')} ${track('size')}`);
  // Too narrow even for the columns that stay: the repository gives up its minimum, down to a floor.
  const kept = ['repository', 'tag', 'size'] as const;
  expect(gridTemplate(kept, need([...kept]) - 10)).toBe(`minmax(${need(['repository']) - 10}px, 2.2fr) ${track('tag')} ${track('size')}`);
  expect(gridTemplate(kept, 100)).toBe(`minmax(${REPOSITORY_FLOOR}px, 2.2fr) ${track('tag')} ${track('size')}`);
});

test('names split so the registry and the last component stay', () => {
  expect(splitName('127.0.0.1:56067/deckhand-e2e/tools/hello')).toEqual({
    head: '127.0.0.1:56067/',
    middle: 'deckhand-e2e/tools/',
    tail: 'hello',
  });
  expect(splitName('docker.io/library/alpine')).toEqual({ head: 'docker.io/', middle: 'library/', tail: 'alpine' });
  expect(splitName('localhost/app')).toEqual({ head: 'localhost/', middle: '', tail: 'app' });
  expect(splitName('team/app')).toEqual({ head: '', middle: 'team/', tail: 'app' });
  expect(splitName('alpine')).toEqual({ head: '', middle: '', tail: 'alpine' });
  for (const n of ['127.0.0.1:56067/a/b/c', 'x/y', 'z']) {
    const { head, middle, tail } = splitName(n);
    expect(head + middle + tail).toBe(n);
  }
});

test("an engine's table has a Containers column, the last to hide, and no Platforms column when no row says its platforms", () => {
  const engineAll = ENGINE_TRACKS.map((c) => c.id);
  const engineNeed = (ids: string[]) => ENGINE_TRACKS.filter((c) => ids.includes(c.id)).reduce((n, c) => n + c.min, 0);
  expect(visibleColumns(3000, true)).toEqual(engineAll);
  expect(visibleColumns(3000, true, false)).toEqual(engineAll.filter((c) => c !== 'platforms'));
  const last = ['repository', 'tag', 'size', 'containers'];
  expect(visibleColumns(engineNeed(last), true)).toEqual(last);
  expect(visibleColumns(engineNeed(last) - 1, true)).toEqual(['repository', 'tag', 'size']);
  expect(visibleColumns(3000)).not.toContain('containers');
});
