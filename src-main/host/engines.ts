/**
 * The Docker and Podman engines as sources, for the host: discovery on first use and on refresh
 * (answers cached for a few seconds), one EngineApi per engine name kept across discoveries, and,
 * while some window or tab is connected, each reachable engine's event stream turned into
 * `engineChanged { source }` (debounced: a `docker rmi` of ten tags is one event). A change in what
 * discovery finds (an engine came or went, stopped or answered again) is `enginesChanged`.
 *
 * Reconnecting a dropped event stream is the EngineApi's job (`watch` keeps going until aborted);
 * should `watch` end anyway (the engine went away), discovery runs again after a pause and the
 * engine is watched again once it answers.
 */
import { DeckhandError, isDeckhandError } from '../../src-shared/errors.ts';
import type { EngineStatus } from '../../src-shared/ipc/types.ts';
import type { FoundEngine } from '../engine/daemon/discover.ts';
import type { EngineApi, EngineEvent } from '../engine/daemon/types.ts';
import type { EventHub } from './events.ts';

export type { FoundEngine };

export type Discover = () => Promise<FoundEngine[]>;

export interface EngineSourcesOptions {
  /** How long a discovery answers listEngines and lookups (ms). */
  cacheMs?: number;
  /** Engine events closer together than this become one engineChanged (ms). */
  debounceMs?: number;
  /** Pause before watching again after an engine's stream ended (ms). */
  rewatchMs?: number;
  /**
   * While a window is connected, discovery runs again this often (ms), so an engine that stops (a
   * VM put to sleep: its event stream just keeps retrying) or starts shows without a call failing.
   */
  recheckMs?: number;
}

/** Engine event types that change what the views show. */
const RELEVANT = new Set(['image', 'container']);

export class EngineSources {
  private readonly discover: Discover;
  private readonly events: EventHub;
  private readonly cacheMs: number;
  private readonly debounceMs: number;
  private readonly rewatchMs: number;
  private readonly recheckMs: number;
  private recheck: ReturnType<typeof setInterval> | undefined;
  private found: { at: number; list: FoundEngine[] } | null = null;
  private discovering: Promise<FoundEngine[]> | null = null;
  /** One API per engine name, kept while the engine keeps its address. */
  private readonly apis = new Map<string, { api: EngineApi; uri: string }>();
  private readonly watches = new Map<string, AbortController>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** The last call queued per engine (inTurn). */
  private readonly turns = new Map<string, Promise<void>>();
  private clients = 0;
  private closed = false;

  constructor(discover: Discover, events: EventHub, opts: EngineSourcesOptions = {}) {
    this.discover = discover;
    this.events = events;
    this.cacheMs = opts.cacheMs ?? 5_000;
    this.debounceMs = opts.debounceMs ?? 250;
    this.rewatchMs = opts.rewatchMs ?? 5_000;
    this.recheckMs = opts.recheckMs ?? 30_000;
  }

  /** The engines found, reachable or not; `refresh` runs discovery again instead of answering from the cache. */
  async list(refresh = false): Promise<EngineStatus[]> {
    return (await this.current(refresh)).map((f) => f.status);
  }

  /** The API of the engine named `name`; EENGINE when no engine has that name or it does not answer. */
  async get(name: string): Promise<EngineApi> {
    // A known, answering engine is used as found: discovery (pings, the podman command) is not run again for every call.
    const held = this.apis.get(name);
    if (held && this.found?.list.some((f) => f.status.name === name && f.engine)) return held.api;
    let found = (await this.current(false)).find((f) => f.status.name === name);
    // A name from an older list (the engine was started since): look again once.
    if (!found || !found.engine) found = (await this.current(true)).find((f) => f.status.name === name);
    if (!found) {
      const names = (this.found?.list ?? []).map((f) => f.status.name);
      throw new DeckhandError(
        'EENGINE',
        `No engine named ${name} is known here${names.length ? `; the engines found are ${names.join(', ')}` : '; no Docker or Podman engine was found'}.`,
        { detail: { source: name, engines: names } },
      );
    }
    const api = found.engine ? this.apis.get(name)?.api : undefined;
    if (!api) {
      throw new DeckhandError('EENGINE', found.status.error ?? `${name} (${found.status.uri}) does not answer.`, {
        detail: { source: name, uri: found.status.uri },
      });
    }
    return api;
  }

  /**
   * Runs `fn` on an engine's API. When the engine fails to answer (EENGINE), discovery runs again
   * so the sidebar learns it stopped; the error is passed on unchanged.
   */
  async use<T>(name: string, fn: (engine: EngineApi) => Promise<T>): Promise<T> {
    const engine = await this.get(name);
    try {
      return await this.inTurn(name, () => fn(engine));
    } catch (e) {
      if (isDeckhandError(e, 'EENGINE')) void this.current(true).catch(() => undefined);
      throw e;
    }
  }

  /**
   * Runs the calls on one engine one after another. A view asks for several answers at once (the
   * list, df, details, a tree), and each may need the engine's disk usage, which Docker computes
   * for one caller at a time: a second `/system/df` while one runs fails with "a disk usage
   * operation is already running". Different engines still answer in parallel.
   */
  private inTurn<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const before = this.turns.get(name) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.turns.set(name, settled);
    void settled.then(() => {
      if (this.turns.get(name) === settled) this.turns.delete(name);
    });
    return run;
  }

  /** Says an engine's content changed (a removal or prune made here), without waiting for its event stream. */
  changed(name: string): void {
    this.schedule(name);
  }

  /**
   * A window or tab connected: engines are watched while at least one is. Returns the function to
   * call when it goes.
   */
  connect(): () => void {
    this.clients++;
    if (this.clients === 1) {
      void this.current(false).then(
        () => this.watchAll(),
        () => undefined,
      );
      this.recheck = setInterval(() => void this.current(true).catch(() => undefined), this.recheckMs);
      this.recheck.unref?.();
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.clients--;
      if (this.clients === 0) {
        this.unwatchAll();
        clearInterval(this.recheck);
        this.recheck = undefined;
      }
    };
  }

  /** Engines watched now, by name (for tests and diagnostics). */
  watching(): string[] {
    return [...this.watches.keys()];
  }

  close(): void {
    this.closed = true;
    this.unwatchAll();
    clearInterval(this.recheck);
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private current(refresh: boolean): Promise<FoundEngine[]> {
    if (!refresh && this.found && Date.now() - this.found.at < this.cacheMs) return Promise.resolve(this.found.list);
    this.discovering ??= this.discover()
      .then((list) => {
        const before = this.found?.list ?? null;
        this.adopt(list);
        this.found = { at: Date.now(), list };
        if (before !== null && fingerprint(before) !== fingerprint(list)) this.events.emit('enginesChanged', {});
        if (this.clients > 0) this.watchAll();
        return list;
      })
      .finally(() => (this.discovering = null));
    return this.discovering;
  }

  /** Keeps the API already held for an engine at the same address (and its watch); takes new ones. */
  private adopt(list: FoundEngine[]): void {
    const names = new Set(list.map((f) => f.status.name));
    for (const name of [...this.apis.keys()]) {
      if (!names.has(name)) {
        this.apis.delete(name);
        this.unwatch(name);
      }
    }
    for (const f of list) {
      const name = f.status.name;
      const held = this.apis.get(name);
      if (!f.engine) {
        // Unreachable now: its stream, if any, is ended; the API comes back with the next answer.
        this.apis.delete(name);
        this.unwatch(name);
      } else if (!held || held.uri !== f.status.uri) {
        this.unwatch(name);
        this.apis.set(name, { api: f.engine, uri: f.status.uri });
      }
    }
  }

  private watchAll(): void {
    if (this.closed || this.clients === 0) return;
    for (const [name, { api }] of this.apis) if (!this.watches.has(name)) this.watch(name, api);
  }

  private watch(name: string, api: EngineApi): void {
    const ctl = new AbortController();
    this.watches.set(name, ctl);
    const onEvent = (e: EngineEvent) => {
      if (RELEVANT.has(e.type)) this.schedule(name);
    };
    const ended = () => {
      if (this.watches.get(name) === ctl) this.watches.delete(name);
      if (ctl.signal.aborted || this.closed || this.clients === 0) return;
      // The stream ended on its own: the engine went away. Look again later and watch it once it answers.
      const t = setTimeout(() => {
        this.timers.delete(t);
        void this.current(true).catch(() => undefined);
      }, this.rewatchMs);
      this.timers.add(t);
    };
    api.watch(onEvent, ctl.signal).then(ended, ended);
  }

  private unwatch(name: string): void {
    this.watches.get(name)?.abort();
    this.watches.delete(name);
  }

  private unwatchAll(): void {
    for (const name of [...this.watches.keys()]) this.unwatch(name);
  }

  private schedule(name: string): void {
    if (this.closed || this.pending.has(name)) return;
    this.pending.set(
      name,
      setTimeout(() => {
        this.pending.delete(name);
        this.events.emit('engineChanged', { source: name });
      }, this.debounceMs),
    );
  }
}

/** What the sidebar shows of a discovery, to tell whether it changed. */
function fingerprint(list: FoundEngine[]): string {
  return JSON.stringify(list.map(({ status: s }) => [s.name, s.kind, s.uri, s.isDefault, s.reachable, s.version, s.error, s.rootDir]));
}
