/**
 * Rendering ahead of the scroll: which table rows to keep mounted beyond the visible ones, and how
 * to get there a batch at a time, in the browser's idle time.
 *
 * A virtualized list has to create the rows that come into view. Done when they are needed, that
 * work (React, then style and layout for every new element) lands in the frame that shows them,
 * however little time that frame has left. Done ahead, in idle periods (requestIdleCallback, which
 * knows the next frame's deadline), the rows are already laid out when they scroll in, and the
 * frame only paints them. The visible rows are always rendered in any case: when scrolling outruns
 * the idle time, rows are created on demand as before, and rendering ahead starts again from there.
 *
 * The arithmetic is pure and tested (render-ahead.test.ts); useRenderAhead wires it to the
 * virtualizer and the idle callbacks.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import type { Range, Virtualizer } from '@tanstack/react-virtual';

/** A run of row indexes, both ends included. */
export interface Span {
  start: number;
  end: number;
}

export interface AheadOptions {
  /** Rows to have ready in the direction of travel (and half of it either side when still). */
  ahead: number;
  /** Rows to keep behind the visible ones in the direction of travel. */
  behind: number;
}

export const DEFAULT_AHEAD: AheadOptions = { ahead: 60, behind: 20 };

/** The visible rows and their overscan, as the virtualizer renders them anyway. */
export function baseSpan(range: Pick<Range, 'startIndex' | 'endIndex' | 'overscan' | 'count'>): Span | null {
  if (range.count <= 0) return null;
  return { start: Math.max(0, range.startIndex - range.overscan), end: Math.min(range.count - 1, range.endIndex + range.overscan) };
}

/** Where the mounted rows should reach, given the visible rows and the direction of travel. */
export function targetSpan(visible: Span, direction: 'forward' | 'backward' | null, count: number, o: AheadOptions = DEFAULT_AHEAD): Span {
  const before = direction === 'forward' ? o.behind : direction === 'backward' ? o.ahead : Math.ceil(o.ahead / 2);
  const after = direction === 'forward' ? o.ahead : direction === 'backward' ? o.behind : Math.ceil(o.ahead / 2);
  return { start: Math.max(0, visible.start - before), end: Math.min(count - 1, visible.end + after) };
}

/**
 * How far mounted rows may reach before they are dropped: `ahead` either side, so rows made ready
 * for one direction survive a pause or a turn.
 */
export function keepSpan(visible: Span, count: number, o: AheadOptions = DEFAULT_AHEAD): Span {
  return { start: Math.max(0, visible.start - o.ahead), end: Math.min(count - 1, visible.end + o.ahead) };
}

/**
 * The rows rendered: the base span, joined with the mounted span when the two touch or overlap
 * (one contiguous run); the base span alone when scrolling has left the mounted rows behind.
 */
export function renderedSpan(base: Span, mounted: Span | null, count: number): Span {
  if (mounted) mounted = { start: Math.max(0, mounted.start), end: Math.min(count - 1, mounted.end) };
  if (!mounted || mounted.end < base.start - 1 || mounted.start > base.end + 1) return base;
  return { start: Math.min(base.start, mounted.start), end: Math.max(base.end, mounted.end) };
}

/**
 * One step from the rows rendered now towards the target: rows outside `keep` go at once (never
 * those of the base, which the virtualizer renders anyway); at most `batch` rows are added, first
 * on the side of travel. Null when there is nothing to do.
 */
export function stepTowards(
  rendered: Span,
  target: Span,
  keep: Span,
  base: Span,
  direction: 'forward' | 'backward' | null,
  batch: number,
): Span | null {
  let start = Math.max(rendered.start, Math.min(keep.start, base.start));
  let end = Math.min(rendered.end, Math.max(keep.end, base.end));
  let budget = Math.max(0, batch);
  const growEnd = () => {
    const n = Math.min(budget, Math.max(0, target.end - end));
    end += n;
    budget -= n;
  };
  const growStart = () => {
    const n = Math.min(budget, Math.max(0, start - target.start));
    start -= n;
    budget -= n;
  };
  if (direction === 'backward') {
    growStart();
    growEnd();
  } else {
    growEnd();
    growStart();
  }
  return start === rendered.start && end === rendered.end ? null : { start, end };
}

/** The indexes of a span, in order (the virtualizer's rangeExtractor result). */
export function indexesOf(span: Span | null): number[] {
  if (!span) return [];
  const out = new Array<number>(span.end - span.start + 1);
  for (let i = 0; i < out.length; i++) out[i] = span.start + i;
  return out;
}

/** How many rows fit in the idle time left, from the cost per row measured so far. */
export function rowsThatFit(timeRemainingMs: number, msPerRow: number, max: number): number {
  const spare = timeRemainingMs - 1; // leave a millisecond for the browser
  if (spare <= 0) return 0;
  return Math.max(0, Math.min(max, Math.floor(spare / Math.max(msPerRow, 0.01))));
}

const MAX_BATCH = 16;

/**
 * Keeps rows rendered ahead of the scroll in idle time. Returns the virtualizer's rangeExtractor
 * and the callback to give as its onChange (it re-arms the idle work when the visible rows move).
 * Without requestIdleCallback (jsdom) it renders only what the virtualizer asks for.
 */
export function useRenderAhead(virtualizer: () => Virtualizer<HTMLDivElement, Element> | null, options: AheadOptions = DEFAULT_AHEAD) {
  const mounted = useRef<Span | null>(null);
  // The span as state too: a new extractor is what tells the virtualizer to ask again, and one is
  // made whenever the mounted span moved. The ref is what the idle loop reads between its steps.
  const [mountedSpan, setMountedSpan] = useState<Span | null>(null);
  const rangeExtractor = useCallback(
    (range: Range) => {
      const base = baseSpan(range);
      return base ? indexesOf(renderedSpan(base, mountedSpan, range.count)) : [];
    },
    [mountedSpan],
  );

  const pending = useRef<number | null>(null);
  const msPerRow = useRef(0.6);
  const idle = typeof window !== 'undefined' && typeof window.requestIdleCallback === 'function';

  const fill = useCallback(
    (deadline: IdleDeadline) => {
      pending.current = null;
      const v = virtualizer();
      const range = v?.range;
      if (!v || !range) return;
      for (;;) {
        const count = v.options.count;
        const base = baseSpan({ ...range, overscan: v.options.overscan, count });
        if (!base) return;
        const visible = { start: range.startIndex, end: range.endIndex };
        const rendered = renderedSpan(base, mounted.current, count);
        const target = targetSpan(visible, v.scrollDirection, count, options);
        const keep = keepSpan(visible, count, options);
        const fit = rowsThatFit(deadline.timeRemaining(), msPerRow.current, MAX_BATCH);
        const next = stepTowards(rendered, target, keep, base, v.scrollDirection, fit);
        if (!next) {
          // Nothing fits now, or nothing to do: in the first case, try again in the next idle period.
          if (fit === 0 && (rendered.start > target.start || rendered.end < target.end)) pending.current = window.requestIdleCallback(fill);
          return;
        }
        const added = Math.max(0, rendered.start - next.start) + Math.max(0, next.end - rendered.end);
        const t0 = performance.now();
        mounted.current = next;
        flushSync(() => setMountedSpan(next));
        // Style and layout now, in the idle period, not in the frame that scrolls the rows in.
        void v.scrollElement?.offsetHeight;
        if (added > 0) msPerRow.current = 0.7 * msPerRow.current + 0.3 * ((performance.now() - t0) / added);
      }
    },
    [virtualizer, options],
  );

  const onChange = useCallback(() => {
    if (idle && pending.current === null) pending.current = window.requestIdleCallback(fill);
  }, [idle, fill]);

  useEffect(() => {
    onChange();
    return () => {
      if (pending.current !== null && typeof window.cancelIdleCallback === 'function') window.cancelIdleCallback(pending.current);
      pending.current = null;
    };
  }, [onChange]);

  return { rangeExtractor, onChange };
}
