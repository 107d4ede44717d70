import { act, cleanup, screen } from '@testing-library/react';
import { renderWithData } from '../../data/testing.tsx';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { hex, image } from './fixtures.ts';
import { ImagesTable } from './ImagesTable.tsx';
import { baseSpan, indexesOf, keepSpan, renderedSpan, rowsThatFit, stepTowards, targetSpan, type Span } from './render-ahead.ts';
import { buildTree } from './rows.ts';

const o = { ahead: 60, behind: 20 };
const contains = (outer: Span, inner: Span) => outer.start <= inner.start && outer.end >= inner.end;

describe('the spans', () => {
  test('base is the visible rows and their overscan, clipped to the list', () => {
    expect(baseSpan({ startIndex: 0, endIndex: 23, overscan: 12, count: 1000 })).toEqual({ start: 0, end: 35 });
    expect(baseSpan({ startIndex: 980, endIndex: 999, overscan: 12, count: 1000 })).toEqual({ start: 968, end: 999 });
    expect(baseSpan({ startIndex: 0, endIndex: 0, overscan: 12, count: 0 })).toBeNull();
  });

  test('the target leans in the direction of travel, evenly when still; keep reaches `ahead` either side', () => {
    const visible = { start: 100, end: 123 };
    expect(targetSpan(visible, 'forward', 1000, o)).toEqual({ start: 80, end: 183 });
    expect(targetSpan(visible, 'backward', 1000, o)).toEqual({ start: 40, end: 143 });
    expect(targetSpan(visible, null, 1000, o)).toEqual({ start: 70, end: 153 });
    expect(targetSpan({ start: 0, end: 23 }, 'backward', 30, o)).toEqual({ start: 0, end: 29 });
    expect(keepSpan(visible, 1000, o)).toEqual({ start: 40, end: 183 });
  });

  test('rendered rows join the mounted span only when it touches the base, clipped to the list', () => {
    const base = { start: 88, end: 135 };
    expect(renderedSpan(base, null, 1000)).toEqual(base);
    expect(renderedSpan(base, { start: 60, end: 87 }, 1000)).toEqual({ start: 60, end: 135 });
    expect(renderedSpan(base, { start: 100, end: 190 }, 1000)).toEqual({ start: 88, end: 190 });
    // Scrolling left the mounted rows behind: only the base, not a run of thousands between.
    expect(renderedSpan(base, { start: 0, end: 40 }, 1000)).toEqual(base);
    // The list got shorter (a filter): mounted rows past its end are not asked for.
    expect(renderedSpan({ start: 0, end: 9 }, { start: 0, end: 80 }, 10)).toEqual({ start: 0, end: 9 });
    expect(indexesOf({ start: 3, end: 6 })).toEqual([3, 4, 5, 6]);
    expect(indexesOf(null)).toEqual([]);
  });

  test('a step adds at most a batch, the side of travel first, and drops what is beyond keep at once', () => {
    const base = { start: 88, end: 135 };
    const target = { start: 80, end: 183 };
    const keep = { start: 40, end: 183 };
    expect(stepTowards(base, target, keep, base, 'forward', 16)).toEqual({ start: 88, end: 151 });
    expect(stepTowards({ start: 88, end: 180 }, target, keep, base, 'forward', 16)).toEqual({ start: 80, end: 183 });
    expect(stepTowards(base, target, keep, base, 'backward', 5)).toEqual({ start: 83, end: 135 });
    // Rows far behind go, even with no time to add any.
    expect(stepTowards({ start: 10, end: 135 }, target, keep, base, 'forward', 0)).toEqual({ start: 40, end: 135 });
    // Never below the base, whatever the target says.
    expect(stepTowards(base, { start: 90, end: 100 }, { start: 90, end: 100 }, base, null, 16)).toBeNull();
    expect(stepTowards(target, target, keep, base, 'forward', 16)).toBeNull();
  });

  test('over a long scroll the rendered rows always cover the base and stay within keep, and reach the target when idle time allows', () => {
    const count = 10_000;
    let mounted: Span | null = null;
    let maxRendered = 0;
    for (let first = 0; first < 2000; first += 4) {
      const visible = { start: first, end: first + 23 };
      const base = baseSpan({ startIndex: visible.start, endIndex: visible.end, overscan: 12, count })!;
      // One idle period per frame with room for 6 rows: enough for 4 rows a frame.
      let budget = 6;
      for (;;) {
        const rendered = renderedSpan(base, mounted, count);
        const next = stepTowards(rendered, targetSpan(visible, 'forward', count, o), keepSpan(visible, count, o), base, 'forward', budget);
        if (!next) break;
        budget -= Math.max(0, rendered.start - next.start) + Math.max(0, next.end - rendered.end);
        mounted = next;
      }
      const rendered = renderedSpan(base, mounted, count);
      expect(contains(rendered, base)).toBe(true);
      expect(
        contains({ start: Math.min(base.start, visible.start - o.ahead), end: Math.max(base.end, visible.end + o.ahead) }, rendered),
      ).toBe(true);
      maxRendered = Math.max(maxRendered, rendered.end - rendered.start + 1);
    }
    const visible = { start: 1996, end: 2019 };
    // Ahead: the target; behind: what keep still allows (rows made ready are not thrown away early).
    expect(renderedSpan(baseSpan({ startIndex: 1996, endIndex: 2019, overscan: 12, count })!, mounted, count)).toEqual({
      start: keepSpan(visible, count, o).start,
      end: targetSpan(visible, 'forward', count, o).end,
    });
    expect(maxRendered).toBeLessThanOrEqual(23 + 1 + 2 * o.ahead);
  });

  test('rows that fit the idle time left, keeping a millisecond back', () => {
    expect(rowsThatFit(10, 0.5, 16)).toBe(16);
    expect(rowsThatFit(3, 0.5, 16)).toBe(4);
    expect(rowsThatFit(1, 0.5, 16)).toBe(0);
    expect(rowsThatFit(0, 0.5, 16)).toBe(0);
  });
});

describe('in the table', () => {
  afterEach(() => {
    // Unmount while the stubbed idle API is still there, then put everything back.
    cleanup();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  test('idle periods mount rows beyond the overscan, and the visible rows are there from the first render', () => {
    const idle: IdleRequestCallback[] = [];
    vi.stubGlobal('requestIdleCallback', (cb: IdleRequestCallback) => idle.push(cb));
    vi.stubGlobal('cancelIdleCallback', () => {});
    // The hook measures how long a row takes to mount and fits batches to the idle time left; on a
    // busy machine that measure would change how many rows each idle period adds. The test drives
    // the time instead: mounting costs nothing, so each idle period fills up to the target.
    vi.spyOn(performance, 'now').mockReturnValue(0);
    const images = Array.from({ length: 500 }, (_, i) =>
      image({ repository: `example.com/r${String(i).padStart(3, '0')}`, tag: '1', digest: `sha256:${hex((i % 10).toString())}` }),
    );
    // Efficiency cells ask only for rows that stay on screen; these answers never come.
    const api = { imageEfficiency: () => new Promise(() => undefined), cancelAnalysis: async () => ({ cancelled: true }) };
    renderWithData(<ImagesTable nodes={buildTree(images)} fallbackRect={{ width: 1200, height: 300 }} />, { api });
    // 300 px at 30 px a row: 10 visible, 12 overscan below.
    const first = screen.getAllByTestId('image-row').length;
    expect(first).toBe(22);
    expect(idle.length).toBeGreaterThan(0);
    let runs = 0;
    while (idle.length > 0 && runs++ < 20) {
      const cb = idle.shift()!;
      act(() => cb({ didTimeout: false, timeRemaining: () => 8 }));
    }
    // Still: half of `ahead` each side of the visible rows (none above the first).
    expect(screen.getAllByTestId('image-row').length).toBe(10 + 30);
    expect(screen.getAllByTestId('image-row')[0]!.dataset.name).toBe(images[0]!.name);
  });
});
