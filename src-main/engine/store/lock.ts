/**
 * A cross-process lock file: the app and the CLI may work on one store at the same time. The lock
 * is a file created with O_EXCL that records its holder; a holder that died (its pid is gone on this
 * host, or its heartbeat stopped) is broken so that a crash never wedges the store.
 *
 * Breaking is where two waiters can race: both judge the same dead holder's lock stale, the first
 * removes it and creates its own, and a plain remove by the second would delete that fresh lock.
 * So a waiter breaks only the very file it judged (same inode, mtime and content, compared again
 * just before the remove) and only while it holds a breaker file for that file, created with
 * O_EXCL: `<lock>.break-<inode>-<mtime>-<n>`. A breaker whose owner died mid-break (its pid is gone,
 * or it is older than BREAK_STALE_MS; a break takes milliseconds) is never removed by another
 * waiter, which would race the same way, but passed over for the next generation n+1.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rm, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { isErrno, processAlive } from './fsutil.ts';

const HEARTBEAT_MS = 2_000;
const STALE_MS = 30_000;
const BREAK_STALE_MS = 10_000;

interface Holder {
  pid: number;
  host: string;
  since: string;
  /** Random: tells this holder's file from a later one, which may even get the same inode. */
  token: string;
}

const newHolder = (): Holder => ({
  pid: process.pid,
  host: hostname(),
  since: new Date().toISOString(),
  token: randomBytes(8).toString('hex'),
});

export interface LockOptions {
  /** How long to wait for another holder before failing with ELOCKED. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Test seam, tests only: lets a test stop a waiter at a chosen point to force an interleaving. */
export interface LockTestHooks {
  /** Called when this waiter has judged the lock stale, before it tries to break it. */
  judgedStale?: () => Promise<void>;
}

/** One particular lock file: what a waiter judged, to be told apart from a later file at the same path. */
interface LockFile {
  ino: bigint;
  mtimeNs: bigint;
  text: string;
}

/** The file at `path` now (inode, mtime and content read through one handle), or null if there is none. */
async function readLockFile(path: string): Promise<LockFile | null> {
  let fh;
  try {
    fh = await open(path, 'r');
    const st = await fh.stat({ bigint: true });
    return { ino: st.ino, mtimeNs: st.mtimeNs, text: await fh.readFile('utf8') };
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return null;
    throw e;
  } finally {
    await fh?.close();
  }
}

const sameFile = (a: LockFile, b: LockFile) => a.ino === b.ino && a.mtimeNs === b.mtimeNs && a.text === b.text;

/** Whether the holder recorded in `file` is gone: its pid is dead on this host, or its mtime is older than `staleMs`. */
function holderGone(file: LockFile, staleMs: number): boolean {
  const age = Date.now() - Number(file.mtimeNs / 1_000_000n);
  let holder: Holder;
  try {
    holder = JSON.parse(file.text) as Holder;
  } catch {
    // A holder that died between create and write leaves an empty file: stale once old enough.
    return age > staleMs;
  }
  if (holder.host === hostname() && holder.pid !== process.pid) return !processAlive(holder.pid);
  return age > staleMs;
}

/** The lock file at `path` if it is stale, else null (also when there is none). */
async function staleLock(path: string): Promise<LockFile | null> {
  const file = await readLockFile(path);
  return file && holderGone(file, STALE_MS) ? file : null;
}

/**
 * Removes the lock file `judged` if it is still the one at `path`, under a breaker file of its own
 * (see the header). Removes nothing when the file at `path` is no longer the one judged, and
 * returns false (wait before looking again) when another waiter is breaking it right now.
 */
async function breakStale(path: string, judged: LockFile): Promise<boolean> {
  const prefix = `${path}.break-${judged.ino}-${judged.mtimeNs}-`;
  let n = 0;
  for (; ; n++) {
    try {
      const fh = await open(`${prefix}${n}`, 'wx', 0o644);
      try {
        await fh.writeFile(JSON.stringify(newHolder()));
      } finally {
        await fh.close();
      }
      break;
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
    }
    const other = await readLockFile(`${prefix}${n}`);
    // Gone already: that breaker finished, so `judged` has been dealt with.
    if (!other) return true;
    // A live breaker is at work: let it finish.
    if (!holderGone(other, BREAK_STALE_MS)) return false;
  }
  try {
    const now = await readLockFile(path);
    if (now && sameFile(now, judged)) await rm(path, { force: true });
  } finally {
    // This breaker and the dead ones before it; a waiter that comes later with the same judgement
    // makes a new one, finds another file (or none) at `path` and removes nothing.
    for (let k = n; k >= 0; k--) await rm(`${prefix}${k}`, { force: true });
  }
  return true;
}

export async function acquireLock(path: string, opts: LockOptions = {}, hooks: LockTestHooks = {}): Promise<() => Promise<void>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let delay = 5;
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const fh = await open(path, 'wx', 0o644);
      const mine = JSON.stringify(newHolder());
      try {
        await fh.writeFile(mine);
      } finally {
        await fh.close();
      }
      const beat = setInterval(() => {
        const now = new Date();
        utimes(path, now, now).catch(() => undefined);
      }, HEARTBEAT_MS);
      beat.unref();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        clearInterval(beat);
        // Only our own file: if ours was broken (a heartbeat stalled too long), the lock at `path` now is someone else's.
        if ((await readLockFile(path))?.text === mine) await rm(path, { force: true });
      };
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
    }
    const stale = await staleLock(path);
    if (stale) {
      await hooks.judgedStale?.();
      if (await breakStale(path, stale)) continue;
    }
    if (Date.now() > deadline) {
      let who = '';
      try {
        const h = JSON.parse(await readFile(path, 'utf8')) as Holder;
        who = ` (held by pid ${h.pid} on ${h.host} since ${h.since})`;
      } catch {
        /* unreadable holder: report without it */
      }
      throw new DeckhandError(
        'ELOCKED',
        `The store is busy: ${path} is locked${who}. Wait for the other Deckhand process to finish, then try again.`,
        { detail: { path } },
      );
    }
    await sleep(delay, undefined, opts.signal ? { signal: opts.signal } : undefined);
    delay = Math.min(delay * 2, 100);
  }
}

export async function withLock<T>(path: string, fn: () => Promise<T>, opts?: LockOptions): Promise<T> {
  const release = await acquireLock(path, opts);
  try {
    return await fn();
  } finally {
    await release();
  }
}
