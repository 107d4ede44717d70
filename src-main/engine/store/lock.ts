/**
 * A cross-process lock file: the app and the CLI may work on one store at the same time. The lock
 * is a file created with O_EXCL that records its holder; a holder that died (its pid is gone on this
 * host, or its heartbeat stopped) is broken so that a crash never wedges the store.
 */
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { isErrno, processAlive } from './fsutil.ts';

const HEARTBEAT_MS = 2_000;
const STALE_MS = 30_000;

interface Holder {
  pid: number;
  host: string;
  since: string;
}

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

async function isStale(path: string): Promise<boolean> {
  try {
    const [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    let holder: Holder | undefined;
    try {
      holder = JSON.parse(text) as Holder;
    } catch {
      // A holder that died between create and write leaves an empty file: stale once old enough.
      return Date.now() - st.mtimeMs > STALE_MS;
    }
    if (holder.host === hostname() && holder.pid !== process.pid) return !processAlive(holder.pid);
    return Date.now() - st.mtimeMs > STALE_MS;
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return false;
    throw e;
  }
}

export async function acquireLock(path: string, opts: LockOptions = {}, hooks: LockTestHooks = {}): Promise<() => Promise<void>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let delay = 5;
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const fh = await open(path, 'wx', 0o644);
      const holder: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
      await fh.writeFile(JSON.stringify(holder));
      await fh.close();
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
        await rm(path, { force: true });
      };
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
    }
    if (await isStale(path)) {
      await hooks.judgedStale?.();
      // Break it by renaming-free removal; if two waiters race, O_EXCL decides who gets it next.
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      let who = '';
      try {
        const h = JSON.parse(await readFile(path, 'utf8')) as Holder;
        who = ` (held by pid ${h.pid} on ${h.host} since ${h.since})`;
      } catch {
        /* unreadable holder: report without it */
      }
      throw new DeckhandError('ELOCKED', `The store is busy: ${path} is locked${who}. Wait for the other Deckhand process to finish, then try again.`, { detail: { path } });
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
