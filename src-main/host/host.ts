/**
 * The main side of the contract, whoever carries it (Electron IPC or the web host): the store,
 * the engine-backed handlers behind the validating dispatcher, background transfers and the
 * events they emit, and a watch on the store so changes made by other processes show up too.
 */
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Handlers, HostInfo } from '../../src-shared/ipc/contract.ts';
import { readAddedRegistries } from '../engine/config/known-registries.ts';
import { Store } from '../engine/store/layout.ts';
import { appLogins, type KeychainCipher } from './app-logins.ts';
import { createDispatcher, type Dispatch } from './dispatch.ts';
import { discoverEngines } from '../engine/daemon/discover.ts';
import { EngineSources, type Discover } from './engines.ts';
import { EventHub } from './events.ts';
import { engineHandlers, type HostContext } from './handlers.ts';
import { TransferManager } from './transfers.ts';
import { GraphCache } from './graph-cache.ts';
import { Analyses, type EngineAnalyzer } from './layers-handlers.ts';
import { HeapTrim } from './heap-trim.ts';
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
  /** The desktop app's keychain-encrypted login file and the OS keychain cipher (Electron safeStorage); absent in the web host. */
  keychain?: { file: string; cipher: KeychainCipher };
  /** Finds the Docker and Podman engines (tests pass fakes); default: discovery from the environment. */
  discoverEngines?: Discover;
  /** Analyses an engine's image (tests pass a fake); default: export it into a temporary store, then analyse. */
  analyzeEngineImage?: EngineAnalyzer;
}

export function createHost(opts: HostOptions): Host {
  const events = new EventHub();
  const transfers = new TransferManager(events);
  let unwatch = () => undefined as void;
  let opened: Promise<Store> | undefined;
  const open = async () => {
    const s = await Store.open(opts.storeDir);
    // Watched once the folder surely exists (Store.open creates it).
    unwatch = watchStore(
      s,
      () => storeChanged('external'),
      () => graphs.invalidate(),
    );
    return s;
  };
  const store = () => (opened ??= open().catch((e: unknown) => ((opened = undefined), Promise.reject(e))));
  // The graph and the views' answers leave V8's heap large: trimmed once the host is quiet again.
  const trim = new HeapTrim();
  const graphs = new GraphCache(store);

  // storeChanged is debounced: a pull's own notice and the watcher's echo of it become one event.
  let pending: { timer: ReturnType<typeof setTimeout>; reason: string } | undefined;
  const storeChanged = (reason: string) => {
    graphs.invalidate();
    if (pending) {
      if (reason !== 'external') pending.reason = reason;
      return;
    }
    pending = { reason, timer: setTimeout(() => (events.emit('storeChanged', { reason: pending!.reason }), (pending = undefined)), 100) };
  };

  const uploadsDir = uploadsDirOf(opts.storeDir);
  // Dropped archives nobody loaded within a day are left-overs of an earlier run.
  void sweepUploads(uploadsDir).catch(() => undefined);
  const env = opts.env ?? process.env;
  const logins = appLogins({
    env,
    ...(opts.keychain ? { keychain: opts.keychain } : {}),
    insecure: async (host) => (await readAddedRegistries(await store())).some((r) => r.host === host && r.insecure),
  });
  // Pulls and pushes in this process find the logins saved in the app.
  const unregisterLogins = logins.register();
  // Pings get 3 s: a busy Podman service (a VM under load) answers /version slower than the CLI's 1 s, and is not dead.
  const engines = new EngineSources(opts.discoverEngines ?? (() => discoverEngines(env)), events);
  // Engines' event streams are watched while a window or tab is connected.
  let released: (() => void) | undefined;
  const offClients = events.onClients((n) => {
    if (n > 0) released ??= engines.connect();
    else if (released) {
      released();
      released = undefined;
    }
  });
  const analyses = new Analyses(events, opts.analyzeEngineImage);
  const ctx: HostContext = {
    kind: opts.kind,
    storeDir: opts.storeDir,
    uploadsDir,
    store,
    graph: () => {
      trim.worked();
      return graphs.get();
    },
    env,
    transfers,
    storeChanged,
    events,
    logins,
    engines,
    analyses,
  };
  // The window asks for the image list as soon as it loads: have the store's graph ready by then.
  const warming = opts.handlers
    ? undefined
    : graphs.get().then(
        () => trim.worked(),
        () => undefined,
      );
  const dispatcher = createDispatcher((opts.handlers ?? engineHandlers)(ctx));
  return {
    dispatch: async (call, input) => {
      trim.begin();
      try {
        return await dispatcher(call, input);
      } finally {
        trim.end();
      }
    },
    events,
    async close() {
      await warming;
      trim.close();
      unwatch();
      offClients();
      engines.close();
      unregisterLogins();
      await analyses.close();
      await transfers.close();
      if (pending) clearTimeout(pending.timer);
    },
  };
}

/**
 * Calls `onIndex` when the store's index.json is replaced (by this process, the CLI, skopeo…) and
 * `onContent` when blobs or interrupted downloads come or go (a prune or pull in another process):
 * those change df and prune figures without a catalog change.
 */
function watchStore(store: Store, onIndex: () => void, onContent: () => void): () => void {
  const watchers: FSWatcher[] = [];
  const add = (dir: string, listener: (file: string | null) => void) => {
    try {
      const w = watch(dir, { persistent: false }, (_type, file) => listener(file));
      w.on('error', () => w.close());
      watchers.push(w);
    } catch {
      // No such folder yet, or a file system without change notices: explicit notices still work.
    }
  };
  add(store.root, (file) => (file === 'index.json' ? onIndex() : undefined));
  add(join(store.root, 'blobs', 'sha256'), onContent);
  add(store.ingestDir, onContent);
  return () => watchers.forEach((w) => w.close());
}
