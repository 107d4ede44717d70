/**
 * `--engine NAME|URI`: where it may be given, what happens without a value, and that a command on
 * an engine that is not there fails naming its address (status 1) instead of reading the store.
 * The commands against real engines are in src-main/test/integration/engines.itest.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './testing.ts';

test("--engine is taken before or after the command, by the commands that read, clean up or move an engine's images only", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-engine-flag-'));
  try {
    const missing = `unix://${join(dir, 'none.sock')}`;
    for (const argv of [
      ['--engine', missing, 'images'],
      ['images', '--engine', missing],
      ['images', `--engine=${missing}`, '--format', 'json'],
      ['df', '--engine', missing],
      ['rmi', '--engine', missing, 'app:1'],
      ['push', '--engine', missing, 'app:1', '127.0.0.1:5000/app:1'],
    ]) {
      const r = await cli(argv, { HOME: dir });
      assert.equal(r.code, 1, argv.join(' '));
      assert.match(r.err, /none\.sock: the socket does not exist/, argv.join(' '));
    }
    const pull = await cli(['pull', '--engine', missing, 'alpine']);
    assert.equal(pull.code, 2);
    assert.match(pull.err, /--engine works with images, inspect, tree, df, rmi, prune, push, copy, layers; pull uses the store/);
    const empty = await cli(['images', '--engine']);
    assert.equal(empty.code, 2);
    assert.match(empty.err, /--engine needs an engine/);
    const force = await cli(['rmi', '--engine', missing, '--force', 'app:1']);
    assert.equal(force.code, 2);
    assert.match(force.err, /--force is not taken with --engine/);
    const keep = await cli(['prune', '--engine', missing, '--keep-last', '2']);
    assert.equal(keep.code, 2);
    assert.match(keep.err, /--keep-last is not taken with --engine/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
