/**
 * The EngineApi over a Docker or Podman engine's HTTP API: one class, with the few places where the
 * two differ (where disk usage comes from, how an image's history marks empty layers, podman's
 * prune rules) switched on `kind`. Every answer has the store's shape (src-shared/ipc/types.ts).
 *
 * What the numbers are, for an engine (the store's are stored, compressed bytes; an engine keeps
 * layers unpacked, so all of these are unpacked bytes as the engine counts them):
 * - ImageRow.size: the engine's image size (`docker system df -v` SIZE, podman's `system df -v`
 *   SIZE): every layer of the image, shared or not. Podman's also counts the image's manifest and
 *   config, docker's does not.
 * - sharedBytes: the engine's SHARED SIZE (layers another image also uses); uniqueBytes its UNIQUE
 *   SIZE (docker: size - shared, as its CLI computes it; podman: its UniqueSize).
 * - containers: how many containers (running or stopped) use the image, as the engine counts them.
 * - A layer's size (tree, layer map, DiskUsage.blobSizes): the engine's per-layer size from the
 *   image history (docker: the layer's diff size; podman: its uncompressed size).
 * - `-1` is the engine saying "not computed"; it stays -1 (never 0), and so does anything derived
 *   from it.
 *
 * Layers are identified across images by chain ID (computed from the image's diff IDs, as the store
 * does), so one base layer under many images is one node.
 */
import type { IncomingMessage } from 'node:http';
import { DeckhandError } from '../../../src-shared/errors.ts';
import type { ImageConfig, ImageManifest } from '../../../src-shared/oci/manifest.ts';
import type {
  DiskUsage,
  EngineStatus,
  ImageDetails,
  ImageRow,
  ImageTree,
  ImageUsage,
  LayerNode,
  PrunePlan,
  PruneResult,
  RemoveResult,
  TreeLayer,
} from '../../../src-shared/ipc/types.ts';
import { chainIds, forestOf } from '../insight/layer-chain.ts';
import type { LayerMeta } from '../store/meta.ts';
import { EngineHttpError, readText, type EngineConnection, type EngineKind } from './connection.ts';
import type { EngineApi, EngineEvent, EnginePruneOptions } from './types.ts';
import { planEnginePrune, type PruneImage } from './prune-rules.ts';
import { readEvents } from './events.ts';

/** The newest Docker API version this code reads; engines that speak a newer one are asked for this. */
export const MAX_DOCKER_API = '1.52';
/** How many times a `/system/df` that collides with another client's is asked. */
const DF_ATTEMPTS = 5;

/** The oldest Docker API version the requests here exist in (/system/df and history). */
export const MIN_DOCKER_API = '1.25';

/** The media type an engine's images are listed with: engines keep an image as its config and unpacked layers. */
const ENGINE_IMAGE_TYPE = 'application/vnd.docker.container.image.v1+json';
/** Layers as an engine keeps them: unpacked tar, named by diff ID. */
const UNPACKED_LAYER_TYPE = 'application/vnd.oci.image.layer.v1.tar';

/** Compares dotted versions numerically: `1.9` < `1.41`. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * The API version to speak: the lower of ours and the engine's, never below the engine's minimum.
 * Null when the engine's minimum is above our maximum (it is too new for us).
 */
export function negotiateApiVersion(engineVersion: string | undefined, engineMin: string | undefined): string | null {
  let v = MAX_DOCKER_API;
  if (engineVersion && compareVersions(engineVersion, v) < 0) v = engineVersion;
  if (engineMin && compareVersions(v, engineMin) < 0) return null;
  return v;
}

/** A number from an engine: a finite integer, with anything else (absent, -1) as -1, "unknown". */
function known(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : -1;
}

function withSha(id: string): string {
  return id.startsWith('sha256:') ? id : `sha256:${id}`;
}

/** One image as the engine's disk-usage answer lists it (one entry per image ID, with all its tags). */
export interface EngineImage {
  id: string;
  parentId: string | null;
  tags: string[];
  repoDigests: string[];
  created: string | null;
  size: number;
  shared: number;
  unique: number;
  containers: number;
  labels: Record<string, string>;
}

/** An image's layers (oldest first) with their chain IDs, unpacked sizes and build steps, and its config. */
export interface ImageLayers {
  id: string;
  chain: string[];
  layers: LayerMeta[];
  config: ImageConfig;
  platform: string;
}

interface DockerSummary {
  Id: string;
  ParentId?: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created?: number;
  Size?: number;
  SharedSize?: number;
  Containers?: number;
  Labels?: Record<string, string> | null;
}

/** `/system/df` before API 1.52 (`Images`, `LayersSize`), and from 1.52 on (`ImageUsage.Items`, `TotalSize`). Both are read. */
interface DockerDf {
  LayersSize?: number;
  Images?: DockerSummary[] | null;
  ImageUsage?: { Items?: DockerSummary[] | null; TotalSize?: number; Reclaimable?: number; ActiveCount?: number; TotalCount?: number };
}

interface PodmanDfImage {
  Repository?: string;
  Tag?: string;
  ImageID: string;
  Created?: string;
  Size?: number;
  SharedSize?: number;
  UniqueSize?: number;
  Containers?: number;
}

interface ContainerSummary {
  Id: string;
  Names?: string[] | string | null;
  ImageID?: string;
  Image?: string;
}

interface HistoryEntry {
  Id?: string;
  Created?: number;
  CreatedBy?: string;
  Size?: number;
  Comment?: string;
  Tags?: string[] | null;
}

/** Real tags only: old engines list `<none>:<none>` for an untagged image. */
function realTags(tags: string[] | null | undefined): string[] {
  return (tags ?? []).filter((t) => t && t !== '<none>:<none>' && !t.endsWith(':<none>'));
}

function splitTag(tag: string): { repository: string; tag: string } {
  const at = tag.lastIndexOf(':');
  const slash = tag.lastIndexOf('/');
  if (at > slash) return { repository: tag.slice(0, at), tag: tag.slice(at + 1) };
  return { repository: tag, tag: 'latest' };
}

function fromDockerSummary(s: DockerSummary): EngineImage {
  const size = known(s.Size);
  const shared = known(s.SharedSize);
  return {
    id: withSha(s.Id),
    parentId: s.ParentId ? withSha(s.ParentId) : null,
    tags: realTags(s.RepoTags),
    repoDigests: (s.RepoDigests ?? []).filter((d) => !d.startsWith('<none>')),
    created: typeof s.Created === 'number' && s.Created > 0 ? new Date(s.Created * 1000).toISOString() : null,
    size,
    shared,
    unique: size >= 0 && shared >= 0 ? size - shared : -1,
    containers: known(s.Containers),
    labels: s.Labels ?? {},
  };
}

/** Reads Docker's `/system/df` in either shape; `Items` of the new one only come with `verbose`. */
export function dockerDfImages(df: DockerDf): { images: EngineImage[]; layersSize: number } {
  const list = df.ImageUsage?.Items ?? df.Images ?? [];
  const layersSize = known(df.ImageUsage?.TotalSize ?? df.LayersSize);
  return { images: list.map(fromDockerSummary), layersSize };
}

/** Podman's `/libpod/system/df` lists one entry per tag; this folds them into one per image. */
export function podmanDfImages(
  list: PodmanDfImage[],
  digests: Map<string, { repoDigests: string[]; parentId: string | null }>,
): EngineImage[] {
  const byId = new Map<string, EngineImage>();
  for (const e of list) {
    const id = withSha(e.ImageID);
    let img = byId.get(id);
    if (!img) {
      const extra = digests.get(id);
      img = {
        id,
        parentId: extra?.parentId ?? null,
        tags: [],
        repoDigests: extra?.repoDigests ?? [],
        created: e.Created && !e.Created.startsWith('0001-') ? new Date(e.Created).toISOString() : null,
        size: known(e.Size),
        shared: known(e.SharedSize),
        unique: known(e.UniqueSize),
        containers: known(e.Containers),
        labels: {},
      };
      byId.set(id, img);
    }
    if (e.Repository && e.Repository !== '<none>' && e.Tag && e.Tag !== '<none>') img.tags.push(`${e.Repository}:${e.Tag}`);
  }
  return [...byId.values()];
}

function containerRows(list: ContainerSummary[]): Array<{ id: string; names: string[]; imageId: string }> {
  return list.map((c) => ({ id: c.Id, names: containerNames(c), imageId: c.ImageID ? withSha(c.ImageID) : '' }));
}

function containerNames(c: ContainerSummary): string[] {
  const names = typeof c.Names === 'string' ? c.Names.split(',') : (c.Names ?? []);
  return names.map((n) => n.replace(/^\//, '')).filter(Boolean);
}

/** Docker's history does not mark empty layers; its metadata-only steps are recognisable by their instruction. */
const METADATA_STEP =
  /(#\(nop\)\s*|^)(ENV|LABEL|CMD|ENTRYPOINT|EXPOSE|USER|WORKDIR|VOLUME|STOPSIGNAL|HEALTHCHECK|SHELL|ARG|ONBUILD|MAINTAINER)\b/;

/**
 * Pairs an image's layers (diff IDs, oldest first) with history entries (oldest first): entries
 * with a size are layers; of the zero-sized ones, those that are not metadata steps are layers,
 * the last ones first when there are more than layers left. `empty` marks empty layers where the
 * engine said (podman's config history).
 */
export function pairHistory(
  diffIds: string[],
  history: Array<{ size: number; createdBy: string | null; empty?: boolean }>,
): Array<{ size: number; createdBy: string | null }> {
  let candidates: Array<{ size: number; createdBy: string | null }>;
  if (history.some((h) => h.empty !== undefined)) candidates = history.filter((h) => h.empty !== true);
  else {
    const nonEmpty = history.map((h) => h.size > 0 || !METADATA_STEP.test(h.createdBy ?? ''));
    let count = nonEmpty.filter(Boolean).length;
    // More candidates than layers: drop zero-sized ones from the oldest on (a base's steps are the least known).
    for (let i = 0; i < history.length && count > diffIds.length; i++) {
      if (nonEmpty[i] && history[i]!.size === 0) {
        nonEmpty[i] = false;
        count--;
      }
    }
    // Fewer: take back zero-sized metadata steps from the newest on.
    for (let i = history.length - 1; i >= 0 && count < diffIds.length; i--) {
      if (!nonEmpty[i]) {
        nonEmpty[i] = true;
        count++;
      }
    }
    candidates = history.filter((_, i) => nonEmpty[i]);
  }
  // Unequal still (a squashed or hand-made image): align on the newest layers; older ones are unknown.
  const out: Array<{ size: number; createdBy: string | null }> = diffIds.map(() => ({ size: -1, createdBy: null }));
  for (let k = 1; k <= Math.min(candidates.length, diffIds.length); k++) out[diffIds.length - k] = candidates[candidates.length - k]!;
  return out;
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** What an engine's `/_ping` says about it (its headers), with `/version` asked only when the ping cannot settle the API version. */
export interface PingAnswer {
  /** The negotiated Docker API version. */
  apiVersion: string;
  /** Podman's libpod API version (`Libpod-Api-Version`), null for docker. */
  libpodVersion: string | null;
  /** The engine's release (`Server: Docker/20.10.24`, `Libpod/4.3.1`). */
  version: string | null;
}

/**
 * Pings the engine and negotiates the API version as the docker CLI does: the lower of ours and the
 * engine's `Api-Version`. When the engine is newer than us (or says nothing), `/version` tells its
 * minimum, and a minimum above ours is an error saying to update Deckhand.
 */
export async function pingEngine(connection: EngineConnection, timeoutMs?: number): Promise<PingAnswer> {
  const t = timeoutMs !== undefined ? { timeoutMs } : {};
  const res = await connection.request({ path: '/_ping', versioned: false, ...t });
  // Read to its end (`OK`), so that the socket is free again for the requests that follow.
  await readText(res, 64 * 1024);
  const header = (k: string) => {
    const v = res.headers[k];
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  let api = header('api-version');
  const libpod = header('libpod-api-version') ?? null;
  let version = /^(?:Docker|Libpod)\/(\S+)/.exec(header('server') ?? '')?.[1] ?? null;
  let min: string | undefined;
  if (!api || compareVersions(api, MAX_DOCKER_API) > 0) {
    const v = await connection.json<{ Version?: string; ApiVersion?: string; MinAPIVersion?: string }>({
      path: '/version',
      versioned: false,
      ...t,
    });
    api = v.ApiVersion ?? api;
    min = v.MinAPIVersion;
    version ??= v.Version ?? null;
  }
  const uri = connection.address.uri;
  const negotiated = negotiateApiVersion(api, min);
  if (negotiated === null)
    throw new DeckhandError(
      'EENGINE',
      `${uri} speaks Docker API ${min} to ${api}, newer than this Deckhand reads (up to ${MAX_DOCKER_API}). Update Deckhand.`,
    );
  if (api && compareVersions(api, MIN_DOCKER_API) < 0)
    throw new DeckhandError('EENGINE', `${uri} speaks Docker API ${api}; Deckhand needs ${MIN_DOCKER_API} or newer.`);
  return { apiVersion: negotiated, libpodVersion: libpod, version };
}

export interface EngineOptions {
  origin?: string;
  isDefault?: boolean;
}

export class DaemonEngine implements EngineApi {
  private engineName: string;
  readonly kind: EngineKind;
  readonly connection: EngineConnection;
  private readonly origin: string;
  private readonly isDefault: boolean;
  private version: string | null = null;
  private negotiated: Promise<void> | null = null;
  /** The last `/system/df` asked: the next waits for it (Docker computes one at a time). */
  private dfTurn: Promise<void> = Promise.resolve();
  /** Layers of an image by ID: an ID is content-addressed, so what it names never changes. */
  private readonly layerCache = new Map<string, Promise<ImageLayers>>();
  /** The options (and time) each plan was made with, for runPrune to hand the engine the same filters. */
  private readonly planOptions = new WeakMap<PrunePlan, { opts: EnginePruneOptions; now: number }>();

  constructor(connection: EngineConnection, kind: EngineKind, name: string, opts: EngineOptions = {}) {
    this.connection = connection;
    this.kind = kind;
    this.engineName = name;
    this.origin = opts.origin ?? 'address';
    this.isDefault = opts.isDefault ?? false;
  }

  get name(): string {
    return this.engineName;
  }

  /** Discovery renames an engine found under another kind's name, or opened by its address. */
  rename(name: string): void {
    this.engineName = name;
  }

  /** The ping's answer, when discovery already has it: no need to ask again. */
  adoptPing(ping: PingAnswer): void {
    this.applyPing(ping);
    this.negotiated = Promise.resolve();
  }

  private applyPing(ping: PingAnswer): void {
    this.connection.apiVersion = ping.apiVersion;
    if (ping.libpodVersion) this.connection.libpodVersion = ping.libpodVersion;
    this.version = ping.version;
  }

  /** Pings once and settles the API version (and podman's libpod version). */
  negotiate(timeoutMs?: number): Promise<void> {
    this.negotiated ??= pingEngine(this.connection, timeoutMs).then((p) => this.applyPing(p));
    this.negotiated.catch(() => {
      this.negotiated = null;
    });
    return this.negotiated;
  }

  /** `Name (address)`, or the address alone when that is the name. */
  get label(): string {
    const uri = this.connection.address.uri;
    return this.name === uri ? uri : `${this.name} (${uri})`;
  }

  /** `timeoutMs`: the ping's deadline; the storage location is asked with at least 3 s (podman's /info is slow), and is null if that fails. */
  async status(opts: { timeoutMs?: number } = {}): Promise<EngineStatus> {
    const base: EngineStatus = {
      name: this.name,
      kind: this.kind,
      uri: this.connection.address.uri,
      origin: this.origin,
      isDefault: this.isDefault,
      reachable: false,
      version: null,
      apiVersion: null,
      error: null,
      rootDir: null,
    };
    try {
      await this.negotiate(opts.timeoutMs);
      return {
        ...base,
        reachable: true,
        version: this.version,
        apiVersion: this.connection.apiVersion ?? null,
        rootDir: await this.rootDir(Math.max(opts.timeoutMs ?? 0, 3000)),
      };
    } catch (e) {
      return { ...base, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Where the engine keeps images: docker's DockerRootDir, podman's store.graphRoot. */
  private async rootDir(timeoutMs: number): Promise<string | null> {
    const t = { timeoutMs };
    try {
      if (this.kind === 'podman') {
        const info = await this.connection.json<{ store?: { graphRoot?: string } }>({ path: '/libpod/info', ...t });
        return info.store?.graphRoot ?? null;
      }
      const info = await this.connection.json<{ DockerRootDir?: string }>({ path: '/info', ...t });
      return info.DockerRootDir ?? null;
    } catch {
      return null;
    }
  }

  /** Every image (one per ID) with the engine's sizes and container counts, and the total of all layers. */
  async engineImages(): Promise<{ images: EngineImage[]; layersSize: number }> {
    await this.negotiate();
    if (this.kind === 'podman') {
      // Not /libpod/images/json as well: podman computes every image's size for it (a second per 200 images).
      // Podman's df has no digests or parents; rows carry the image ID as their digest.
      const df = await this.connection.json<{ Images?: PodmanDfImage[] | null }>({ path: '/libpod/system/df' });
      return { images: podmanDfImages(df.Images ?? [], new Map()), layersSize: -1 };
    }
    const api = this.connection.apiVersion ?? MAX_DOCKER_API;
    const query: Record<string, string> = {};
    if (compareVersions(api, '1.42') >= 0) query.type = 'image';
    if (compareVersions(api, '1.52') >= 0) query.verbose = '1';
    return dockerDfImages(await this.dockerDf<DockerDf>(query));
  }

  /**
   * Docker's `/system/df`. Docker computes one at a time and answers a second asked meanwhile with
   * 500 "a disk usage operation is already running": calls here wait for the one before (an answer
   * is never shared, so none predates a removal it follows), and one that collides with another
   * client's is asked again after a pause, at most DF_ATTEMPTS times.
   */
  private dockerDf<T>(query: Record<string, string> = {}): Promise<T> {
    const ask = async (): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.connection.json<T>({ path: '/system/df', query });
        } catch (e) {
          const busy = e instanceof EngineHttpError && e.status === 500 && /disk usage operation is already running/i.test(e.engineMessage);
          if (!busy || attempt >= DF_ATTEMPTS) throw e;
          await new Promise((r) => setTimeout(r, 100 * 2 ** (attempt - 1)));
        }
      }
    };
    const p = this.dfTurn.then(ask, ask);
    this.dfTurn = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  /** Every container with the image it was created from. */
  async containers(): Promise<Array<{ id: string; names: string[]; imageId: string }>> {
    await this.negotiate();
    return containerRows(
      (await this.connection.json<ContainerSummary[] | null>({ path: '/containers/json', query: { all: 'true' } })) ?? [],
    );
  }

  async images(): Promise<ImageRow[]> {
    await this.negotiate();
    // Before API 1.42 Docker's /system/df lists the containers too: no second request.
    if (this.kind === 'docker' && compareVersions(this.connection.apiVersion ?? MAX_DOCKER_API, '1.42') < 0) {
      const df = await this.dockerDf<DockerDf & { Containers?: ContainerSummary[] | null }>();
      return rowsOf(dockerDfImages(df).images, containerRows(df.Containers ?? []));
    }
    const [{ images }, containers] = await Promise.all([this.engineImages(), this.containers()]);
    return rowsOf(images, containers);
  }

  /** An image's layers, config and platform, from `/images/{id}/json` and its history. */
  imageLayers(nameOrId: string): Promise<ImageLayers> {
    const cached = this.layerCache.get(nameOrId);
    if (cached) return cached;
    const p = this.loadLayers(nameOrId);
    this.layerCache.set(nameOrId, p);
    p.catch(() => this.layerCache.delete(nameOrId));
    return p;
  }

  private async loadLayers(nameOrId: string): Promise<ImageLayers> {
    await this.negotiate();
    const ref = encodeURIComponent(nameOrId);
    const [inspect, history] = await Promise.all([
      this.notFoundAsUser(nameOrId, () =>
        this.connection.json<RawInspect>({ path: this.kind === 'podman' ? `/libpod/images/${ref}/json` : `/images/${ref}/json` }),
      ),
      this.notFoundAsUser(nameOrId, () => this.connection.json<HistoryEntry[] | null>({ path: `/images/${ref}/history` })),
    ]);
    const diffIds = inspect.RootFS?.Layers ?? [];
    const oldestFirst = [...(history ?? [])].reverse();
    const configHistory = inspect.History;
    const entries = oldestFirst.map((h, i) => {
      const e: { size: number; createdBy: string | null; empty?: boolean } = { size: known(h.Size), createdBy: h.CreatedBy ?? null };
      // podman's config history says which steps made no layer, in the same order as its history answer.
      if (configHistory && configHistory.length === oldestFirst.length) e.empty = configHistory[i]?.empty_layer === true;
      return e;
    });
    const paired = pairHistory(diffIds, entries);
    const layers: LayerMeta[] = diffIds.map((d, i) => ({
      digest: d,
      size: paired[i]!.size,
      mediaType: UNPACKED_LAYER_TYPE,
      diffId: d,
      uncompressed: paired[i]!.size >= 0 ? paired[i]!.size : null,
      createdBy: paired[i]!.createdBy,
    }));
    const platform = [inspect.Os ?? 'linux', inspect.Architecture ?? 'unknown', inspect.Variant].filter(Boolean).join('/');
    const cfg = inspect.Config ?? {};
    const config: ImageConfig = {
      architecture: inspect.Architecture ?? 'unknown',
      os: inspect.Os ?? 'linux',
      ...(inspect.Variant ? { variant: inspect.Variant } : {}),
      ...(inspect.Created ? { created: inspect.Created } : {}),
      ...(inspect.Author ? { author: inspect.Author } : {}),
      config: {
        ...(cfg.User ? { User: cfg.User } : {}),
        ...(cfg.ExposedPorts ? { ExposedPorts: cfg.ExposedPorts } : {}),
        ...(cfg.Env ? { Env: cfg.Env } : {}),
        Entrypoint: cfg.Entrypoint ?? null,
        Cmd: cfg.Cmd ?? null,
        ...(cfg.Volumes ? { Volumes: cfg.Volumes } : {}),
        ...(cfg.WorkingDir ? { WorkingDir: cfg.WorkingDir } : {}),
        Labels: cfg.Labels ?? null,
        ...(cfg.StopSignal ? { StopSignal: cfg.StopSignal } : {}),
      },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: configHistory
        ? configHistory
        : oldestFirst.map((h) => ({
            ...(h.Created ? { created: new Date(h.Created * 1000).toISOString() } : {}),
            ...(h.CreatedBy ? { created_by: h.CreatedBy } : {}),
            ...(h.Comment ? { comment: h.Comment } : {}),
          })),
    };
    return { id: withSha(inspect.Id), chain: chainIds(layers), layers, config, platform };
  }

  /** A 404 for an image is the user's "no such image" on this engine. */
  private async notFoundAsUser<T>(name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof EngineHttpError && e.status === 404)
        throw new DeckhandError('ENOT_FOUND', `No image ${name} on ${this.label}.`, { cause: e });
      throw e;
    }
  }

  async inspect(ref: string): Promise<ImageDetails> {
    const layers = await this.imageLayers(ref);
    const [{ images }, containers] = await Promise.all([this.engineImages(), this.containers()]);
    const image = images.find((i) => i.id === layers.id);
    const rows = rowsOf(image ? [image] : [], containers);
    // The row for the name asked by, when it is one of the image's tags; else its first.
    const row =
      rows.find((r) => r.name === ref || `${r.repository}:${r.tag}` === ref || r.name === `${ref}:latest`) ??
      rows[0] ??
      rowsOf([{ ...blankImage(layers.id), created: layers.config.created ?? null }], containers)[0]!;
    const manifest: ImageManifest = {
      schemaVersion: 2,
      config: { mediaType: ENGINE_IMAGE_TYPE, digest: layers.id, size: -1 },
      layers: layers.layers.map((l) => ({ mediaType: UNPACKED_LAYER_TYPE, digest: l.digest, size: l.size })),
    };
    return {
      ...row,
      platforms: [layers.platform],
      refName: row.dangling ? null : row.name,
      index: null,
      images: [
        {
          platform: layers.platform,
          digest: row.digest,
          manifest,
          config: layers.config,
          configDigest: layers.id,
          layers: layers.layers.map((l) => ({
            digest: l.digest,
            mediaType: l.mediaType,
            size: l.size,
            diffId: l.diffId,
            createdBy: l.createdBy,
            stored: true,
          })),
        },
      ],
      absentPlatforms: [],
      tagHistory: [],
    };
  }

  /** Every image's layers, fetched at most 8 at a time (cached by ID). */
  private async allLayers(images: EngineImage[]): Promise<Map<string, ImageLayers>> {
    const list = await mapLimit(images, 8, (i) => this.imageLayers(i.id));
    return new Map(list.map((l) => [l.id, l]));
  }

  async tree(ref: string): Promise<ImageTree[]> {
    const target = await this.imageLayers(ref);
    const { images } = await this.engineImages();
    const all = await this.allLayers(images);
    all.set(target.id, target);
    const tops = topsOf(images, all);
    const image = images.find((i) => i.id === target.id);
    return [treeOf(target, image ?? blankImage(target.id), tops)];
  }

  /** Images built on `ref`: their layer chain contains its top layer and goes further (`tree --whatrequires`). */
  async whatRequires(ref: string): Promise<Array<{ base: ImageTree; dependents: ImageTree[] }>> {
    const target = await this.imageLayers(ref);
    const { images } = await this.engineImages();
    const all = await this.allLayers(images);
    const tops = topsOf(images, all);
    const top = target.chain.at(-1);
    const depth = target.chain.length;
    const dependents = images.filter((i) => {
      const c = all.get(i.id)?.chain;
      return i.id !== target.id && top !== undefined && c !== undefined && c.length > depth && c[depth - 1] === top;
    });
    const base = treeOf(target, images.find((i) => i.id === target.id) ?? blankImage(target.id), tops);
    return [{ base, dependents: dependents.map((d) => treeOf(all.get(d.id)!, d, tops)) }];
  }

  async layerForest(): Promise<LayerNode> {
    const { images } = await this.engineImages();
    const all = await this.allLayers(images);
    const tops = topsOf(images, all);
    const chains = images.flatMap((image) => {
      const l = all.get(image.id);
      return l ? [l.layers.map((layer, i) => ({ id: l.chain[i]!, layer: () => treeLayer(l.chain[i]!, layer, tops) }))] : [];
    });
    return forestOf(chains);
  }

  /**
   * `layers: false` (the CLI's `df`): the engine's own numbers only, without asking each image's
   * layers (two requests per image); blobs are then empty, and podman's total (which podman does
   * not report) is -1, unknown. Default: with layers, as the layer map needs them.
   */
  async usage(opts: { layers?: boolean } = {}): Promise<DiskUsage> {
    const [{ images, layersSize }, containers] = await Promise.all([this.engineImages(), this.containers()]);
    const all = opts.layers === false ? new Map<string, ImageLayers>() : await this.allLayers(images);
    const rows = rowsOf(images, containers);
    const indexOf = new Map<string, number>();
    const blobDigests: string[] = [];
    const blobSizes: number[] = [];
    const blobSteps: Array<string | null> = [];
    const users = new Map<string, Set<string>>();
    for (const image of images) {
      const l = all.get(image.id);
      if (!l) continue;
      l.layers.forEach((layer, i) => {
        const id = l.chain[i]!;
        if (!indexOf.has(id)) {
          indexOf.set(id, blobDigests.length);
          blobDigests.push(id);
          blobSizes.push(layer.size);
          blobSteps.push(layer.createdBy);
        }
        let u = users.get(id);
        if (!u) users.set(id, (u = new Set()));
        u.add(image.id);
      });
    }
    const usageRows: Array<ImageUsage & { id: string | null; containers: number; containerNames: string[] }> = rows.map((r) => {
      const l = all.get(r.id ?? '');
      return {
        name: r.name,
        repository: r.repository,
        tag: r.tag,
        digest: r.digest,
        dangling: r.dangling,
        totalBytes: r.size,
        sharedBytes: r.sharedBytes,
        uniqueBytes: r.uniqueBytes,
        blobs: l ? l.chain.map((c) => indexOf.get(c)!) : [],
        id: r.id,
        containers: r.containers ?? -1,
        containerNames: r.containerNames ?? [],
      };
    });
    let blobBytes = 0;
    let sharedBytes = 0;
    let unknownLayers = false;
    blobDigests.forEach((d, k) => {
      const size = blobSizes[k]!;
      if (size < 0) {
        unknownLayers = true;
        return;
      }
      blobBytes += size;
      if ((users.get(d)?.size ?? 0) > 1) sharedBytes += size;
    });
    // A default prune removes only untagged images: with none (docker's df lists no intermediate
    // images; podman's lists all), it frees nothing, and the whole graph need not be read.
    const reclaimable = images.every((i) => i.tags.length > 0) ? 0 : (await this.planPrune({})).reclaimedBytes;
    if (opts.layers === false) unknownLayers = true;
    const total = layersSize >= 0 ? layersSize : unknownLayers ? -1 : blobBytes;
    return {
      images: usageRows,
      blobDigests,
      blobSizes,
      blobSteps,
      totalBytes: total,
      reclaimableBytes: reclaimable,
      blobCount: opts.layers === false ? -1 : blobDigests.length,
      blobBytes: unknownLayers ? -1 : blobBytes,
      sharedBytes: unknownLayers ? -1 : sharedBytes,
      unreferencedBlobs: 0,
      unreferencedBytes: 0,
      ingestCount: 0,
      ingestBytes: 0,
    };
  }

  /** Every image including docker's intermediate (untagged parent) ones, as prune sees them. */
  private async pruneView(): Promise<{ images: PruneImage[]; layers: Map<string, ImageLayers> }> {
    await this.negotiate();
    const path = this.kind === 'podman' ? '/libpod/images/json' : '/images/json';
    const [list, containers] = await Promise.all([
      this.connection.json<Array<DockerSummary & { Names?: string[] | null; Dangling?: boolean }> | null>({ path, query: { all: 'true' } }),
      this.containers(),
    ]);
    const summaries = (list ?? []).map((s) => ({ ...fromDockerSummary(s), names: s.Names ?? null }));
    const layers = await this.allLayers(summaries);
    const used = new Map<string, string[]>();
    for (const c of containers) used.set(c.imageId, [...(used.get(c.imageId) ?? []), ...c.names]);
    const images: PruneImage[] = summaries.map((s) => ({
      id: s.id,
      parentId: s.parentId,
      tags: this.kind === 'podman' ? realTags(s.names ?? s.tags) : s.tags,
      repoDigests: s.repoDigests,
      created: s.created,
      labels: layers.get(s.id)?.config.config?.Labels ?? s.labels ?? {},
      containers: used.get(s.id) ?? [],
      chain: layers.get(s.id)?.chain ?? [],
      layerSizes: layers.get(s.id)?.layers.map((l) => l.size) ?? [],
      size: s.size,
    }));
    return { images, layers };
  }

  async planPrune(opts: EnginePruneOptions): Promise<PrunePlan> {
    const now = Date.now();
    const { images } = await this.pruneView();
    const plan = planEnginePrune(this.kind, images, opts, now);
    this.planOptions.set(plan, { opts, now });
    return plan;
  }

  /**
   * Runs the engine's own prune with the plan's options when it would remove nothing the plan does
   * not list (the result is then the engine's report: its SpaceReclaimed, podman's sizes). When
   * more has become prunable since the plan, only the plan's images are removed, one by one, and
   * the bytes freed are the layers that went. `opts` are the plan's options; a plan this engine
   * made remembers them, and without either, a plan listing a tagged image is taken as `--all`.
   */
  async runPrune(plan: PrunePlan, opts?: EnginePruneOptions): Promise<PruneResult> {
    await this.negotiate();
    const known = this.planOptions.get(plan);
    const options = opts ?? known?.opts ?? { all: plan.images.some((i) => !/^dangling/.test(i.reason)) };
    const now = known?.now ?? Date.now();
    const before = await this.pruneView();
    const current = planEnginePrune(this.kind, before.images, options, now);
    const planned = new Set(plan.images.map((i) => i.digest));
    const skipped: PruneResult['skipped'] = [];
    let removedImages: string[];
    let freedBytes: number;
    if (current.images.every((i) => planned.has(i.digest))) {
      const r = await this.enginePrune(options, now);
      removedImages = r.removed;
      freedBytes = r.reclaimed;
      skipped.push(...r.skipped);
    } else {
      removedImages = [];
      for (const item of plan.images) {
        try {
          await this.connection.json({
            method: 'DELETE',
            path: `/images/${encodeURIComponent(item.digest)}`,
            query: { force: 'false', noprune: 'false' },
          });
          removedImages.push(item.name);
        } catch (e) {
          if (e instanceof EngineHttpError && (e.status === 409 || e.status === 404))
            skipped.push({ item: item.name, reason: e.engineMessage });
          else throw e;
        }
      }
      freedBytes = -1;
    }
    for (const i of plan.images)
      if (!removedImages.includes(i.name) && !removedImages.includes(i.digest) && !skipped.some((s) => s.item === i.name))
        skipped.push({ item: i.name, reason: `${this.name} did not remove it (in use, or changed since the plan)` });
    const after = await this.pruneView();
    const freed = freedLayers(before.images, after.images);
    if (freedBytes < 0) freedBytes = freed.reduce((n, l) => n + Math.max(0, l.size), 0);
    return { removedImages, deletedBlobs: freed.length, deletedIngests: 0, freedBytes, skipped };
  }

  /** POST /images/prune with the options as the engine's filters; what it removed and the bytes it reports. */
  private async enginePrune(
    opts: EnginePruneOptions,
    now: number,
  ): Promise<{ removed: string[]; reclaimed: number; skipped: PruneResult['skipped'] }> {
    const filters: Record<string, string[]> = {};
    if (opts.olderThanMs !== undefined) filters.until = [String(Math.floor((now - opts.olderThanMs) / 1000))];
    if (opts.labels?.length) filters.label = opts.labels.map((l) => (l.value === undefined ? l.key : `${l.key}=${l.value}`));
    if (this.kind === 'podman') {
      const query: Record<string, string> = { filters: JSON.stringify(filters) };
      if (opts.all) query.all = 'true';
      const report = await this.connection.json<Array<{ Id?: string; Err?: string | null; Size?: number }> | null>({
        method: 'POST',
        path: '/libpod/images/prune',
        query,
        timeoutMs: 10 * 60_000,
      });
      const removed: string[] = [];
      const skipped: PruneResult['skipped'] = [];
      let reclaimed = 0;
      for (const r of report ?? []) {
        if (r.Err) skipped.push({ item: r.Id ?? '?', reason: r.Err });
        else if (r.Id) {
          removed.push(withSha(r.Id));
          reclaimed += known(r.Size) >= 0 ? r.Size! : 0;
        }
      }
      return { removed, reclaimed, skipped };
    }
    filters.dangling = [opts.all ? 'false' : 'true'];
    const report = await this.connection.json<{
      ImagesDeleted?: Array<{ Untagged?: string; Deleted?: string }> | null;
      SpaceReclaimed?: number;
    }>({
      method: 'POST',
      path: '/images/prune',
      query: { filters: JSON.stringify(filters) },
      timeoutMs: 10 * 60_000,
    });
    const removed: string[] = [];
    for (const d of report.ImagesDeleted ?? []) {
      if (d.Untagged) removed.push(d.Untagged);
      else if (d.Deleted) removed.push(d.Deleted);
    }
    return { removed, reclaimed: known(report.SpaceReclaimed), skipped: [] };
  }

  async remove(refs: string[]): Promise<RemoveResult> {
    await this.negotiate();
    const before = await this.layeredImages();
    const removed: string[] = [];
    const imageIds = new Set(before.images.map((i) => i.id));
    for (const ref of refs) {
      let answer: Array<{ Untagged?: string; Deleted?: string }> | null;
      try {
        answer = await this.connection.json<Array<{ Untagged?: string; Deleted?: string }> | null>({
          method: 'DELETE',
          path: `/images/${encodeURIComponent(ref)}`,
          query: { force: 'false', noprune: 'false' },
        });
      } catch (e) {
        throw await this.removalError(ref, e, removed);
      }
      for (const a of answer ?? []) {
        if (a.Untagged) removed.push(a.Untagged);
        else if (a.Deleted && imageIds.has(withSha(a.Deleted))) removed.push(withSha(a.Deleted));
      }
    }
    const after = await this.layeredImages();
    const deleted = freedLayers(before.images, after.images).map((l) => ({ digest: l.digest, size: l.size }));
    const freedBytes = deleted.some((d) => d.size < 0) ? -1 : deleted.reduce((n, d) => n + d.size, 0);
    return { removed, deleted, freedBytes };
  }

  /**
   * The images of the disk-usage list with their layer chains, for what a removal freed: cheaper than
   * pruneView (no podman /libpod/images/json, which sizes every image). Docker's list leaves out
   * intermediate images, whose layers are a prefix of a listed image's anyway.
   */
  private async layeredImages(): Promise<{ images: Array<{ id: string; chain: string[]; layerSizes: number[] }> }> {
    const { images } = await this.engineImages();
    const layers = await this.allLayers(images);
    return {
      images: images.map((i) => ({
        id: i.id,
        chain: layers.get(i.id)?.chain ?? [],
        layerSizes: layers.get(i.id)?.layers.map((l) => l.size) ?? [],
      })),
    };
  }

  /** Names of the containers created from `ref` or an image built on it (`ancestor`); empty when they cannot be asked. */
  private async containersOf(ref: string): Promise<string[]> {
    try {
      const id = (await this.imageLayers(ref)).id;
      const list = await this.connection.json<ContainerSummary[] | null>({
        path: '/containers/json',
        // podman matches a bare hex ID only; docker takes either.
        query: { all: 'true', filters: JSON.stringify({ ancestor: [id.replace(/^sha256:/, '')] }) },
      });
      const names = (list ?? []).flatMap(containerNames);
      if (names.length) return names;
      return (await this.containers()).filter((c) => c.imageId === id).flatMap((c) => c.names);
    } catch {
      return [];
    }
  }

  /** A refused removal: 404 is no such image; 409 with containers using the image is EIN_USE naming them. */
  private async removalError(ref: string, e: unknown, removed: string[]): Promise<unknown> {
    const done = removed.length ? ` (already removed: ${removed.join(', ')})` : '';
    if (!(e instanceof EngineHttpError)) return e;
    if (e.status === 404) return new DeckhandError('ENOT_FOUND', `No image ${ref} on ${this.label}${done}.`, { cause: e });
    if (e.status !== 409) return e;
    const users = await this.containersOf(ref);
    if (users.length === 0)
      return new DeckhandError('EENGINE', `${this.label} refused to remove ${ref}: ${e.engineMessage}${done}`, {
        cause: e,
        detail: { address: this.connection.address.uri, engineMessage: e.engineMessage },
      });
    return new DeckhandError(
      'EIN_USE',
      `${ref} is used by ${users.length === 1 ? 'container' : 'containers'} ${users.join(', ')} on ${this.label}; it was kept. Remove ${users.length === 1 ? 'that container' : 'those containers'} first (\`${this.kind} rm ${users.join(' ')}\`)${done}.`,
      { cause: e, detail: { containers: users, image: ref, address: this.connection.address.uri, engineMessage: e.engineMessage } },
    );
  }

  async watch(onEvent: (e: EngineEvent) => void, signal: AbortSignal): Promise<void> {
    await this.negotiate();
    await readEvents(this, onEvent, signal);
  }

  /** The raw event stream request (for events.ts). */
  eventStream(signal: AbortSignal, since: number | null): Promise<IncomingMessage> {
    const query: Record<string, string> = {};
    if (since !== null) query.since = String(since);
    return this.connection.request({ path: this.kind === 'podman' ? '/libpod/events' : '/events', query, signal, timeoutMs: 10_000 });
  }
}

interface RawInspect {
  Id: string;
  Created?: string;
  Author?: string;
  Architecture?: string;
  Os?: string;
  Variant?: string;
  /** The image config's `config`, as the engine answers it. */
  Config?: ImageConfig['config'];
  RootFS?: { Layers?: string[] };
  /** Podman's: the config's history, with empty_layer. */
  History?: Array<{ created?: string; created_by?: string; author?: string; comment?: string; empty_layer?: boolean }>;
}

/** Layers (by chain ID) that images `before` had and no image `after` has: what a removal freed. */
type Chained = Pick<PruneImage, 'chain' | 'layerSizes'>;

function freedLayers(before: Chained[], after: Chained[]): Array<{ digest: string; size: number }> {
  const still = new Set(after.flatMap((i) => i.chain));
  const out = new Map<string, number>();
  for (const i of before) i.chain.forEach((c, k) => !still.has(c) && !out.has(c) && out.set(c, i.layerSizes[k] ?? -1));
  return [...out].map(([digest, size]) => ({ digest, size }));
}

function blankImage(id: string): EngineImage {
  return { id, parentId: null, tags: [], repoDigests: [], created: null, size: -1, shared: -1, unique: -1, containers: -1, labels: {} };
}

/** Rows as `docker images` lists them: one per tag, and one for an untagged image (named by its ID). */
export function rowsOf(images: EngineImage[], containers: Array<{ names: string[]; imageId: string }>): ImageRow[] {
  const namesBy = new Map<string, string[]>();
  for (const c of containers) namesBy.set(c.imageId, [...(namesBy.get(c.imageId) ?? []), ...c.names]);
  const rows: ImageRow[] = [];
  for (const i of images) {
    const digest = i.repoDigests[0]?.split('@')[1] ?? i.id;
    const common = {
      digest,
      id: i.id,
      mediaType: ENGINE_IMAGE_TYPE,
      platforms: [],
      size: i.size,
      created: i.created,
      sparse: false,
      previousRef: null,
      source: null,
      pulled: null,
      error: null,
      sharedBytes: i.shared,
      uniqueBytes: i.unique,
      manifests: [],
      signature: null,
      containers: i.containers,
      containerNames: namesBy.get(i.id) ?? [],
    };
    if (i.tags.length === 0) rows.push({ ...common, name: i.id, repository: null, tag: null, dangling: true });
    for (const t of i.tags) {
      const { repository, tag } = splitTag(t);
      rows.push({ ...common, name: t, repository, tag, dangling: false });
    }
  }
  return rows;
}

interface Tops {
  labels: string[];
}

function topsOf(images: EngineImage[], all: Map<string, ImageLayers>): Map<string, Tops> {
  const tops = new Map<string, Tops>();
  for (const image of images) {
    const top = all.get(image.id)?.chain.at(-1);
    if (!top) continue;
    let t = tops.get(top);
    if (!t) tops.set(top, (t = { labels: [] }));
    t.labels.push(...(image.tags.length ? image.tags : [image.id]));
  }
  return tops;
}

function treeLayer(id: string, l: LayerMeta, tops: Map<string, Tops>): TreeLayer {
  const t = tops.get(id);
  return {
    id,
    digest: l.digest,
    size: l.size,
    uncompressed: l.uncompressed,
    createdBy: l.createdBy,
    topOf: [...(t?.labels ?? [])],
    topNames: [...(t?.labels ?? [])],
  };
}

function treeOf(l: ImageLayers, image: EngineImage, tops: Map<string, Tops>): ImageTree {
  const exact = l.layers.every((x) => x.size >= 0);
  const size = l.layers.reduce((n, x) => n + Math.max(0, x.size), 0);
  return {
    name: image.tags[0] ?? image.id,
    platform: l.platform,
    id: l.id,
    tags: image.tags,
    size,
    sizeExact: exact,
    // An engine keeps layers unpacked: what it stores is the unpacked size.
    storedSize: image.size >= 0 ? image.size : size,
    layers: l.layers.map((layer, i) => treeLayer(l.chain[i]!, layer, tops)),
  };
}
