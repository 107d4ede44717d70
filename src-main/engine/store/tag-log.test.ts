import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReference } from '../../../src-shared/oci/reference.ts';
import { storeTestImage } from '../../test/fixtures/store-images.ts';
import { setTag } from './catalog.ts';
import { Store } from './layout.ts';
import { appendTagLog, readTagHistory, tagLogPath } from './tag-log.ts';
import { tagImage } from './tag.ts';

async function open(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-taglog-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return Store.open(dir);
}

const line = (name: string, i: number) => ({
  name,
  digest: `sha256:${i.toString(16).padStart(64, '0')}`,
  previous: null,
  at: new Date(i).toISOString(),
  action: 'pull',
});

test("setTag logs a name when it is new or moves, with the caller's action, and not when it stays", async (t) => {
  const store = await open(t);
  const a = await storeTestImage(store, { layers: [{ content: Buffer.from('a') }] });
  const b = await storeTestImage(store, { layers: [{ content: Buffer.from('b') }] });
  const ref = parseReference('example.com/app:1');
  await setTag(store, ref, a.descriptor, {}, { action: 'pull' });
  await setTag(store, ref, a.descriptor, {}, { action: 'pull' }); // same digest: no move
  await setTag(store, ref, b.descriptor, {}, { action: 'load' });
  await tagImage(store, 'example.com/app:1', 'example.com/app:stable');
  const history = await readTagHistory(store, 'example.com/app:1');
  assert.deepEqual(
    history.map((h) => [h.digest, h.previous, h.action]),
    [
      [b.descriptor.digest, a.descriptor.digest, 'load'],
      [a.descriptor.digest, null, 'pull'],
    ],
  );
  assert.ok(history.every((h) => !Number.isNaN(Date.parse(h.at))));
  assert.deepEqual(
    (await readTagHistory(store, 'example.com/app:stable')).map((h) => [h.digest, h.action]),
    [[b.descriptor.digest, 'tag']],
  );
  assert.deepEqual(await readTagHistory(store, 'example.com/none:1'), []);
  // A set that could not commit (blobs missing) logs nothing.
  const missing = await setTag(
    store,
    parseReference('example.com/app:2'),
    a.descriptor,
    {},
    { required: new Map([[`sha256:${'e'.repeat(64)}`, 1]]) },
  );
  assert.equal(missing.missing.length, 1);
  assert.deepEqual(await readTagHistory(store, 'example.com/app:2'), []);
});

test('a torn last line and foreign junk are skipped on read; appends after them still count', async (t) => {
  const store = await open(t);
  await appendTagLog(store, line('x', 1));
  await appendFile(tagLogPath(store), '{"name":"x","digest":"sha256:0'); // a crash mid-write
  await appendFile(tagLogPath(store), '\nnot json\n{"name":"x"}\n');
  await appendTagLog(store, line('x', 2));
  assert.deepEqual(
    (await readTagHistory(store, 'x')).map((h) => h.at),
    [new Date(2).toISOString(), new Date(1).toISOString()],
  );
});

test('each append is one line; concurrent appends never interleave', async (t) => {
  const store = await open(t);
  await Promise.all(Array.from({ length: 200 }, (_, i) => appendTagLog(store, line(`n${i % 7}`, i))));
  const lines = (await readFile(tagLogPath(store), 'utf8')).split('\n').filter(Boolean);
  assert.equal(lines.length, 200);
  for (const l of lines) assert.doesNotThrow(() => JSON.parse(l));
});

test('past its size limit the log is rewritten keeping the newest lines', async (t) => {
  const store = await open(t);
  const limits = { maxBytes: 20_000, keepLines: 50 };
  for (let i = 0; i < 400; i++) await appendTagLog(store, line('x', i), limits);
  const text = await readFile(tagLogPath(store), 'utf8');
  assert.ok(text.length <= limits.maxBytes + 200, `${text.length} bytes`);
  const history = await readTagHistory(store, 'x');
  assert.equal(history[0]!.at, new Date(399).toISOString(), 'the newest line survives');
  assert.ok(history.length >= 50 && history.length < 400);
  // A log that is missing or empty is an empty history.
  await writeFile(tagLogPath(store), '');
  assert.deepEqual(await readTagHistory(store, 'x'), []);
});
