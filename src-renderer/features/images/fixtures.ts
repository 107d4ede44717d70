/** ImageRows for the tests of this feature. */
import type { ImageRow } from '../../../src-shared/ipc/contract.ts';

export const hex = (c: string) => c.repeat(64).slice(0, 64);

export function image(over: Partial<ImageRow> & { repository?: string | null; tag?: string | null }): ImageRow {
  const repository = over.repository === undefined ? 'docker.io/library/app' : over.repository;
  const tag = over.tag === undefined ? 'latest' : over.tag;
  const digest = over.digest ?? `sha256:${hex('a')}`;
  return {
    name: over.name ?? (repository && tag ? `${repository}:${tag}` : (tag ?? digest)),
    repository,
    tag,
    digest,
    id: null,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    platforms: ['linux/amd64'],
    size: 1000,
    created: '2025-01-01T00:00:00Z',
    dangling: false,
    sparse: false,
    previousRef: null,
    source: null,
    pulled: null,
    error: null,
    sharedBytes: 0,
    uniqueBytes: 1000,
    manifests: [],
    signature: null,
    ...over,
  };
}
