/**
 * Deckhand against real engines: Debian's dockerd and `podman system service`, each in its own temp
 * root (fixtures/engines.ts), with images built there from Debian's static busybox. What Deckhand
 * lists is held to what the engine's own CLI reports (`system df -v`), removal of an image a
 * container uses is refused naming the container, a prune frees exactly what its preview said, and
 * dead engines show as unreachable with their reason beside the live ones.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDockerd, startPodman, type TestEngine } from '../fixtures/engines.ts';
import { discoverEngines, openEngine } from '../../engine/daemon/discover.ts';
import type { EngineApi } from '../../engine/daemon/types.ts';
import type { ImageRow } from '../../../src-shared/ipc/types.ts';
import { isDeckhandError } from '../../../src-shared/errors.ts';
import { runCli, waitFor } from '../fixtures/tools.ts';
import type { EngineEvent } from '../../engine/daemon/types.ts';

let docker: TestEngine;
let podman: TestEngine;
let work: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'deckhand-engines-'));
  [docker, podman] = await Promise.all([startDockerd(), startPodman()]);
  for (const e of [docker, podman]) {
    await e.build('base:1', 'FROM scratch\nCOPY busybox /bin/busybox\n');
    await e.build('app:1', 'FROM base:1\nCOPY a.txt /a.txt\n', { 'a.txt': 'first app' });
    await e.build('app:2', 'FROM base:1\nCOPY b.txt /b.txt\n', { 'b.txt': 'the second app, a little longer' });
    await e.cli(['tag', 'app:2', 'app:two']);
    await e.cli(['create', '--name', 'user-of-app1', 'app:1', '/bin/busybox', 'true']);
  }
});

after(async () => {
  await Promise.all([docker?.stop(), podman?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

/** Go's `%.4g` of a size in decimal units, as docker's and podman's `system df` print it (go-units HumanSize). */
function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

interface DfRow {
  repository: string;
  tag: string;
  id: string;
  size: string;
  shared: string;
  unique: string;
  containers: number;
}

/** The "Images space usage" table of `system df -v` (docker 20.10 and podman 4.3 print the same columns). */
function parseDfTable(text: string): DfRow[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Images space usage'));
  assert.ok(start >= 0, `no images table in:\n${text}`);
  const header = lines.findIndex((l, i) => i > start && l.startsWith('REPOSITORY'));
  const rows: DfRow[] = [];
  for (let i = header + 1; i < lines.length && lines[i]!.trim() !== ''; i++) {
    const f = lines[i]!.trim().split(/\s{2,}/);
    assert.equal(f.length, 8, `unexpected df row: ${lines[i]}`);
    rows.push({ repository: f[0]!, tag: f[1]!, id: f[2]!, size: f[4]!, shared: f[5]!, unique: f[6]!, containers: Number(f[7]) });
  }
  return rows;
}

function rowFor(rows: ImageRow[], df: DfRow): ImageRow {
  const found =
    df.repository === '<none>'
      ? rows.find((r) => r.dangling && r.id?.replace('sha256:', '').startsWith(df.id))
      : rows.find((r) => r.repository === df.repository && r.tag === df.tag);
  assert.ok(found, `no row for ${df.repository}:${df.tag} (${df.id}) in ${rows.map((r) => r.name).join(', ')}`);
  return found;
}

for (const which of ['docker', 'podman'] as const) {
  describe(which, () => {
    const engineOf = (): TestEngine => (which === 'docker' ? docker : podman);
    let api: EngineApi;
    before(async () => {
      api = await openEngine(engineOf().uri, {});
    });

    test('is found as what it is, with its version and storage location', async () => {
      const s = await api.status();
      assert.equal(s.kind, which);
      assert.equal(s.reachable, true);
      assert.ok(s.version, 'a version');
      assert.match(s.apiVersion ?? '', /^1\.\d+$/);
      assert.ok(s.rootDir?.startsWith(engineOf().dir), `rootDir ${s.rootDir} is under ${engineOf().dir}`);
    });

    test("sizes, shared, unique and containers per image are the engine's own `system df -v`", async () => {
      const rows = await api.images();
      const out = await engineOf().cli(['system', 'df', '-v']);
      const table = parseDfTable(out.stdout);
      // docker's df has one row per image (its first tag), podman's one per tag; Deckhand's one per tag, as `docker images`.
      const ids = (xs: string[]) => [...new Set(xs.map((x) => x.replace('sha256:', '').slice(0, 12)))].sort();
      assert.deepEqual(ids(rows.map((r) => r.id ?? '')), ids(table.map((t) => t.id)));
      if (which === 'podman') assert.equal(rows.length, table.length);
      assert.ok(
        rows.some((r) => r.tag === 'two'),
        'a second tag is a row of its own',
      );
      for (const df of table) {
        const row = rowFor(rows, df);
        assert.equal(humanSize(row.size), df.size, `${row.name} size`);
        assert.equal(humanSize(row.sharedBytes), df.shared, `${row.name} shared`);
        assert.equal(humanSize(row.uniqueBytes), df.unique, `${row.name} unique`);
        assert.equal(row.containers, df.containers, `${row.name} containers`);
        assert.ok(row.id?.replace('sha256:', '').startsWith(df.id), `${row.name} id`);
      }
      const app1 = rows.find((r) => r.tag === '1' && r.repository?.endsWith('app'));
      assert.deepEqual(app1?.containerNames, ['user-of-app1']);
    });

    test('inspect and tree read the layers: the base layer is one node under both apps', async () => {
      const details = await api.inspect('app:1');
      assert.equal(details.images.length, 1);
      assert.equal(details.images[0]!.layers.length, 2);
      assert.equal(details.containers, 1);
      const [t1] = await api.tree('app:1');
      const [t2] = await api.tree('app:2');
      assert.equal(t1!.layers[0]!.id, t2!.layers[0]!.id, 'the busybox layer has one chain ID');
      assert.notEqual(t1!.layers[1]!.id, t2!.layers[1]!.id);
      assert.ok(t1!.layers[0]!.topOf.some((n) => n.endsWith('base:1')));
      const forest = await api.layerForest();
      assert.equal(forest.children.length, 1, 'one base layer under the root');
      assert.equal(forest.children[0]!.children.length, 2, 'two apps on it');
      const usage = await api.usage();
      assert.equal(usage.blobCount, 3);
      const u1 = usage.images.find((i) => i.name.endsWith('app:1'))!;
      assert.deepEqual(
        u1.blobs.map((k) => usage.blobDigests[k]),
        t1!.layers.map((l) => l.id),
      );
    });

    test("the CLI: images, df, tree and inspect --engine URI give the store's shapes plus id and containers; rmi of a used image exits 1", async () => {
      const env = { PATH: process.env.PATH ?? '', HOME: work };
      const uri = engineOf().uri;
      const images = await runCli(['images', '--engine', uri, '--format', 'json'], { env });
      assert.equal(images.code, 0, images.stderr);
      const rows = JSON.parse(images.stdout) as ImageRow[];
      const app1 = rows.find((r) => r.name.endsWith('app:1'))!;
      for (const field of [
        'name',
        'repository',
        'tag',
        'digest',
        'id',
        'size',
        'sharedBytes',
        'uniqueBytes',
        'containers',
        'created',
        'dangling',
      ])
        assert.ok(field in app1, `images json has ${field}`);
      assert.equal(app1.containers, 1);
      const df = await runCli(['df', '--engine', uri, '--format', 'json'], { env });
      assert.equal(df.code, 0, df.stderr);
      const usage = JSON.parse(df.stdout) as {
        totalBytes: number;
        reclaimableBytes: number;
        images: Array<{ name: string; id: string; containers: number; totalBytes: number; sharedBytes: number; uniqueBytes: number }>;
      };
      // docker reports the total of its layers; podman reports none, and adding up its per-image sizes would count shared layers again.
      if (which === 'docker') assert.ok(usage.totalBytes > 1_000_000, `total ${usage.totalBytes}`);
      else assert.equal(usage.totalBytes, -1);
      assert.equal(typeof usage.reclaimableBytes, 'number');
      const u1 = usage.images.find((i) => i.name.endsWith('app:1'))!;
      assert.deepEqual(
        [u1.id, u1.containers, u1.totalBytes, u1.sharedBytes, u1.uniqueBytes],
        [app1.id, 1, app1.size, app1.sharedBytes, app1.uniqueBytes],
      );
      const tree = await runCli(['tree', '--engine', uri, 'app:1'], { env });
      assert.equal(tree.code, 0, tree.stderr);
      assert.match(tree.stdout, /Top Layer of: \[\S*app:1\]/);
      const inspect = await runCli(['--engine', uri, 'inspect', 'app:1'], { env });
      assert.match(inspect.stdout, /Containers: 1 \(user-of-app1\)/);
      const rmi = await runCli(['rmi', '--engine', uri, 'app:1'], { env });
      assert.equal(rmi.code, 1);
      assert.match(rmi.stderr, /user-of-app1/);
      const dry = await runCli(['prune', '--engine', uri, '--all', '--dry-run', '--format', 'json'], { env });
      assert.equal(dry.code, 0, dry.stderr);
      const { plan, result } = JSON.parse(dry.stdout) as {
        plan: { images: Array<{ name: string }>; reclaimedBytes: number };
        result?: unknown;
      };
      assert.equal(result, undefined, 'a dry run runs nothing');
      assert.ok(
        plan.images.some((i) => /app:(2|two)$/.test(i.name)),
        JSON.stringify(plan.images),
      );
      assert.ok(!plan.images.some((i) => i.name.endsWith('app:1')), 'a container uses app:1');
      assert.ok(plan.reclaimedBytes > 0);
      await engineOf().cli(['image', 'inspect', 'app:2']);
      const dead = await runCli(['images', '--engine', `unix://${join(work, 'no-engine.sock')}`], { env });
      assert.equal(dead.code, 1);
      assert.match(dead.stderr, /no-engine\.sock: the socket does not exist/);
    });

    test('removing an image a created container uses is refused naming the container, and the image stays', async () => {
      await assert.rejects(
        api.remove(['app:1']),
        (e) =>
          isDeckhandError(e, 'EIN_USE') &&
          e.message.includes('user-of-app1') &&
          JSON.stringify(e.detail?.containers) === JSON.stringify(['user-of-app1']),
      );
      // The engine's CLI fails (and so the test) if app:1 is gone.
      await engineOf().cli(['image', 'inspect', 'app:1']);
    });

    test('rmi of an unused tag untags it; of the last tag removes the image and frees its own layer', async () => {
      await engineOf().build('gone:1', 'FROM base:1\nCOPY c.txt /c.txt\n', { 'c.txt': 'x'.repeat(5000) });
      await engineOf().cli(['tag', 'gone:1', 'gone:2']);
      const untag = await api.remove(['gone:2']);
      assert.equal(untag.freedBytes, 0);
      assert.ok(untag.removed.some((r) => r.endsWith('gone:2')));
      const rm = await api.remove(['gone:1']);
      assert.equal(rm.deleted.length, 1, 'only the c.txt layer goes; the base stays for the others');
      assert.ok(rm.freedBytes >= 5000, `freed ${rm.freedBytes}`);
      await assert.rejects(engineOf().cli(['image', 'inspect', 'gone:1']), /gone:1/);
    });

    test("prune frees exactly what its preview said, by the engine's rules, and leaves what containers use", async () => {
      // Dangling images: a tag moved away from an image (untagged, nothing built on it).
      await engineOf().build('moving:1', 'FROM base:1\nCOPY d.txt /d.txt\n', { 'd.txt': 'one '.repeat(3000) });
      await engineOf().build('moving:1', 'FROM base:1\nCOPY d.txt /d.txt\n', { 'd.txt': 'two '.repeat(4000) });
      await engineOf().build('left:1', 'FROM base:1\nCOPY e.txt /e.txt\n', { 'e.txt': 'left '.repeat(1000) });
      await engineOf()
        .cli(['rmi', 'left:1'])
        .catch(() => undefined);
      const plan = await api.planPrune({});
      assert.ok(plan.images.length >= 1, 'the untagged moving:1 is dangling');
      assert.ok(plan.images.every((i) => /^dangling/.test(i.reason)));
      assert.ok(plan.reclaimedBytes >= 12_000, `the old moving:1's own layer at least: ${plan.reclaimedBytes}`);
      const result = await api.runPrune(plan);
      assert.equal(result.freedBytes, plan.reclaimedBytes, 'the engine reported what the preview said');
      assert.equal(result.skipped.length, 0, JSON.stringify(result.skipped));
      assert.equal((await api.planPrune({})).images.length, 0, 'nothing dangling is left');

      // -a: every image no container uses; app:1 (used) and base:1 under it stay on docker.
      const all = await api.planPrune({ all: true });
      const names = all.images.map((i) => i.name);
      assert.ok(!names.some((n) => n.endsWith('app:1')), `app:1 is used: ${names.join(', ')}`);
      assert.ok(names.some((n) => n.endsWith('moving:1')));
      const ran = await api.runPrune(all);
      assert.equal(ran.freedBytes, all.reclaimedBytes, 'prune -a: the engine reported what the preview said');
      const left = (await api.images()).map((r) => r.name);
      assert.ok(
        left.some((n) => n.endsWith('app:1')),
        `app:1 is kept: ${left.join(', ')}`,
      );
    });

    test("events: a tag made with the engine's own CLI arrives from its event stream", async () => {
      const controller = new AbortController();
      const got: EngineEvent[] = [];
      const watching = api.watch((e) => got.push(e), controller.signal);
      let n = 0;
      try {
        // The stream may not be open yet when the first tag is made: tag again until one arrives.
        // app:1 is the image every earlier test keeps (a container uses it).
        await waitFor(async () => {
          if (got.some((e) => e.type === 'image' && e.action === 'tag')) return true;
          await engineOf().cli(['tag', 'app:1', `watched:${++n}`]);
          return false;
        }, 'an image tag event');
      } finally {
        controller.abort();
        await watching;
      }
    });

    test('an unknown image is ENOT_FOUND naming the engine', async () => {
      await assert.rejects(api.inspect('no-such:image'), (e) => isDeckhandError(e, 'ENOT_FOUND') && e.message.includes(engineOf().uri));
    });
  });
}

describe('discovery', () => {
  let hang: Server;
  const held: Socket[] = [];
  before(async () => {
    // A socket that accepts connections and never answers, as a stopped VM's forwarded socket can.
    const hangPath = join(work, 'hang.sock');
    hang = createServer((s) => held.push(s));
    await new Promise<void>((resolve) => hang.listen(hangPath, resolve));
    const config = join(work, 'docker-config');
    const contexts: Record<string, string> = {
      live: docker.uri,
      hung: `unix://${hangPath}`,
      gone: `unix://${join(work, 'gone.sock')}`,
      'really-podman': podman.uri,
    };
    for (const [name, host] of Object.entries(contexts)) {
      const dir = join(config, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host } } }));
    }
    await writeFile(join(config, 'config.json'), JSON.stringify({ currentContext: 'live' }));
  });
  after(async () => {
    for (const s of held) s.destroy();
    await new Promise<void>((resolve) => hang.close(() => resolve()));
  });

  test('live engines answer beside a hung socket and a missing one, each with its reason', async () => {
    const env = { DOCKER_CONFIG: join(work, 'docker-config'), PATH: process.env.PATH ?? '' };
    const found = await discoverEngines(env, { home: work, podmanCommand: null, systemSockets: false });
    const by = new Map(found.map((f) => [f.status.name, f]));
    assert.deepEqual([...by.keys()].sort(), ['docker (gone)', 'docker (hung)', 'docker (live)', 'podman (really-podman)']);
    const live = by.get('docker (live)')!;
    assert.equal(live.status.reachable, true);
    assert.equal(live.status.isDefault, true);
    assert.equal(live.status.kind, 'docker');
    assert.ok(live.engine);
    const pod = by.get('podman (really-podman)')!;
    assert.equal(pod.status.kind, 'podman', 'a podman socket reached as a docker context is podman');
    assert.equal(pod.status.reachable, true);
    const hung = by.get('docker (hung)')!;
    assert.equal(hung.status.reachable, false);
    assert.equal(hung.engine, null);
    assert.match(hung.status.error ?? '', /did not answer .* within 1500 ms/);
    const gone = by.get('docker (gone)')!;
    assert.equal(gone.status.reachable, false);
    assert.match(gone.status.error ?? '', /gone\.sock: the socket does not exist/);
  });

  test('`deckhand engines --format json` lists each engine with every EngineStatus field', async () => {
    const env = { DOCKER_HOST: docker.uri, CONTAINER_HOST: podman.uri, PATH: process.env.PATH ?? '', HOME: work };
    const out = await runCli(['engines', '--format', 'json'], { env });
    assert.equal(out.code, 0, out.stderr);
    const list = JSON.parse(out.stdout) as Array<Record<string, unknown>>;
    const byUri = new Map(list.map((e) => [e.uri, e]));
    const d = byUri.get(docker.uri)!;
    const p = byUri.get(podman.uri)!;
    for (const field of ['name', 'kind', 'uri', 'origin', 'isDefault', 'reachable', 'version', 'apiVersion', 'error', 'rootDir'])
      assert.ok(field in d && field in p, `engines json has ${field}`);
    assert.deepEqual([d.name, d.kind, d.reachable, d.origin], ['docker', 'docker', true, 'DOCKER_HOST']);
    assert.deepEqual([p.name, p.kind, p.reachable, p.origin], ['podman', 'podman', true, 'CONTAINER_HOST']);
    assert.match(String(p.version), /^4\./);
  });

  test('openEngine: an unknown name lists the known ones; a dead address is EENGINE naming it', async () => {
    const env = { DOCKER_CONFIG: join(work, 'docker-config'), PATH: process.env.PATH ?? '' };
    const opts = { home: work, podmanCommand: null, systemSockets: false } as const;
    await assert.rejects(openEngine('nope', env, opts), (e) => isDeckhandError(e, 'EUSAGE') && e.message.includes('"docker (live)"'));
    await assert.rejects(openEngine('docker (gone)', env, opts), (e) => isDeckhandError(e, 'EENGINE') && e.message.includes('gone.sock'));
    const live = await openEngine('docker (live)', env, opts);
    assert.equal((await live.status()).reachable, true);
  });
});
