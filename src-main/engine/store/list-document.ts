/**
 * A manifest list made here (`deckhand manifest`, the app's "Combine into a multi-platform image"):
 * its entries as a model, and the index document they make. It is an OCI image index unless an
 * entry carries `features`, which only a Docker manifest list can say (image-spec reserves
 * `platform.features`); podman and buildah make the same choice. Documents are written with the
 * fields in the order containers/image's Go structs give them, so the same entries always make
 * the same bytes and digest.
 * https://github.com/opencontainers/image-spec/blob/main/image-index.md
 * https://distribution.github.io/distribution/spec/manifest-v2-2/#manifest-list
 */
import { createHash } from 'node:crypto';
import { DeckhandError } from '../../../src-shared/errors.ts';
import type { Descriptor, ImageIndex } from '../../../src-shared/oci/manifest.ts';
import { DOCKER_MANIFEST_LIST, OCI_INDEX } from '../../../src-shared/oci/mediatypes.ts';
import { checkPlatform } from '../../../src-shared/oci/platform-check.ts';
import type { Platform } from '../../../src-shared/oci/platform.ts';

export interface ListEntry {
  mediaType: string;
  digest: string;
  size: number;
  platform: Platform;
  /** Docker's `platform.features` (a Docker manifest list only). */
  features?: string[];
  annotations?: Record<string, string>;
}

export interface ListModel {
  entries: ListEntry[];
  /** The index's own annotations (an OCI index only). */
  annotations?: Record<string, string>;
}

export interface BuiltList {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Buffer;
  index: ImageIndex;
}

/** What a flag or the dialog may change in an entry's platform; unset fields keep what the entry says. */
export interface PlatformOverride {
  os?: string;
  architecture?: string;
  variant?: string;
  osVersion?: string;
  osFeatures?: string[];
  features?: string[];
  annotations?: Record<string, string>;
}

const nonEmpty = (m: Record<string, string> | undefined) => (m && Object.keys(m).length > 0 ? m : undefined);

/** OCI index when nothing needs Docker's features, else a Docker manifest list. */
export function listMediaType(model: ListModel): string {
  return model.entries.some((e) => (e.features?.length ?? 0) > 0) ? DOCKER_MANIFEST_LIST : OCI_INDEX;
}

function platformJson(p: Platform, features: string[] | undefined, docker: boolean): Record<string, unknown> {
  return {
    architecture: p.architecture,
    os: p.os,
    ...(p['os.version'] ? { 'os.version': p['os.version'] } : {}),
    ...(p['os.features']?.length ? { 'os.features': p['os.features'] } : {}),
    ...(p.variant ? { variant: p.variant } : {}),
    ...(docker && features?.length ? { features } : {}),
  };
}

/** The entry's platform after `o`, validated; the entry's other fields as they were, annotations merged. */
export function overrideEntry(entry: ListEntry, o: PlatformOverride): ListEntry {
  const p: Platform = {
    os: o.os ?? entry.platform.os,
    architecture: o.architecture ?? entry.platform.architecture,
  };
  const variant =
    o.variant ?? (o.architecture !== undefined && o.architecture !== entry.platform.architecture ? undefined : entry.platform.variant);
  if (variant) p.variant = variant;
  const osVersion = o.osVersion ?? entry.platform['os.version'];
  if (osVersion) p['os.version'] = osVersion;
  const osFeatures = o.osFeatures ?? entry.platform['os.features'];
  if (osFeatures?.length) p['os.features'] = osFeatures;
  const features = o.features ?? entry.features;
  const annotations = nonEmpty({ ...entry.annotations, ...o.annotations });
  return {
    mediaType: entry.mediaType,
    digest: entry.digest,
    size: entry.size,
    platform: checkPlatform(p),
    ...(features?.length ? { features } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

/**
 * The index the model makes. Refused: the same image twice, and annotations in a Docker manifest
 * list (it has no place for them: they would be dropped without a word).
 */
export function buildList(model: ListModel): BuiltList {
  const mediaType = listMediaType(model);
  const docker = mediaType === DOCKER_MANIFEST_LIST;
  const seen = new Set<string>();
  for (const e of model.entries) {
    // Attestation entries (buildx's unknown/unknown) name no platform on purpose; every other must be one a runtime can match.
    if (!(e.platform.os === 'unknown' && e.platform.architecture === 'unknown')) checkPlatform(e.platform);
    if (seen.has(e.digest))
      throw new DeckhandError(
        'EUSAGE',
        `${e.digest} is in the list twice. An image is listed once; change its platform with \`deckhand manifest annotate\` instead.`,
        { detail: { digest: e.digest } },
      );
    seen.add(e.digest);
  }
  if (docker) {
    const annotated = model.entries.find((e) => nonEmpty(e.annotations));
    if (annotated || nonEmpty(model.annotations))
      throw new DeckhandError(
        'EUSAGE',
        `Features (${model.entries.find((e) => e.features?.length)?.features?.join(', ')}) need a Docker manifest list, which cannot carry annotations (${annotated ? `the entry ${annotated.digest} has some` : 'the list has some'}). Drop the features or the annotations.`,
      );
  }
  const manifests = model.entries.map((e) => {
    const platform = platformJson(e.platform, e.features, docker);
    return docker
      ? { mediaType: e.mediaType, size: e.size, digest: e.digest, platform }
      : {
          mediaType: e.mediaType,
          digest: e.digest,
          size: e.size,
          ...(nonEmpty(e.annotations) ? { annotations: e.annotations } : {}),
          platform,
        };
  });
  const annotations = docker ? undefined : nonEmpty(model.annotations);
  const index = { schemaVersion: 2 as const, mediaType, manifests, ...(annotations ? { annotations } : {}) };
  const bytes = Buffer.from(JSON.stringify(index, null, 2));
  return {
    mediaType,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    size: bytes.length,
    bytes,
    index: index as unknown as ImageIndex,
  };
}

/** The model of a stored index: its entries as they are (platform, Docker features, annotations). */
export function modelOf(index: ImageIndex): ListModel {
  const entries = index.manifests.map((d: Descriptor): ListEntry => {
    const raw = d.platform as (Platform & { features?: unknown }) | undefined;
    const features = Array.isArray(raw?.features) ? raw.features.filter((f): f is string => typeof f === 'string') : undefined;
    const { features: _f, ...platform } = raw ?? { os: 'unknown', architecture: 'unknown' };
    return {
      mediaType: d.mediaType,
      digest: d.digest,
      size: d.size,
      platform: platform as Platform,
      ...(features?.length ? { features } : {}),
      ...(nonEmpty(d.annotations) ? { annotations: d.annotations } : {}),
    };
  });
  return { entries, ...(nonEmpty(index.annotations) ? { annotations: index.annotations } : {}) };
}
