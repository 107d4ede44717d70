/**
 * The engine layer against fake engines: tiny HTTP servers on unix sockets answering the old and
 * new response shapes (Docker's `/system/df` before and from API 1.52, `-1` for "not computed"),
 * version negotiation from the ping, podman's per-tag df folded into images, and a refused removal
 * naming the containers. The real engines are in src-main/test/integration/engines.itest.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeckhandError } from '../../../src-shared/errors.ts';
import { EngineConnection, parseEngineUri } from './connection.ts';
import { DaemonEngine, negotiateApiVersion, pairHistory } from './engine.ts';

let dir: string;
const servers: Server[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deckhand-fake-engine-'));
});
after(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await rm(dir, { recursive: true, force: true });
});

type Handler = (req: IncomingMessage, url: URL) => { status?: number; headers?: Record<string, string>; body?: unknown } | undefined;

/** A fake engine on a unix socket: `handler` answers by path; every request is recorded. */
async function fakeEngine(name: string, headers: Record<string, string>, handler: Handler): Promise<{ uri: string; seen: string[] }> {
  const socket = join(dir, `${name}.sock`);
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://d');
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    const answer = url.pathname === '/_ping' ? { body: 'OK' } : handler(req, url);
    if (!answer) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `no such thing: ${url.pathname}` }));
      return;
    }
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? null);
    res.writeHead(answer.status ?? 200, { ...headers, ...answer.headers, 'content-type': 'application/json' }).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { uri: `unix://${socket}`, seen };
}

function open(uri: string, kind: 'docker' | 'podman' = 'docker'): DaemonEngine {
  return new DaemonEngine(new EngineConnection(parseEngineUri(uri)), kind, 'fake');
}

const IMG_A = `sha256:${'a'.repeat(64)}`;
const IMG_B = `sha256:${'b'.repeat(64)}`;

/** Docker's image list (all), inspect and history for IMG_A (two layers) and IMG_B (its own one layer), at any API version. */
function dockerImages(url: URL): { body: unknown } | undefined {
  const path = url.pathname.replace(/^\/v1\.\d+/, '');
  if (path === '/images/json')
    return {
      body: [
        { Id: IMG_A, ParentId: '', RepoTags: ['app:1'], RepoDigests: [], Created: 1, Size: 4000, SharedSize: -1, Containers: -1 },
        { Id: IMG_B, ParentId: '', RepoTags: [], RepoDigests: [], Created: 1, Size: 1000, SharedSize: -1, Containers: -1 },
      ],
    };
  const m = /^\/images\/(.+)\/(json|history)$/.exec(path);
  if (!m) return undefined;
  const id = decodeURIComponent(m[1]!);
  const a = id === IMG_A || id === 'app:1';
  if (m[2] === 'json')
    return {
      body: {
        Id: a ? IMG_A : IMG_B,
        Os: 'linux',
        Architecture: 'amd64',
        RootFS: { Layers: a ? ['sha256:l1', 'sha256:l2'] : ['sha256:l3'] },
      },
    };
  return {
    body: a
      ? [
          { CreatedBy: 'COPY b /', Size: 1000 },
          { CreatedBy: 'COPY a /', Size: 3000 },
        ]
      : [{ CreatedBy: 'COPY c /', Size: 1000 }],
  };
}

test('the API version is the lower of ours and the engine’s, never below its minimum', () => {
  assert.equal(negotiateApiVersion('1.41', '1.12'), '1.41');
  assert.equal(negotiateApiVersion('1.53', '1.44'), '1.52');
  assert.equal(negotiateApiVersion('1.9', undefined), '1.9');
  assert.equal(negotiateApiVersion(undefined, undefined), '1.52');
  assert.equal(negotiateApiVersion('1.60', '1.55'), null);
});

test('API 1.52: /system/df is asked with type=image&verbose=1 and its ImageUsage.Items read; -1 stays unknown, never 0', async () => {
  const fake = await fakeEngine('docker152', { 'Api-Version': '1.52', Server: 'Docker/29.0.0 (linux)' }, (_req, url) => {
    if (url.pathname === '/v1.52/system/df')
      return {
        body: {
          ImageUsage: {
            ActiveCount: 1,
            TotalCount: 2,
            TotalSize: 5000,
            Reclaimable: 1000,
            Items: [
              {
                Id: IMG_A,
                ParentId: '',
                RepoTags: ['app:1', 'app:latest'],
                RepoDigests: [],
                Created: 1700000000,
                Size: 4000,
                SharedSize: 3000,
                Containers: 1,
              },
              { Id: IMG_B, ParentId: '', RepoTags: [], RepoDigests: [], Created: 1700000001, Size: 1000, SharedSize: -1, Containers: -1 },
            ],
          },
        },
      };
    if (url.pathname === '/v1.52/containers/json') return { body: [{ Id: 'c1', Names: ['/web'], ImageID: IMG_A }] };
    return dockerImages(url);
  });
  const engine = open(fake.uri);
  const rows = await engine.images();
  assert.ok(fake.seen.includes('GET /v1.52/system/df?type=image&verbose=1'), fake.seen.join('\n'));
  assert.deepEqual(
    rows.map((r) => [r.name, r.size, r.sharedBytes, r.uniqueBytes, r.containers, r.containerNames, r.dangling]),
    [
      ['app:1', 4000, 3000, 1000, 1, ['web'], false],
      ['app:latest', 4000, 3000, 1000, 1, ['web'], false],
      [IMG_B, 1000, -1, -1, -1, [], true],
    ],
  );
  const status = await engine.status();
  assert.deepEqual([status.reachable, status.version, status.apiVersion], [true, '29.0.0', '1.52']);
  const usage = await engine.usage({ layers: false });
  assert.equal(usage.totalBytes, 5000, 'TotalSize of the new shape');
  assert.equal(usage.reclaimableBytes, 1000, 'a default prune removes the untagged image and frees its own layer');
  const withLayers = await engine.usage();
  assert.deepEqual(withLayers.blobSizes, [3000, 1000, 1000]);
  assert.equal(withLayers.blobCount, 3);
});

test('API 1.41: the old /system/df shape (Images, LayersSize), <none>:<none> tags, and no type= (it is newer)', async () => {
  const fake = await fakeEngine('docker141', { 'Api-Version': '1.41' }, (_req, url) => {
    if (url.pathname === '/v1.41/system/df')
      return {
        body: {
          LayersSize: 7000,
          Images: [
            {
              Id: IMG_A,
              ParentId: '',
              RepoTags: ['<none>:<none>'],
              RepoDigests: ['<none>@<none>'],
              Created: 1,
              Size: 7000,
              SharedSize: 0,
              VirtualSize: 7000,
              Containers: 0,
            },
          ],
          Containers: [],
          Volumes: [],
        },
      };
    if (url.pathname === '/v1.41/containers/json') return { body: [] };
    return dockerImages(url);
  });
  const engine = open(fake.uri);
  const rows = await engine.images();
  assert.ok(fake.seen.includes('GET /v1.41/system/df'), fake.seen.join('\n'));
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0]!.dangling, rows[0]!.tag, rows[0]!.uniqueBytes], [true, null, 7000]);
  assert.equal((await engine.usage({ layers: false })).totalBytes, 7000);
});

test("docker's one-at-a-time /system/df: calls here take turns, one that meets another client's is asked again, other failures are not", async () => {
  let busy = 2;
  let broken = false;
  const fake = await fakeEngine('docker-busy', { 'Api-Version': '1.41' }, (_req, url) => {
    if (url.pathname === '/v1.41/system/df') {
      if (broken) return { status: 500, body: { message: 'error walking the layer store' } };
      if (busy-- > 0) return { status: 500, body: { message: 'a disk usage operation is already running' } };
      return {
        body: { LayersSize: 1000, Images: [{ Id: IMG_B, RepoTags: ['b:1'], Created: 1, Size: 1000, SharedSize: 0, Containers: 0 }] },
      };
    }
    return dockerImages(url);
  });
  const engine = open(fake.uri);
  const [one, two] = await Promise.all([engine.images(), engine.images()]);
  assert.deepEqual([one.length, two.length], [1, 1]);
  const asked = () => fake.seen.filter((s) => s === 'GET /v1.41/system/df').length;
  assert.equal(asked(), 4, 'the first call met two busy answers and then its own; the second waited its turn and was answered at once');
  broken = true;
  await assert.rejects(engine.images(), (e) => isDeckhandError(e, 'EENGINE') && /error walking the layer store/.test(e.message));
  assert.equal(asked(), 5, 'a failure other than "already running" is not asked again');
});

test('an engine whose minimum API is above ours is refused with what to do', async () => {
  const fake = await fakeEngine('future', { 'Api-Version': '1.60' }, (_req, url) =>
    url.pathname === '/version' ? { body: { Version: '40.0.0', ApiVersion: '1.60', MinAPIVersion: '1.55' } } : undefined,
  );
  await assert.rejects(open(fake.uri).images(), (e) => isDeckhandError(e, 'EENGINE') && /1\.55 to 1\.60.*Update Deckhand/.test(e.message));
});

test('podman: libpod paths carry its version, its per-tag df becomes one row per tag, and a refused removal names the containers', async () => {
  const fake = await fakeEngine(
    'podman',
    { 'Api-Version': '1.41', 'Libpod-Api-Version': '4.3.1', Server: 'Libpod/4.3.1 (linux)' },
    (req, url) => {
      if (url.pathname === '/v4.3.1/libpod/system/df')
        return {
          body: {
            Images: [
              {
                Repository: 'localhost/app',
                Tag: '1',
                ImageID: 'a'.repeat(64),
                Created: '2026-01-01T00:00:00Z',
                Size: 900,
                SharedSize: 800,
                UniqueSize: 100,
                Containers: 1,
              },
              {
                Repository: 'localhost/app',
                Tag: 'two',
                ImageID: 'a'.repeat(64),
                Created: '2026-01-01T00:00:00Z',
                Size: 900,
                SharedSize: 800,
                UniqueSize: 100,
                Containers: 1,
              },
              {
                Repository: '<none>',
                Tag: '<none>',
                ImageID: 'b'.repeat(64),
                Created: '0001-01-01T00:00:00Z',
                Size: 800,
                SharedSize: 800,
                UniqueSize: 0,
                Containers: 0,
              },
            ],
            Containers: [],
            Volumes: [],
          },
        };
      if (url.pathname === '/v1.41/containers/json') {
        const filters = url.searchParams.get('filters');
        // podman's ancestor filter takes the bare hex ID
        if (filters) assert.deepEqual(JSON.parse(filters), { ancestor: ['a'.repeat(64)] });
        return { body: [{ Id: 'c1', Names: ['/runner'], ImageID: IMG_A }] };
      }
      if (req.method === 'DELETE' && url.pathname.startsWith('/v1.41/images/'))
        return { status: 409, body: { message: 'image used by c1: image is in use by a container' } };
      if (url.pathname === '/v1.41/images/json' || url.pathname === '/v4.3.1/libpod/images/json')
        return {
          body: [
            { Id: 'a'.repeat(64), ParentId: 'b'.repeat(64), RepoTags: ['localhost/app:1'], Size: 900 },
            { Id: 'b'.repeat(64), ParentId: '', RepoTags: [], Size: 800 },
          ],
        };
      if (/^\/v4\.3\.1\/libpod\/images\/[^/]+\/json$/.test(url.pathname))
        return {
          body: {
            Id: 'a'.repeat(64),
            Architecture: 'amd64',
            Os: 'linux',
            RootFS: { Layers: [`sha256:${'1'.repeat(64)}`] },
            History: [{ created_by: 'COPY x /' }],
          },
        };
      if (/^\/v1\.41\/images\/[^/]+\/history$/.test(url.pathname)) return { body: [{ Id: 'x', CreatedBy: 'COPY x /', Size: 100 }] };
      return undefined;
    },
  );
  const engine = open(fake.uri, 'podman');
  const rows = await engine.images();
  assert.ok(fake.seen.includes('GET /v4.3.1/libpod/system/df'), fake.seen.join('\n'));
  assert.deepEqual(
    rows.map((r) => [r.repository, r.tag, r.id, r.containers]),
    [
      ['localhost/app', '1', IMG_A, 1],
      ['localhost/app', 'two', IMG_A, 1],
      [null, null, IMG_B, 0],
    ],
  );
  assert.equal(rows[2]!.created, null, "podman's zero time is no time");
  await assert.rejects(
    engine.remove(['localhost/app:1']),
    (e) => isDeckhandError(e, 'EIN_USE') && e.message.includes('runner') && JSON.stringify(e.detail?.containers) === '["runner"]',
  );
});

test('history pairs with layers: sized entries are layers, metadata steps are not, and the newest align when counts differ', () => {
  const h = (size: number, createdBy: string) => ({ size, createdBy });
  assert.deepEqual(
    pairHistory(
      ['d1', 'd2', 'd3'],
      [
        h(100, 'ADD rootfs.tar /'),
        h(0, '/bin/sh -c #(nop)  ENV A=1'),
        h(0, '/bin/sh -c mkdir /x'),
        h(0, 'LABEL a=b # buildkit'),
        h(5, 'COPY a /'),
      ],
    ).map((x) => [x.size, x.createdBy]),
    [
      [100, 'ADD rootfs.tar /'],
      [0, '/bin/sh -c mkdir /x'],
      [5, 'COPY a /'],
    ],
  );
  // podman marks empty layers itself.
  assert.deepEqual(
    pairHistory(
      ['d1'],
      [
        { size: 0, createdBy: 'ENV X', empty: true },
        { size: 7, createdBy: 'COPY b /', empty: false },
      ],
    ).map((x) => x.size),
    [7],
  );
  // A squashed image: fewer entries than layers; the older layers are unknown (-1), never 0.
  assert.deepEqual(
    pairHistory(['d1', 'd2'], [h(9, 'squashed')]).map((x) => x.size),
    [-1, 9],
  );
});
