import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { cli } from './testing.ts';
import { loadCommand, main } from './main.ts';
import { COMMAND_HELP, GLOBAL_OPTIONS, type CommandName } from './help.ts';
import { asUsageError } from './arguments.ts';
import { DeckhandError } from '../../src-shared/errors.ts';
import { formatBytes } from '../../src-shared/format.ts';
import { Store } from '../engine/store/layout.ts';
import { sha, storeTestImage, storeTestIndex } from '../test/fixtures/store-images.ts';

/** A two-platform index, reg.example/multi:1, stored whole. */
async function storeIndex(store: Store) {
  const amd = await storeTestImage(store, { layers: [{ content: randomBytes(3000) }], architecture: 'amd64' });
  const arm = await storeTestImage(store, { layers: [{ content: randomBytes(2000) }], architecture: 'arm64' });
  const index = await storeTestIndex(store, 'reg.example/multi:1', amd, arm);
  return { amd, arm, index };
}

test('help lists every command; no command is a usage error', async () => {
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  for (const c of ['pull', 'images', 'inspect', 'rmi', 'fsck']) assert.match(help.out, new RegExp(`\\n  ${c}\\b`));
  assert.equal((await cli([])).code, 2);
  const unknown = await cli(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command "frobnicate"/);
});

test('COMMAND --help prints the usage, a description, every option with what it does, and an example', async () => {
  for (const name of Object.keys(COMMAND_HELP) as CommandName[]) {
    const c = COMMAND_HELP[name];
    for (const flag of ['--help', '-h']) {
      const help = await cli([name, 'ignored-argument', flag]);
      assert.equal(help.code, 0, `${name} ${flag}`);
      assert.equal(help.err, '');
      assert.equal(help.out.split('\n')[0], c.summary);
      assert.match(help.out, /\nDescription:\n {2}\S/);
      assert.ok(help.out.includes(`\nUsage:\n  ${c.usage}\n`), name);
      const examples = help.out.slice(help.out.indexOf('\nExamples:\n'), help.out.indexOf('\nOptions:\n')).split('\n').slice(2, -1);
      assert.ok(examples.length > 0 && examples.every((l) => l.startsWith('  ') && l.includes(`deckhand ${name}`)), `${name}: examples`);
      const options = help.out.slice(help.out.indexOf('\nOptions:\n'));
      for (const o of [...c.options, ...GLOBAL_OPTIONS]) {
        const line = options.split('\n').find((l) => l.trim().startsWith(`${o.flag} `));
        assert.ok(line, `${name}: ${o.flag} is listed`);
        assert.ok(line.trimEnd().endsWith(o.description), `${name}: ${o.flag} says what it does`);
      }
    }
  }
  const pull = (await cli(['pull', '--help'])).out;
  assert.match(pull, /^ {2}-q, --quiet +Print no progress on stderr, only the result$/m);
  assert.match(pull, /^ {6}--tls-verify=false +Do not verify the registry's certificate/m);
  const description = pull.slice(pull.indexOf('Description:\n'), pull.indexOf('\nUsage:')).split('\n').slice(1, -1);
  assert.ok(description.length > 1 && description.every((l) => l.startsWith('  ') && l.length <= 100), 'the description is wrapped');
});

test("every usage line lists only options the command documents, and each command's code has that usage", async () => {
  for (const name of Object.keys(COMMAND_HELP) as CommandName[]) {
    const c = COMMAND_HELP[name];
    const documented = new Set(c.options.flatMap((o) => o.flag.match(/--[a-z-]+|-[a-z]\b/g) ?? []));
    for (const flag of c.usage.match(/(?<=[\s[(|])--?[a-z][a-z-]*/g) ?? [])
      assert.ok(documented.has(flag), `${name}: ${flag} in its usage is documented`);
    assert.equal((await loadCommand(name)).usage, c.usage);
    // `images --engine` and `df --engine` load a module of their own: the same usage.
    assert.equal((await loadCommand(name, true)).usage, c.usage, `${name} --engine`);
  }
});

test('the options a command parses are the options its help documents', async () => {
  for (const name of Object.keys(COMMAND_HELP) as CommandName[]) {
    const parsed = Object.entries((await loadCommand(name)).options).flatMap(([long, o]) => [
      `--${long}`,
      ...(o.short ? [`-${o.short}`] : []),
    ]);
    // `--format json` and `--format oci-archive|docker-archive` are one option; `--tls-verify=false` is --tls-verify.
    const documented = COMMAND_HELP[name].options.flatMap((o) => o.flag.match(/--[a-z-]+|(?<![\w-])-[a-z]\b/g) ?? []);
    assert.deepEqual([...new Set(documented)].sort(), parsed.sort(), name);
    const onEngine = Object.keys((await loadCommand(name, true)).options).map((long) => `--${long}`);
    assert.deepEqual(
      onEngine.sort(),
      Object.keys((await loadCommand(name)).options)
        .map((long) => `--${long}`)
        .sort(),
      `${name} --engine`,
    );
  }
});

test('images --format json on a new store is an empty array; --store and DECKHAND_STORE pick the store', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const viaFlag = await cli(['--store', join(dir, 'a'), 'images', '--format', 'json']);
  assert.equal(viaFlag.code, 0, viaFlag.err);
  assert.deepEqual(JSON.parse(viaFlag.out), []);
  const viaEnv = await cli(['images', '--format', 'json'], { DECKHAND_STORE: join(dir, 'b') });
  assert.deepEqual(JSON.parse(viaEnv.out), []);
  const table = await cli(['images', '--store', join(dir, 'a')]);
  assert.match(table.out, /^REPOSITORY\s+TAG\s+DIGEST/);
});

test('bad input gets a clear message and exit code 2 or 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const badFormat = await cli(['--store', dir, 'images', '--format', 'yaml']);
  assert.equal(badFormat.code, 2);
  assert.match(badFormat.err, /unknown --format yaml/);
  const badOption = await cli(['--store', dir, 'pull', '--bogus', 'x']);
  assert.equal(badOption.code, 2);
  const missing = await cli(['--store', dir, 'inspect', 'nothing:here']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /No image named nothing:here/);
  const badRef = await cli(['--store', dir, 'pull', 'Bad/Ref']);
  assert.equal(badRef.code, 2);
  assert.match(badRef.err, /^Error: Invalid image reference "Bad\/Ref"/);
  assert.equal((await cli(['--store', dir, 'fsck'])).code, 0);
});

test('an interrupted command exits 130 and says it was cancelled, whatever it threw on the way out', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await storeTestImage(await Store.open(join(dir, 's')), { name: 'reg.example/a:1', layers: [{ content: randomBytes(1 << 20) }] });
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c) => (err += c));
  const interrupted = new AbortController();
  interrupted.abort();
  // Every transfer's cancellation is said by the copy pipeline, before anything is resolved when it was cancelled first.
  const code = await main(
    ['--store', join(dir, 's'), 'copy', 'reg.example/a:1', `oci:${join(dir, 'out')}:x`],
    { stdout: new PassThrough(), stderr, env: {} },
    interrupted.signal,
  );
  assert.equal(code, 130);
  assert.equal(err, `Error: Copy to oci:${join(dir, 'out')}:x was cancelled; copied blobs are kept and the next copy reuses them.\n`);
});

test('a reader that goes away ends the command quietly, as Unix tools end on SIGPIPE', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // An image to list (an empty store would add its note on stderr, which is not what this is about).
  await storeTestImage(await Store.open(join(dir, 's')), { name: 'reg.example/a:1', layers: [{ content: randomBytes(16) }] });
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [join(import.meta.dirname, 'main.ts'), 'images', '--store', join(dir, 's')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // `| head -0`: the reading end is closed before the command writes its first line.
  child.stdout.destroy();
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(err, '', 'no stack, no error text');
  assert.equal(code, 141);
});

test('the process exits as soon as the command is done, and all of its output reaches a slow reader first', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // inspect prints one line per label: 4,000 of them are about 200 KB, more than a pipe holds.
  const labels = Object.fromEntries(Array.from({ length: 4000 }, (_, i) => [`org.example.label-${i}`, 'x'.repeat(24)]));
  await storeTestImage(await Store.open(join(dir, 's')), { name: 'reg.example/big:1', labels, layers: [{ content: Buffer.from('a') }] });
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [join(import.meta.dirname, 'main.ts'), 'inspect', 'reg.example/big:1', '--store', join(dir, 's')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Read nothing for a while, so the command's writes wait on the pipe.
  child.stdout.pause();
  setTimeout(() => child.stdout.resume(), 300);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  const labelLines = out.split('\n').filter((l) => l.startsWith('  Label:'));
  assert.equal(labelLines.length, 4000);
  assert.equal(labelLines.at(-1), `  Label:      org.example.label-3999=${'x'.repeat(24)}`);
  assert.match(out, /\n {4}sha256:[0-9a-f]{64} .*\n$/, 'the last line, the layer, arrived');
});

test('prune names a dangling image and what it was in one pair of parentheses', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await Store.open(join(dir, 's'));
  const old = await storeTestImage(store, { name: 'reg.example/demo/hello:1.0', layers: [{ content: randomBytes(100) }] });
  await storeTestImage(store, { name: 'reg.example/demo/hello:1.0', layers: [{ content: randomBytes(100) }] });
  const plan = await cli(['--store', join(dir, 's'), 'prune', '--dry-run']);
  assert.equal(plan.code, 0, plan.err);
  assert.match(plan.out, new RegExp(`^image  ${old.descriptor.digest}  \\(dangling, was reg\\.example/demo/hello:1\\.0\\)$`, 'm'));
  assert.doesNotMatch(plan.out, /\(\(|\)\)/);
  const all = await cli(['--store', join(dir, 's'), 'prune', '--all', '--dry-run']);
  assert.match(all.out, /^image {2}reg\.example\/demo\/hello:1\.0 {2}\(tagged, and --all was given\)$/m);
  assert.doesNotMatch(all.out, /\(\(|\)\)/);
});

test('a push to a registry that is down never claims the registry answered', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  const image = await storeTestImage(await Store.open(join(dir, 's')), {
    name: `127.0.0.1:${port}/demo/hello:1.0`,
    layers: [{ content: randomBytes(100) }],
  });
  const pushed = await cli(['--store', join(dir, 's'), 'push', `127.0.0.1:${port}/demo/hello:1.0`]);
  assert.equal(pushed.code, 1);
  // The image is read from the store; the registry is named only where it failed.
  assert.match(pushed.err, new RegExp(`^Resolved ${image.descriptor.digest} from ${join(dir, 's')}`, 'm'));
  assert.doesNotMatch(pushed.err, new RegExp(`(via|Resolved).*127\\.0\\.0\\.1:${port}`));
  assert.match(pushed.err, /^Error: /m);
});

test("save names each blob's role: index, manifest, config, layer", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { amd, arm, index } = await storeIndex(await Store.open(join(dir, 's')));
  const saved = await cli(['--store', join(dir, 's'), 'save', 'reg.example/multi:1', '-o', join(dir, 'multi.tar')]);
  assert.equal(saved.code, 0, saved.err);
  const roles = new Map<string, string>();
  for (const [, kind, short] of saved.err.matchAll(/^Copying (\S+) ([0-9a-f]{12}) /gm)) roles.set(short!, kind!);
  const short = (d: string) => d.slice(7, 19);
  const expected = new Map<string, string>([
    [short(sha(index)), 'index'],
    [short(amd.descriptor.digest), 'manifest'],
    [short(arm.descriptor.digest), 'manifest'],
    [short(sha(amd.config)), 'config'],
    [short(sha(arm.config)), 'config'],
    [short(amd.layers[0]!.digest), 'layer'],
    [short(arm.layers[0]!.digest), 'layer'],
  ]);
  assert.deepEqual(roles, expected);
});

test('load says when it moves a tag, from which image, and that the old one is now dangling', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const name = 'reg.example/demo/hello:1.0';
  await storeTestImage(await Store.open(join(dir, 'a')), { name, layers: [{ content: randomBytes(100) }] });
  const saved = await cli(['--store', join(dir, 'a'), 'save', name, '-o', join(dir, 'hello.tar'), '--format', 'docker-archive']);
  assert.equal(saved.code, 0, saved.err);
  const old = await storeTestImage(await Store.open(join(dir, 'b')), { name, layers: [{ content: randomBytes(100) }] });
  const loaded = await cli(['--store', join(dir, 'b'), 'load', '-i', join(dir, 'hello.tar')]);
  assert.equal(loaded.code, 0, loaded.err);
  const oldId = sha(old.config).slice(7, 19);
  assert.equal(
    loaded.out,
    `Loaded image: ${name}\n  The tag moved: it named image ID ${oldId} (digest ${old.descriptor.digest.slice(7, 19)}) before; that image is now dangling (<none> in \`deckhand images\`).\n`,
  );
  const asJson = JSON.parse((await cli(['--store', join(dir, 'b'), 'images', '--format', 'json'])).out) as Array<{
    digest: string;
    dangling: boolean;
  }>;
  assert.ok(asJson.some((r) => r.digest === old.descriptor.digest && r.dangling));
  // Loading the same archive again moves nothing and says nothing more.
  const again = await cli(['--store', join(dir, 'b'), 'load', '-i', join(dir, 'hello.tar'), '--format', 'json']);
  const result = JSON.parse(again.out) as { images: Array<{ ref: string; previous?: unknown }> };
  assert.deepEqual(
    result.images.map((i) => [i.ref, i.previous]),
    [[name, undefined]],
  );
});

test('the Image ID tree prints names the image in inspect, tree, save, push and rmi; an unknown ID is not offered to pull', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const s = join(dir, 's');
  const img = await storeTestImage(await Store.open(s), { name: 'reg.example/demo/hello:1.0', layers: [{ content: randomBytes(100) }] });
  const tree = await cli(['--store', s, 'tree', 'reg.example/demo/hello:1.0']);
  const id = /^Image ID: ([0-9a-f]{12})$/m.exec(tree.out)?.[1];
  assert.equal(id, sha(img.config).slice(7, 19));
  const inspected = await cli(['--store', s, 'inspect', id!]);
  assert.equal(inspected.code, 0, inspected.err);
  assert.match(inspected.out, /^Name: +reg\.example\/demo\/hello:1\.0$/m);
  assert.equal((await cli(['--store', s, 'tree', id!])).out, tree.out);
  // A manifest digest prefix, with or without sha256:, names it as well.
  for (const d of [img.descriptor.digest.slice(7, 19), img.descriptor.digest.slice(0, 19)])
    assert.match((await cli(['--store', s, 'inspect', d])).out, /^Name: +reg\.example\/demo\/hello:1\.0$/m);
  assert.equal((await cli(['--store', s, 'save', id!, '-o', join(dir, 'a.tar')])).code, 0);
  // push resolves the ID in the store (then fails at the registry, which is not there).
  const pushed = await cli(['--store', s, 'push', id!, '127.0.0.1:1/demo/hello:1.0']);
  assert.match(pushed.err, new RegExp(`^Resolved ${img.descriptor.digest} from `, 'm'));
  const missing = await cli(['--store', s, 'inspect', 'd5562784636f']);
  assert.equal(missing.code, 1);
  assert.equal(missing.err, 'Error: No image with ID or digest d5562784636f in the store. Run `deckhand images` to see what is stored.\n');
  const removed = await cli(['--store', s, 'rmi', id!]);
  assert.equal(removed.code, 0, removed.err);
  assert.match(removed.out, /^Untagged: reg\.example\/demo\/hello:1\.0$/m);
});

test('reading a store that is not there creates nothing and says the store is empty, and where', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // The default store ($XDG_DATA_HOME/deckhand/store) on a new machine.
  const env = { XDG_DATA_HOME: join(dir, 'data') };
  const where = join(dir, 'data', 'deckhand', 'store');
  const note = `The store at ${where} is empty: nothing has been stored there yet (a pull, load or copy creates it).`;
  const images = await cli(['images'], env);
  assert.equal(images.code, 0, images.err);
  assert.equal(images.err, `${note}\n`);
  assert.deepEqual(JSON.parse((await cli(['images', '--format', 'json'], env)).out), []);
  const df = await cli(['df'], env);
  assert.equal(df.code, 0);
  assert.equal(df.err, `${note}\n`);
  for (const argv of [
    ['inspect', 'hello:1.0'],
    ['tree', 'hello:1.0'],
    ['rmi', 'hello:1.0'],
    ['tag', 'hello:1.0', 'hello:2.0'],
  ]) {
    const r = await cli(argv, env);
    assert.equal(r.code, 1, argv.join(' '));
    assert.ok(r.err.includes(note), `${argv.join(' ')}: ${r.err}`);
  }
  const byId = await cli(['inspect', 'd5562784636f'], env);
  assert.equal(byId.err, `Error: No image with ID or digest d5562784636f in the store. ${note}\n`);
  assert.equal((await cli(['fsck'], env)).code, 0);
  assert.equal((await cli(['prune'], env)).code, 0);
  assert.equal((await cli(['save', 'hello:1.0', '-o', join(dir, 'x.tar')], env)).code, 1);
  assert.equal((await cli(['push', 'hello:1.0', '127.0.0.1:1/x:1'], env)).code, 1);
  await assert.rejects(stat(join(dir, 'data')), { code: 'ENOENT' });
  // An existing store with no images says so as well.
  await Store.open(join(dir, 's'));
  assert.equal((await cli(['--store', join(dir, 's'), 'images'])).err, `The store at ${join(dir, 's')} holds no images.\n`);
});

test('a malformed reference or platform on the command line is a usage error (2) in every command; a failure is 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const s = join(dir, 's');
  await storeTestImage(await Store.open(s), { name: 'reg.example/a:1', layers: [{ content: randomBytes(16) }] });
  for (const argv of [
    ['pull', 'Bad/Ref'],
    ['pull', 'reg.example/a:1', '--platform', 'linux/'],
    ['pull', 'reg.example/a:1', '--platform=linux/'],
    ['inspect', 'Bad/Ref'],
    ['tree', 'Bad/Ref'],
    ['rmi', 'Bad/Ref'],
    ['tag', 'reg.example/a:1', 'Bad/Ref'],
    ['push', 'reg.example/a:1', 'Bad/Ref'],
    ['copy', 'docker://Bad/Ref', `oci:${join(dir, 'out')}:x`],
    ['copy', 'reg.example/a:1', 'docker://Bad/Ref'],
    ['save', 'reg.example/a:1', '-o', join(dir, 'a.tar'), '--format', 'docker-archive', '--platform', 'linux/'],
  ]) {
    const r = await cli(['--store', s, ...argv]);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, /^Error: Invalid (image reference|platform) "/, argv.join(' '));
  }
  // Well-formed but not there: a runtime failure.
  assert.equal((await cli(['--store', s, 'inspect', 'reg.example/nothing:1'])).code, 1);
  assert.equal((await cli(['--store', s, 'push', 'reg.example/a:1', '127.0.0.1:1/a:1'])).code, 1);
});

test('a malformed reference the user did not type (an archive tag, a config file) stays a failure, exit 1', () => {
  const fromArchive = new DeckhandError('EREFERENCE', 'Invalid image reference "Foo:1"', { detail: { input: 'Foo:1' } });
  assert.equal(asUsageError(fromArchive, ['-i', '/tmp/Foo:1.tar']), fromArchive);
  assert.equal(asUsageError(fromArchive, ['load', '-i', 'x.tar']), fromArchive);
  const typed = asUsageError(fromArchive, ['docker://Foo:1']);
  assert.ok(typed instanceof DeckhandError && typed.code === 'EUSAGE' && typed.cause === fromArchive);
});

test('images, inspect, tree and df label each size: stored (compressed) and unpacked, and agree on them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const s = join(dir, 's');
  // Compressible layers, so the stored and unpacked sizes differ widely.
  const img = await storeTestImage(await Store.open(s), {
    name: 'reg.example/demo/hello:1.0',
    layers: [
      { content: Buffer.alloc(1_000_000, 1), gzip: true },
      { content: Buffer.alloc(990_000, 2), gzip: true },
    ],
  });
  const stored = img.manifest.length + img.config.length + img.layers.reduce((n, l) => n + l.size, 0);
  const [st, un] = [formatBytes(stored), formatBytes(1_990_000)];
  assert.equal(un, '1.99 MB');
  const images = (await cli(['--store', s, 'images'])).out.split('\n');
  assert.match(images[0]!, /STORED SIZE +UNPACKED SIZE$/);
  assert.ok(images[1]!.endsWith(`${st.padEnd('STORED SIZE'.length)}   ${un}`), images[1]);
  const both = `Size: +${st.replace('.', '\\.')} stored \\(compressed\\), ${un.replace('.', '\\.')} unpacked`;
  assert.match((await cli(['--store', s, 'inspect', 'reg.example/demo/hello:1.0'])).out, new RegExp(`^${both}$`, 'm'));
  const tree = (await cli(['--store', s, 'tree', 'reg.example/demo/hello:1.0'])).out;
  assert.match(tree, new RegExp(`^${both}$`, 'm'));
  assert.match(tree, /Size: 1 MB unpacked$/m);
  const df = (await cli(['--store', s, 'df'])).out;
  assert.match(df, new RegExp(`^Store: ${st.replace('.', '\\.')} stored \\(compressed\\) in 4 blob\\(s\\)`, 'm'));
  assert.match(df, /^REPOSITORY +TAG +DIGEST +STORED SIZE +SHARED SIZE +UNIQUE SIZE$/m);
});

test("an index is named by its digest, a platform's image ID or its platform manifest; tree then shows that platform", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const s = join(dir, 's');
  const { amd, arm, index } = await storeIndex(await Store.open(s));
  for (const input of [sha(index).slice(7, 19), amd.descriptor.digest.slice(7, 19), `sha256:${sha(arm.config).slice(7, 19)}`])
    assert.match((await cli(['--store', s, 'inspect', input])).out, /^Name: +reg\.example\/multi:1$/m, input);
  const platforms = async (input: string) =>
    [...(await cli(['--store', s, 'tree', input])).out.matchAll(/^Platform: (\S+)$/gm)].map((m) => m[1]);
  assert.deepEqual(await platforms(sha(index).slice(7, 19)), ['linux/amd64', 'linux/arm64']);
  assert.deepEqual(await platforms(sha(arm.config).slice(7, 19)), ['linux/arm64']);
  assert.deepEqual(await platforms(amd.descriptor.digest.slice(7, 19)), ['linux/amd64']);
});

test('tag says whether the image a moved name left is now dangling or still named', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const s = join(dir, 's');
  const store = await Store.open(s);
  await storeTestImage(store, { name: 'reg.example/a:1', layers: [{ content: randomBytes(16) }] });
  const b = await storeTestImage(store, { name: 'reg.example/b:1', layers: [{ content: randomBytes(16) }] });
  const c = await storeTestImage(store, { name: 'reg.example/c:1', layers: [{ content: randomBytes(16) }] });
  await cli(['--store', s, 'tag', 'reg.example/b:1', 'reg.example/b:keep']);
  const held = await cli(['--store', s, 'tag', 'reg.example/a:1', 'reg.example/b:1']);
  assert.equal(held.err, `reg.example/b:1 pointed to ${b.descriptor.digest} before; another name still holds that image.\n`);
  const dangling = await cli(['--store', s, 'tag', 'reg.example/a:1', 'reg.example/c:1']);
  assert.equal(
    dangling.err,
    `reg.example/c:1 pointed to ${c.descriptor.digest} before; that image is kept as a dangling entry (<none> in \`deckhand images\`).\n`,
  );
});

test("df --format json names each image's blobs by digest, with one digest → size map, as scripts read it", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const s = join(dir, 's');
  const base = { content: Buffer.alloc(50_000, 7), gzip: true };
  const store = await Store.open(s);
  const a = await storeTestImage(store, { name: 'reg.example/a:1', layers: [base, { content: Buffer.alloc(10_000, 1), gzip: true }] });
  const b = await storeTestImage(store, { name: 'reg.example/b:1', layers: [base] });
  const df = JSON.parse((await cli(['--store', s, 'df', '--format', 'json'])).out) as {
    images: Array<{ name: string; blobs: string[]; sharedBytes: number }>;
    blobSizes: Record<string, number>;
    blobDigests?: unknown;
    blobSteps?: unknown;
  };
  assert.equal(df.blobDigests, undefined);
  assert.equal(df.blobSteps, undefined, "the app's build steps stay out of the scripts' shape");
  const byName = new Map(df.images.map((i) => [i.name, i]));
  const shared = a.layers[0]!.digest;
  assert.equal(shared, b.layers[0]!.digest);
  for (const img of [a, b]) {
    const row = byName.get(img === a ? 'reg.example/a:1' : 'reg.example/b:1')!;
    assert.ok(row.blobs.every((d) => /^sha256:[0-9a-f]{64}$/.test(d)));
    assert.ok(row.blobs.includes(shared));
    for (const l of img.layers) assert.equal(df.blobSizes[l.digest], l.size);
  }
  assert.equal(byName.get('reg.example/b:1')!.sharedBytes, df.blobSizes[shared]);
});

test('manifest: create, add, annotate, inspect and rm from the command line; mistakes are usage errors (2)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const s = join(dir, 's');
  const store = await Store.open(s);
  const arm = await storeTestImage(store, { name: 'reg.example/app:arm64', layers: [{ content: randomBytes(64) }], architecture: 'arm64' });
  await storeTestImage(store, { name: 'reg.example/app:amd64', layers: [{ content: randomBytes(64) }], architecture: 'amd64' });
  const created = await cli(['--store', s, 'manifest', 'create', 'reg.example/app:1', 'reg.example/app:arm64']);
  assert.equal(created.code, 0, created.err);
  assert.match(created.out, /^reg\.example\/app:1 → sha256:[0-9a-f]{64}\n$/);
  assert.equal(created.err, 'OCI image index of 1 image(s): linux/arm64.\n');
  const added = await cli(['--store', s, 'manifest', 'add', 'reg.example/app:1', 'reg.example/app:amd64', '--variant', 'v3']);
  assert.equal(added.code, 0, added.err);
  assert.match(added.err, /linux\/arm64, linux\/amd64\/v3/);
  const annotated = await cli([
    '--store',
    s,
    'manifest',
    'annotate',
    'reg.example/app:1',
    arm.descriptor.digest,
    '--annotation',
    'team=core',
  ]);
  assert.equal(annotated.code, 0, annotated.err);
  const shown = await cli(['--store', s, 'manifest', 'inspect', 'reg.example/app:1']);
  assert.match(shown.out, /^reg\.example\/app:1\nOCI image index sha256:/);
  assert.match(shown.out, new RegExp(`linux/arm64 +${arm.descriptor.digest} +\\d+ B +team=core`));
  const doc = JSON.parse((await cli(['--store', s, 'manifest', 'inspect', 'reg.example/app:1', '--format', 'json'])).out) as {
    manifests: unknown[];
  };
  assert.equal(doc.manifests.length, 2);
  for (const [argv, message] of [
    [['manifest'], /needs a subcommand/],
    [['manifest', 'frob', 'x'], /unknown manifest subcommand "frob"/],
    [['manifest', 'add', 'reg.example/app:1'], /takes a list and a stored image/],
    [['manifest', 'add', 'reg.example/app:1', 'reg.example/app:arm64', '--arch', 'arm65'], /"arm65" is not a known architecture/],
    [['manifest', 'annotate', 'reg.example/app:1', arm.descriptor.digest, '--variant=v7'], /"v7" is not a variant of arm64/],
    [['manifest', 'inspect', 'reg.example/app:1', '--arch', 'arm64'], /does not take --arch/],
    [['manifest', 'annotate', 'reg.example/app:1', '--index', '--arch', 'arm64'], /--index applies annotations to the list itself/],
    [['manifest', 'create', 'reg.example/app:2', '--annotation', 'novalue'], /not KEY=VALUE/],
  ] as const) {
    const r = await cli(['--store', s, ...argv]);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, message, argv.join(' '));
  }
  // A single image named as a list is the user's mistake (2); an entry the list does not have is a failure (1).
  const single = await cli(['--store', s, 'manifest', 'inspect', 'reg.example/app:arm64']);
  assert.equal(single.code, 2);
  assert.match(single.err, /is a single image, not a manifest list/);
  assert.equal((await cli(['--store', s, 'manifest', 'remove', 'reg.example/app:1', 'sha256:abcdef'])).code, 1);
  const removed = await cli(['--store', s, 'manifest', 'rm', 'reg.example/app:1']);
  assert.equal(removed.code, 0, removed.err);
  assert.match(removed.out, /^Removed: reg\.example\/app:1\nFreed \d+ B/);
});
