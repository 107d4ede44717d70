/**
 * The store's tag log: one JSON line per move of a name (`.deckhand/tag-log.jsonl`), written by
 * setTag after index.json committed, so inspect can show where a tag pointed over time. Lines are
 * appended with O_APPEND in a single write, so concurrent writers (the app and the CLI) never
 * interleave within a line; a line torn by a crash is skipped on read. When the file passes a size
 * limit it is rewritten, under a lock, keeping the newest lines. The log is informational: an
 * append racing that rare rewrite may be lost, and a missing log is an empty history.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TagHistoryEntry } from '../../../src-shared/ipc/types.ts';
import { isErrno, writeFileAtomic } from './fsutil.ts';
import { withLock } from './lock.ts';
import type { Store } from './layout.ts';

export type TagAction = 'pull' | 'tag' | 'load' | 'copy';

export interface TagLogLine extends TagHistoryEntry {
  name: string;
}

export interface TagLogLimits {
  /** Rewrite the log once it is larger than this. */
  maxBytes: number;
  /** How many of the newest lines a rewrite keeps. */
  keepLines: number;
}

export const TAG_LOG_LIMITS: TagLogLimits = { maxBytes: 4 * 1024 * 1024, keepLines: 10_000 };

export const tagLogPath = (store: Store): string => join(store.metaDir, 'tag-log.jsonl');

export async function appendTagLog(store: Store, line: TagLogLine, limits: TagLogLimits = TAG_LOG_LIMITS): Promise<void> {
  const path = tagLogPath(store);
  const fh = await open(path, 'a', 0o644);
  let size: number;
  try {
    await fh.write(`${JSON.stringify(line)}\n`);
    size = (await fh.stat()).size;
  } finally {
    await fh.close();
  }
  if (size > limits.maxBytes) await trimTagLog(store, limits);
}

async function trimTagLog(store: Store, limits: TagLogLimits): Promise<void> {
  const path = tagLogPath(store);
  await withLock(`${path}.lock`, async () => {
    // Another writer may have trimmed it while we waited.
    if ((await stat(path)).size <= limits.maxBytes) return;
    const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => parseLine(l) !== null);
    await writeFileAtomic(path, `${lines.slice(-limits.keepLines).join('\n')}\n`);
  });
}

function parseLine(text: string): TagLogLine | null {
  if (!text) return null;
  try {
    const o = JSON.parse(text) as Partial<TagLogLine>;
    if (typeof o.name !== 'string' || typeof o.digest !== 'string' || typeof o.at !== 'string' || typeof o.action !== 'string') return null;
    if (o.previous !== null && typeof o.previous !== 'string') return null;
    return { name: o.name, digest: o.digest, previous: o.previous, at: o.at, action: o.action };
  } catch {
    return null;
  }
}

/** Every move of `name`, newest first. */
export async function readTagHistory(store: Store, name: string): Promise<TagHistoryEntry[]> {
  let text: string;
  try {
    text = await readFile(tagLogPath(store), 'utf8');
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return [];
    throw e;
  }
  const out: TagHistoryEntry[] = [];
  for (const l of text.split('\n')) {
    const line = parseLine(l);
    if (line?.name === name) out.push({ digest: line.digest, previous: line.previous, at: line.at, action: line.action });
  }
  return out.reverse();
}
