import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { loadCommand, main } from './main.ts';
import { COMMAND_HELP, GLOBAL_OPTIONS, type CommandName } from './help.ts';
import { Store } from '../engine/store/layout.ts';
import { storeTestImage } from '../test/fixtures/store-images.ts';

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await main(argv, { stdout, stderr, env }, new AbortController().signal);
  return { code, out, err };
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
  assert.equal(badRef.code, 1);
  assert.match(badRef.err, /Error: .*/);
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
