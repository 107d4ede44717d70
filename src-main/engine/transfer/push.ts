/**
 * `deckhand push SRC [DEST]`: sends a stored image to a registry. A whole index goes with every
 * platform (one push defines the platform matrix); a sparse index is refused, naming the missing
 * platforms, unless the caller asks to push only the present ones as a new index. Blobs go first
 * (bounded concurrency, HEAD / mount / upload), manifests last, children before their index.
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import { formatReference, parseReference } from '../../../src-shared/oci/reference.ts';
import { referencedBlobs, type Descriptor } from '../../../src-shared/oci/manifest.ts';
import { formatPlatform } from '../../../src-shared/oci/platform.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import { RegistryClient } from '../registry/client.ts';
import type { Credentials } from '../registry/auth.ts';
import { findCredentials } from '../config/auth-file.ts';
import { loadRegistriesConf } from '../config/registries-conf.ts';
import { pushTarget } from '../config/registry-match.ts';
import { resolveOne } from '../store/catalog.ts';
import { missingBlobs, presentPlatformsIndex, walkEntry, type EntryGraph } from '../store/graph.ts';
import { Lease } from '../store/leases.ts';
import { loadBlobLocations, recordBlobLocations } from '../store/blob-locations.ts';
import type { Store } from '../store/layout.ts';
import { storeSource, type PushJob } from './blob-push.ts';
import { explainDenied, sendImage } from './send-image.ts';
import { throttleProgress } from './throttle.ts';
import { platformOfManifest } from './platforms.ts';
import { loadSigningKey, signPushed, type SignOptions } from '../signature/enforce.ts';

export interface PushOptions {
  /** For a sparse index: push the present platforms as a new index instead of failing. */
  presentPlatforms?: boolean;
  tlsVerify?: boolean;
  /** `--cert-dir`: CA and client certificates for the registry, instead of certs.d. */
  certDir?: string;
  credentials?: Credentials;
  env?: NodeJS.ProcessEnv;
  concurrency?: number;
  signal?: AbortSignal;
  onEvent?: TransferListener;
  /** `--sign-by-sigstore-private-key`: attach a sigstore signature of the pushed digest. */
  sign?: SignOptions;
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
  const missing = await missingBlobs(store, graph);
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
  const cut = presentPlatformsIndex(rootBytes, graph);
  return { root: { digest: cut.digest, mediaType: root.mediaType, bytes: cut.bytes }, children, graph };
}

function blobJobs(store: Store, graph: EntryGraph, repository: string, mountFrom: (digest: string) => string[]): PushJob[] {
  const jobs = referencedBlobs(graph.manifests.map((m) => m.manifest)).map(({ descriptor: d, kind }): PushJob => ({ repository, digest: d.digest, size: d.size, kind, mountFrom: mountFrom(d.digest), source: storeSource(store, d.digest) }));
  // Largest first: the long uploads start early and the small ones fill in around them.
  return jobs.sort((a, b) => b.size - a.size);
}

export async function push(store: Store, src: string, dest?: string, opts: PushOptions = {}): Promise<PushResult> {
  const entry = await resolveOne(store, src);
  const target = dest ? parseReference(dest) : entry.ref;
  if (!target) throw new DeckhandError('EUSAGE', `${src} has no registry name to push to; give a destination, e.g. \`deckhand push ${src} registry.example.com/team/app:1.0\`.`);
  const name = formatReference(target);
  const emit = throttleProgress(opts.onEvent);
  // registries.conf: a blocked registry refuses the push; `insecure` applies unless --tls-verify was given.
  const insecure = pushTarget(await loadRegistriesConf(opts.env ?? process.env), target).insecure && opts.tlsVerify === undefined;
  const credentials = opts.credentials ?? (await findCredentials(target.domain, target.path, opts.env));
  const client = new RegistryClient({ domain: target.domain, ...(credentials ? { credentials } : {}), ...(opts.tlsVerify === undefined ? (insecure ? { tlsVerify: false } : {}) : { tlsVerify: opts.tlsVerify }), ...(opts.certDir ? { certDir: opts.certDir } : {}), ...(opts.env ? { env: opts.env } : {}) });
  // The key is decrypted first: a wrong passphrase fails before anything is uploaded.
  const signingKey = opts.sign ? await loadSigningKey(opts.sign) : undefined;
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
    const jobs = blobJobs(store, p.graph, target.path, (d) => mountFrom(target.domain, target.path, d));
    const counts = await sendImage(client, target, { root: p.root, children: p.children, jobs }, emit, { ...(opts.concurrency ? { concurrency: opts.concurrency } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    if (signingKey) await signPushed(client, target, p.root.digest, signingKey, opts.signal);
    const result: PushResult = { ref: name, digest: p.root.digest, mediaType: p.root.mediaType, platforms, ...counts };
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
