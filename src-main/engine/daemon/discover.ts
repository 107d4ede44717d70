/**
 * Finding the Docker and Podman engines of this machine, in the order they are looked for:
 *
 * Docker
 * 1. `DOCKER_HOST`.
 * 2. Docker contexts: every context under `contexts/meta/<sha256 of its name>/meta.json` of the
 *    docker config dir (`DOCKER_CONFIG`, else `~/.docker`), its address `Endpoints.docker.Host`
 *    (TLS files from `contexts/tls/<sha256>/docker/` where present). The current one is
 *    `DOCKER_CONTEXT`, else `currentContext` of `config.json`.
 * 3. Docker Desktop's socket `~/.docker/run/docker.sock`, then `/var/run/docker.sock`.
 *
 * Podman
 * 1. `CONTAINER_HOST`.
 * 2. Connections: `podman system connection list --format json` where podman is installed, else
 *    `podman-connections.json` and containers.conf `[engine.service_destinations]` (under
 *    `$XDG_CONFIG_HOME/containers` or `~/.config/containers`).
 * 3. Podman machines: `podman machine inspect` (`ConnectionInfo.PodmanSocket.Path`).
 * 4. The rootless socket `$XDG_RUNTIME_DIR/podman/podman.sock`, then the rootful `/run/podman/podman.sock`.
 *
 * Candidates with the same address are one (the first found keeps its name). All are pinged at
 * once with a short deadline; one that answers `/libpod/_ping` is Podman whatever it was found as.
 * One that does not answer is listed as unreachable with the reason, and never holds up the others.
 */
import { join } from 'node:path';
import { DeckhandError } from '../../../src-shared/errors.ts';
import type { EngineStatus } from '../../../src-shared/ipc/types.ts';
import { EngineConnection, parseEngineUri, type EngineAddress, type EngineKind } from './connection.ts';
import { DaemonEngine, pingEngine, type PingAnswer } from './engine.ts';
import type { EngineApi } from './types.ts';

export interface FoundEngine {
  status: EngineStatus;
  /** null when unreachable or unsupported (ssh://). */
  engine: EngineApi | null;
}

export interface DiscoverOptions {
  /** Deadline of each engine's ping (default 1000 ms). */
  timeoutMs?: number;
  /** The home directory to read ~/.docker and ~/.config from (default: HOME, else the OS's). */
  home?: string;
  /** The podman command to ask for connections and machines; null: do not run it, read its files. */
  podmanCommand?: string | null;
  /** Also look at the machine-wide sockets (/var/run/docker.sock, /run/podman/podman.sock); default true. */
  systemSockets?: boolean;
}

interface Candidate {
  name: string;
  kind: EngineKind;
  address: EngineAddress;
  origin: string;
  isDefault: boolean;
  /** A name the user gave it (a context or connection); sockets have none. */
  named: boolean;
}

/** Under 2 s, so a hung engine (a stopped VM whose socket still accepts) is reported quickly; above 1 s, which a busy podman service missed. */
export const PING_TIMEOUT_MS = 1500;

/*
 * node:child_process, node:crypto, node:fs/promises and node:os are taken from Node's CommonJS side
 * when first used, and smol-toml imported when a containers.conf is read: an engine opened by its
 * address (`deckhand images --engine unix:///…`) needs none of them, and ESM imports of them (which
 * build each module's whole namespace) were several ms of that command's start.
 */
const fsp = () => process.getBuiltinModule('node:fs/promises');
// node:fs is loaded with Node itself, but its ESM namespace also loads its lazy streams (3–4 ms).
const { existsSync } = process.getBuiltinModule('node:fs');

function sha256(s: string): string {
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(s).digest('hex');
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await fsp().readFile(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

function tryParse(uri: string, env: NodeJS.ProcessEnv): EngineAddress | null {
  try {
    return parseEngineUri(uri, env);
  } catch {
    return null;
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    process
      .getBuiltinModule('node:child_process')
      .execFile(cmd, args, { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => resolve(err ? null : stdout));
  });
}

function onPath(cmd: string, env: NodeJS.ProcessEnv): boolean {
  if (cmd.includes('/')) return existsSync(cmd);
  return (env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, cmd)));
}

/** Docker: DOCKER_HOST, the contexts (current first), Desktop's socket, the system socket. */
async function dockerCandidates(env: NodeJS.ProcessEnv, home: string, systemSockets: boolean): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const host = env.DOCKER_HOST?.trim();
  if (host) {
    const address = tryParse(host, env);
    if (address) out.push({ name: 'docker', kind: 'docker', address, origin: 'DOCKER_HOST', isDefault: true, named: false });
  }
  const configDir = env.DOCKER_CONFIG?.trim() || join(home, '.docker');
  const config = await readJson<{ currentContext?: string }>(join(configDir, 'config.json'));
  const current = env.DOCKER_CONTEXT?.trim() || config?.currentContext || 'default';
  const metaDir = join(configDir, 'contexts', 'meta');
  let dirs: string[] = [];
  try {
    dirs = await fsp().readdir(metaDir);
  } catch {
    // no contexts
  }
  const contexts: Candidate[] = [];
  for (const d of dirs) {
    const meta = await readJson<{ Name?: string; Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } }>(
      join(metaDir, d, 'meta.json'),
    );
    const name = meta?.Name;
    const h = meta?.Endpoints?.docker?.Host;
    if (!name || !h) continue;
    const tlsDir = join(configDir, 'contexts', 'tls', sha256(name), 'docker');
    const address = tryParse(h, {});
    if (!address) continue;
    if (address.scheme === 'tcp' && existsSync(join(tlsDir, 'ca.pem'))) {
      address.tls = {
        ca: join(tlsDir, 'ca.pem'),
        ...(existsSync(join(tlsDir, 'cert.pem')) ? { cert: join(tlsDir, 'cert.pem'), key: join(tlsDir, 'key.pem') } : {}),
        verify: meta?.Endpoints?.docker?.SkipTLSVerify !== true,
      };
    }
    contexts.push({
      name: `docker (${name})`,
      kind: 'docker',
      address,
      origin: `docker context ${name}`,
      isDefault: !host && name === current,
      named: true,
    });
  }
  contexts.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
  out.push(...contexts);
  const desktop = join(home, '.docker', 'run', 'docker.sock');
  out.push({
    name: 'docker',
    kind: 'docker',
    address: parseEngineUri(desktop),
    origin: 'Docker Desktop socket',
    isDefault: false,
    named: false,
  });
  if (systemSockets) {
    out.push({
      name: 'docker',
      kind: 'docker',
      address: parseEngineUri('/var/run/docker.sock'),
      origin: 'socket',
      // The `default` context is DOCKER_HOST or this socket.
      isDefault: !host && current === 'default',
      named: false,
    });
  }
  return out;
}

interface PodmanConnection {
  name: string;
  uri: string;
  isDefault: boolean;
}

/** Connections from podman-connections.json (podman 5) and containers.conf service_destinations (podman 4). */
async function podmanConnectionFiles(env: NodeJS.ProcessEnv, home: string): Promise<PodmanConnection[]> {
  const dir = join(env.XDG_CONFIG_HOME?.trim() || join(home, '.config'), 'containers');
  const out: PodmanConnection[] = [];
  const json = await readJson<{ Connection?: { Default?: string; Connections?: Record<string, { URI?: string }> } }>(
    join(dir, 'podman-connections.json'),
  );
  for (const [name, c] of Object.entries(json?.Connection?.Connections ?? {}))
    if (c.URI) out.push({ name, uri: c.URI, isDefault: json?.Connection?.Default === name });
  const confPath = env.CONTAINERS_CONF?.trim() || join(dir, 'containers.conf');
  try {
    const { parse: parseToml } = await import('smol-toml');
    const conf = parseToml(await fsp().readFile(confPath, 'utf8')) as {
      engine?: { active_service?: string; service_destinations?: Record<string, { uri?: string }> };
    };
    // podman-connections.json's default wins over containers.conf's active_service, as in podman 5.
    const hasDefault = out.some((o) => o.isDefault);
    for (const [name, d] of Object.entries(conf.engine?.service_destinations ?? {}))
      if (d.uri && !out.some((o) => o.name === name))
        out.push({ name, uri: d.uri, isDefault: !hasDefault && conf.engine?.active_service === name });
  } catch {
    // no containers.conf, or one that does not parse: podman itself would say so
  }
  if (out.length > 0 && !out.some((o) => o.isDefault)) out[0]!.isDefault = true;
  return out;
}

/** `podman machine list --format json`: the machines' names (the default one carries a `*` in older podman). */
function machineNames(text: string | null): string[] {
  try {
    return ((JSON.parse(text ?? '[]') as Array<{ Name?: string }> | null) ?? [])
      .map((m) => (m.Name ?? '').replace(/\*$/, ''))
      .filter(Boolean);
  } catch {
    return [];
  }
}

async function podmanCandidates(env: NodeJS.ProcessEnv, home: string, podman: string | null, systemSockets: boolean): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const host = env.CONTAINER_HOST?.trim();
  if (host) {
    const address = tryParse(host, {});
    if (address) out.push({ name: 'podman', kind: 'podman', address, origin: 'CONTAINER_HOST', isDefault: true, named: false });
  }
  const childEnv = { ...env, HOME: home };
  let connections: PodmanConnection[] | null = null;
  let machines: Array<{ name: string; socket: string }> = [];
  if (podman && onPath(podman, env)) {
    const [list, machineList] = await Promise.all([
      run(podman, ['system', 'connection', 'list', '--format', 'json'], childEnv, 5000),
      run(podman, ['machine', 'list', '--format', 'json'], childEnv, 5000),
    ]);
    if (list !== null) {
      try {
        const rows = JSON.parse(list) as Array<{ Name?: string; URI?: string; Default?: boolean }> | null;
        connections = (rows ?? [])
          .filter((r) => r.Name && r.URI)
          .map((r) => ({ name: r.Name!, uri: r.URI!, isDefault: r.Default === true }));
      } catch {
        connections = null;
      }
    }
    const names = machineNames(machineList);
    if (names.length) {
      const inspect = await run(podman, ['machine', 'inspect', ...names], childEnv, 5000);
      try {
        const rows = JSON.parse(inspect ?? '[]') as Array<{ Name?: string; ConnectionInfo?: { PodmanSocket?: { Path?: string } } }>;
        machines = rows
          .filter((r) => r.Name && r.ConnectionInfo?.PodmanSocket?.Path)
          .map((r) => ({ name: r.Name!, socket: r.ConnectionInfo!.PodmanSocket!.Path! }));
      } catch {
        machines = [];
      }
    }
  }
  connections ??= await podmanConnectionFiles(env, home);
  for (const c of connections) {
    const address = tryParse(c.uri, {});
    if (!address) continue;
    out.push({
      name: `podman (${c.name})`,
      kind: 'podman',
      address,
      origin: `podman connection ${c.name}`,
      isDefault: !host && c.isDefault,
      named: true,
    });
  }
  for (const m of machines) {
    out.push({
      name: `podman (${m.name})`,
      kind: 'podman',
      address: parseEngineUri(m.socket),
      origin: `podman machine ${m.name}`,
      isDefault: false,
      named: true,
    });
  }
  const runtime = env.XDG_RUNTIME_DIR?.trim();
  if (runtime)
    out.push({
      name: 'podman',
      kind: 'podman',
      address: parseEngineUri(join(runtime, 'podman', 'podman.sock')),
      origin: 'rootless podman socket',
      isDefault: false,
      named: false,
    });
  if (systemSockets)
    out.push({
      name: 'podman',
      kind: 'podman',
      address: parseEngineUri('/run/podman/podman.sock'),
      origin: 'rootful podman socket',
      isDefault: false,
      named: false,
    });
  if (!out.some((c) => c.isDefault) && out.length > 0 && !host) out[0]!.isDefault = true;
  return out;
}

/** The same address found twice is one engine: the first keeps its name, and is the default if either was. */
function dedupe(candidates: Candidate[]): Candidate[] {
  const byAddress = new Map<string, Candidate>();
  for (const c of candidates) {
    const key = c.address.scheme === 'unix' ? `unix://${c.address.socketPath}` : c.address.uri.replace(/\/+$/, '');
    const seen = byAddress.get(key);
    if (seen) seen.isDefault ||= c.isDefault;
    else byAddress.set(key, { ...c });
  }
  return [...byAddress.values()];
}

/** Names unique: a socket found where the plain name is taken is named by its address. */
function uniqueNames(candidates: Candidate[]): Candidate[] {
  const taken = new Set<string>();
  for (const c of candidates) {
    if (taken.has(c.name)) c.name = `${c.kind} (${c.address.uri})`;
    let n = c.name;
    for (let k = 2; taken.has(n); k++) n = `${c.name} #${k}`;
    c.name = n;
    taken.add(n);
  }
  return candidates;
}

/** Which machine-level socket files exist: a socket that does not exist is only listed when named or configured. */
function worthListing(c: Candidate): boolean {
  if (c.named || c.origin === 'DOCKER_HOST' || c.origin === 'CONTAINER_HOST') return true;
  return c.address.socketPath !== undefined && existsSync(c.address.socketPath);
}

function unreachable(c: Candidate, error: string): FoundEngine {
  return {
    status: {
      name: c.name,
      kind: c.kind,
      uri: c.address.uri,
      origin: c.origin,
      isDefault: c.isDefault,
      reachable: false,
      version: null,
      apiVersion: null,
      error,
      rootDir: null,
    },
    engine: null,
  };
}

/** Pings one candidate: `/_ping` says it answers, `/libpod/_ping` that it is podman; then its version. */
async function probe(c: Candidate, timeoutMs: number, opts: { status: boolean }): Promise<FoundEngine> {
  if (c.address.scheme === 'ssh')
    return unreachable(
      c,
      `${c.address.uri}: ssh:// connections are not supported yet. Forward the socket (ssh -L) and use unix:// or tcp://.`,
    );
  if (c.address.scheme === 'npipe') return unreachable(c, `${c.address.uri}: named pipes exist only on Windows.`);
  const connection = new EngineConnection(c.address);
  // Discovery also asks /libpod/_ping; an engine opened by its address to work on is told by the ping's Libpod-Api-Version alone.
  const libpodPing = opts.status
    ? connection.text({ path: '/libpod/_ping', versioned: false, timeoutMs }).then(
        () => true,
        () => false,
      )
    : Promise.resolve(false);
  let ping: PingAnswer;
  try {
    ping = await pingEngine(connection, timeoutMs);
  } catch (e) {
    await libpodPing;
    return unreachable(c, e instanceof Error ? e.message : String(e));
  }
  // Podman answers /libpod/_ping, and says Libpod-Api-Version on every answer, whatever it was found as.
  const kind: EngineKind = (await libpodPing) || ping.libpodVersion ? 'podman' : 'docker';
  const name = kind !== c.kind && c.name.startsWith(c.kind) ? `${kind}${c.name.slice(c.kind.length)}` : c.name;
  const engine = new DaemonEngine(connection, kind, name, { origin: c.origin, isDefault: c.isDefault });
  engine.adoptPing(ping);
  if (!opts.status)
    return {
      status: {
        ...unreachable(c, '').status,
        name,
        kind,
        reachable: true,
        error: null,
        version: ping.version,
        apiVersion: ping.apiVersion,
      },
      engine,
    };
  const status = await engine.status({ timeoutMs });
  return { status, engine: status.reachable ? engine : null };
}

/** Every engine found, pinged in parallel; unreachable ones carry the reason. */
export async function discoverEngines(env: NodeJS.ProcessEnv, opts: DiscoverOptions = {}): Promise<FoundEngine[]> {
  const home = opts.home ?? (env.HOME?.trim() || process.getBuiltinModule('node:os').homedir());
  const systemSockets = opts.systemSockets ?? true;
  const [docker, podman] = await Promise.all([
    dockerCandidates(env, home, systemSockets),
    podmanCandidates(env, home, opts.podmanCommand === undefined ? 'podman' : opts.podmanCommand, systemSockets),
  ]);
  // DOCKER_HOST and CONTAINER_HOST first: an address found again (as a context, a connection) keeps the variable's name.
  const fromEnv = (c: Candidate) => c.origin === 'DOCKER_HOST' || c.origin === 'CONTAINER_HOST';
  const all = [...docker, ...podman];
  const candidates = uniqueNames(dedupe([...all.filter(fromEnv), ...all.filter((c) => !fromEnv(c))].filter(worthListing)));
  const found = await Promise.all(candidates.map((c) => probe(c, opts.timeoutMs ?? PING_TIMEOUT_MS, { status: true })));
  // A candidate reached as docker that is podman got podman's name; keep names unique after that.
  const names = new Set<string>();
  for (const f of found) {
    let n = f.status.name;
    for (let k = 2; names.has(n); k++) n = `${f.status.name} #${k}`;
    if (n !== f.status.name) {
      f.status.name = n;
      if (f.engine instanceof DaemonEngine) f.engine.rename(n);
    }
    names.add(n);
  }
  return found;
}

function looksLikeAddress(s: string): boolean {
  return s.startsWith('/') || /^[a-z]+:\/\//i.test(s);
}

/** An engine at an address (unix:///path, tcp://host:port), its kind found by pinging it. */
async function openAddress(uri: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<EngineApi> {
  const address = parseEngineUri(uri, env);
  // Opened to work on: its storage location is not needed, so only the ping is asked.
  const found = await probe({ name: 'engine', kind: 'docker', address, origin: 'address', isDefault: false, named: false }, timeoutMs, {
    status: false,
  });
  if (!found.engine)
    throw new DeckhandError('EENGINE', found.status.error ?? `${address.uri} did not answer.`, { detail: { address: address.uri } });
  const engine = found.engine as DaemonEngine;
  engine.rename(address.uri);
  return engine;
}

/** A name from `deckhand engines`, or an address: the engine, reachable; EUSAGE for an unknown name, EENGINE when it does not answer. */
export async function openEngine(nameOrUri: string, env: NodeJS.ProcessEnv, opts: DiscoverOptions = {}): Promise<EngineApi> {
  const timeoutMs = opts.timeoutMs ?? PING_TIMEOUT_MS;
  if (looksLikeAddress(nameOrUri)) return openAddress(nameOrUri, env, timeoutMs);
  const found = await discoverEngines(env, opts);
  const match =
    found.find((f) => f.status.name === nameOrUri) ?? found.find((f) => f.status.name.toLowerCase() === nameOrUri.toLowerCase());
  if (!match) {
    const known = found.map((f) => f.status.name);
    throw new DeckhandError(
      'EUSAGE',
      `No engine is called "${nameOrUri}". ${known.length ? `Engines found: ${known.map((n) => `"${n}"`).join(', ')}.` : 'No Docker or Podman engine was found.'} Give one of those, or an address (unix:///path/to.sock, tcp://host:port); \`deckhand engines\` lists them.`,
    );
  }
  if (!match.engine)
    throw new DeckhandError('EENGINE', `${match.status.name} is not reachable: ${match.status.error ?? 'no answer'}`, {
      detail: { address: match.status.uri },
    });
  return match.engine;
}

/** The engine `copy docker-daemon:REF` uses: DOCKER_HOST, the current Docker context, the other docker candidates, then podman's default. */
export async function defaultEngine(env: NodeJS.ProcessEnv, opts: DiscoverOptions = {}): Promise<EngineApi> {
  const found = await discoverEngines(env, opts);
  const dockerOrigin = (o: string) =>
    o === 'DOCKER_HOST' || o.startsWith('docker context') || o === 'Docker Desktop socket' || o === 'socket';
  const rank = ({ status: s }: FoundEngine): number =>
    s.origin === 'DOCKER_HOST' ? 0 : dockerOrigin(s.origin) && s.isDefault ? 1 : dockerOrigin(s.origin) ? 2 : s.isDefault ? 3 : 4;
  const ordered = [...found].sort((a, b) => rank(a) - rank(b));
  const first = ordered[0];
  if (first && first.status.origin === 'DOCKER_HOST' && !first.engine)
    throw new DeckhandError('EENGINE', `DOCKER_HOST ${first.status.uri} is not reachable: ${first.status.error ?? 'no answer'}`, {
      detail: { address: first.status.uri },
    });
  const live = ordered.find((f) => f.engine);
  if (live?.engine) return live.engine;
  const tried = found.map((f) => `${f.status.name} (${f.status.uri}): ${f.status.error ?? 'no answer'}`);
  throw new DeckhandError(
    'EENGINE',
    tried.length
      ? `No Docker or Podman engine answered. Tried: ${tried.join('; ')}.`
      : 'No Docker or Podman engine was found: set DOCKER_HOST or CONTAINER_HOST, or start Docker or Podman.',
  );
}
