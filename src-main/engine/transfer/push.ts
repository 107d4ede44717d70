/**
 * `deckhand push SRC [DEST]`: sends a stored image to a registry. A whole index goes with every
 * platform (one push defines the platform matrix); a sparse index is refused, naming the missing
 * platforms, unless the caller asks to push only the present ones as a new index. Blobs go first
 * (bounded concurrency, HEAD / mount / upload), manifests last, children before their index.
 */
import { createHash } from 'node:crypto';
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import { formatReference, parseReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import { parseManifestDocument, type Descriptor } from '../../../src-shared/oci/manifest.ts';
import { formatPlatform } from '../../../src-shared/oci/platform.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import { RegistryClient } from '../registry/client.ts';
import type { Credentials } from '../registry/auth.ts';
import { manifestDigest, putManifest } from '../registry/upload.ts';
import { MANIFEST_ACCEPT } from '../../../src-shared/oci/mediatypes.ts';
import { findCredentials } from '../config/auth-file.ts';
import { resolveOne } from '../store/catalog.ts';
import { walkEntry, type EntryGraph } from '../store/graph.ts';
import { Lease } from '../store/leases.ts';
import { loadBlobLocations, recordBlobLocations } from '../store/blob-locations.ts';
import type { Store } from '../store/layout.ts';
import { pushBlob, type PushJob } from './blob-push.ts';
import { forEachLimit } from './pool.ts';
import { throttleProgress } from './throttle.ts';
import { platformOfManifest } from './platforms.ts';

export interface PushOptions {
  /** For a sparse index: push the present platforms as a new index instead of failing. */
  presentPlatforms?: boolean;
  tlsVerify?: boolean;
  credentials?: Credentials;
  env?: NodeJS.ProcessEnv;
  concurrency?: number;
  signal?: AbortSignal;
  onEvent?: TransferListener;
}

export interface PushResult {
  ref: string;
  digest: string;
  mediaType: string;
  platforms: string[];
  uploadedBytes: number;
  uploadedBlobs: number;
  existingBlobs: number;
  mountedBlobs: number;
}

interface Plan {
  root: { digest: string; mediaType: string; bytes: Buffer };
  /** Platform manifests to put before the root (empty for a single manifest). */
  children: Array<{ descriptor: Descriptor; bytes: Buffer }>;
  graph: EntryGraph;
}

/** What goes up: the stored entry, or for a sparse index with `presentPlatforms` a new index of the present platforms. */
async function plan(store: Store, root: Descriptor, name: string, presentPlatforms: boolean): Promise<Plan> {
  const graph = await walkEntry(store, root);
  const missing = [];
  for (const [digest, size] of graph.blobs) if (!(await store.hasBlob(digest, size))) missing.push(digest);
  if (missing.length > 0) {
    throw new DeckhandError('ESTORE', `${name} is missing ${missing.length} blob(s) in the store (${missing[0]}${missing.length > 1 ? ', …' : ''}). Run \`deckhand fsck\`, then pull the image again.`, { detail: { missing } });
  }
  const rootBytes = await store.readBlob(root.digest);
  if (graph.kind === 'manifest') return { root: { digest: root.digest, mediaType: root.mediaType, bytes: rootBytes }, children: [], graph };
  const children = await Promise.all(graph.manifests.map(async (m) => ({ descriptor: m.descriptor, bytes: await store.readBlob(m.descriptor.digest) })));
  if (graph.absent.length === 0) return { root: { digest: root.digest, mediaType: root.mediaType, bytes: rootBytes }, children, graph };
  const absent = graph.absent.map((d) => (d.platform ? formatPlatform(d.platform) : d.digest));
  if (!presentPlatforms) {
    throw new DeckhandError('ENO_PLATFORM', `${name} is a sparse index: ${absent.join(', ')} ${absent.length === 1 ? 'is' : 'are'} not stored, so pushing it as is would publish an index whose images are missing. Pull them first (\`deckhand pull --all-platforms\`), or push only the stored platforms as a new index with --present-platforms.`, { detail: { missing: absent } });
  }
  const doc = parseManifestDocument(rootBytes, root.mediaType);
  if (doc.kind !== 'index') throw new DeckhandError('EMANIFEST', `${root.digest} was expected to be an index.`);
  const present = new Set(graph.manifests.map((m) => m.descriptor.digest));
  const raw = JSON.parse(rootBytes.toString('utf8')) as { manifests: Descriptor[] };
  const bytes = Buffer.from(JSON.stringify({ ...raw, manifests: raw.manifests.filter((d) => present.has(d.digest)) }));
  return { root: { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, mediaType: root.mediaType, bytes }, children, graph };
}

function blobJobs(graph: EntryGraph, repository: string, mountFrom: (digest: string) => string[]): PushJob[] {
  const jobs = new Map<string, PushJob>();
  for (const { manifest } of graph.manifests) {
    const config = manifest.config;
    jobs.set(config.digest, { repository, digest: config.digest, size: config.size, kind: 'config', mountFrom: mountFrom(config.digest) });
    for (const layer of manifest.layers) {
      if (layer.urls?.length && layer.mediaType.includes('nondistributable')) continue;
      if (!jobs.has(layer.digest)) jobs.set(layer.digest, { repository, digest: layer.digest, size: layer.size, kind: 'layer', mountFrom: mountFrom(layer.digest) });
    }
  }
  // Largest first: the long uploads start early and the small ones fill in around them.
  return [...jobs.values()].sort((a, b) => b.size - a.size);
}

/** A 401/403 on push with credentials means read-only credentials only if they can read; check. */
async function explainDenied(e: unknown, client: RegistryClient, ref: ImageReference, signal?: AbortSignal): Promise<unknown> {
  if (!isDeckhandError(e, 'EDENIED') || !(e.detail as { readOnly?: boolean } | undefined)?.readOnly) return e;
  try {
    const reply = await client.send({ method: 'GET', path: `/v2/${ref.path}/tags/list?n=1`, scope: `repository:${ref.path}:pull`, repository: ref.path, object: `Repository ${ref.path}`, signal });
    await reply.body.dump();
    return e;
  } catch (probe) {
    if (isDeckhandError(probe, 'ENOT_FOUND')) return e;
    if (isDeckhandError(probe, 'EUNAUTHORIZED')) return new DeckhandError('EUNAUTHORIZED', `${ref.domain} rejected the credentials for ${ref.path}. Run \`deckhand login ${ref.domain}\` again.`, { cause: probe });
    return e;
  }
}

export async function push(store: Store, src: string, dest?: string, opts: PushOptions = {}): Promise<PushResult> {
  const entry = await resolveOne(store, src);
  const target = dest ? parseReference(dest) : entry.ref;
  if (!target) throw new DeckhandError('EUSAGE', `${src} has no registry name to push to; give a destination, e.g. \`deckhand push ${src} registry.example.com/team/app:1.0\`.`);
  const name = formatReference(target);
  const emit = throttleProgress(opts.onEvent);
  const credentials = opts.credentials ?? (await findCredentials(target.domain, target.path, opts.env));
  const client = new RegistryClient({ domain: target.domain, ...(credentials ? { credentials } : {}), ...(opts.tlsVerify === undefined ? {} : { tlsVerify: opts.tlsVerify }) });
  const lease = await Lease.create(store, `push ${name}`);
  try {
    await lease.add(entry.descriptor.digest);
    const p = await plan(store, entry.descriptor, src, opts.presentPlatforms ?? false);
    await lease.add(...p.graph.blobs.keys());
    if (target.digest && target.digest !== p.root.digest) {
      throw new DeckhandError('EUSAGE', `${name} names digest ${target.digest}, but ${src} is ${p.root.digest}. A digest cannot be renamed; push to a tag or to the image's own digest.`);
    }
    const platforms = await Promise.all(p.graph.manifests.map((m) => platformOfManifest(store, m.descriptor, m.manifest)));
    emit({ type: 'resolved', ref: name, digest: p.root.digest, mediaType: p.root.mediaType, platforms, sparse: false, endpoint: target.domain });
    const mountFrom = await loadBlobLocations(store);
    const jobs = blobJobs(p.graph, target.path, (d) => mountFrom(target.domain, target.path, d));
    const result: PushResult = { ref: name, digest: p.root.digest, mediaType: p.root.mediaType, platforms, uploadedBytes: 0, uploadedBlobs: 0, existingBlobs: 0, mountedBlobs: 0 };
    const reference = target.tag ?? p.root.digest;
    // A registry accepts a manifest only once every blob it references is in the repository, so a
    // tag already naming this digest means there is nothing to send: one HEAD instead of one per blob.
    if ((await manifestDigest(client, target.path, reference, MANIFEST_ACCEPT, opts.signal)) === p.root.digest) {
      result.existingBlobs = jobs.length;
      for (const job of jobs) emit({ type: 'blob', digest: job.digest, kind: job.kind, state: 'exists', done: job.size, total: job.size });
      emit({ type: 'manifest', digest: p.root.digest, ref: name, state: 'exists' });
    } else {
      await forEachLimit(jobs, opts.concurrency ?? 6, async (job) => {
        const outcome = await pushBlob(store, client, job, emit, opts.signal);
        if (outcome.how === 'exists') result.existingBlobs++;
        else if (outcome.how === 'mounted') result.mountedBlobs++;
        else {
          result.uploadedBlobs++;
          result.uploadedBytes += outcome.uploaded;
        }
      });
      for (const child of p.children) {
        const childRef = `${target.domain}/${target.path}@${child.descriptor.digest}`;
        if ((await manifestDigest(client, target.path, child.descriptor.digest, [child.descriptor.mediaType], opts.signal)) === child.descriptor.digest) {
          emit({ type: 'manifest', digest: child.descriptor.digest, ref: childRef, state: 'exists' });
          continue;
        }
        await putManifest(client, target.path, child.descriptor.digest, child.bytes, child.descriptor.mediaType, opts.signal);
        emit({ type: 'manifest', digest: child.descriptor.digest, ref: childRef, state: 'done' });
      }
      const reported = await putManifest(client, target.path, reference, p.root.bytes, p.root.mediaType, opts.signal);
      if (reported && reported !== p.root.digest) {
        throw new DeckhandError('EREGISTRY', `${target.domain} stored ${name} as ${reported}, not as the pushed ${p.root.digest}; it rewrote the manifest. The tag now points at content Deckhand did not send.`, { detail: { reported, pushed: p.root.digest } });
      }
      emit({ type: 'manifest', digest: p.root.digest, ref: name, state: 'done' });
    }
    await recordBlobLocations(store, { registry: target.domain, repository: target.path }, jobs.map((j) => j.digest));
    emit({ type: 'pushed', ref: name, digest: result.digest, uploadedBytes: result.uploadedBytes, uploadedBlobs: result.uploadedBlobs, existingBlobs: result.existingBlobs, mountedBlobs: result.mountedBlobs });
    return result;
  } catch (e) {
    let err = await explainDenied(e, client, target, opts.signal);
    if (!(err instanceof DeckhandError) && opts.signal?.aborted) err = new DeckhandError('ECANCELLED', `Push of ${name} was cancelled; open uploads were abandoned. Blobs already uploaded stay in the registry and will not be sent again.`, { cause: e });
    if (err instanceof DeckhandError) emit({ type: 'error', code: err.code, message: err.message });
    throw err;
  } finally {
    await lease.release();
    await client.close();
  }
}
