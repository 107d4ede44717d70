import { describe, expect, test } from 'vitest';
import { toggleNames } from '../../ui/selection.ts';
import type { DiskUsage } from '../../../src-shared/ipc/contract.ts';
import { hex, image } from './fixtures.ts';
import {
  buildTree,
  bytesOf,
  compareNumber,
  compareText,
  digestReferenceOf,
  emulationWarning,
  filterImages,
  freedByRemoving,
  namesInRange,
  namesOf,
  referenceOf,
  repositoryOfRef,
  shortDigest,
  sortValue,
  type GroupNode,
  type ImageNode,
} from './rows.ts';

const nginx1 = image({
  repository: 'docker.io/library/nginx',
  tag: '1.25',
  digest: `sha256:${hex('1')}`,
  size: 5000,
  created: '2025-03-01T00:00:00Z',
});
const nginx2 = image({
  repository: 'docker.io/library/nginx',
  tag: '1.27',
  digest: `sha256:${hex('2')}`,
  size: 7000,
  created: '2025-05-01T00:00:00Z',
});
const alpine = image({
  repository: 'docker.io/library/alpine',
  tag: '3.20',
  digest: `sha256:${hex('3')}`,
  platforms: ['linux/arm64'],
  size: 3000,
});
const dangling = image({
  repository: null,
  tag: null,
  name: `sha256:${hex('4')}`,
  digest: `sha256:${hex('4')}`,
  dangling: true,
  previousRef: 'docker.io/library/nginx:1.25',
});
const multi = image({
  repository: 'quay.io/team/tool',
  tag: 'v1',
  digest: `sha256:${hex('5')}`,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  platforms: ['linux/amd64', 'linux/arm64'],
  manifests: [
    { platform: 'linux/amd64', digest: `sha256:${hex('6')}`, size: 100 },
    { platform: 'linux/arm64', digest: `sha256:${hex('7')}`, size: 90 },
  ],
});

describe('grouping', () => {
  test('images of one repository become a group; a repository with one image is a single row', () => {
    const tree = buildTree([nginx1, alpine, nginx2]);
    expect(tree.map((n) => n.kind)).toEqual(['group', 'image']);
    const group = tree[0] as GroupNode;
    expect(group.repository).toBe('docker.io/library/nginx');
    expect(group.children.map((c) => c.image.tag)).toEqual(['1.25', '1.27']);
    expect(namesOf(group)).toEqual([nginx1.name, nginx2.name]);
    expect((tree[1] as ImageNode).repository).toBe('docker.io/library/alpine');
  });

  test('a group sorts by its largest image and newest creation time', () => {
    const group = buildTree([nginx1, nginx2])[0] as GroupNode;
    expect(sortValue(group, 'size')).toBe(7000);
    expect(sortValue(group, 'created')).toBe(Date.parse('2025-05-01T00:00:00Z'));
    expect(sortValue(group, 'tag')).toBe('1.25');
  });

  test('a dangling image is listed under the repository it was known by', () => {
    const tree = buildTree([nginx1, dangling]);
    expect(tree).toHaveLength(1);
    const group = tree[0] as GroupNode;
    expect(group.children.map((c) => c.image.name)).toEqual([nginx1.name, dangling.name]);
    expect(group.children[1]!.repository).toBe('docker.io/library/nginx');
  });

  test('a dangling image with no previous name stands alone under no repository', () => {
    const orphan = { ...dangling, previousRef: null };
    const tree = buildTree([orphan]);
    expect(tree[0]!.kind).toBe('image');
    expect((tree[0] as ImageNode).repository).toBeNull();
    expect(sortValue(tree[0]!, 'repository')).toBe('');
  });

  test('an index expands to its platform manifests', () => {
    const node = buildTree([multi])[0] as ImageNode;
    expect(node.children.map((c) => c.manifest.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(node.children[0]!.id).not.toBe(node.children[1]!.id);
    expect(namesOf(node.children[1]!)).toEqual([multi.name]);
    expect(sortValue(node.children[1]!, 'digest')).toBe(`sha256:${hex('7')}`);
    expect(sortValue(node.children[1]!, 'size')).toBe(90);
    expect(buildTree([nginx1])[0]!.children).toEqual([]);
  });
});

describe('filtering', () => {
  const all = [nginx1, nginx2, alpine, dangling, multi];
  test('matches repository, tag, digest and platform, case-insensitively', () => {
    expect(filterImages(all, 'NGINX').map((r) => r.name)).toEqual([nginx1.name, nginx2.name, dangling.name]);
    expect(filterImages(all, '1.27').map((r) => r.name)).toEqual([nginx2.name]);
    expect(filterImages(all, hex('3').slice(0, 10)).map((r) => r.name)).toEqual([alpine.name]);
    expect(filterImages(all, 'linux/ARM64').map((r) => r.name)).toEqual([alpine.name, multi.name]);
    expect(filterImages(all, '  ')).toBe(all);
  });

  test('every word must match', () => {
    expect(filterImages(all, 'nginx 1.25').map((r) => r.name)).toEqual([nginx1.name, dangling.name]);
  });

  test('a group shows when any of its images matches, with only those images', () => {
    const tree = buildTree(filterImages(all, '1.27'));
    expect(tree).toHaveLength(1);
    expect(tree[0]!.kind).toBe('image');
    expect((tree[0] as ImageNode).image.name).toBe(nginx2.name);
    const both = buildTree(filterImages(all, 'library/nginx'));
    expect(both[0]!.kind).toBe('group');
  });
});

describe('sorting comparators', () => {
  test('text is natural and case-insensitive, empty last', () => {
    expect(['app:10', 'App:2', '', 'app:1'].sort(compareText)).toEqual(['app:1', 'App:2', 'app:10', '']);
  });
  test('numbers ascend', () => {
    expect([3, 1, 2].sort(compareNumber)).toEqual([1, 2, 3]);
  });
  test('a missing creation time has no sort value (sorted last)', () => {
    expect(sortValue(buildTree([image({ created: null })])[0]!, 'created')).toBeUndefined();
  });
});

describe('references', () => {
  test('reference, digest reference and short digest', () => {
    expect(referenceOf(nginx1)).toBe('docker.io/library/nginx:1.25');
    expect(digestReferenceOf(nginx1)).toBe(`docker.io/library/nginx@sha256:${hex('1')}`);
    expect(referenceOf(dangling)).toBe(`docker.io/library/nginx@sha256:${hex('4')}`);
    expect(shortDigest(nginx1.digest)).toBe('111111111111');
    expect(repositoryOfRef('localhost:5000/a/b:1@sha256:abc')).toBe('localhost:5000/a/b');
    expect(repositoryOfRef('localhost:5000/a/b')).toBe('localhost:5000/a/b');
  });

  test('an image without a platform for this machine gets a warning', () => {
    expect(emulationWarning(['linux/amd64'], 'linux/arm64')).toBe('linux/amd64 only: runs under emulation on linux/arm64');
    expect(emulationWarning(['linux/amd64', 'linux/arm64/v8'], 'linux/arm64')).toBeNull();
    expect(emulationWarning(['linux/amd64'], null)).toBeNull();
  });
});

describe('selection', () => {
  test('ranges and toggles', () => {
    const tree = buildTree([nginx1, nginx2, alpine]);
    expect(namesInRange(tree, 1, 0)).toEqual([nginx1.name, nginx2.name, alpine.name]);
    expect(toggleNames([nginx1.name], [nginx1.name])).toEqual([]);
    expect(toggleNames([nginx1.name], [nginx1.name, nginx2.name])).toEqual([nginx1.name, nginx2.name]);
  });
});

describe('bytes a removal frees', () => {
  // a and b share blob S (only with each other); c shares blob B with a.
  const a = image({ name: 'a', digest: 'sha256:a', uniqueBytes: 10, sharedBytes: 100 + 1000 });
  const b = image({ name: 'b', digest: 'sha256:b', uniqueBytes: 20, sharedBytes: 100 });
  const c = image({ name: 'c', digest: 'sha256:c', uniqueBytes: 30, sharedBytes: 1000 });
  const usage = {
    images: [
      { name: 'a', blobs: [0, 3, 4] },
      { name: 'b', blobs: [1, 3] },
      { name: 'c', blobs: [2, 4] },
    ],
    blobDigests: ['A', 'Bb', 'C', 'S', 'B'],
    blobSizes: [10, 20, 30, 100, 1000],
  } as unknown as DiskUsage;

  test('exact with df: blobs shared only among the removed images count', () => {
    expect(freedByRemoving(['a', 'b'], [a, b, c], usage)).toEqual({ bytes: 10 + 20 + 100, exact: true });
    expect(freedByRemoving(['a'], [a, b, c], usage)).toEqual({ bytes: 10, exact: true });
  });

  test('without df: the sum of unique bytes, a lower bound', () => {
    expect(freedByRemoving(['a', 'b'], [a, b, c], null)).toEqual({ bytes: 30, exact: false });
  });

  test('a name whose image another name still holds frees nothing', () => {
    const alias = { ...a, name: 'a2' };
    expect(freedByRemoving(['a'], [a, alias, b, c], null).bytes).toBe(0);
  });

  test('disk space of a set of images counts each blob once', () => {
    expect(bytesOf([a, b, c], usage)).toEqual({ bytes: 10 + 20 + 30 + 100 + 1000, exact: true });
    expect(bytesOf([a, b], null)).toEqual({ bytes: 10 + 20 + 1100, exact: false });
  });
});
