/**
 * The main side of the contract, whoever carries it (Electron IPC or the web host): the store,
 * the engine-backed handlers behind the validating dispatcher, background transfers and the
 * events they emit, and a watch on the store so changes made by other processes show up too.
 */
import { watch } from 'node:fs';
import type { Handlers, HostInfo } from '../../src-shared/ipc/contract.ts';
import { Store } from '../engine/store/layout.ts';
import { createDispatcher, type Dispatch } from './dispatch.ts';
import { EventHub } from './events.ts';
import { engineHandlers, type HostContext } from './handlers.ts';
import { TransferManager } from './transfers.ts';
import { sweepUploads, uploadsDirOf } from './uploads.ts';

export interface Host {
  dispatch: Dispatch;
  events: EventHub;
  close(): Promise<void>;
}

export interface HostOptions {
  kind: HostInfo['host'];
  storeDir: string;
  env?: NodeJS.ProcessEnv;
  /** Replaces the engine-backed handlers (tests). */
  handlers?: (ctx: HostContext) => Handlers;
}

export function createHost(opts: HostOptions): Host {
  const events = new EventHub();
  const transfers = new TransferManager(events);
  let unwatch = () => undefined as void;
  let opened: Promise<Store> | undefined;
  const open = async () => {
    const s = await Store.open(opts.storeDir);
    // Watched once the folder surely exists (Store.open creates it).
    unwatch = watchIndex(opts.storeDir, () => storeChanged('external'));
    return s;
  };
  const store = () => (opened ??= open().catch((e: unknown) => ((opened = undefined), Promise.reject(e))));

  // storeChanged is debounced: a pull's own notice and the watcher's echo of it become one event.
  let pending: { timer: ReturnType<typeof setTimeout>; reason: string } | undefined;
  const storeChanged = (reason: string) => {
    if (pending) {
      if (reason !== 'external') pending.reason = reason;
      return;
    }
    pending = { reason, timer: setTimeout(() => (events.emit('storeChanged', { reason: pending!.reason }), (pending = undefined)), 100) };
  };

  const uploadsDir = uploadsDirOf(opts.storeDir);
  // Dropped archives nobody loaded within a day are left-overs of an earlier run.
  void sweepUploads(uploadsDir).catch(() => undefined);
  const ctx: HostContext = { kind: opts.kind, storeDir: opts.storeDir, uploadsDir, store, env: opts.env ?? process.env, transfers, storeChanged };
  return {
    dispatch: createDispatcher((opts.handlers ?? engineHandlers)(ctx)),
    events,
    async close() {
      unwatch();
      await transfers.close();
      if (pending) clearTimeout(pending.timer);
    },
  };
}

/** Calls `onChange` when the store's index.json is replaced (by this process, the CLI, skopeo…). */
function watchIndex(dir: string, onChange: () => void): () => void {
  try {
    const w = watch(dir, { persistent: false }, (_type, file) => {
      if (file === 'index.json') onChange();
    });
    w.on('error', () => w.close());
    return () => w.close();
  } catch {
    // No store folder yet, or a file system without change notices: explicit notices still work.
    return () => undefined;
  }
}
