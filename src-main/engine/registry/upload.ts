/**
 * The write side of the distribution API: blob existence, cross-repository mounts, upload sessions
 * (monolithic PUT, streamed PATCH, resume after a break or a 416 by asking the session where it
 * stands), and manifest PUTs.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
 */
import type { Readable } from 'node:stream';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseDigest } from '../../../src-shared/oci/digest.ts';
import type { RegistryClient } from './client.ts';
import type { ChunkStream } from './http.ts';
import { checkLocation } from './location.ts';

export const pushScope = (repository: string) => `repository:${repository}:pull,push`;

export interface UploadSession {
  repository: string;
  /** Absolute URL of the session, as the registry last named it. */
  location: URL;
  /** `OCI-Chunk-Min-Length`: chunks other than the last must be at least this long. */
  minChunk: number;
}

async function drain(reply: { body: { dump(): Promise<void> } }): Promise<void> {
  await reply.body.dump().catch(() => undefined);
}

/** HEAD: does `repository` already hold the blob? */
export async function blobExists(client: RegistryClient, repository: string, digest: string, signal?: AbortSignal): Promise<boolean> {
  parseDigest(digest);
  try {
    const reply = await client.send({
      method: 'HEAD',
      path: `/v2/${repository}/blobs/${digest}`,
      scope: pushScope(repository),
      repository,
      object: `Blob ${digest}`,
      action: 'push',
      signal,
    });
    await drain(reply);
    return reply.status === 200;
  } catch (e) {
    if (e instanceof DeckhandError && e.code === 'ENOT_FOUND') return false;
    throw e;
  }
}

async function sessionFrom(
  client: RegistryClient,
  repository: string,
  reply: { headers: Record<string, string | undefined>; url: string },
): Promise<UploadSession> {
  const origin = await client.ensureConnected();
  const location = checkLocation(reply.headers.location, new URL(reply.url), origin);
  const min = Number(reply.headers['oci-chunk-min-length']);
  return { repository, location, minChunk: Number.isFinite(min) && min > 0 ? min : 0 };
}

/**
 * POST with `mount` and `from`: 201 means the registry linked the blob from `from` (nothing is
 * uploaded); 202 means it declined and opened an ordinary upload session instead.
 */
export async function mountBlob(
  client: RegistryClient,
  repository: string,
  digest: string,
  from: string,
  signal?: AbortSignal,
): Promise<{ mounted: true } | { mounted: false; session: UploadSession }> {
  const query = new URLSearchParams({ mount: digest, from });
  const reply = await client.send({
    method: 'POST',
    path: `/v2/${repository}/blobs/uploads/?${query}`,
    scope: `${pushScope(repository)} repository:${from}:pull`,
    repository,
    object: `Blob ${digest}`,
    action: 'push',
    signal,
    headers: { 'content-length': '0' },
  });
  await drain(reply);
  if (reply.status === 201) return { mounted: true };
  if (reply.status === 202) return { mounted: false, session: await sessionFrom(client, repository, reply) };
  throw new DeckhandError(
    'EREGISTRY',
    `${client.domain} answered ${reply.status} to a blob mount into ${repository}; expected 201 or 202.`,
    { detail: { status: reply.status } },
  );
}

export async function startUpload(client: RegistryClient, repository: string, signal?: AbortSignal): Promise<UploadSession> {
  const reply = await client.send({
    method: 'POST',
    path: `/v2/${repository}/blobs/uploads/`,
    scope: pushScope(repository),
    repository,
    object: 'Blob upload',
    action: 'push',
    signal,
    headers: { 'content-length': '0' },
  });
  await drain(reply);
  if (reply.status !== 202)
    throw new DeckhandError(
      'EREGISTRY',
      `${client.domain} answered ${reply.status} when opening an upload in ${repository}; expected 202.`,
      { detail: { status: reply.status } },
    );
  return sessionFrom(client, repository, reply);
}

function withDigest(location: URL, digest: string): string {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url.href;
}

/** One PUT carrying the whole blob: for small blobs, saves the PATCH round trip. */
export async function putMonolithic(
  client: RegistryClient,
  session: UploadSession,
  digest: string,
  body: Buffer,
  signal?: AbortSignal,
): Promise<void> {
  const reply = await client.send({
    method: 'PUT',
    path: withDigest(session.location, digest),
    scope: pushScope(session.repository),
    repository: session.repository,
    object: `Blob ${digest}`,
    action: 'push',
    signal,
    body,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
  });
  await drain(reply);
  if (reply.status !== 201)
    throw new DeckhandError('EREGISTRY', `${client.domain} answered ${reply.status} to the upload of ${digest}; expected 201.`, {
      detail: { status: reply.status },
    });
}

/**
 * PATCH `length` bytes of `body` starting at `offset` into the session. The body is a stream, so
 * the request is not replayable: a failure is recovered by the caller via `uploadedSoFar`.
 */
export async function patchChunk(
  client: RegistryClient,
  session: UploadSession,
  body: Readable | ChunkStream,
  offset: number,
  length: number,
  signal?: AbortSignal,
): Promise<UploadSession> {
  const reply = await client.send({
    method: 'PATCH',
    path: session.location.href,
    scope: pushScope(session.repository),
    repository: session.repository,
    object: 'Blob upload',
    action: 'push',
    signal,
    body,
    replayable: false,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(length),
      'content-range': `${offset}-${offset + length - 1}`,
    },
  });
  await drain(reply);
  if (reply.status !== 202)
    throw new DeckhandError(
      'EREGISTRY',
      `${client.domain} answered ${reply.status} to an upload chunk at offset ${offset}; expected 202.`,
      { detail: { status: reply.status, uploadStatus: reply.status } },
    );
  return reply.headers.location
    ? { ...session, location: checkLocation(reply.headers.location, new URL(reply.url), await client.ensureConnected()) }
    : session;
}

/** GET on the session: how many bytes the registry holds (`Range: 0-N` means N+1). */
export async function uploadedSoFar(
  client: RegistryClient,
  session: UploadSession,
  signal?: AbortSignal,
): Promise<{ session: UploadSession; offset: number }> {
  const reply = await client.send({
    method: 'GET',
    path: session.location.href,
    scope: pushScope(session.repository),
    repository: session.repository,
    object: 'Blob upload',
    action: 'push',
    signal,
  });
  await drain(reply);
  if (reply.status !== 204)
    throw new DeckhandError('EREGISTRY', `${client.domain} answered ${reply.status} for the state of an upload; expected 204.`, {
      detail: { status: reply.status },
    });
  const m = /^(?:bytes=)?0-(\d+)$/.exec(reply.headers.range ?? '');
  const next = reply.headers.location
    ? { ...session, location: checkLocation(reply.headers.location, new URL(reply.url), await client.ensureConnected()) }
    : session;
  // Distribution answers `0-0` both for an empty session and for one holding a single byte; the
  // caller cannot resume from that and starts a fresh session instead.
  return { session: next, offset: m && m[1] !== '0' ? Number(m[1]) + 1 : 0 };
}

/** PUT `?digest=`: closes the session; the registry verifies the digest and makes the blob visible. */
export async function finishUpload(client: RegistryClient, session: UploadSession, digest: string, signal?: AbortSignal): Promise<void> {
  const reply = await client.send({
    method: 'PUT',
    path: withDigest(session.location, digest),
    scope: pushScope(session.repository),
    repository: session.repository,
    object: `Blob ${digest}`,
    action: 'push',
    signal,
    headers: { 'content-length': '0' },
  });
  await drain(reply);
  if (reply.status !== 201)
    throw new DeckhandError(
      'EREGISTRY',
      `${client.domain} answered ${reply.status} when completing the upload of ${digest}; expected 201.`,
      { detail: { status: reply.status } },
    );
}

/** DELETE: abandons the session (on cancel or failure). Best effort. */
export async function cancelUpload(client: RegistryClient, session: UploadSession): Promise<void> {
  try {
    const reply = await client.send({
      method: 'DELETE',
      path: session.location.href,
      scope: pushScope(session.repository),
      repository: session.repository,
      object: 'Blob upload',
      action: 'push',
      replayable: false,
    });
    await drain(reply);
  } catch {
    // The registry expires abandoned sessions on its own.
  }
}

/** PUT a manifest or index with its media type; returns the digest the registry reports. */
export async function putManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  bytes: Buffer,
  mediaType: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const reply = await client.send({
    method: 'PUT',
    path: `/v2/${repository}/manifests/${reference}`,
    scope: pushScope(repository),
    repository,
    object: `Manifest ${repository}:${reference}`,
    action: 'push',
    signal,
    body: bytes,
    headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
  });
  await drain(reply);
  if (reply.status !== 201)
    throw new DeckhandError(
      'EREGISTRY',
      `${client.domain} answered ${reply.status} to the manifest ${repository}:${reference}; expected 201.`,
      { detail: { status: reply.status } },
    );
  return reply.headers['docker-content-digest'];
}

/**
 * HEAD a manifest by tag or digest: the digest the registry holds under that reference, or
 * undefined when it holds nothing there.
 */
export async function manifestDigest(
  client: RegistryClient,
  repository: string,
  reference: string,
  mediaTypes: readonly string[],
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    const reply = await client.send({
      method: 'HEAD',
      path: `/v2/${repository}/manifests/${reference}`,
      scope: pushScope(repository),
      repository,
      object: `Manifest ${repository}:${reference}`,
      action: 'push',
      signal,
      headers: { accept: mediaTypes.join(', ') },
    });
    await drain(reply);
    return reply.status === 200 ? (reply.headers['docker-content-digest'] ?? (reference.includes(':') ? reference : undefined)) : undefined;
  } catch (e) {
    if (e instanceof DeckhandError && e.code === 'ENOT_FOUND') return undefined;
    throw e;
  }
}
