/**
 * Discovery from a made-up home: Docker contexts (current from config.json, DOCKER_CONTEXT over
 * it, an ssh:// one listed as unsupported), Docker Desktop's socket, podman-connections.json and
 * containers.conf destinations, the rootless socket; the same address found twice is one engine;
 * a podman socket reached as docker is podman; and the default engine's order.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeckhandError } from '../../../src-shared/errors.ts';
import { defaultEngine, discoverEngines, openEngine } from './discover.ts';

let home: string;
const servers: Server[] = [];

/** A fake engine answering only the ping: docker, or podman (its headers and /libpod/_ping). */
async function fake(socket: string, kind: 'docker' | 'podman'): Promise<string> {
  const server = createServer((req, res) => {
    const headers: Record<string, string> =
      kind === 'podman'
        ? { 'Api-Version': '1.41', 'Libpod-Api-Version': '4.9.0', Server: 'Libpod/4.9.0 (linux)' }
        : { 'Api-Version': '1.47', Server: 'Docker/27.3.1 (linux)' };
    if (req.url === '/_ping' || (kind === 'podman' && req.url === '/libpod/_ping')) res.writeHead(200, headers).end('OK');
    else if (req.url?.endsWith('/info'))
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ DockerRootDir: '/var/lib/docker', store: { graphRoot: '/home/me/.local/share/containers/storage' } }));
    else res.writeHead(404, headers).end('{"message":"page not found"}');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return `unix://${socket}`;
}

async function context(configDir: string, name: string, host: string): Promise<void> {
  const dir = join(configDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
  );
}

let env: NodeJS.ProcessEnv;
const opts = () => ({ home, podmanCommand: null, systemSockets: false, timeoutMs: 1000 }) as const;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'deckhand-discover-'));
  const docker = join(home, '.docker');
  await mkdir(join(docker, 'run'), { recursive: true });
  const desktop = await fake(join(docker, 'run', 'docker.sock'), 'docker');
  await writeFile(join(docker, 'config.json'), JSON.stringify({ currentContext: 'desktop-linux' }));
  await context(docker, 'desktop-linux', desktop);
  await context(docker, 'remote', 'ssh://me@build-box');
  // A podman machine's socket someone added as a docker context.
  const machine = await fake(join(home, 'machine.sock'), 'podman');
  await context(docker, 'podman-as-docker', machine);
  const config = join(home, 'config');
  await mkdir(join(config, 'containers'), { recursive: true });
  await writeFile(
    join(config, 'containers', 'podman-connections.json'),
    JSON.stringify({ Connection: { Default: 'podman-machine-default', Connections: { 'podman-machine-default': { URI: machine } } } }),
  );
  await writeFile(
    join(config, 'containers', 'containers.conf'),
    `[engine]\nactive_service = "old"\n[engine.service_destinations.old]\nuri = "unix://${join(home, 'old.sock')}"\n`,
  );
  const runtime = join(home, 'run');
  await mkdir(join(runtime, 'podman'), { recursive: true });
  await fake(join(runtime, 'podman', 'podman.sock'), 'podman');
  env = { XDG_CONFIG_HOME: config, XDG_RUNTIME_DIR: runtime, PATH: '' };
});

after(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await rm(home, { recursive: true, force: true });
});

test('every engine found once, by name, with how it was found and whether it answers', async () => {
  const found = await discoverEngines(env, opts());
  const table = found.map((f) => [f.status.name, f.status.kind, f.status.reachable, f.status.isDefault, f.status.origin]);
  assert.deepEqual(table, [
    ['docker (desktop-linux)', 'docker', true, true, 'docker context desktop-linux'],
    // Also podman's default connection (the same address): the default for podman.
    ['podman (podman-as-docker)', 'podman', true, true, 'docker context podman-as-docker'],
    ['docker (remote)', 'docker', false, false, 'docker context remote'],
    ['podman (old)', 'podman', false, false, 'podman connection old'],
    ['podman', 'podman', true, false, 'rootless podman socket'],
  ]);
  const desktop = found[0]!.status;
  assert.deepEqual([desktop.version, desktop.apiVersion, desktop.rootDir], ['27.3.1', '1.47', '/var/lib/docker']);
  assert.match(found[2]!.status.error ?? '', /ssh:\/\/ connections are not supported yet/);
  assert.match(found[3]!.status.error ?? '', /old\.sock: the socket does not exist/);
  // The machine's connection is the same address as the context: listed once, under the first name.
  assert.equal(found.filter((f) => f.status.uri.endsWith('machine.sock')).length, 1);
  assert.equal(found[1]!.status.version, '4.9.0');
});

test('DOCKER_CONTEXT overrides config.json, DOCKER_HOST overrides both; CONTAINER_HOST is podman’s default', async () => {
  const byContext = await discoverEngines({ ...env, DOCKER_CONTEXT: 'remote' }, opts());
  assert.equal(byContext.find((f) => f.status.isDefault && f.status.kind === 'docker')?.status.name, 'docker (remote)');
  const byHost = await discoverEngines(
    { ...env, DOCKER_HOST: 'tcp://127.0.0.1:1', CONTAINER_HOST: `unix://${join(home, 'machine.sock')}` },
    opts(),
  );
  const host = byHost.find((f) => f.status.origin === 'DOCKER_HOST')!;
  assert.deepEqual([host.status.name, host.status.isDefault, host.status.reachable], ['docker', true, false]);
  assert.match(host.status.error ?? '', /tcp:\/\/127\.0\.0\.1:1: the connection was refused/);
  assert.equal(byHost.find((f) => f.status.name === 'docker (desktop-linux)')?.status.isDefault, false);
  const pod = byHost.find((f) => f.status.uri.endsWith('machine.sock'))!;
  assert.deepEqual([pod.status.origin, pod.status.isDefault, pod.status.kind], ['CONTAINER_HOST', true, 'podman']);
});

test('the default engine: DOCKER_HOST (an error when it does not answer), else the current context', async () => {
  await assert.rejects(
    defaultEngine({ ...env, DOCKER_HOST: 'tcp://127.0.0.1:1' }, opts()),
    (e) => isDeckhandError(e, 'EENGINE') && e.message.includes('DOCKER_HOST'),
  );
  const engine = await defaultEngine(env, opts());
  assert.equal(engine.name, 'docker (desktop-linux)');
  // The current context gone: the next docker candidate that answers, then podman.
  const noDocker = await defaultEngine({ ...env, DOCKER_CONTEXT: 'remote', DOCKER_CONFIG: join(home, 'nowhere') }, opts());
  assert.equal(noDocker.kind, 'docker', 'Docker Desktop’s socket');
});

test('openEngine takes a name or an address; an unknown name lists the known ones', async () => {
  assert.equal((await openEngine('podman', env, opts())).kind, 'podman');
  assert.equal((await openEngine(`unix://${join(home, 'machine.sock')}`, env, opts())).kind, 'podman');
  await assert.rejects(
    openEngine('docker (nope)', env, opts()),
    (e) => isDeckhandError(e, 'EUSAGE') && e.message.includes('"docker (desktop-linux)"') && e.message.includes('deckhand engines'),
  );
  await assert.rejects(openEngine('docker (remote)', env, opts()), (e) => isDeckhandError(e, 'EENGINE') && /ssh/.test(e.message));
  await assert.rejects(openEngine('ftp://x', env, opts()), (e) => isDeckhandError(e, 'EUSAGE'));
});
