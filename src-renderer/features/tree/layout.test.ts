import { describe, expect, test } from 'vitest';
import { layer, sampleForest } from './fixtures.ts';
import type { LayerNode } from '../../../src-shared/ipc/contract.ts';
import { clipLabel, fitTree, layoutTree, MAX_FIT_SCALE, MAX_RADIUS, MIN_RADIUS, ROW, topNamesOf, windowOf } from './layout.ts';

const byId = (l: ReturnType<typeof layoutTree>, id: string) => {
  const found = l.layers.find((n) => n.id === id);
  if (!found) throw new Error(`no layer ${id}`);
  return found;
};

describe('layoutTree', () => {
  test('every layer once, every image a leaf in a row of its own', () => {
    const l = layoutTree(sampleForest(), { width: 800 });
    expect(l.layers.map((n) => n.id).sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2']);
    expect(l.images.map((i) => i.label).sort()).toEqual(['app:1', 'base:1', 'base:copy', 'other:1 (linux/amd64)', 'other:1 (linux/arm64)']);
    const rows = l.images.map((i) => i.y).sort((a, b) => a - b);
    for (let i = 1; i < rows.length; i++) expect(rows[i]! - rows[i - 1]!).toBeGreaterThanOrEqual(ROW - 1e-9);
    // An image sits one column right of its top layer.
    for (const i of l.images) expect(i.x).toBeGreaterThan(byId(l, i.layerId).x);
    // Layer-to-layer links for each non-base layer, one link per image.
    expect(l.links.filter((k) => k.kind === 'layer')).toHaveLength(5);
    expect(l.links.filter((k) => k.kind === 'image')).toHaveLength(5);
  });

  test('positions stay within the bounds, base layers leftmost', () => {
    const l = layoutTree(sampleForest(), { width: 640 });
    expect(l.width).toBeGreaterThanOrEqual(640);
    for (const n of [...l.layers, ...l.images]) {
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.x).toBeLessThanOrEqual(l.width);
      expect(n.y).toBeGreaterThanOrEqual(0);
      expect(n.y).toBeLessThanOrEqual(l.height);
    }
    for (const n of l.layers) expect(n.x - n.radius).toBeGreaterThanOrEqual(0);
    expect(byId(l, 'a1').x).toBe(byId(l, 'b1').x);
    expect(byId(l, 'a1').x).toBeLessThan(byId(l, 'a2').x);
    expect(byId(l, 'a3').x).toBeLessThan(byId(l, 'a4').x);
  });

  test('subtree bytes sum the layer and every layer built on it', () => {
    const l = layoutTree(sampleForest(), { width: 800 });
    expect(byId(l, 'a1').bytes).toBe(100);
    expect(byId(l, 'a1').subtreeBytes).toBe(100 + 50 + 30 + 20 + 40);
    expect(byId(l, 'a3').subtreeBytes).toBe(50);
    expect(byId(l, 'b1').subtreeBytes).toBe(210);
    expect(l.images.find((i) => i.label === 'app:1')).toMatchObject({ chainBytes: 200, layers: 4 });
  });

  test('names under a node, and shared when more than one image needs it', () => {
    const l = layoutTree(sampleForest(), { width: 800 });
    expect(byId(l, 'a1').names).toEqual(['app:1', 'base:1', 'base:copy', 'other:1']);
    expect(byId(l, 'a2')).toMatchObject({ imageCount: 4, shared: true, tone: 'shared' });
    expect(byId(l, 'a3')).toMatchObject({ names: ['app:1'], imageCount: 1, shared: false, tone: 'unique' });
    // Two platforms of one image are one image: b1 is not shared.
    expect(byId(l, 'b1')).toMatchObject({ names: ['other:1'], shared: false });
    expect(l.images.find((i) => i.label === 'other:1 (linux/arm64)')?.name).toBe('other:1');
    expect(byId(l, 'a4').leaf).toBe(true);
    expect(byId(l, 'a2').leaf).toBe(false);
  });

  test('radius grows with bytes, within its range', () => {
    const l = layoutTree(sampleForest(), { width: 800 });
    const sorted = [...l.layers].sort((a, b) => a.bytes - b.bytes);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.radius).toBeGreaterThanOrEqual(sorted[i - 1]!.radius);
    expect(byId(l, 'b1').radius).toBe(MAX_RADIUS);
    for (const n of l.layers) expect(n.radius).toBeGreaterThanOrEqual(MIN_RADIUS);
  });

  test('hundreds of images: the height follows the leaf count, deep chains widen the layout', () => {
    const bases = Array.from({ length: 3 }, (_, b) =>
      layer(
        `base${b}`,
        1000,
        Array.from({ length: 100 }, (_, i) => layer(`img${b}-${i}`, 10 + i, [], [`repo${b}/img:${i}`])),
      ),
    );
    const l = layoutTree(layer('root', 0, bases), { width: 300 });
    expect(l.images).toHaveLength(300);
    expect(l.height).toBeGreaterThanOrEqual(299 * ROW);
    let deep = layer('d30', 5, [], ['deep:1']);
    for (let i = 29; i >= 1; i--) deep = layer(`d${i}`, 5, [deep]);
    const d = layoutTree(layer('root', 0, [deep]), { width: 300 });
    expect(d.width).toBeGreaterThan(300);
    const xs = d.layers.map((n) => n.x);
    expect(new Set(xs).size).toBe(30);
  });

  test('an empty store lays out nothing', () => {
    const l = layoutTree(layer('root', 0), { width: 500 });
    expect(l.layers).toEqual([]);
    expect(l.images).toEqual([]);
  });

  test('names come from the labels where topNames is not filled', () => {
    expect(topNamesOf({ topOf: ['a:1 (linux/amd64)', 'a:1 (linux/arm64)', 'b:2'], topNames: [] })).toEqual(['a:1', 'b:2']);
    expect(topNamesOf({ topOf: ['x'], topNames: ['example.com/x:1'] })).toEqual(['example.com/x:1']);
  });
});

describe('windowOf', () => {
  const many = (): LayerNode => {
    const base = layer('base', 100, [], []);
    for (let i = 0; i < 200; i++) base.children.push(layer(`top${i}`, 10 + i, [], [`img:${i}`]));
    const root = layer('root', 0, [], []);
    root.children.push(base);
    return root;
  };

  test('the whole layout fits: everything is in the window', () => {
    const l = layoutTree(sampleForest(), { width: 900 });
    const w = windowOf(l, 0, l.height);
    expect(w.layers).toEqual(l.layers);
    expect(w.images).toEqual(l.images);
    expect(w.links).toEqual(l.links);
  });

  test('a window holds the rows in it, the layers carrying their labels and the links crossing it', () => {
    const l = layoutTree(many(), { width: 900 });
    expect(l.images).toHaveLength(200);
    const top = 50 * ROW;
    const bottom = top + 10 * ROW;
    const w = windowOf(l, top, bottom);
    expect(w.images.length).toBeGreaterThanOrEqual(10);
    expect(w.images.length).toBeLessThanOrEqual(11);
    for (const i of w.images) expect(i.y >= top && i.y <= bottom).toBe(true);
    // Every image's top layer is drawn with it; the shared base far above is drawn only through its links.
    for (const i of w.images) expect(w.layers.some((n) => n.id === i.layerId)).toBe(true);
    for (const k of w.links) expect(Math.min(k.y0, k.y1) <= bottom && Math.max(k.y0, k.y1) >= top).toBe(true);
    expect(w.links.filter((k) => k.kind === 'image')).toHaveLength(w.images.length);
    // The links from the base to each top layer in sight cross the window, though the base sits outside it.
    const base = l.layers.find((n) => n.id === 'base')!;
    expect(base.y < top || base.y > bottom).toBe(true);
    for (const i of w.images) expect(w.links.some((k) => k.key === `base>${i.layerId}`)).toBe(true);
    expect(w.layers.length).toBeLessThan(l.layers.length / 10);
  });
});

describe('fitTree', () => {
  test('a drawing smaller than the view is scaled to fill it, no more than MAX_FIT_SCALE, and centred', () => {
    // Wide and short: the width decides.
    const f = fitTree({ width: 400, height: 100 }, { width: 560, height: 500 });
    expect(f.scale).toBeCloseTo(1.4);
    expect(f.x).toBeCloseTo(0);
    expect(f.y).toBeCloseTo((500 - 140) / 2);
    expect([f.width, f.height]).toEqual([560, 500]);
    // Tiny: capped, centred both ways.
    const t = fitTree({ width: 100, height: 50 }, { width: 1400, height: 800 });
    expect(t.scale).toBe(MAX_FIT_SCALE);
    expect(t.x).toBeCloseTo((1400 - 160) / 2);
    expect(t.y).toBeCloseTo((800 - 80) / 2);
  });

  test('a drawing larger than the view keeps its scale (the view scrolls), centred along its smaller side', () => {
    const tall = fitTree({ width: 600, height: 220_000 }, { width: 1000, height: 700 });
    expect(tall).toEqual({ scale: 1, x: 200, y: 0, width: 1000, height: 220_000 });
    const wide = fitTree({ width: 3000, height: 300 }, { width: 1000, height: 700 });
    expect(wide).toEqual({ scale: 1, x: 0, y: 200, width: 3000, height: 700 });
    expect(fitTree({ width: 0, height: 0 }, { width: 10, height: 10 }).scale).toBe(1);
  });

  test("a layout's content width is its right edge, whatever width it was given", () => {
    const narrow = layoutTree(sampleForest(), { width: 320 });
    const wide = layoutTree(sampleForest(), { width: 2000 });
    expect(wide.width).toBe(2000);
    expect(wide.contentWidth).toBeLessThan(2000);
    for (const l of [narrow, wide]) for (const i of l.images) expect(i.x).toBeLessThan(l.contentWidth);
  });
});

describe('image labels', () => {
  test('a stored name can be shown as another label, its platform suffix kept; the name stays for calls', () => {
    const labels = new Map([['other:1', 'dangling (was other:0)']]);
    const l = layoutTree(sampleForest(), { width: 800, labels });
    const other = l.images.filter((i) => i.name === 'other:1').map((i) => i.label);
    expect(other.sort()).toEqual(['dangling (was other:0) (linux/amd64)', 'dangling (was other:0) (linux/arm64)']);
    expect(l.images.find((i) => i.name === 'app:1')?.label).toBe('app:1');
  });
});

test('a long image label is cut in the middle, keeping the repository and the tag', () => {
  const long = `127.0.0.1:5000/${'team/'.repeat(12)}svc:1.0`;
  expect(clipLabel(long)).toHaveLength(48);
  expect(clipLabel(long).endsWith('/svc:1.0')).toBe(true);
  expect(clipLabel('hello:1.0')).toBe('hello:1.0');
  const dangling = clipLabel('dangling (was hello-service-with-a-rather-long-name:latest) (linux/amd64)');
  expect(dangling).toHaveLength(48);
  expect(dangling.startsWith('dangling (was ')).toBe(true);
  expect(dangling.endsWith(':latest) (linux/amd64)')).toBe(true);
});
