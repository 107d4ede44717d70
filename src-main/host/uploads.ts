/**
 * Where the web host puts archives dropped into a browser (which cannot hand over a file path):
 * `<store>/.deckhand/uploads/<uuid>-<name>`. A load of such a file deletes it when the load ends;
 * uploads nobody loaded are swept when a host starts.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { isErrno } from '../engine/store/fsutil.ts';

export const UPLOAD_MAX_AGE_MS = 24 * 3_600_000;

export const uploadsDirOf = (storeDir: string): string => join(storeDir, '.deckhand', 'uploads');

/** Whether `path` is a file directly inside `dir` (no `..` tricks). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.includes('/') && !rel.includes('\\');
}

/** A dropped file's name reduced to something safe as the tail of a file name. */
export function sanitizeName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base
    .normalize('NFC')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^\.+/, '')
    .slice(-100);
  return clean || 'archive';
}

/** Deletes uploads (and abandoned .partial files) older than `maxAgeMs`; returns how many. */
export async function sweepUploads(dir: string, maxAgeMs = UPLOAD_MAX_AGE_MS, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if (isErrno(e, 'ENOENT', 'ENOTDIR')) return 0;
    throw e;
  }
  let swept = 0;
  for (const name of names) {
    const path = join(dir, name);
    try {
      const s = await stat(path);
      if (s.isFile() && now - s.mtimeMs > maxAgeMs) {
        await rm(path, { force: true });
        swept++;
      }
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
    }
  }
  return swept;
}
