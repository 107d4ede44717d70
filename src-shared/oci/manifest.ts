/**
 * Image manifests, image indexes and image configs.
 * Specs: https://github.com/opencontainers/image-spec/blob/main/manifest.md
 *        https://github.com/opencontainers/image-spec/blob/main/image-index.md
 *        https://github.com/opencontainers/image-spec/blob/main/descriptor.md
 *        https://github.com/opencontainers/image-spec/blob/main/config.md
 *        Docker schema 2: https://distribution.github.io/distribution/spec/manifest-v2-2/
 * Content-Type vs mediaType: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
import { DeckhandError } from '../errors.ts';
import { formatPlatform, type Platform } from './platform.ts';
import { OCI_INDEX, OCI_MANIFEST, baseMediaType, isIndexMediaType, isManifestMediaType, isSchema1MediaType } from './mediatypes.ts';
import { checkDescriptor, checkString, checkStringMap, decodeJson, isObject, type Fail, type JsonObject } from './validate.ts';

export type { Platform } from './platform.ts';
export { parseImageConfig } from './config.ts';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  config?: {
    User?: string;
    ExposedPorts?: Record<string, object>;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Volumes?: Record<string, object>;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    StopSignal?: string;
  };
  rootfs: { type: string; diff_ids: string[] };
  history?: Array<{ created?: string; created_by?: string; author?: string; comment?: string; empty_layer?: boolean }>;
}

export type ManifestDocument =
  { kind: 'index'; mediaType: string; index: ImageIndex } | { kind: 'manifest'; mediaType: string; manifest: ImageManifest };

/** Content-Types that say nothing about which kind of manifest a body is. */
const GENERIC_CONTENT_TYPES = new Set(['', 'application/json', 'application/octet-stream', 'text/plain']);

const SUPPORTED = `${OCI_INDEX}, ${OCI_MANIFEST}, and Docker schema 2 manifests and manifest lists`;

const fail: Fail = (message, cause) => {
  throw new DeckhandError(
    'EMANIFEST',
    `Invalid manifest: ${message}. The document must be an OCI image manifest or index (or a Docker schema 2 manifest or manifest list); re-push the image with a current client if it came from a registry.`,
    cause === undefined ? undefined : { cause },
  );
};

function schema1Error(): never {
  throw new DeckhandError(
    'EMANIFEST',
    'This image uses Docker image manifest schema 1, which is deprecated and unsupported by Deckhand (and by current Docker and containerd). Pull it with an old client and re-push it with a modern one (docker, podman, skopeo or crane) to convert it to schema 2 or OCI.',
  );
}

/**
 * Parses a manifest or index from its exact bytes. `contentType` is the registry's Content-Type
 * header, if any; it may fill in a missing `mediaType` but never contradict one.
 */
export function parseManifestDocument(bytes: Uint8Array, contentType?: string): ManifestDocument {
  const doc = decodeJson(bytes, fail);
  if (!isObject(doc)) fail('the document is not a JSON object');
  const obj = doc as JsonObject;
  const header = typeof contentType === 'string' ? baseMediaType(contentType) : '';
  if (isSchema1MediaType(obj.mediaType) || obj.schemaVersion === 1 || (obj.mediaType === undefined && isSchema1MediaType(header)))
    schema1Error();
  if (obj.schemaVersion !== 2)
    fail(
      `schemaVersion must be 2 (found ${obj.schemaVersion === undefined ? 'nothing' : String(JSON.stringify(obj.schemaVersion)).slice(0, 40)})`,
    );
  const hasManifests = obj.manifests !== undefined;
  const hasLayers = obj.layers !== undefined;
  if (hasManifests && hasLayers) fail('the document is ambiguous: it has both "manifests" (an index) and "layers" (a manifest)');

  let mediaType: string;
  if (obj.mediaType !== undefined) {
    mediaType = checkString(obj.mediaType, 'mediaType', fail, true);
    if ((isIndexMediaType(header) || isManifestMediaType(header)) && header !== mediaType) {
      throw new DeckhandError(
        'ECONTENT_TYPE',
        `The registry sent Content-Type ${header} but the manifest declares mediaType ${mediaType}. The registry or the image is inconsistent; re-push the image, or report it to the registry operator.`,
        { detail: { contentType: header, mediaType } },
      );
    }
  } else if (!GENERIC_CONTENT_TYPES.has(header)) {
    mediaType = header;
  } else if (hasManifests) {
    mediaType = OCI_INDEX;
  } else if (hasLayers && obj.config !== undefined) {
    mediaType = OCI_MANIFEST;
  } else {
    return fail('it has neither "manifests" (an index) nor "config" and "layers" (a manifest), and no mediaType saying what it is');
  }

  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(obj.manifests)) fail(`a document of type ${mediaType} needs a "manifests" array`);
    if (obj.config !== undefined) fail('an index must not have a "config"');
    (obj.manifests as unknown[]).forEach((d, i) => checkDescriptor(d, `manifests[${i}]`, fail));
    checkCommon(obj);
    return { kind: 'index', mediaType, index: obj as unknown as ImageIndex };
  }
  if (isManifestMediaType(mediaType)) {
    if (!isObject(obj.config)) fail(`a document of type ${mediaType} needs a "config" descriptor`);
    if (!Array.isArray(obj.layers)) fail(`a document of type ${mediaType} needs a "layers" array`);
    if (hasManifests) fail('a manifest must not have "manifests"');
    checkDescriptor(obj.config, 'config', fail);
    (obj.layers as unknown[]).forEach((d, i) => checkDescriptor(d, `layers[${i}]`, fail));
    if (obj.artifactType !== undefined) checkString(obj.artifactType, 'artifactType', fail, true);
    checkCommon(obj);
    return { kind: 'manifest', mediaType, manifest: obj as unknown as ImageManifest };
  }
  return fail(`its media type ${JSON.stringify(mediaType.slice(0, 100))} is not supported (Deckhand reads ${SUPPORTED})`);
}

function checkCommon(obj: JsonObject): void {
  if (obj.subject !== undefined) checkDescriptor(obj.subject, 'subject', fail);
  if (obj.annotations !== undefined) checkStringMap(obj.annotations, 'annotations', fail);
}

/** `linux/arm64` for a descriptor that carries a platform (index entries), else undefined. */
export function descriptorPlatformString(d: Descriptor): string | undefined {
  return d.platform === undefined ? undefined : formatPlatform(d.platform);
}

export interface ReferencedBlob {
  descriptor: Descriptor;
  kind: 'config' | 'layer';
}

/**
 * The blobs image manifests reference (configs and layers), each digest once, in manifest order.
 * Foreign (non-distributable) layers that name URLs are left out: registries do not serve them and
 * stores do not hold them, as in containers/image.
 */
export function referencedBlobs(manifests: Iterable<ImageManifest>): ReferencedBlob[] {
  const out = new Map<string, ReferencedBlob>();
  for (const m of manifests) {
    if (!out.has(m.config.digest)) out.set(m.config.digest, { descriptor: m.config, kind: 'config' });
    for (const layer of m.layers) {
      if (layer.urls?.length && layer.mediaType.includes('nondistributable')) continue;
      if (!out.has(layer.digest)) out.set(layer.digest, { descriptor: layer, kind: 'layer' });
    }
  }
  return [...out.values()];
}
