import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildCli, NODE_MAJOR } from './cli-build.ts';
import { Store } from '../src-main/engine/store/layout.ts';
import { storeTestImage } from '../src-main/test/fixtures/store-images.ts';
import { dir, file, fill, marker, tarOf } from '../src-main/test/fixtures/layer-tars.ts';

const run = promisify(execFile);

/** One build for the tests below, in a temporary directory. */
const built = mkdtemp(join(tmpdir(), 'deckhand-cli-build-')).then(async (out) => {
  await buildCli(out);
  return out;
});
after(async () => rm(await built, { recursive: true, force: true }));

/** Runs a built `deckhand`; `loaded`: every file it loads (a resolve hook prints them to stderr). */
async function deckhand(entry: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string; loaded: string[] }> {
  const hook =
    "import{registerHooks}from'node:module';registerHooks({resolve(s,c,n){const r=n(s,c);if(r.url.startsWith('file:'))process.stderr.write('LOADED '+r.url+'\\n');return r}})";
  const result = await run(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, entry, ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
  const lines = result.stderr.split('\n');
  return {
    ...result,
    stderr: lines.filter((l) => !l.startsWith('LOADED ')).join('\n'),
    loaded: [...new Set(lines.filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7)))],
  };
}

test('a built command loads the entry, main, its own bundle and the shared errors module, nothing else', async () => {
  const out = await built;
  const entry = join(out, 'cli.mjs');
  const url = (f: string) => new URL(`file://${join(out, f)}`).href;

  const help = await deckhand(entry, ['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /\n {2}pull +Pull an image/);
  assert.deepEqual(
    help.loaded.sort(),
    [url('cli-commands/errors.mjs'), url('cli-main.mjs'), url('cli.mjs')].sort(),
    'help loads no command',
  );

  // A bad reference fails inside pull's engine code, before any connection: a usage error (2).
  const pull = await deckhand(entry, ['--store', join(out, 'store'), 'pull', 'Bad/Ref']);
  assert.equal(pull.code, 2);
  assert.deepEqual(
    pull.loaded.sort(),
    [url('cli-commands/errors.mjs'), url('cli-commands/pull.mjs'), url('cli-main.mjs'), url('cli.mjs')].sort(),
  );
  // What the command threw is a DeckhandError to main (one class across the bundles): its message and
  // its exit code, not a stack and 1.
  assert.match(pull.stderr, /^Error: [^\n]*Bad\/Ref[^\n]*\n$/);
  assert.doesNotMatch(pull.stderr, /\n {4}at /);

  const inspect = await deckhand(entry, ['--store', join(out, 'store'), 'inspect', 'nothing:here']);
  assert.equal(inspect.code, 1);
  assert.match(inspect.stderr, /^Error: No image named nothing:here in the store/);
  assert.ok(inspect.loaded.includes(url('cli-commands/inspect.mjs')) && !inspect.loaded.includes(url('cli-commands/pull.mjs')));
});

test('the entry, run by a Node older than 24, says which Node it found and what to do, in one line, and exits 1', async (t) => {
  const old = '/usr/bin/node';
  const version = existsSync(old) ? (await run(old, ['-p', 'process.versions.node'])).stdout.trim() : undefined;
  if (!version || Number(version.split('.')[0]) >= NODE_MAJOR) {
    t.skip(`no Node older than ${NODE_MAJOR} at ${old}`);
    return;
  }
  const result = await run(old, [join(await built, 'cli.mjs'), 'pull', 'alpine']).then(
    () => assert.fail('it should fail'),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  assert.equal(
    result.stderr,
    `deckhand: this is Node ${version} (${old}), and Deckhand needs Node ${NODE_MAJOR}. From the project, run \`npx deckhand …\`, which uses the project's pinned Node ${NODE_MAJOR}; or install Node ${NODE_MAJOR}.\n`,
  );
});

test('a built `deckhand layers` reads the layers on its reader thread (layer-worker.mjs, beside the bundles)', async () => {
  const out = await built;
  const root = join(out, 'layers-store');
  const store = await Store.open(root);
  const l0 = await tarOf([dir('app/'), file('app/big', fill(1000, 'a')), file('app/keep', fill(200, 'k'))]);
  const l1 = await tarOf([dir('app/'), file('app/big', fill(1000, 'b')), marker('app/.wh.keep')]);
  await storeTestImage(store, {
    name: 'reg.example/waste:1',
    layers: [
      { content: l0, gzip: true },
      { content: l1, gzip: true },
    ],
  });
  const cold = await deckhand(join(out, 'cli.mjs'), ['--store', root, 'layers', 'reg.example/waste:1', '--format', 'json']);
  assert.equal(cold.code, 0, cold.stderr);
  assert.ok(cold.loaded.includes(new URL(`file://${join(out, 'layer-worker.mjs')}`).href), cold.loaded.join('\n'));
  const report = JSON.parse(cold.stdout);
  assert.equal(report.efficiency.score, 1000 / 2200);
  assert.deepEqual(
    report.layers.map((l: { added: unknown; modified: unknown; removed: unknown }) => [l.added, l.modified, l.removed]),
    [
      [
        { count: 3, bytes: 1200 },
        { count: 0, bytes: 0 },
        { count: 0, bytes: 0 },
      ],
      [
        { count: 0, bytes: 0 },
        { count: 1, bytes: 1000 },
        { count: 1, bytes: 200 },
      ],
    ],
  );
  // The second run answers from the cache: the same report, and no reader thread started.
  const warm = await deckhand(join(out, 'cli.mjs'), ['--store', root, 'layers', 'reg.example/waste:1', '--format', 'json']);
  assert.equal(warm.code, 0, warm.stderr);
  assert.deepEqual(JSON.parse(warm.stdout), report);
  assert.ok(!warm.loaded.some((u) => u.endsWith('/layer-worker.mjs')));
});
