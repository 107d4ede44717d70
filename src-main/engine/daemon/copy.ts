/**
 * `deckhand copy` with engines: transfer/copy.ts's copy with the `docker-daemon:` transport plugged
 * in (that room may not know engines). `docker-daemon:REF` as a source exports the image from the
 * engine (EngineSource), as a destination loads it into the engine (EngineDestination); everything
 * else is the one pipeline as for any other endpoint: into the store through the verifying ingest,
 * to a registry with its HEAD skips and mounts (from where the store's pushes put the same blobs).
 *
 * Which engine: the caller's (`engines.source`, `engines.destination`, from --src-daemon-host,
 * --dest-daemon-host or the app's engine names), else DOCKER_HOST, CONTAINER_HOST, the default socket.
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import type { Store } from '../store/layout.ts';
import { copy, parseEndpoint, type CopyOptions, type CopyResult, type CopyTransport, type Endpoint } from '../transfer/copy.ts';
import { EngineConnection, parseEngineUri, type EngineKind } from './connection.ts';
import { parseDaemonReference } from './daemon-ref.ts';
import { EngineDestination } from './engine-destination.ts';
import { EngineSource, type EngineTarget } from './engine-source.ts';

export const DAEMON = 'docker-daemon';

/** Opens the engine a `docker-daemon:` endpoint is in. */
export type EngineOpener = () => Promise<EngineTarget>;

export interface EngineCopyOptions extends CopyOptions {
  engines?: { source?: EngineOpener | undefined; destination?: EngineOpener | undefined };
}

/** Parses a copy endpoint, `docker-daemon:REF` included (its reference checked for the role). */
export function parseCopyEndpoint(s: string, role: 'source' | 'destination'): Endpoint {
  const endpoint = parseEndpoint(s, { [DAEMON]: daemonTransport(undefined) });
  if (endpoint.kind === 'plugged') parseDaemonReference(endpoint.rest, role);
  return endpoint;
}

function daemonTransport(engines: EngineCopyOptions['engines'], env: NodeJS.ProcessEnv = process.env): CopyTransport {
  return {
    onePlatform: true,
    check: (rest, role) => void parseDaemonReference(rest, role),
    openSource: async (rest, ctx) =>
      new EngineSource(ctx.store, await (engines?.source ?? (() => engineAt(undefined, env)))(), parseDaemonReference(rest, 'source'), {
        onEvent: ctx.onEvent,
      }),
    openDestination: async (rest, ctx) =>
      new EngineDestination(await (engines?.destination ?? (() => engineAt(undefined, env)))(), parseDaemonReference(rest, 'destination'), {
        onEvent: ctx.onEvent,
      }),
  };
}

/** copy with the docker-daemon: transport. */
export function copyWithEngines(store: Store, src: string, dest: string, opts: EngineCopyOptions): Promise<CopyResult> {
  const { engines, ...rest } = opts;
  return copy(store, src, dest, { ...rest, transports: { [DAEMON]: daemonTransport(engines, opts.env) } });
}

/**
 * The engine the app names (a name from listEngines, or an address); none: the default engine.
 * Until engine discovery lands, a name is taken as an address.
 */
export function engineNamed(name: string | undefined, env: NodeJS.ProcessEnv): Promise<EngineTarget> {
  return engineAt(name, env);
}

/**
 * The engine at `uri` (default: DOCKER_HOST, CONTAINER_HOST, /var/run/docker.sock), its kind and
 * API version read from `GET /version` (Podman lists a "Podman Engine" component).
 */
export async function engineAt(uri: string | undefined, env: NodeJS.ProcessEnv): Promise<EngineTarget> {
  const address = parseEngineUri(uri ?? env.DOCKER_HOST ?? env.CONTAINER_HOST ?? 'unix:///var/run/docker.sock', env);
  const connection = new EngineConnection(address);
  const version = await connection.json<{ ApiVersion?: string; Components?: Array<{ Name?: string; Version?: string }> }>({
    path: '/version',
    versioned: false,
  });
  const podman = version?.Components?.find((c) => /podman/i.test(c.Name ?? ''));
  const kind: EngineKind = podman ? 'podman' : 'docker';
  if (typeof version?.ApiVersion === 'string') connection.apiVersion = version.ApiVersion;
  if (podman?.Version) connection.libpodVersion = podman.Version;
  if (!version) throw new DeckhandError('EENGINE', `${address.uri} answered GET /version with nothing; is it a Docker or Podman engine?`);
  return { connection, kind, name: address.uri };
}
