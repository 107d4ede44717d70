/**
 * The one contract between the renderer and the main side. Every call is declared once here with
 * a runtime schema of its input and the type of its result; every event is declared once in
 * events.ts. Everything else is derived from these two objects: the preload's methods, the main
 * side's handlers and channel names, the web host's routes and the renderer's typed client. No
 * channel name is written anywhere else.
 *
 * The main side validates every input against its schema before the engine sees it; the
 * renderer validates every event. Results come from the engine and are typed by `call<T>()`.
 */
import * as v from 'valibot';
import type { WireError } from '../errors.ts';
import { EVENTS, RequestId, TransferId } from './events.ts';
import { isShortName, parseReference } from '../oci/reference.ts';
import type {
  AliasRecorded,
  DiskUsage,
  EngineStatus,
  FreshnessSnapshot,
  HostInfo,
  ImageDetails,
  ImageEfficiency,
  ImageLayers,
  ImageRow,
  ImageTree,
  LayerNode,
  ManifestListCreated,
  ManifestListPreview,
  LoginResult,
  LogoutResult,
  PlannedPrune,
  PruneResult,
  RegistryDetails,
  RegistryInfo,
  RegistryRepositories,
  RegistryTags,
  RemoveResult,
  TagResult,
  TransferStarted,
} from './types.ts';

export { EVENTS } from './events.ts';
export type * from './types.ts';

interface CallSpec<I extends v.GenericSchema, O> {
  readonly input: I;
  /** Type-level only: what the call resolves to. */
  readonly output?: O;
}
const call =
  <O>() =>
  <I extends v.GenericSchema>(input: I): CallSpec<I, O> => ({ input });

const NO_INPUT = v.optional(v.strictObject({}));
/** A reference or stored-image name as the user typed it; the engine parses the grammar. */
const name = (what: string) =>
  v.pipe(
    v.string(`${what} must be a string`),
    v.minLength(1, `${what} is empty`),
    v.maxLength(1024, `${what} is longer than 1024 characters`),
  );
const platform = v.pipe(
  v.string(),
  v.regex(/^[a-z0-9._-]+\/[a-z0-9._-]+(\/[a-z0-9._-]+)?$/i, 'a platform is os/arch[/variant], e.g. linux/arm64'),
);
const flag = v.optional(v.boolean());
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
/** A registry as references name it: host[:port], no scheme or path. */
const registryHost = v.pipe(
  v.string(),
  v.regex(
    /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/i,
    'a registry is host[:port], e.g. quay.io or 127.0.0.1:5000, without https:// or a path',
  ),
  v.maxLength(255),
);
/** An image name without tag or digest (no default tag added). */
const untagged = (s: string): boolean => {
  try {
    const r = parseReference(s, { defaultTag: false });
    return r.tag === undefined && r.digest === undefined;
  } catch {
    return false;
  }
};
const aliasName = v.pipe(
  name('name'),
  v.check((s) => untagged(s) && isShortName(s), 'name must be a short name without tag or digest, e.g. nginx or team/app'),
);
const aliasValue = v.pipe(
  name('value'),
  v.check(
    (s) => untagged(s) && !isShortName(s),
    'value must be a fully-qualified repository without tag or digest, e.g. docker.io/library/nginx',
  ),
);
/** A local file path (absolute) chosen by the user: a dropped archive, a save target. */
const filePath = (what: string) =>
  v.pipe(
    v.string(),
    v.minLength(1, `${what} is empty`),
    v.maxLength(4096),
    v.check((p) => p.startsWith('/') || /^[a-z]:[\\/]/i.test(p), `${what} must be an absolute path`),
  );

/**
 * Where a read or a cleanup happens: a Docker or Podman engine by the name listEngines gives it;
 * omitted, Deckhand's own store.
 */
const source = v.optional(
  v.pipe(
    v.string('source must be an engine name (from listEngines) or omitted for the store'),
    v.minLength(1, 'source is empty: omit it for the store, or give an engine name from listEngines'),
    v.maxLength(256, 'source is longer than 256 characters'),
  ),
);
const SOURCE_ONLY = v.optional(v.strictObject({ source }));

/** A manifest list from stored images: the images, and changes to entries' platforms by digest. */
const LIST_PARTS = {
  images: v.pipe(v.array(name('image')), v.minLength(1, 'images is empty'), v.maxLength(100, 'too many images')),
  changes: v.optional(
    v.pipe(
      v.array(
        v.strictObject({
          digest: v.pipe(v.string(), v.regex(/^sha256:[0-9a-f]{64}$/, 'digest must be sha256: and 64 hex characters')),
          platform: v.optional(platform),
          features: v.optional(v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(100))), v.maxLength(20))),
        }),
      ),
      v.maxLength(200),
    ),
  ),
};

export const CALLS = {
  /** Which host this is, where its store lives and this machine's platform. */
  hostInfo: call<HostInfo>()(NO_INPUT),
  /**
   * The Docker and Podman engines found on this machine (DOCKER_HOST, CONTAINER_HOST, contexts,
   * connections, machines, sockets), reachable or not; `refresh` looks again instead of answering
   * from the short cache.
   */
  listEngines: call<EngineStatus[]>()(v.optional(v.strictObject({ refresh: flag }))),
  /** The images of the store, or of the engine named by `source`. */
  listImages: call<ImageRow[]>()(SOURCE_ONLY),
  inspectImage: call<ImageDetails>()(v.strictObject({ ref: name('ref'), source })),
  /** Starts a pull in the background; progress and the outcome arrive as transfer events. */
  pull: call<TransferStarted>()(
    v.pipe(
      v.strictObject({ ref: name('ref'), platform: v.optional(platform), allPlatforms: flag, tlsVerify: flag }),
      v.check((i) => !(i.platform && i.allPlatforms), 'platform and allPlatforms exclude each other'),
    ),
  ),
  /** Starts a push of a stored image (to its own name, or to `destination`). */
  push: call<TransferStarted>()(
    v.strictObject({ source: name('source'), destination: v.optional(name('destination')), presentPlatforms: flag, tlsVerify: flag }),
  ),
  /** Copies between any two endpoints (`docker://REF`, `oci:DIR[:REF]`, `docker-daemon:REF` in an engine, or a stored name), in the background. */
  copy: call<TransferStarted>()(
    v.strictObject({
      source: name('source'),
      destination: name('destination'),
      tlsVerify: flag,
      /** The engine (a name from listEngines) that a `docker-daemon:REF` source is in; default: the default engine. */
      sourceEngine: v.optional(name('sourceEngine')),
      /** The engine a `docker-daemon:REF` destination is in. */
      destinationEngine: v.optional(name('destinationEngine')),
    }),
  ),
  /** Loads an oci-archive or docker-archive tarball into the store, in the background. */
  load: call<TransferStarted>()(v.strictObject({ path: filePath('path') })),
  /** Writes stored images to an archive file, in the background. */
  save: call<TransferStarted>()(
    v.strictObject({
      refs: v.pipe(v.array(name('ref')), v.minLength(1, 'refs is empty'), v.maxLength(1000, 'too many refs')),
      path: filePath('path'),
      format: v.optional(v.picklist(['oci-archive', 'docker-archive'])),
      /** oci-archive of a sparse index: write the stored platforms as a new index instead of refusing. */
      presentPlatforms: flag,
    }),
  ),
  cancelTransfer: call<{ cancelled: boolean }>()(v.strictObject({ transferId: TransferId })),
  tag: call<TagResult>()(v.strictObject({ source: name('source'), target: name('target') })),
  /** The manifest list stored images would make (each multi-platform image with all its platforms): nothing is written. */
  previewManifestList: call<ManifestListPreview>()(v.strictObject(LIST_PARTS)),
  /** Stores that list as `name`, if it is still the document `digest` names (what the preview showed). */
  createManifestList: call<ManifestListCreated>()(
    v.strictObject({
      ...LIST_PARTS,
      name: name('name'),
      digest: v.pipe(v.string(), v.regex(/^sha256:[0-9a-f]{64}$/, 'digest must be sha256: and 64 hex characters')),
    }),
  ),
  removeImages: call<RemoveResult>()(
    v.strictObject({
      refs: v.pipe(v.array(name('ref')), v.minLength(1, 'refs is empty'), v.maxLength(10_000, 'too many refs')),
      force: flag,
      /** An engine: removed through its API, never forced; an image a container uses fails with EIN_USE. */
      source,
    }),
  ),
  /** `df`: what each image costs (total, shared, unique) and what a prune would reclaim. */
  diskUsage: call<DiskUsage>()(SOURCE_ONLY),
  /** `tree REF`: the layer chain of each stored platform of an image. */
  imageTree: call<ImageTree[]>()(v.strictObject({ ref: name('ref'), source })),
  /**
   * `layers REF --files`: what each layer of an image added, modified and removed, every entry with
   * its status, and the image's efficiency (score, wasted bytes, the paths wasting them). `platform`
   * picks one of a multi-platform image (the host's by default); `source` an engine, whose image is
   * exported for the analysis. With `requestId`, `layersProgress` events say which layer is being
   * read, and `cancelAnalysis` stops it.
   */
  imageLayers: call<ImageLayers>()(
    v.strictObject({ ref: name('ref'), platform: v.optional(platform), source, requestId: v.optional(RequestId) }),
  ),
  /**
   * An image's efficiency figures only (the Efficiency column): the same analysis, queued with the
   * others so one image is analysed at a time, and kept per manifest digest (an engine's image: per
   * image ID) while the app runs.
   */
  imageEfficiency: call<ImageEfficiency>()(
    v.strictObject({ ref: name('ref'), platform: v.optional(platform), source, requestId: v.optional(RequestId) }),
  ),
  /** Stops waiting for the analysis a request started (imageLayers, imageEfficiency); it fails with ECANCELLED once no other request wants it. */
  cancelAnalysis: call<{ cancelled: boolean }>()(v.strictObject({ requestId: RequestId })),
  /** `tree REF --whatrequires`: the images built on top of an image. */
  whatRequires: call<Array<{ base: ImageTree; dependents: ImageTree[] }>>()(v.strictObject({ ref: name('ref'), source })),
  /** Every layer in the store as one tree (chain IDs, sizes), for the layer map. */
  layerForest: call<LayerNode>()(SOURCE_ONLY),
  /**
   * Plans a prune without removing anything; the main side keeps the plan, and the source it is
   * for, for runPrune. An engine's plan is what the engine would remove (keepLast is the store's only).
   */
  planPrune: call<PlannedPrune>()(
    v.strictObject({
      all: flag,
      olderThanMs: v.optional(count),
      labels: v.optional(v.pipe(v.array(v.strictObject({ key: name('label key'), value: v.optional(v.string()) })), v.maxLength(64))),
      keepLast: v.optional(count),
      source,
    }),
  ),
  /** Runs a plan made by planPrune: removes what it listed (unless needed again since) and reports the bytes freed. */
  runPrune: call<PruneResult>()(v.strictObject({ planId: v.pipe(v.string(), v.uuid('a plan id is a UUID')) })),
  /** Registries Deckhand knows of: logins in auth files, where stored images came from, and ones added here. */
  listRegistries: call<RegistryInfo[]>()(NO_INPUT),
  addRegistry: call<RegistryInfo[]>()(v.strictObject({ host: registryHost, insecure: flag })),
  removeRegistry: call<RegistryInfo[]>()(v.strictObject({ host: registryHost })),
  /** A registry's repositories (`/v2/_catalog`); fails with the registry's reason where listing is not allowed. */
  registryRepositories: call<RegistryRepositories>()(v.strictObject({ host: registryHost })),
  registryTags: call<RegistryTags>()(v.strictObject({ host: registryHost, repository: name('repository') })),
  /**
   * Checks a login against the registry, then saves it with the configured credential helper or,
   * in the desktop app, encrypted with the OS keychain. The password crosses once and is never
   * returned or echoed (its schema messages never include the value).
   */
  login: call<LoginResult>()(
    v.strictObject({
      registry: registryHost,
      username: v.pipe(
        v.string('username must be a string'),
        v.minLength(1, 'username is empty'),
        v.maxLength(1024, 'username is longer than 1024 characters'),
      ),
      password: v.pipe(
        v.string('password must be a string'),
        v.minLength(1, 'password is empty'),
        v.maxLength(16_384, 'password is longer than 16384 characters'),
      ),
    }),
  ),
  /** Removes the login the app saved for a registry (keychain file and/or credential helper). */
  logout: call<LogoutResult>()(v.strictObject({ registry: registryHost })),
  /**
   * What applies to a registry: its registries.conf rule (location, insecure, blocked, mirrors), its
   * login (the user and where it is stored, never the secret) and the policy.json requirements for
   * `docker://HOST`. A broken config file is the call's error (ECONFIG, EAUTH_CONFIG, EPOLICY).
   */
  registryDetails: call<RegistryDetails>()(v.strictObject({ host: registryHost })),
  /**
   * Records a short-name choice as an alias in the user's short-name-aliases.conf (where Podman
   * records its prompt's choices): `name` a short name, `value` a fully-qualified repository, both
   * without tag or digest.
   */
  /**
   * Is each stored tag (all tagged images, or `refs`) still what its registry's tag names? Answers
   * at once with the results known (cached for their time-to-live) and the tags being checked in
   * the background, by HEAD (docs/freshness.md); `freshnessChanged` brings their results. `force`
   * checks again despite the cache (a registry's 429 back-off still holds).
   */
  checkFreshness: call<FreshnessSnapshot>()(
    v.optional(v.strictObject({ refs: v.optional(v.pipe(v.array(name('ref')), v.maxLength(10_000))), force: flag })),
  ),
  rememberAlias: call<AliasRecorded>()(v.strictObject({ name: aliasName, value: aliasValue })),
};

export type CallName = keyof typeof CALLS;
export type EventName = keyof typeof EVENTS;
export const CALL_NAMES = Object.keys(CALLS) as CallName[];
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

/** What a caller passes (before validation) and what a handler receives (after). */
export type CallInput<K extends CallName> = v.InferInput<(typeof CALLS)[K]['input']>;
export type CallArgs<K extends CallName> = v.InferOutput<(typeof CALLS)[K]['input']>;
export type CallOutput<K extends CallName> = (typeof CALLS)[K] extends CallSpec<v.GenericSchema, infer O> ? O : never;
export type EventPayload<E extends EventName> = v.InferOutput<(typeof EVENTS)[E]>;

/** A call's outcome as it crosses the boundary: the value, or the error's stable code, message and detail. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

type Method<In, Out> = undefined extends In ? (input?: In) => Promise<Out> : (input: In) => Promise<Out>;

export interface EventSource {
  /** Listens to one event; returns the function that stops listening. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** The renderer's view of the main side: one method per call, resolving to its result or rejecting with a CallError. */
export type DeckhandApi = { [K in CallName]: Method<CallInput<K>, CallOutput<K>> } & EventSource;

/**
 * What a transport carries (the preload's `window.deckhand`, the web host's HTTP client): results
 * as CallResult, since contextBridge drops an Error's own properties such as `code`.
 */
export type RawApi = { [K in CallName]: Method<CallInput<K>, CallResult<CallOutput<K>>> } & {
  on(event: EventName, listener: (payload: unknown) => void): () => void;
};

/** The main side: one handler per call, given validated input. */
export type Handlers = { [K in CallName]: (input: CallArgs<K>) => Promise<CallOutput<K>> };

export const isCallName = (s: unknown): s is CallName => typeof s === 'string' && Object.hasOwn(CALLS, s);
export const isEventName = (s: unknown): s is EventName => typeof s === 'string' && Object.hasOwn(EVENTS, s);

/** Electron IPC channels and web host routes, derived from the names above. */
export const callChannel = (call: CallName): string => `deckhand:call:${call}`;
export const eventChannel = (event: EventName): string => `deckhand:event:${event}`;
export const CALL_ROUTE_PREFIX = 'api/call/';
export const EVENTS_ROUTE = 'api/events';
/**
 * The web host's upload of a dropped archive (a browser cannot hand over a file path):
 * `POST api/upload`, body the file as application/octet-stream, its name URI-encoded in this
 * header; answered with CallResult<{path}> to pass to `load`.
 */
export const UPLOAD_ROUTE = 'api/upload';
export const UPLOAD_NAME_HEADER = 'X-Deckhand-Filename';
