/**
 * `deckhand copy` with engines: transfer/copy.ts's copy with the `docker-daemon:` transport plugged
 * in (that room may not know engines). `docker-daemon:REF` as a source exports the image from the
 * engine (EngineSource), as a destination loads it into the engine (EngineDestination); everything
 * else is the one pipeline as for any other endpoint: into the store through the verifying ingest,
 * to a registry with its HEAD skips and mounts (from where the store's pushes put the same blobs).
 *
 * Which engine: the caller's (`engines.source`, `engines.destination`, from --src-daemon-host,
 * --dest-daemon-host or the app's engine names), else the default engine (discover.ts's
 * defaultEngine: DOCKER_HOST, the current Docker context, the other Docker sockets, then Podman's).
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import type { Store } from '../store/layout.ts';
import { copy, parseEndpoint, type CopyOptions, type CopyResult, type CopyTransport, type Endpoint } from '../transfer/copy.ts';
import { defaultEngine, openEngine } from './discover.ts';
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
      new EngineSource(ctx.store, await (engines?.source ?? (() => engineNamed(undefined, env)))(), parseDaemonReference(rest, 'source'), {
        onEvent: ctx.onEvent,
      }),
    openDestination: async (rest, ctx) =>
      new EngineDestination(
        await (engines?.destination ?? (() => engineNamed(undefined, env)))(),
        parseDaemonReference(rest, 'destination'),
        {
          onEvent: ctx.onEvent,
        },
      ),
  };
}

/** copy with the docker-daemon: transport. */
export function copyWithEngines(store: Store, src: string, dest: string, opts: EngineCopyOptions): Promise<CopyResult> {
  const { engines, ...rest } = opts;
  return copy(store, src, dest, { ...rest, transports: { [DAEMON]: daemonTransport(engines, opts.env) } });
}

/**
 * The engine a name stands for (a name from `deckhand engines` or the app's list, or an address);
 * none: the default engine (DOCKER_HOST, the current Docker context, …, see discover.ts). A failure
 * to reach it is EENGINE naming its address.
 */
export async function engineNamed(name: string | undefined, env: NodeJS.ProcessEnv): Promise<EngineTarget> {
  try {
    return name === undefined ? await defaultEngine(env) : await openEngine(name, env);
  } catch (e) {
    const address = e instanceof DeckhandError ? e.detail?.address : undefined;
    if (e instanceof DeckhandError && e.code === 'EENGINE' && typeof address === 'string' && !e.message.includes(address))
      throw new DeckhandError('EENGINE', `${address}: ${e.message}`, { cause: e, detail: { ...e.detail } });
    throw e;
  }
}
