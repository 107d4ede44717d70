/**
 * `deckhand layers` on an image Docker built: files written, overwritten and deleted across layers,
 * copied from the engine into the store, analysed, and its figures checked against what the
 * Dockerfile and the files' sizes say they must be, worked out independently here.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSYBOX, startDockerd, type TestEngine } from '../fixtures/engines.ts';
import { runCli } from '../fixtures/tools.ts';

/** The built `deckhand` (npm test builds before the integration tests), with a home of its own. */
const cli = async (args: string[]) => {
  const r = await runCli(args, {
    env: { ...process.env, HOME: work, XDG_CONFIG_HOME: join(work, 'cfg'), DOCKER_CONFIG: join(work, 'docker-cfg') },
  });
  return { code: r.code, out: r.stdout, err: r.stderr };
};

const DOCKERFILE = [
  'FROM scratch',
  'COPY busybox /bin/busybox',
  'COPY big /data/big',
  'COPY keep /data/keep',
  'COPY big2 /data/big',
  'RUN ["/bin/busybox", "rm", "/data/keep"]',
  '',
].join('\n');

let docker: TestEngine;
let work: string;

before(async () => {
  docker = await startDockerd();
  work = await mkdtemp(join(tmpdir(), 'deckhand-layers-itest-'));
});

after(async () => {
  await docker?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test('an image Docker built: overwritten and deleted files are wasted, by the figures the Dockerfile implies', async () => {
  const name = 'localhost/layers/waste:1';
  await docker.build(name, DOCKERFILE, { big: randomBytes(100_000), keep: randomBytes(5_000), big2: randomBytes(120_000) });
  const store = join(work, 'store');
  const copied = await cli(['--store', store, 'copy', '--src-daemon-host', docker.uri, `docker-daemon:${name}`, 'layers/waste:1']);
  assert.equal(copied.code, 0, copied.err);

  const r = await cli(['--store', store, 'layers', 'layers/waste:1', '--files', '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out);
  const busybox = (await stat(BUSYBOX)).size;

  // Five layers: busybox, big, keep, big again (another size: written at the same size, dockerd's vfs diff
  // saw no change and the step left no layer), keep removed.
  assert.equal(report.layers.length, 5);
  assert.deepEqual(report.layers[0].added, { count: 2, bytes: busybox });
  assert.deepEqual(report.layers[1].added, { count: 2, bytes: 100_000 });
  assert.deepEqual(report.layers[2].added, { count: 1, bytes: 5_000 });
  assert.deepEqual(report.layers[3].modified, { count: 1, bytes: 120_000 });
  assert.deepEqual(report.layers[4].removed, { count: 1, bytes: 5_000 });
  assert.match(report.layers[4].createdBy, /rm/);

  // Leaf paths: /bin/busybox once; /data/big twice (100,000 and 120,000, smallest 100,000); /data/keep
  // once written (5,000) and once whited out (a file: 0). The layers above the first hold 225,000 bytes.
  const cumulative = busybox + 220_000 + 5_000;
  const smallest = busybox + 100_000 + 0;
  assert.equal(report.efficiency.score, smallest / cumulative);
  assert.equal(report.efficiency.wastedBytes, 225_000);
  assert.equal(report.efficiency.userBytes, 225_000);
  assert.equal(report.efficiency.userWastedPercent, 1);
  assert.deepEqual(
    report.efficiency.inefficiencies.map((d: { path: string; cumulativeSize: number; count: number }) => [
      d.path,
      d.cumulativeSize,
      d.count,
    ]),
    [
      ['/data/big', 220_000, 2],
      ['/data/keep', 5_000, 2],
    ],
  );

  // The CI gate: 225,000 wasted bytes fail a 200kB ceiling and pass a 300kB one.
  const gate = (size: string) =>
    cli([
      '--store',
      store,
      'layers',
      'layers/waste:1',
      '--ci',
      '--lowest-efficiency',
      'off',
      '--highest-user-wasted-percent',
      'off',
      '--highest-wasted-bytes',
      size,
    ]);
  assert.equal((await gate('200kB')).code, 1);
  assert.equal((await gate('300kB')).code, 0);

  // --engine: the same image analysed straight from the engine gives the same report, and leaves the store as it was.
  const before = await readdir(join(store, 'blobs', 'sha256'));
  const fromEngine = await cli(['--store', store, '--engine', docker.uri, 'layers', name, '--files', '--format', 'json']);
  assert.equal(fromEngine.code, 0, fromEngine.err);
  const engineReport = JSON.parse(fromEngine.out);
  assert.equal(engineReport.image, name);
  assert.deepEqual({ ...engineReport, image: report.image }, report);
  assert.deepEqual(await readdir(join(store, 'blobs', 'sha256')), before, "the user's store is not touched");
});
