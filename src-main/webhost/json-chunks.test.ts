import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHUNK, jsonChunks } from './json-chunks.ts';

const text = (value: unknown, size?: number) => [...jsonChunks(value, size)].join('');

test('the chunks join to exactly what JSON.stringify gives', () => {
  const values: unknown[] = [
    { ok: true, value: [] },
    { ok: false, error: { code: 'EINVALID', message: 'bad "ref" \u2028 é', detail: null } },
    [1, 'two', null, true, { a: [1, [2, [3, [4]]]] }],
    // JSON.stringify drops undefined, functions and symbols in objects, and writes null for them in arrays.
    { a: undefined, b: () => 1, c: Symbol('x'), d: [undefined, () => 1, Symbol('y')], e: 1 },
    { when: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), nested: { when: new Date(0), map: new Map([[1, 2]]) } },
    { ok: true, value: { root: { id: 'root', children: [{ id: 'a', children: [{ id: 'b', children: [] }] }] } } },
    { '': 'empty key', 'quote"key': 'q', '\n': 'newline key' },
    [],
    {},
  ];
  for (const v of values) assert.equal(text(v), JSON.stringify(v));
});

test('a big answer comes in chunks of about the size asked, made as they are taken', () => {
  const rows = Array.from({ length: 5_000 }, (_, i) => ({
    name: `registry.example/team-${i % 50}/app:${i}`,
    digest: `sha256:${String(i).padStart(64, '0')}`,
    platforms: ['linux/amd64'],
    size: i * 1000,
    created: null,
  }));
  const result = { ok: true, value: rows };
  const chunks = [...jsonChunks(result)];
  assert.equal(chunks.join(''), JSON.stringify(result));
  assert.ok(chunks.length > 10, `${chunks.length} chunks`);
  const rowLength = Math.max(...rows.map((r) => JSON.stringify(r).length));
  for (const c of chunks.slice(0, -1)) assert.ok(c.length >= CHUNK && c.length < CHUNK + rowLength + 1, `a chunk of ${c.length}`);
  // Lazily: the first chunk is there before the rest of the text is made.
  const lazy = jsonChunks(result);
  assert.ok(lazy.next().value!.length >= CHUNK);
});

test('a small answer is one chunk', () => {
  assert.deepEqual([...jsonChunks({ ok: true, value: { host: 'web' } })], [JSON.stringify({ ok: true, value: { host: 'web' } })]);
});
