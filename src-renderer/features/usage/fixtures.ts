/** A small store's df figures for the usage tests. */
import type { DiskUsage, ImageUsage } from '../../../src-shared/ipc/contract.ts';

const d = (name: string) => `sha256:${name.padEnd(64, '0')}`;

export const BLOB_SIZES: Record<string, number> = {
  [d('m1')]: 1,
  [d('c1')]: 2,
  [d('la')]: 300,
  [d('m2')]: 1,
  [d('c2')]: 2,
  [d('la2')]: 150,
  [d('m3')]: 1,
  [d('c3')]: 2,
  [d('lb')]: 500,
  [d('m4')]: 1,
  [d('c4')]: 2,
  [d('base')]: 1000,
  [d('shared2')]: 70,
};

/** The build steps df reports for the layers (configs and manifests have none). */
export const BLOB_STEPS: Record<string, string> = {
  [d('base')]: 'COPY rootfs.tar /',
  [d('la')]: 'RUN apk add curl',
  [d('lb')]: 'COPY app /srv/app',
};

/** df's blob table: every blob above once, in this order. */
export const BLOB_DIGESTS = Object.keys(BLOB_SIZES);

function image(name: string, repository: string | null, tag: string | null, blobs: string[], dangling = false): ImageUsage {
  const digests = blobs.map(d);
  const total = digests.reduce((s, x) => s + BLOB_SIZES[x]!, 0);
  const indexes = digests.map((x) => BLOB_DIGESTS.indexOf(x));
  return { name, repository, tag, digest: d(`m-${name}`), dangling, totalBytes: total, sharedBytes: 0, uniqueBytes: total, blobs: indexes };
}

/**
 * a:1 and a:2 and b:1 share `base`; b:1 and the dangling image share `shared2`; everything else is
 * one image's own.
 */
export function sampleUsage(): DiskUsage {
  const images = [
    image('example.com/a:1', 'example.com/a', '1', ['m1', 'c1', 'base', 'la']),
    image('example.com/a:2', 'example.com/a', '2', ['m2', 'c2', 'base', 'la2']),
    image('example.com/b:1', 'example.com/b', '1', ['m3', 'c3', 'base', 'lb', 'shared2']),
    image('example.com/b@sha256:' + 'f'.repeat(64), null, null, ['m4', 'c4', 'shared2'], true),
  ];
  const blobBytes = Object.values(BLOB_SIZES).reduce((s, n) => s + n, 0);
  return {
    images,
    blobDigests: [...BLOB_DIGESTS],
    blobSizes: BLOB_DIGESTS.map((x) => BLOB_SIZES[x]!),
    blobSteps: BLOB_DIGESTS.map((x) => BLOB_STEPS[x] ?? null),
    totalBytes: blobBytes + 10,
    reclaimableBytes: 3 + 10,
    blobCount: Object.keys(BLOB_SIZES).length,
    blobBytes,
    sharedBytes: 1070,
    unreferencedBlobs: 1,
    unreferencedBytes: 10,
    ingestCount: 0,
    ingestBytes: 0,
  };
}

export const digest = d;
