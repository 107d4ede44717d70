/**
 * Cutting a name to fit, in the middle: an image name's start (the registry) is the same for every
 * row of a store, its end (the repository's last segment and the tag) is what tells rows apart, as
 * Docker Desktop's image list keeps it. Pure; the full name goes in a title beside it.
 */

/**
 * `text` in at most `max` characters: unchanged when it fits, else its start, `…` and its end. The
 * end keeps the last path segment with the tag (`/app:1.0`) where that leaves a few characters for
 * the start, and at least three fifths of the room otherwise.
 */
export function middleEllipsis(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…';
  const room = max - 1;
  const slash = text.lastIndexOf('/');
  const last = slash >= 0 ? text.length - slash : text.length;
  const minHead = Math.min(4, Math.floor(room / 3));
  const tail = Math.min(room, Math.max(Math.ceil(room * 0.6), Math.min(last, room - minHead)));
  return `${text.slice(0, room - tail)}…${text.slice(text.length - tail)}`;
}

/** `text` cut in the middle (middleEllipsis) to the most characters whose drawn width, by `measure`, is within `width`. */
export function fitMiddle(text: string, width: number, measure: (s: string) => number): string {
  if (measure(text) <= width) return text;
  let lo = 1;
  let hi = text.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(middleEllipsis(text, mid)) <= width) lo = mid;
    else hi = mid - 1;
  }
  return middleEllipsis(text, lo);
}

/**
 * A text measure in `font` (a CSS font shorthand), through a canvas where the browser has one;
 * else (jsdom) an estimate of `fallbackCharWidth` a character.
 */
export function textMeasure(font: string, fallbackCharWidth: number): (s: string) => number {
  const jsdom = typeof navigator !== 'undefined' && navigator.userAgent.includes('jsdom');
  const ctx = !jsdom && typeof document !== 'undefined' ? document.createElement('canvas').getContext('2d') : null;
  if (!ctx) return (s) => s.length * fallbackCharWidth;
  ctx.font = font;
  return (s) => ctx.measureText(s).width;
}
