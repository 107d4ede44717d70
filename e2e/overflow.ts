/**
 * Finds text cut at its box's edge with nothing to say so. A visible table cell (td, th, grid and
 * column-header roles), anything inside one, and any element marked `data-truncates`, whose text
 * is wider than its box (scrollWidth > clientWidth) must end in an ellipsis (CSS `text-overflow:
 * ellipsis`) and carry the whole text in a title or aria-label, on itself or an ancestor up to the
 * cell. Text shortened by script (a middle ellipsis, `127.0.0.1:5000/…/hello`) is not wider than
 * its box; an element showing such text marks itself `data-truncates` and is held to the same
 * title rule by `expectNoClippedText` when its text holds an ellipsis. Elements matched by
 * `neverCut` (figures: sizes, dates) must not overflow at all, ellipsis or not.
 */
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export interface ClippedText {
  /** The element's text. */
  text: string;
  /** Why it fails: `cut` (overflows without an ellipsis), `no-title` (an ellipsis but the whole text is nowhere), `figure` (a neverCut element overflows). */
  problem: 'cut' | 'no-title' | 'figure';
  /** Where: the cell's data-testid or class, and the element's tag. */
  where: string;
  scrollWidth: number;
  clientWidth: number;
}

export interface ClipOptions {
  /** Elements that must never overflow (sizes, dates: cut mid-number is never right). */
  neverCut?: string;
}

const isPage = (s: Page | Locator): s is Page => typeof (s as Page).goto === 'function';

const CELLS = 'td, th, [role=gridcell], [role=cell], [role=columnheader], [role=rowheader], [data-truncates]';

/** Every clipped text inside `scope` (default: the whole page). */
export async function clippedTexts(scope: Page | Locator, opts: ClipOptions = {}): Promise<ClippedText[]> {
  const root = isPage(scope) ? scope.locator('body') : scope;
  return root.evaluate(
    (el, { cells, neverCut }) => {
      const norm = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
      const visible = (e: Element) => {
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) return false;
        const s = getComputedStyle(e);
        return s.visibility !== 'hidden' && s.display !== 'none';
      };
      const out: Array<{ text: string; problem: 'cut' | 'no-title' | 'figure'; where: string; scrollWidth: number; clientWidth: number }> =
        [];
      const seen = new Set<Element>();
      const hosts = [...el.querySelectorAll(cells)];
      if (el.matches(cells)) hosts.unshift(el);
      for (const host of hosts) {
        if (!visible(host)) continue;
        for (const e of [host, ...host.querySelectorAll('*')]) {
          if (seen.has(e)) continue;
          seen.add(e);
          if (!(e instanceof HTMLElement) || !visible(e)) continue;
          const s = getComputedStyle(e);
          // An inline box's overflow shows on the block around it; a scroller shows its own scrollbar.
          const measurable = s.display !== 'inline' && s.display !== 'contents' && s.overflowX !== 'auto' && s.overflowX !== 'scroll';
          const text = norm(e.textContent);
          if (!text) continue;
          const where = `${host.getAttribute('data-testid') ?? host.className ?? host.tagName.toLowerCase()} › ${e.tagName.toLowerCase()}${e.className ? `.${String(e.className).split(' ').join('.')}` : ''}`;
          const wide = measurable && e.scrollWidth > e.clientWidth + 1;
          // The whole text on hover: a title or aria-label holding every visible part of it.
          const parts = text
            .split('…')
            .map((p) => p.trim())
            .filter(Boolean);
          const titled = () => {
            for (let a: Element | null = e; a; a = a.parentElement) {
              const t = norm(a.getAttribute('title')) || norm(a.getAttribute('aria-label'));
              if (t && parts.every((p) => t.includes(p)) && t.length >= parts.join('').length) return true;
              if (a === host) break;
            }
            return false;
          };
          if (neverCut && e.matches(neverCut) && wide) {
            out.push({ text, problem: 'figure', where, scrollWidth: e.scrollWidth, clientWidth: e.clientWidth });
            continue;
          }
          if (wide) {
            if (s.textOverflow !== 'ellipsis')
              out.push({ text, problem: 'cut', where, scrollWidth: e.scrollWidth, clientWidth: e.clientWidth });
            else if (!titled()) out.push({ text, problem: 'no-title', where, scrollWidth: e.scrollWidth, clientWidth: e.clientWidth });
          } else if (e.hasAttribute('data-truncates') && text.includes('…') && !titled()) {
            out.push({ text, problem: 'no-title', where, scrollWidth: e.scrollWidth, clientWidth: e.clientWidth });
          }
        }
      }
      return out;
    },
    { cells: CELLS, neverCut: opts.neverCut ?? '' },
  );
}

/** Fails, listing them, when any text inside `scope` is clipped without an ellipsis and its whole text on hover. */
export async function expectNoClippedText(
  scope: Page | Locator,
  opts: ClipOptions = {},
  message = 'text cut without an ellipsis and a title',
): Promise<void> {
  expect(await clippedTexts(scope, opts), message).toEqual([]);
}
