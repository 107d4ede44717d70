import { describe, expect, test } from 'vitest';
import { digest, sampleUsage } from './fixtures.ts';
import { layoutUsage, NO_REPOSITORY, SHARED_GROUP, type UsageCell } from './layout.ts';

const area = (c: UsageCell) => (c.x1 - c.x0) * (c.y1 - c.y0);
const leaves = (cells: UsageCell[]) => cells.filter((c) => c.kind === 'blob' || c.kind === 'shared-blob');

function overlap(a: UsageCell, b: UsageCell): number {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  return w > 0 && h > 0 ? w * h : 0;
}

describe('layoutUsage', () => {
  test('every blob is drawn exactly once, shared ones in the shared group', () => {
    const usage = sampleUsage();
    const l = layoutUsage(usage, { width: 800, height: 500 });
    const drawn = leaves(l.cells).map((c) => c.digest);
    expect(drawn.length).toBe(new Set(drawn).size);
    expect(new Set(drawn)).toEqual(new Set(usage.blobDigests));
    expect(l.totalBytes).toBe(usage.blobSizes.reduce((s, n) => s + n, 0));
    const group = l.cells.find((c) => c.kind === 'shared-group')!;
    expect(group.label).toBe(SHARED_GROUP);
    expect(group.bytes).toBe(1070);
    const shared = l.cells.filter((c) => c.parentId === group.id);
    expect(shared.map((c) => c.digest).sort()).toEqual([digest('base'), digest('shared2')].sort());
    expect(shared.find((c) => c.digest === digest('base'))?.users).toHaveLength(3);
  });

  test('repositories hold their images, each image only its own blobs', () => {
    const l = layoutUsage(sampleUsage(), { width: 800, height: 500 });
    const repoA = l.cells.find((c) => c.id === 'repo:example.com/a')!;
    expect(repoA).toMatchObject({ kind: 'repository', depth: 1, bytes: 303 + 153 });
    expect(repoA.names).toEqual(['example.com/a:1', 'example.com/a:2']);
    const a1 = l.cells.find((c) => c.id === 'image:example.com/a:1')!;
    expect(a1).toMatchObject({ kind: 'image', depth: 2, label: '1', bytes: 303, parentId: repoA.id });
    expect(
      l.cells
        .filter((c) => c.parentId === a1.id)
        .map((c) => c.digest)
        .sort(),
    ).toEqual([digest('c1'), digest('la'), digest('m1')].sort());
    const none = l.cells.find((c) => c.id === `repo:${NO_REPOSITORY}`)!;
    expect(none.bytes).toBe(3);
  });

  test('without padding, areas are proportional to bytes and fill the map', () => {
    const l = layoutUsage(sampleUsage(), { width: 600, height: 400, padding: false });
    const per = (600 * 400) / l.totalBytes;
    for (const c of l.cells) expect(area(c)).toBeCloseTo(c.bytes * per, 6);
    expect(leaves(l.cells).reduce((s, c) => s + area(c), 0)).toBeCloseTo(600 * 400, 6);
  });

  test('nothing overlaps at the same depth, everything within its parent and the bounds', () => {
    for (const padding of [true, false]) {
      const l = layoutUsage(sampleUsage(), { width: 640, height: 360, padding });
      const byId = new Map(l.cells.map((c) => [c.id, c]));
      for (const c of l.cells) {
        expect(c.x0).toBeGreaterThanOrEqual(0);
        expect(c.y0).toBeGreaterThanOrEqual(0);
        expect(c.x1).toBeLessThanOrEqual(640 + 1e-9);
        expect(c.y1).toBeLessThanOrEqual(360 + 1e-9);
        const p = c.parentId ? byId.get(c.parentId)! : null;
        if (p) {
          expect(c.x0).toBeGreaterThanOrEqual(p.x0 - 1e-9);
          expect(c.y1).toBeLessThanOrEqual(p.y1 + 1e-9);
        }
      }
      const depths = new Set(l.cells.map((c) => c.depth));
      for (const depth of depths) {
        const level = l.cells.filter((c) => c.depth === depth);
        for (let i = 0; i < level.length; i++)
          for (let j = i + 1; j < level.length; j++) expect(overlap(level[i]!, level[j]!)).toBeLessThan(1e-6);
      }
    }
  });

  test('an image with nothing of its own keeps a cell with no area', () => {
    const usage = sampleUsage();
    usage.images.push({ ...usage.images[0]!, name: 'example.com/a:also', tag: 'also' });
    const l = layoutUsage(usage, { width: 400, height: 300 });
    const also = l.cells.find((c) => c.id === 'image:example.com/a:also')!;
    expect(also.bytes).toBe(0);
    // a:1's blobs are now shared with its second name.
    expect(l.cells.find((c) => c.id === 'image:example.com/a:1')!.bytes).toBe(0);
    expect(l.cells.filter((c) => c.kind === 'shared-blob')).toHaveLength(5);
  });
});
