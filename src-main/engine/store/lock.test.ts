/**
 * The store lock: one holder at a time, ELOCKED with the holder named when it stays busy, a dead
 * holder's lock broken, and, with the interleaving forced through LockTestHooks, two waiters that
 * both judged the same dead holder stale never both end up holding it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, withLock } from './lock.ts';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-lock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A lock left by a holder on another host whose heartbeat stopped a minute ago: stale by age. */
async function writeStaleLock(path: string): Promise<void> {
  await writeFile(path, JSON.stringify({ pid: 1, host: 'elsewhere.invalid', since: '2020-01-01T00:00:00.000Z' }));
  const old = new Date(Date.now() - 60_000);
  await utimes(path, old, old);
}

/** A pid that was alive a moment ago and is not now. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  assert.ok(r.pid);
  return r.pid;
}

const codeOf = (e: unknown) => (e as { code?: string }).code;

function gate(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('a second acquirer waits for the holder and fails with ELOCKED naming it', async (t) => {
  const path = join(await tempDir(t), 'x.lock');
  const release = await acquireLock(path);
  await assert.rejects(
    acquireLock(path, { timeoutMs: 20 }),
    (e: Error) => codeOf(e) === 'ELOCKED' && e.message.includes(`held by pid ${process.pid} on ${hostname()}`),
  );
  await release();
  await assert.rejects(stat(path), (e) => codeOf(e) === 'ENOENT');
  await withLock(path, async () => assert.ok((await stat(path)).isFile()));
  await assert.rejects(stat(path), (e) => codeOf(e) === 'ENOENT');
});

test('a lock whose holder died on this host is broken at once', async (t) => {
  const path = join(await tempDir(t), 'x.lock');
  await writeFile(path, JSON.stringify({ pid: deadPid(), host: hostname(), since: new Date().toISOString() }));
  const release = await acquireLock(path, { timeoutMs: 0 });
  assert.equal((JSON.parse(await readFile(path, 'utf8')) as { pid: number }).pid, process.pid);
  await release();
});

test('a lock from another host is broken once its heartbeat is old, not before', async (t) => {
  const path = join(await tempDir(t), 'x.lock');
  await writeFile(path, JSON.stringify({ pid: 1, host: 'elsewhere.invalid', since: new Date().toISOString() }));
  await assert.rejects(acquireLock(path, { timeoutMs: 20 }), (e) => codeOf(e) === 'ELOCKED');
  await writeStaleLock(path);
  const release = await acquireLock(path, { timeoutMs: 0 });
  await release();
});

test("two waiters that judged the same dead holder stale: the slower one's break does not take the lock the faster one just got", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'x.lock');
  await writeStaleLock(path);
  // Waiter B judges the lock stale and is held there; waiter A then judges it stale too, breaks it and acquires.
  const bJudged = gate();
  const bGo = gate();
  const b = acquireLock(
    path,
    { timeoutMs: 50 },
    {
      judgedStale: async () => {
        bJudged.resolve();
        await bGo.promise;
      },
    },
  );
  await bJudged.promise;
  const releaseA = await acquireLock(path, { timeoutMs: 0 });
  const aLock = await stat(path);
  // B now goes on with the break it decided on: A's lock is fresh, so B must wait and give up, not take it.
  bGo.resolve();
  const outcome = await b.then(
    async (releaseB) => {
      await releaseB();
      return 'acquired';
    },
    (e: unknown) => codeOf(e),
  );
  assert.equal(outcome, 'ELOCKED', 'the slower waiter broke the lock the faster one had just taken: both held it at once');
  const now = await stat(path);
  assert.equal(now.ino, aLock.ino, "A's lock file is still in place");
  assert.equal((JSON.parse(await readFile(path, 'utf8')) as { pid: number }).pid, process.pid);
  await releaseA();
  assert.deepEqual(await readdir(dir), [], 'nothing is left beside the lock once it is released');
});

test('a breaker that died mid-break does not wedge the lock: the next waiter passes over it and cleans up', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'x.lock');
  await writeStaleLock(path);
  const st = await stat(path, { bigint: true });
  const breaker = `${path}.break-${st.ino}-${st.mtimeNs}-0`;
  await writeFile(breaker, JSON.stringify({ pid: deadPid(), host: hostname(), since: new Date().toISOString() }));
  const release = await acquireLock(path, { timeoutMs: 0 });
  assert.deepEqual(await readdir(dir), ['x.lock']);
  await release();
});

test('while a live breaker is at work on a stale lock, other waiters leave it alone', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'x.lock');
  await writeStaleLock(path);
  const st = await stat(path, { bigint: true });
  await writeFile(
    `${path}.break-${st.ino}-${st.mtimeNs}-0`,
    JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }),
  );
  await assert.rejects(acquireLock(path, { timeoutMs: 20 }), (e) => codeOf(e) === 'ELOCKED');
  assert.equal((await stat(path, { bigint: true })).ino, st.ino, 'the stale lock is still there for its breaker');
});

test("a holder whose lock was broken and taken over does not remove the new holder's lock on release", async (t) => {
  const path = join(await tempDir(t), 'x.lock');
  const releaseA = await acquireLock(path);
  await writeStaleLock(path); // as if A's heartbeat had stalled and another host had taken over: a different file now
  await rm(path);
  const releaseB = await acquireLock(path, { timeoutMs: 0 });
  const b = await stat(path);
  await releaseA();
  assert.equal((await stat(path)).ino, b.ino);
  await releaseB();
});

test('waiters racing over one stale lock hold it one at a time', async (t) => {
  const path = join(await tempDir(t), 'x.lock');
  await writeStaleLock(path);
  let inside = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 8 }, () =>
      withLock(path, async () => {
        most = Math.max(most, ++inside);
        await new Promise((r) => setImmediate(r));
        inside--;
      }),
    ),
  );
  assert.equal(most, 1);
});
