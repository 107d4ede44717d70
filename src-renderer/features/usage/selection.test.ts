import { describe, expect, test } from 'vitest';
import { digest, sampleUsage } from './fixtures.ts';
import { blobUsers, selectionFigures } from './selection.ts';
import { toggleNames } from '../../ui/selection.ts';

const A1 = 'example.com/a:1';
const A2 = 'example.com/a:2';
const B1 = 'example.com/b:1';
const DANGLING = `example.com/b@sha256:${'f'.repeat(64)}`;

describe('selectionFigures', () => {
  test('nothing selected frees nothing', () => {
    expect(selectionFigures(sampleUsage(), [])).toMatchObject({ names: [], reclaimableBytes: 0, freedBlobs: [] });
  });

  test('one image frees only the blobs no other image needs', () => {
    const f = selectionFigures(sampleUsage(), [A1]);
    expect(f.reclaimableBytes).toBe(1 + 2 + 300);
    expect(f.freedBlobs.sort()).toEqual([digest('c1'), digest('la'), digest('m1')].sort());
    expect(f.freedSharedBlobs).toEqual([]);
    expect(f.keptBlobs).toEqual([digest('base')]);
    expect(f.keptBytes).toBe(1000);
  });

  test('a blob shared between selected images counts once, and only when every user is selected', () => {
    const two = selectionFigures(sampleUsage(), [A1, A2]);
    // base is still needed by b:1.
    expect(two.reclaimableBytes).toBe(303 + 153);
    expect(two.freedBlobs).not.toContain(digest('base'));
    const three = selectionFigures(sampleUsage(), [A1, A2, B1]);
    expect(three.reclaimableBytes).toBe(303 + 153 + 503 + 1000);
    expect(three.freedSharedBlobs).toEqual([digest('base')]);
    expect(three.freedSharedBytes).toBe(1000);
    // shared2 stays with the dangling image.
    expect(three.keptBlobs).toEqual([digest('shared2')]);
    const all = selectionFigures(sampleUsage(), [A1, A2, B1, DANGLING]);
    expect(all.reclaimableBytes).toBe(sampleUsage().blobSizes.reduce((s, n) => s + n, 0));
    expect(all.freedSharedBlobs.sort()).toEqual([digest('base'), digest('shared2')].sort());
    expect(all.keptBlobs).toEqual([]);
  });

  test('names that are not stored images are ignored', () => {
    const f = selectionFigures(sampleUsage(), ['nope:1', DANGLING]);
    expect(f.names).toEqual([DANGLING]);
    expect(f.reclaimableBytes).toBe(3);
  });

  test('blob users lists each image once per blob', () => {
    const usage = sampleUsage();
    const users = blobUsers(usage);
    expect(users[usage.blobDigests.indexOf(digest('base'))]).toEqual([A1, A2, B1]);
    expect(users[usage.blobDigests.indexOf(digest('shared2'))]).toEqual([B1, DANGLING]);
  });
});

test('toggleNames turns a group on unless all of it is on', () => {
  expect(toggleNames([], ['a', 'b'])).toEqual(['a', 'b']);
  expect(toggleNames(['a'], ['a', 'b'])).toEqual(['a', 'b']);
  expect(toggleNames(['x', 'a', 'b'], ['a', 'b'])).toEqual(['x']);
  expect(toggleNames(['x'], [])).toEqual(['x']);
});
