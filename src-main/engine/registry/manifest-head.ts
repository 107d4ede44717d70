/**
 * What a registry says a tag names, by HEAD only: the manifest's Docker-Content-Digest and media
 * type, no body. distribution-spec "Checking if content exists in the registry": a HEAD of
 * /v2/<name>/manifests/<reference> answers as the GET would, without the content. Docker Hub does
 * not count a HEAD against its pull limit; it counts every manifest GET.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#checking-if-content-exists-in-the-registry
 */
import { isDigest } from '../../../src-shared/oci/digest.ts';
import { baseMediaType, MANIFEST_ACCEPT } from '../../../src-shared/oci/mediatypes.ts';
import type { RegistryClient } from './client.ts';

export interface ManifestHead {
  /** Docker-Content-Digest, when the registry sent a well-formed one; else null. */
  digest: string | null;
  /** Content-Type without parameters, when sent. */
  mediaType: string | null;
  /** RateLimit-Remaining as sent (Docker Hub: `97;w=21600`), when sent. */
  ratelimitRemaining: string | null;
  /** The base URL that answered. */
  endpoint: string;
}

/**
 * HEAD of `repository:tag` with the four manifest Accept types. A 429 is reported (thrown with its
 * Retry-After), not waited out; other errors are the client's (ENOT_FOUND, EUNAUTHORIZED, ENETWORK…).
 */
export async function headManifest(client: RegistryClient, repository: string, tag: string, signal?: AbortSignal): Promise<ManifestHead> {
  const reply = await client.send({
    method: 'HEAD',
    path: `/v2/${repository}/manifests/${tag}`,
    headers: { accept: MANIFEST_ACCEPT.join(', ') },
    scope: `repository:${repository}:pull`,
    repository,
    object: `Manifest ${repository}:${tag}`,
    onRateLimit: 'report',
    signal,
  });
  await reply.body.dump();
  const digest = reply.headers['docker-content-digest']?.trim();
  const type = reply.headers['content-type'];
  return {
    digest: digest && isDigest(digest) ? digest : null,
    mediaType: type ? baseMediaType(type) : null,
    ratelimitRemaining: reply.headers['ratelimit-remaining']?.slice(0, 100) ?? null,
    endpoint: client.base ?? client.domain,
  };
}
