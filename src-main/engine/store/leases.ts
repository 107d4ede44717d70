/**
 * Leases protect content that an operation is using (a pull's blobs before they are tagged) from
 * being removed by rmi, prune or GC in this or another process. A lease is a small file under
 * `.deckhand/leases/`; a lease whose process is gone no longer counts.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isErrno, processAlive, writeFileAtomic } from './fsutil.ts';
import type { Store } from './layout.ts';

interface LeaseFile {
  pid: number;
  host: string;
  purpose: string;
  created: string;
  digests: string[];
}

export class Lease {
  private readonly path: string;
  private readonly data: LeaseFile;
  private writing: Promise<void> = Promise.resolve();

  private constructor(path: string, data: LeaseFile) {
    this.path = path;
    this.data = data;
  }

  /** A new lease, holding `digests` from the start (one write where create and add took two). */
  static async create(store: Store, purpose: string, digests: Iterable<string> = []): Promise<Lease> {
    const id = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
    const lease = new Lease(join(store.leaseDir, `${id}.json`), {
      pid: process.pid,
      host: hostname(),
      purpose,
      created: new Date().toISOString(),
      digests: [...new Set(digests)],
    });
    await lease.flush();
    return lease;
  }

  /** Adds digests to the lease; resolves once the lease file says so. */
  async add(...digests: string[]): Promise<void> {
    const fresh = digests.filter((d) => !this.data.digests.includes(d));
    if (fresh.length === 0) return this.writing;
    this.data.digests.push(...fresh);
    return this.flush();
  }

  private flush(): Promise<void> {
    // A lease only matters while its process lives, so it needs atomicity but not fsync.
    this.writing = this.writing.then(async () => {
      await writeFileAtomic(this.path, JSON.stringify(this.data), { durable: false });
    });
    return this.writing;
  }

  async release(): Promise<void> {
    await this.writing.catch(() => undefined);
    await rm(this.path, { force: true });
  }
}

/** Digests held by live leases. Leases of dead processes on this host are cleaned up on the way. */
export async function leasedDigests(store: Store): Promise<Set<string>> {
  const out = new Set<string>();
  let names: string[];
  try {
    names = await readdir(store.leaseDir);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return out;
    throw e;
  }
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const path = join(store.leaseDir, name);
    let lease: LeaseFile;
    try {
      lease = JSON.parse(await readFile(path, 'utf8')) as LeaseFile;
    } catch {
      continue;
    }
    if (lease.host === hostname() && !processAlive(lease.pid)) {
      await rm(path, { force: true });
      continue;
    }
    for (const d of lease.digests) out.add(d);
  }
  return out;
}
