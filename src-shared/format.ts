/** Human-readable figures shared by the CLI and the renderer. */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** Sizes in SI units as docker and podman print them: `1.5 GB`, `312 kB`, `0 B`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits).replace(/\.0+$|(\.\d*[1-9])0+$/, '$1')} ${UNITS[unit]}`;
}

/** `3 minutes ago`, `2 days ago`, as listings show creation times. */
export function formatAge(iso: string | undefined, now = Date.now()): string {
  if (!iso) return 'unknown';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'unknown';
  const s = Math.max(0, Math.round((now - t) / 1000));
  const steps: Array<[number, string]> = [
    [60, 'second'],
    [60, 'minute'],
    [24, 'hour'],
    [30, 'day'],
    [12, 'month'],
    [Infinity, 'year'],
  ];
  let n = s;
  for (const [size, name] of steps) {
    if (n < size) return n === 0 && name === 'second' ? 'just now' : `${n} ${name}${n === 1 ? '' : 's'} ago`;
    n = Math.floor(n / size);
  }
  return 'long ago';
}
