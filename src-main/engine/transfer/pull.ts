/**
 * `pull`: resolves a reference on its registry, picks the platform(s), fetches only the blobs the
 * store lacks (bounded concurrency, streamed, verified), stores manifests after their blobs, and
 * finally points the tag at the result under the store lock. Everything it touches is leased so a
 * concurrent rmi or prune cannot take it away mid-flight.
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import { formatReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import { referencedBlobs, type Descriptor } from '../../../src-shared/oci/manifest.ts';
import { formatPlatform, platformsEqual, type Platform } from '../../../src-shared/oci/platform.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import type { Credentials } from '../registry/auth.ts';
import { putBlob } from '../store/ingest.ts';
import { Lease } from '../store/leases.ts';
import { setTag } from '../store/catalog.ts';
import { PLATFORMS, SIGNATURE_POLICY, SIGNATURE_VERIFIED_AT, SIGNATURE_VERIFIED_BY, SOURCE } from '../store/annotations.ts';
import type { Store } from '../store/layout.ts';
import type { TagAction } from '../store/tag-log.ts';
import { fetchBlob, type BlobJob } from './blob-fetch.ts';
import { forEachLimit } from './pool.ts';
import { throttleProgress } from './throttle.ts';
import { platformOfManifest } from './platforms.ts';
import { recordBlobLocations } from '../store/blob-locations.ts';
import type { RemoteImage } from './remote-image.ts';
import { openFirstSource, planPullFromEnv, type OpenedSource, type PullPlan } from './pull-source.ts';
import { enforcePolicy } from '../signature/enforce.ts';
import type { PolicyDecision } from '../signature/evaluate.ts';

/** What the stored entry records of a sigstore verification; nothing when the policy required no signature. */
export function signatureAnnotations(decision: PolicyDecision | undefined, at: Date = new Date()): Record<string, string> {
  if (!decision?.allowed || decision.verifiedBy.length === 0) return {};
  return {
    [SIGNATURE_VERIFIED_BY]: [...new Set(decision.verifiedBy.map((k) => k.key))].join(', '),
    [SIGNATURE_POLICY]: `${decision.file} ${decision.scope}`,
    [SIGNATURE_VERIFIED_AT]: at.toISOString(),
  };
}

export interface PullOptions {
  /** The platform to pull from an index; defaults to the host's. */
  platform: Platform;
  allPlatforms?: boolean;
  tlsVerify?: boolean;
  /** `--cert-dir`: CA and client certificates for the registry, instead of certs.d. */
  certDir?: string;
  credentials?: Credentials;
  concurrency?: number;
  /** The name to give the image in the store instead of the pulled reference (a bare tag for a plain layout). */
  tagAs?: ImageReference | string;
  /** What the tag log records for the name's move (default 'pull'; a copy into a layout says 'copy'). */
  tagAction?: TagAction;
  signal?: AbortSignal;
  onEvent?: TransferListener;
  env?: NodeJS.ProcessEnv;
  /** `--signature-policy PATH`: the policy.json to enforce instead of the user's or the system's. */
  signaturePolicy?: string;
  /** Where to read `input` from, already planned from registries.conf (the host plans before it starts the transfer). */
  plans?: PullPlan[];
}

export interface PullResult {
  ref: string;
  digest: string;
  mediaType: string;
  platforms: string[];
  /** True when an index was stored with only some of its platforms. */
  sparse: boolean;
  fetchedBytes: number;
  fetchedBlobs: number;
  skippedBlobs: number;
  endpoint: string;
  /** The registries.conf mirror (its location) that served the pull, when one did. */
  mirror?: string;
  /** The reference actually read, when registries.conf rewrote it or a mirror served it. */
  source?: string;
}

function blobJobs(repository: string, resolved: RemoteImage): BlobJob[] {
  return referencedBlobs(resolved.children.map((c) => c.manifest)).map(({ descriptor: d, kind }) => ({ repository, digest: d.digest, size: d.size, kind }));
}

async function platformsOf(store: Store, resolved: RemoteImage): Promise<string[]> {
  return Promise.all(resolved.children.map((c) => platformOfManifest(store, c.descriptor, c.manifest)));
}

export async function pull(store: Store, input: string, opts: PullOptions): Promise<PullResult> {
  const emit = throttleProgress(opts.onEvent);
  // registries.conf: the short name's candidates, blocked registries, rewritten locations, mirrors.
  const plans = opts.plans ?? (await planPullFromEnv(input, opts.env));
  let ref = plans[0]!.logical;
  let name = plans.length === 1 ? formatReference(ref) : input;
  emit({ type: 'resolving', ref: name });
  const lease = await Lease.create(store, `pull ${name}`);
  let opened: OpenedSource | undefined;
  try {
    opened = await openFirstSource(plans, opts);
    const { client, source, remote: resolved } = opened;
    ref = opened.logical;
    name = formatReference(ref);
    const from = source.ref;
    // Policy before any blob: a refused image leaves nothing in the store.
    const signed = signatureAnnotations(await enforcePolicy(client, ref, resolved.root, opts));
    const endpoint = client.base ?? from.domain;
    const served = { ...(source.mirror !== undefined ? { mirror: source.mirror } : {}), ...(formatReference(from) !== name ? { source: formatReference(from) } : {}) };
    const jobs = blobJobs(from.path, resolved);
    await lease.add(resolved.root.digest, ...resolved.children.map((c) => c.descriptor.digest), ...jobs.map((j) => j.digest));
    const platforms = resolved.children.map((c) => (c.descriptor.platform ? formatPlatform(c.descriptor.platform) : ''));
    emit({ type: 'resolved', ref: name, digest: resolved.root.digest, mediaType: resolved.root.mediaType, platforms: platforms.filter(Boolean), sparse: resolved.sparse, endpoint, ...(served.mirror ? { mirror: served.mirror } : {}) });
    if (!opts.allPlatforms && resolved.children[0]?.descriptor.platform && !platformsEqual(resolved.children[0].descriptor.platform, opts.platform)) {
      // A compatible fallback (arm/v6 for an arm/v7 host, say) was chosen; say so.
      emit({ type: 'retry', digest: resolved.children[0].descriptor.digest, attempt: 0, reason: `no exact ${formatPlatform(opts.platform)} image; using compatible ${formatPlatform(resolved.children[0].descriptor.platform)}` });
    }

    let fetchedBytes = 0;
    let fetchedBlobs = 0;
    let skippedBlobs = 0;
    const tagName: ImageReference = ref.digest ? { domain: ref.domain, path: ref.path, digest: resolved.root.digest } : ref;
    for (let round = 0; ; round++) {
      await forEachLimit(jobs, opts.concurrency ?? 6, async (job) => {
        const { transferred, existed } = await fetchBlob(store, client, job, emit, opts.signal);
        if (!existed) fetchedBlobs++;
        else if (round === 0) skippedBlobs++;
        fetchedBytes += transferred;
      });
      // Manifests go in after everything they reference, children before their index.
      for (const child of resolved.children) await putBlob(store, child.descriptor.digest, child.bytes);
      if (resolved.root.digest !== resolved.children[0]?.descriptor.digest) await putBlob(store, resolved.root.digest, resolved.root.bytes);
      const stored = await platformsOf(store, resolved);
      const descriptor: Descriptor = { mediaType: resolved.root.mediaType, digest: resolved.root.digest, size: resolved.root.bytes.length };
      const annotations: Record<string, string> = { [SOURCE]: `${ref.domain}/${ref.path}`, [PLATFORMS]: stored.join(','), ...signed };
      const required = new Map<string, number>([[resolved.root.digest, resolved.root.bytes.length], ...resolved.children.map((c) => [c.descriptor.digest, c.bytes.length] as [string, number]), ...jobs.map((j) => [j.digest, j.size] as [string, number])]);
      const outcome = await setTag(store, opts.tagAs ?? tagName, descriptor, annotations, { required, action: opts.tagAction ?? 'pull' });
      if (outcome.missing.length === 0) {
        await recordBlobLocations(store, { registry: from.domain, repository: from.path }, jobs.map((j) => j.digest));
        const result: PullResult = { ref: typeof opts.tagAs === 'string' ? opts.tagAs : formatReference(opts.tagAs ?? tagName), digest: resolved.root.digest, mediaType: resolved.root.mediaType, platforms: stored, sparse: resolved.sparse, fetchedBytes, fetchedBlobs, skippedBlobs, endpoint, ...served };
        emit({ type: 'done', ref: result.ref, digest: result.digest, fetchedBytes, fetchedBlobs, skippedBlobs });
        return result;
      }
      if (round >= 2) throw new DeckhandError('ESTORE', `Blobs of ${name} keep disappearing from the store while pulling (${outcome.missing.length} missing); another process is removing them. Try again when it is done.`);
      // Something (a prune in another process) removed blobs between fetch and tag: fetch them again.
    }
  } catch (e) {
    const err = e instanceof DeckhandError ? e : opts.signal?.aborted ? new DeckhandError('ECANCELLED', `Pull of ${name} was cancelled; downloaded bytes are kept and the next pull resumes from them.`, { cause: e }) : e;
    if (err instanceof DeckhandError) emit({ type: 'error', code: err.code, message: err.message });
    throw err;
  } finally {
    await lease.release();
    await opened?.client.close();
  }
}
