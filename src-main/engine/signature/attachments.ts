/**
 * Sigstore signatures stored in a registry the way containers/image and cosign store them without
 * the referrers API: an OCI manifest tagged `sha256-<hex>.sig` in the image's repository, one layer
 * per signature (media type application/vnd.dev.cosign.simplesigning.v1+json, the blob being the
 * payload, the base64 signature in the layer annotation dev.cosignproject.cosign/signature), and a
 * small OCI config whose rootfs.diff_ids list the layers (containers/image docker_image_dest.go
 * putSignaturesToSigstoreAttachments).
 */
import { createHash } from 'node:crypto';
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import { parseDigest } from '../../../src-shared/oci/digest.ts';
import { OCI_CONFIG, OCI_MANIFEST } from '../../../src-shared/oci/mediatypes.ts';
import type { RegistryClient } from '../registry/client.ts';
import { blobExists, putManifest, putMonolithic, startUpload } from '../registry/upload.ts';
import { SIGSTORE_SIGNATURE_ANNOTATION, SIGSTORE_SIGNATURE_MEDIA_TYPE } from './payload.ts';

/** A signature, untrusted until verified against a key. */
export interface SigstoreSignature {
  mediaType: string;
  payload: Buffer;
  annotations: Record<string, string>;
}

interface LayerDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

interface AttachmentManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: { mediaType: string; digest: string; size: number };
  layers: LayerDescriptor[];
  annotations?: Record<string, string>;
}

/** Signature payloads are small; containers/image limits them to 4 MiB. */
const MAX_SIGNATURE_BYTES = 4 * 1024 * 1024;

export function signatureTag(manifestDigest: string): string {
  const { algorithm, hex } = parseDigest(manifestDigest);
  return `${algorithm}-${hex}.sig`;
}

const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function readSmallBlob(client: RegistryClient, repository: string, digest: string, signal?: AbortSignal): Promise<Buffer> {
  const { body } = await client.getBlob(repository, digest, signal ? { signal } : {});
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_SIGNATURE_BYTES)
      throw new DeckhandError('EPOLICY', `Signature blob ${digest} in ${repository} is over ${MAX_SIGNATURE_BYTES} bytes; refusing it.`);
    chunks.push(Buffer.from(chunk));
  }
  const bytes = Buffer.concat(chunks);
  const { algorithm, hex } = parseDigest(digest);
  if (createHash(algorithm).update(bytes).digest('hex') !== hex)
    throw new DeckhandError('EDIGEST_MISMATCH', `Signature blob ${digest} in ${repository} does not match its digest.`);
  return bytes;
}

/** The attachment manifest for a digest, or undefined when the registry has none. */
async function getAttachmentManifest(
  client: RegistryClient,
  repository: string,
  manifestDigest: string,
  signal?: AbortSignal,
): Promise<{ manifest: AttachmentManifest; bytes: Buffer } | undefined> {
  try {
    const fetched = await client.getManifest(repository, signatureTag(manifestDigest), signal);
    const manifest = JSON.parse(fetched.bytes.toString('utf8')) as AttachmentManifest;
    if (!manifest || !Array.isArray(manifest.layers) || !manifest.config)
      throw new DeckhandError('EPOLICY', `${repository}:${signatureTag(manifestDigest)} is not a signature manifest.`);
    return { manifest, bytes: fetched.bytes };
  } catch (e) {
    if (isDeckhandError(e, 'ENOT_FOUND')) return undefined;
    if (e instanceof SyntaxError)
      throw new DeckhandError('EPOLICY', `${repository}:${signatureTag(manifestDigest)} is not JSON.`, { cause: e });
    throw e;
  }
}

/** Every sigstore signature the registry holds for `manifestDigest` (other attachment kinds are skipped). */
export async function fetchSignatures(
  client: RegistryClient,
  repository: string,
  manifestDigest: string,
  signal?: AbortSignal,
): Promise<SigstoreSignature[]> {
  const found = await getAttachmentManifest(client, repository, manifestDigest, signal);
  if (!found) return [];
  const out: SigstoreSignature[] = [];
  for (const layer of found.manifest.layers) {
    if (layer.mediaType !== SIGSTORE_SIGNATURE_MEDIA_TYPE) continue;
    if (layer.size > MAX_SIGNATURE_BYTES)
      throw new DeckhandError(
        'EPOLICY',
        `Signature blob ${layer.digest} in ${repository} is over ${MAX_SIGNATURE_BYTES} bytes; refusing it.`,
      );
    out.push({
      mediaType: layer.mediaType,
      payload: await readSmallBlob(client, repository, layer.digest, signal),
      annotations: { ...(layer.annotations ?? {}) },
    });
  }
  return out;
}

async function uploadSmallBlob(client: RegistryClient, repository: string, bytes: Buffer, signal?: AbortSignal): Promise<string> {
  const digest = digestOf(bytes);
  if (!(await blobExists(client, repository, digest, signal)))
    await putMonolithic(client, await startUpload(client, repository, signal), digest, bytes, signal);
  return digest;
}

/**
 * Adds a signature to the registry's attachment manifest for `manifestDigest` (creating it when
 * missing; a signature already there is not added twice). Returns false when it was already there.
 */
export async function attachSignature(
  client: RegistryClient,
  repository: string,
  manifestDigest: string,
  signature: SigstoreSignature,
  signal?: AbortSignal,
): Promise<boolean> {
  const found = await getAttachmentManifest(client, repository, manifestDigest, signal);
  const layers = [...(found?.manifest.layers ?? [])];
  const payloadDigest = digestOf(signature.payload);
  const sig = signature.annotations[SIGSTORE_SIGNATURE_ANNOTATION];
  if (
    layers.some(
      (l) => l.mediaType === signature.mediaType && l.digest === payloadDigest && l.annotations?.[SIGSTORE_SIGNATURE_ANNOTATION] === sig,
    )
  )
    return false;
  await uploadSmallBlob(client, repository, signature.payload, signal);
  layers.push({
    mediaType: signature.mediaType,
    digest: payloadDigest,
    size: signature.payload.length,
    annotations: signature.annotations,
  });
  await putAttachmentManifest(client, repository, manifestDigest, layers, found?.manifest, signal);
  return true;
}

async function putAttachmentManifest(
  client: RegistryClient,
  repository: string,
  manifestDigest: string,
  layers: LayerDescriptor[],
  previous: AttachmentManifest | undefined,
  signal?: AbortSignal,
): Promise<void> {
  const config = Buffer.from(
    JSON.stringify({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } }),
  );
  const configDigest = await uploadSmallBlob(client, repository, config, signal);
  const manifest: AttachmentManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: previous?.config.mediaType ?? OCI_CONFIG, digest: configDigest, size: config.length },
    layers,
    ...(previous?.annotations ? { annotations: previous.annotations } : {}),
  };
  await putManifest(client, repository, signatureTag(manifestDigest), Buffer.from(JSON.stringify(manifest)), OCI_MANIFEST, signal);
}

/**
 * Copies the signatures of `manifestDigest` from one repository to another (registry to registry),
 * adding them to any the destination already holds. Returns how many were added.
 */
export async function copySignatures(
  from: RegistryClient,
  srcRepository: string,
  to: RegistryClient,
  destRepository: string,
  manifestDigest: string,
  signal?: AbortSignal,
): Promise<number> {
  const signatures = await fetchSignatures(from, srcRepository, manifestDigest, signal);
  let added = 0;
  for (const s of signatures) if (await attachSignature(to, destRepository, manifestDigest, s, signal)) added++;
  return added;
}
