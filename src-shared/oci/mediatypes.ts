/**
 * Media types Deckhand understands.
 * OCI: https://github.com/opencontainers/image-spec/blob/main/media-types.md
 *      https://github.com/opencontainers/image-spec/blob/main/layer.md#distributable-format
 * Docker: https://distribution.github.io/distribution/spec/manifest-v2-2/#media-types
 */

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_LAYER_TAR_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_LAYER_TAR_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
/** Non-distributable layers are deprecated in image-spec 1.1 but still appear in Windows images. */
export const OCI_LAYER_NONDIST_TAR = 'application/vnd.oci.image.layer.nondistributable.v1.tar';
export const OCI_LAYER_NONDIST_TAR_GZIP = 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
export const OCI_LAYER_NONDIST_TAR_ZSTD = 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd';

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const DOCKER_FOREIGN_LAYER = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

/** Docker image manifest schema 1 (deprecated, unsupported); named so errors can explain it. */
export const DOCKER_SCHEMA1_MANIFEST = 'application/vnd.docker.distribution.manifest.v1+json';
export const DOCKER_SCHEMA1_SIGNED_MANIFEST = 'application/vnd.docker.distribution.manifest.v1+prettyjws';

/** For the registry `Accept` header when fetching a manifest by tag or digest. */
export const MANIFEST_ACCEPT: readonly string[] = Object.freeze([OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST]);

const LAYER_TYPES: ReadonlySet<string> = new Set([
  OCI_LAYER_TAR,
  OCI_LAYER_TAR_GZIP,
  OCI_LAYER_TAR_ZSTD,
  OCI_LAYER_NONDIST_TAR,
  OCI_LAYER_NONDIST_TAR_GZIP,
  OCI_LAYER_NONDIST_TAR_ZSTD,
  DOCKER_LAYER,
  DOCKER_FOREIGN_LAYER,
]);

/** Strips parameters (`; charset=utf-8`) and whitespace, and lowercases, as media types are case-insensitive. */
export function baseMediaType(mt: string): string {
  const semi = mt.indexOf(';');
  return (semi >= 0 ? mt.slice(0, semi) : mt).trim().toLowerCase();
}

export function isIndexMediaType(mt: unknown): boolean {
  return mt === OCI_INDEX || mt === DOCKER_MANIFEST_LIST;
}

export function isManifestMediaType(mt: unknown): boolean {
  return mt === OCI_MANIFEST || mt === DOCKER_MANIFEST;
}

export function isLayerMediaType(mt: unknown): boolean {
  return typeof mt === 'string' && LAYER_TYPES.has(mt);
}

export function isSchema1MediaType(mt: unknown): boolean {
  return mt === DOCKER_SCHEMA1_MANIFEST || mt === DOCKER_SCHEMA1_SIGNED_MANIFEST;
}
