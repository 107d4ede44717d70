/**
 * From a scanned archive to a load plan: which archive files become which blobs, which manifests
 * Deckhand writes itself (docker-archive has none), and which names the images get. Everything is
 * checked here, before a byte is stored: OCI blobs against the digests that name them, docker
 * layers against the config's diff IDs.
 * OCI: https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 * docker save: https://github.com/moby/docker-image-spec (manifest.json, RepoTags, Layers)
 */
import { createHash } from 'node:crypto';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseImageConfig, parseManifestDocument, referencedBlobs, type Descriptor } from '../../../src-shared/oci/manifest.ts';
import { DOCKER_CONFIG, DOCKER_MANIFEST } from '../../../src-shared/oci/mediatypes.ts';
import { parseReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import { parseDigest } from '../../../src-shared/oci/digest.ts';
import { REF_NAME } from '../store/annotations.ts';
import { resolveName } from './tar-read.ts';
import type { ArchiveScan } from './scan.ts';

export interface PlannedBlob {
  /** The regular file in the archive holding the bytes. */
  name: string;
  digest: string;
  size: number;
}

export interface PlannedImage {
  descriptor: Descriptor;
  /** Names to give it; empty means it loads untagged. */
  names: Array<ImageReference | string>;
}

export interface LoadPlan {
  format: 'oci-archive' | 'docker-archive';
  blobs: PlannedBlob[];
  /** Documents Deckhand writes (docker-archive manifests). */
  documents: Array<{ digest: string; bytes: Buffer }>;
  images: PlannedImage[];
}

const fail = (scan: ArchiveScan, problem: string) =>
  new DeckhandError('EARCHIVE', `${scan.file}: ${problem}. Nothing from the archive was stored.`, { detail: { file: scan.file, problem } });
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function json(scan: ArchiveScan, name: string): unknown {
  const bytes = scan.documents.get(resolveName(scan.file, scan.entries, name).name);
  if (!bytes) throw fail(scan, `${name} is too large to be a document`);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw fail(scan, `${name} is not valid JSON`);
  }
}

/**
 * The name an oci-archive gives an image, as podman reads it: containerd's `io.containerd.image.name`
 * (docker save since 25 puts the full name there and only the tag in ref.name) before ref.name;
 * a name without a registry host gets `localhost/` and, without a tag, `:latest`.
 */
export function archiveName(annotations: Record<string, string> | undefined): ImageReference | null {
  const raw = annotations?.[CONTAINERD_NAME] ?? annotations?.[REF_NAME];
  if (!raw) return null;
  const first = raw.split('/')[0]!;
  const hasHost = raw.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return parseReference(hasHost ? raw : `localhost/${raw}`);
}

const CONTAINERD_NAME = 'io.containerd.image.name';

export function planOci(scan: ArchiveScan): LoadPlan {
  const blobs = new Map<string, PlannedBlob>();
  const blobFile = (d: Descriptor): PlannedBlob => {
    const { algorithm, hex } = parseDigest(d.digest);
    const name = `blobs/${algorithm}/${hex}`;
    const real = resolveName(scan.file, scan.entries, name);
    const facts = scan.facts.get(real.name);
    if (!facts || facts.size !== d.size)
      throw fail(scan, `blob ${d.digest} is ${facts?.size ?? 0} bytes, not the ${d.size} its descriptor says`);
    if (algorithm === 'sha256' && facts.digest !== d.digest)
      throw fail(scan, `blob ${d.digest} does not match its digest (its content hashes to ${facts.digest})`);
    const planned = { name: real.name, digest: d.digest, size: d.size };
    blobs.set(d.digest, planned);
    return planned;
  };
  const document = (d: Descriptor) => {
    const b = blobFile(d);
    const bytes = scan.documents.get(b.name);
    if (!bytes) throw fail(scan, `manifest ${d.digest} is over the 4 MiB limit for manifests`);
    return parseManifestDocument(bytes, d.mediaType);
  };
  const index = json(scan, 'index.json') as { manifests?: Descriptor[] };
  if (!Array.isArray(index.manifests)) throw fail(scan, 'index.json has no "manifests" array');
  const images: PlannedImage[] = [];
  for (const top of index.manifests) {
    const doc = document(top);
    const manifests = doc.kind === 'manifest' ? [doc.manifest] : [];
    if (doc.kind === 'index') {
      for (const child of doc.index.manifests) {
        if (!scan.entries.has(`blobs/${child.digest.replace(':', '/')}`)) continue;
        const sub = document(child);
        if (sub.kind !== 'manifest') throw fail(scan, `${child.digest} is a nested index, which Deckhand does not load`);
        manifests.push(sub.manifest);
      }
    }
    for (const { descriptor } of referencedBlobs(manifests)) blobFile(descriptor);
    const name = archiveName(top.annotations);
    const { annotations: _a, ...descriptor } = top;
    images.push({ descriptor, names: name ? [name] : [] });
  }
  return { format: 'oci-archive', blobs: [...blobs.values()], documents: [], images };
}

interface DockerItem {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

export function planDocker(scan: ArchiveScan): LoadPlan {
  const items = json(scan, 'manifest.json');
  if (!Array.isArray(items) || items.length === 0) throw fail(scan, 'manifest.json must be a non-empty array of images');
  const blobs = new Map<string, PlannedBlob>();
  const documents: LoadPlan['documents'] = [];
  const images: PlannedImage[] = [];
  for (const [i, raw] of (items as DockerItem[]).entries()) {
    if (typeof raw.Config !== 'string' || !Array.isArray(raw.Layers) || !raw.Layers.every((l) => typeof l === 'string'))
      throw fail(scan, `manifest.json entry ${i} needs "Config" and "Layers"`);
    const configFile = resolveName(scan.file, scan.entries, raw.Config);
    const configBytes = scan.documents.get(configFile.name);
    if (!configBytes) throw fail(scan, `the config ${raw.Config} is over the 4 MiB limit`);
    const config = parseImageConfig(configBytes);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== raw.Layers.length)
      throw fail(scan, `image ${i} lists ${raw.Layers.length} layers but its config has ${diffIds.length} diff IDs`);
    const configDigest = sha(configBytes);
    blobs.set(configDigest, { name: configFile.name, digest: configDigest, size: configBytes.length });
    const layers: Descriptor[] = (raw.Layers as string[]).map((layerName, j) => {
      const real = resolveName(scan.file, scan.entries, layerName);
      const facts = scan.facts.get(real.name)!;
      if (facts.diffId !== diffIds[j])
        throw fail(scan, `layer ${layerName} does not match the config's diff ID ${diffIds[j]} (its content hashes to ${facts.diffId})`);
      blobs.set(facts.digest, { name: real.name, digest: facts.digest, size: facts.size });
      return {
        mediaType: facts.gzip ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.docker.image.rootfs.diff.tar',
        digest: facts.digest,
        size: facts.size,
      };
    });
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: DOCKER_MANIFEST,
        config: { mediaType: DOCKER_CONFIG, digest: configDigest, size: configBytes.length },
        layers,
      }),
    );
    const digest = sha(manifest);
    documents.push({ digest, bytes: manifest });
    const tags = Array.isArray(raw.RepoTags) ? raw.RepoTags.filter((t): t is string => typeof t === 'string') : [];
    images.push({ descriptor: { mediaType: DOCKER_MANIFEST, digest, size: manifest.length }, names: tags.map((t) => parseReference(t)) });
  }
  return { format: 'docker-archive', blobs: [...blobs.values()], documents, images };
}

/** An OCI layout wins when both are present (docker save since 25 writes both). */
export function planLoad(scan: ArchiveScan): LoadPlan {
  if (scan.entries.has('index.json') && scan.entries.has('oci-layout')) return planOci(scan);
  if (scan.entries.has('manifest.json')) return planDocker(scan);
  throw fail(scan, 'it has neither an OCI layout (oci-layout, index.json) nor a docker manifest.json, so it is not an image archive');
}
