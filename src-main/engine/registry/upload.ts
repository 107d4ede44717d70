/**
 * The write side of the distribution API: blob existence, cross-repository mounts, upload sessions
 * (monolithic PUT, streamed PATCH, resume after a break or a 416 by asking the session where it
 * stands), and manifest PUTs.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
 */
import type { Readable } from 'node:stream';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseDigest } from '../../../src-shared/oci/digest.ts';
import type { RegistryClient, SendOptions } from './client.ts';
import type { ChunkStream, Reply } from './http.ts';
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

type PushRequest = Omit<SendOptions, 'scope' | 'action'> & { scope?: string };

/** Sends one request of the push side (push scope unless given, `push` action) and drains the reply. */
async function pushRequest(client: RegistryClient, req: PushRequest): Promise<Reply> {
  const reply = await client.send({ scope: pushScope(req.repository), ...req, action: 'push' });
  await drain(reply);
  return reply;
}

/** Refuses a reply whose status is not one of `expected`, saying what was being done. */
function expectStatus(client: RegistryClient, reply: Reply, expected: number[], doing: string, detail?: Record<string, unknown>): void {
  if (expected.includes(reply.status)) return;
  throw new DeckhandError('EREGISTRY', `${client.domain} answered ${reply.status} ${doing}; expected ${expected.join(' or ')}.`, {
    detail: { status: reply.status, ...detail },
  });
}

/** The session's location after a reply that may name a new one. */
async function movedSession(client: RegistryClient, session: UploadSession, reply: Reply): Promise<UploadSession> {
  if (!reply.headers.location) return session;
  return { ...session, location: checkLocation(reply.headers.location, new URL(reply.url), await client.ensureConnected()) };
}

/** HEAD: does `repository` already hold the blob? */
export async function blobExists(client: RegistryClient, repository: string, digest: string, signal?: AbortSignal): Promise<boolean> {
  parseDigest(digest);
  try {
    const reply = await pushRequest(client, {
      method: 'HEAD',
      path: `/v2/${repository}/blobs/${digest}`,
      repository,
      object: `Blob ${digest}`,
      signal,
    });
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
  const reply = await pushRequest(client, {
    method: 'POST',
    path: `/v2/${repository}/blobs/uploads/?${query}`,
    scope: `${pushScope(repository)} repository:${from}:pull`,
    repository,
    object: `Blob ${digest}`,
    signal,
    headers: { 'content-length': '0' },
  });
  expectStatus(client, reply, [201, 202], `to a blob mount into ${repository}`);
  return reply.status === 201 ? { mounted: true } : { mounted: false, session: await sessionFrom(client, repository, reply) };
}

export async function startUpload(client: RegistryClient, repository: string, signal?: AbortSignal): Promise<UploadSession> {
  const reply = await pushRequest(client, {
    method: 'POST',
    path: `/v2/${repository}/blobs/uploads/`,
    repository,
    object: 'Blob upload',
    signal,
    headers: { 'content-length': '0' },
  });
  expectStatus(client, reply, [202], `when opening an upload in ${repository}`);
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
  const reply = await pushRequest(client, {
    method: 'PUT',
    path: withDigest(session.location, digest),
    repository: session.repository,
    object: `Blob ${digest}`,
    signal,
    body,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
  });
  expectStatus(client, reply, [201], `to the upload of ${digest}`);
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
  const reply = await pushRequest(client, {
    method: 'PATCH',
    path: session.location.href,
    repository: session.repository,
    object: 'Blob upload',
    signal,
    body,
    replayable: false,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(length),
      'content-range': `${offset}-${offset + length - 1}`,
    },
  });
  expectStatus(client, reply, [202], `to an upload chunk at offset ${offset}`, { uploadStatus: reply.status });
  return movedSession(client, session, reply);
}

/** GET on the session: how many bytes the registry holds (`Range: 0-N` means N+1). */
export async function uploadedSoFar(
  client: RegistryClient,
  session: UploadSession,
  signal?: AbortSignal,
): Promise<{ session: UploadSession; offset: number }> {
  const reply = await pushRequest(client, {
    method: 'GET',
    path: session.location.href,
    repository: session.repository,
    object: 'Blob upload',
    signal,
  });
  expectStatus(client, reply, [204], 'for the state of an upload');
  const m = /^(?:bytes=)?0-(\d+)$/.exec(reply.headers.range ?? '');
  const next = await movedSession(client, session, reply);
  // Distribution answers `0-0` both for an empty session and for one holding a single byte; the
  // caller cannot resume from that and starts a fresh session instead.
  return { session: next, offset: m && m[1] !== '0' ? Number(m[1]) + 1 : 0 };
}

/** PUT `?digest=`: closes the session; the registry verifies the digest and makes the blob visible. */
export async function finishUpload(client: RegistryClient, session: UploadSession, digest: string, signal?: AbortSignal): Promise<void> {
  const reply = await pushRequest(client, {
    method: 'PUT',
    path: withDigest(session.location, digest),
    repository: session.repository,
    object: `Blob ${digest}`,
    signal,
    headers: { 'content-length': '0' },
  });
  expectStatus(client, reply, [201], `when completing the upload of ${digest}`);
}

/** DELETE: abandons the session (on cancel or failure). Best effort. */
export async function cancelUpload(client: RegistryClient, session: UploadSession): Promise<void> {
  try {
    await pushRequest(client, {
      method: 'DELETE',
      path: session.location.href,
      repository: session.repository,
      object: 'Blob upload',
      replayable: false,
    });
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
  const reply = await pushRequest(client, {
    method: 'PUT',
    path: `/v2/${repository}/manifests/${reference}`,
    repository,
    object: `Manifest ${repository}:${reference}`,
    signal,
    body: bytes,
    headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
  });
  expectStatus(client, reply, [201], `to the manifest ${repository}:${reference}`);
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
    const reply = await pushRequest(client, {
      method: 'HEAD',
      path: `/v2/${repository}/manifests/${reference}`,
      repository,
      object: `Manifest ${repository}:${reference}`,
      signal,
      headers: { accept: mediaTypes.join(', ') },
    });
    return reply.status === 200 ? (reply.headers['docker-content-digest'] ?? (reference.includes(':') ? reference : undefined)) : undefined;
  } catch (e) {
    if (e instanceof DeckhandError && e.code === 'ENOT_FOUND') return undefined;
    throw e;
  }
}
