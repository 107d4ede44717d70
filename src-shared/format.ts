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

/**
 * The two sizes of an image, worded the same wherever the CLI shows them: `stored` is what it takes
 * in the store (blobs as pulled: compressed layers, config, manifests), `unpacked` its layers
 * uncompressed (what docker and podman list as an image's size). An unpacked figure that counts
 * some layers at their stored size (their uncompressed size is not known) is a lower bound.
 */
export function formatUnpacked(unpacked: number, exact: boolean): string {
  return `${exact ? '' : '≥ '}${formatBytes(unpacked)}`;
}

export function formatSizes(stored: number, unpacked: number, unpackedExact: boolean): string {
  return `${formatBytes(stored)} stored (compressed), ${formatUnpacked(unpacked, unpackedExact)} unpacked`;
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
