import { describe, expect, test } from 'vitest';
import { digest, sampleUsage } from './fixtures.ts';
import { hierarchy, treemap, treemapSquarify } from 'd3-hierarchy';
import type { DiskUsage } from '../../../src-shared/ipc/contract.ts';
import { LABEL_BAND, layoutUsage, NO_REPOSITORY, SHARED_GROUP, usageTree, type UsageCell } from './layout.ts';

const area = (c: UsageCell) => (c.x1 - c.x0) * (c.y1 - c.y0);
const leaves = (cells: UsageCell[]) => cells.filter((c) => c.kind === 'blob' || c.kind === 'shared-blob');

function overlap(a: UsageCell, b: UsageCell): number {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  return w > 0 && h > 0 ? w * h : 0;
}

describe('layoutUsage', () => {
  test('a layer is labelled by its build step, a blob without one by its short digest', () => {
    const l = layoutUsage(sampleUsage(), { width: 800, height: 500 });
    const byDigest = (name: string) => leaves(l.cells).find((c) => c.digest === digest(name))!;
    expect(byDigest('la')).toMatchObject({ label: 'RUN apk add curl', step: 'RUN apk add curl' });
    expect(byDigest('base')).toMatchObject({ kind: 'shared-blob', label: 'COPY rootfs.tar /' });
    expect(byDigest('la2').label).toBe(digest('la2').slice(7, 19));
    expect(byDigest('la2').step).toBeUndefined();
    // An answer without steps labels every blob by digest.
    const { blobSteps: _steps, ...withoutSteps } = sampleUsage();
    const bare = layoutUsage(withoutSteps, { width: 800, height: 500 });
    expect(leaves(bare.cells).every((c) => c.label === c.digest!.slice(7, 19))).toBe(true);
  });

  test('every blob is drawn exactly once, shared ones in the shared group', () => {
    const usage = sampleUsage();
    const l = layoutUsage(usage, { width: 800, height: 500 });
    const drawn = leaves(l.cells).map((c) => c.digest);
    expect(drawn.length).toBe(new Set(drawn).size);
    // The dangling image's 3 bytes of its own get a cell with no room inside: its blobs are in its bytes, not laid out.
    const dangling = l.cells.find((c) => c.id === `image:${usage.images[3]!.name}`)!;
    expect(dangling.y1 - dangling.y0).toBeLessThan(2.5);
    expect(dangling.bytes).toBe(3);
    const inDangling = [digest('m4'), digest('c4')];
    expect(new Set([...drawn, ...inDangling])).toEqual(new Set(usage.blobDigests));
    expect(drawn.filter((d) => inDangling.includes(d!))).toEqual([]);
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

  test('a crowded map lays out only the blobs there is room to show, each exactly where one whole treemap puts it', () => {
    // 1,000 images in 8 repositories, three blobs of their own each, over 20 shared bases, on a small map.
    const blobDigests: string[] = [];
    const blobSizes: number[] = [];
    const blob = (d: string, size: number) => (blobDigests.push(d), blobSizes.push(size), blobDigests.length - 1);
    const bases = Array.from({ length: 20 }, (_, i) => blob(digest(`base${i}x`), 500 + i));
    const images = Array.from({ length: 1000 }, (_, i) => {
      const own = [0, 1, 2].map((j) => blob(digest(`i${i}b${j}x`), 50 + ((i * 7 + j * 13) % 400)));
      const blobs = [bases[i % 20]!, ...own];
      const totalBytes = blobs.reduce((s, k) => s + blobSizes[k]!, 0);
      return {
        name: `r${i % 8}/app:${i}`,
        repository: `r${i % 8}/app`,
        tag: String(i),
        digest: digest(`m${i}x`),
        dangling: false,
        totalBytes,
        sharedBytes: blobSizes[bases[i % 20]!]!,
        uniqueBytes: totalBytes - blobSizes[bases[i % 20]!]!,
        blobs,
      };
    });
    const usage = { ...sampleUsage(), images, blobDigests, blobSizes } as DiskUsage;
    for (const padding of [true, false]) {
      const size = { width: 160, height: 100, padding };
      const l = layoutUsage(usage, size);
      // The reference: d3's treemap over the whole hierarchy at once.
      const whole = treemap<ReturnType<typeof usageTree>>().tile(treemapSquarify).size([160, 100]).round(false);
      if (padding)
        whole
          .paddingInner(2)
          .paddingOuter(1)
          .paddingTop((n) => (n.depth === 0 ? 0 : n.depth <= 2 && n.children && n.y1 - n.y0 > LABEL_BAND * 2.5 ? LABEL_BAND : 1));
      const ref = whole(
        hierarchy(usageTree(usage), (n) => n.children)
          .sum((n) => (n.children ? 0 : n.size))
          .sort((a, b) => (b.value ?? 0) - (a.value ?? 0) || a.data.id.localeCompare(b.data.id)),
      ).descendants();
      const byId = new Map(l.cells.map((c) => [c.id, c]));
      let left = 0;
      for (const n of ref) {
        const c = byId.get(n.data.id);
        if (!c) {
          // Left out only when too small to draw (the view skips cells under half a pixel).
          expect(Math.max(n.x0, n.x1) - n.x0 < 0.5 || Math.max(n.y0, n.y1) - n.y0 < 0.5).toBe(true);
          left++;
          continue;
        }
        expect([c.id, c.x0, c.y0, c.x1, c.y1, c.bytes, c.depth]).toEqual([
          n.data.id,
          n.x0,
          n.y0,
          Math.max(n.x0, n.x1),
          Math.max(n.y0, n.y1),
          n.value,
          n.depth,
        ]);
      }
      expect(l.cells.length).toBe(ref.length - left);
      if (padding) expect(left).toBeGreaterThan(1000);
      expect(l.totalBytes).toBe(blobSizes.reduce((s, n) => s + n, 0));
    }
  });
});
