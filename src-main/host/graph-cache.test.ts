import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoreGraph } from '../engine/insight/store-graph.ts';
import type { Store } from '../engine/store/layout.ts';
import { GraphCache } from './graph-cache.ts';

const fakeStore = {} as Store;
const graph = (n: number) => ({ images: new Array(n) }) as unknown as StoreGraph;

test('concurrent callers share one build; a change makes the next call build again', async () => {
  let builds = 0;
  const cache = new GraphCache(
    async () => fakeStore,
    async () => graph(++builds),
  );
  const [a, b] = await Promise.all([cache.get(), cache.get()]);
  assert.equal(builds, 1);
  assert.equal(a, b);
  assert.equal(await cache.get(), a);
  cache.invalidate();
  const c = await cache.get();
  assert.equal(builds, 2);
  assert.notEqual(c, a);
});

test('a build under way when the store changes answers its callers but is not kept', async () => {
  let release!: () => void;
  let builds = 0;
  const cache = new GraphCache(
    async () => fakeStore,
    async () => {
      const n = ++builds;
      if (n === 1) await new Promise<void>((r) => (release = r));
      return graph(n);
    },
  );
  const first = cache.get();
  await new Promise((r) => setImmediate(r));
  cache.invalidate();
  release();
  assert.equal((await first).images.length, 1);
  assert.equal((await cache.get()).images.length, 2);
});

test('a failed build is not kept', async () => {
  let builds = 0;
  const cache = new GraphCache(
    async () => fakeStore,
    async () => {
      if (++builds === 1) throw new Error('index.json is not valid JSON');
      return graph(builds);
    },
  );
  await assert.rejects(cache.get(), /not valid JSON/);
  assert.equal((await cache.get()).images.length, 2);
});
