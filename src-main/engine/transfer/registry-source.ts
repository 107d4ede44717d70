/**
 * A registry as an ImageSource. registries.conf has already turned the reference into candidates
 * and sources (short names, rewrites, mirrors); the first source that serves the manifest wins, and
 * its client serves the blobs. Credentials are looked up for the host actually contacted, so a
 * mirror never receives the primary's. policy.json is enforced on what was resolved before any
 * blob is read, so a refused image leaves nothing behind.
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseManifestDocument, type Descriptor } from '../../../src-shared/oci/manifest.ts';
import { formatPlatform, selectPlatformManifests } from '../../../src-shared/oci/platform.ts';
import { formatReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { RegistryContext } from '../config/context.ts';
import type { PullPlan } from '../config/pull-plan.ts';
import type { PullSource } from '../config/registry-match.ts';
import type { Credentials } from '../registry/auth.ts';
import type { RegistryClient } from '../registry/client.ts';
import { enforcePolicy } from '../signature/enforce.ts';
import type { PolicyDecision } from '../signature/evaluate.ts';
import { fromOffset, type BlobReader, type ImageSource, type PlatformManifest, type ResolvedImage, type Selection } from './image.ts';

/** Errors that would be the same at every other source: stop at once. */
const FINAL = new Set(['ECANCELLED', 'ENO_PLATFORM', 'EAUTH_CONFIG', 'ECONFIG', 'EMANIFEST']);

/** The manifest `ref` names and the platform manifests `selection` takes from it. */
export async function resolveRemote(
  client: RegistryClient,
  ref: ImageReference,
  selection: Selection,
  signal?: AbortSignal,
): Promise<ResolvedImage> {
  const fetched = await client.getManifest(ref.path, ref.digest ?? ref.tag ?? 'latest', signal);
  const doc = parseManifestDocument(fetched.bytes, fetched.contentType);
  const root = { digest: fetched.digest, mediaType: doc.mediaType, bytes: fetched.bytes };
  if (doc.kind === 'manifest') {
    return {
      root,
      children: [
        {
          descriptor: { mediaType: doc.mediaType, digest: fetched.digest, size: fetched.bytes.length },
          bytes: fetched.bytes,
          manifest: doc.manifest,
        },
      ],
      isIndex: false,
      sparse: false,
      platforms: [''],
    };
  }
  let chosen: Descriptor[];
  if (selection.allPlatforms) chosen = doc.index.manifests;
  else {
    const best = selectPlatformManifests(doc.index, selection.platform);
    if (!best) {
      const available = doc.index.manifests
        .filter((d) => d.platform && d.platform.os !== 'unknown')
        .map((d) => formatPlatform(d.platform!));
      throw new DeckhandError(
        'ENO_PLATFORM',
        `${formatReference(ref)} has no image for ${formatPlatform(selection.platform)}. Available: ${available.join(', ') || 'none'}. Choose one with --platform, or use --all-platforms.`,
        { detail: { available, wanted: formatPlatform(selection.platform) } },
      );
    }
    chosen = [best];
  }
  const children: PlatformManifest[] = [];
  for (const descriptor of chosen) {
    const child = await client.getManifest(ref.path, descriptor.digest, signal);
    const sub = parseManifestDocument(child.bytes, child.contentType ?? descriptor.mediaType);
    if (sub.kind !== 'manifest')
      throw new DeckhandError(
        'EMANIFEST',
        `${descriptor.digest} in ${formatReference(ref)} is a nested index; Deckhand does not support nested indexes yet.`,
      );
    children.push({ descriptor, bytes: child.bytes, manifest: sub.manifest });
  }
  return {
    root,
    children,
    isIndex: true,
    sparse: chosen.length < doc.index.manifests.length,
    selected: !selection.allPlatforms,
    platforms: chosen.map((d) => (d.platform ? formatPlatform(d.platform) : '')),
  };
}

/** A blob of `repository` read from `offset`; a registry that ignores Range is skipped forward to it. */
export function registryBlob(client: RegistryClient, repository: string, digest: string): BlobReader {
  return {
    async open(offset, signal) {
      const reply = await client.getBlob(repository, digest, { offset, ...(signal ? { signal } : {}) });
      return reply.start === offset ? reply.body : fromOffset(reply.body, offset);
    },
  };
}

export interface RegistrySourceOptions {
  /** For the primary location only; mirrors use their own host's stored credentials. */
  credentials?: Credentials | undefined;
}

export class RegistrySource implements ImageSource {
  private readonly ctx: RegistryContext;
  private readonly plans: PullPlan[];
  private readonly opts: RegistrySourceOptions;
  private opened: { logical: ImageReference; source: PullSource; client: RegistryClient } | undefined;
  /** What policy.json decided for the resolved image (undefined when there is no policy file). */
  decision: PolicyDecision | undefined;
  /** The digest of the manifest or index the reference named (before a copy narrows it to one platform). */
  rootDigest: string | undefined;

  constructor(ctx: RegistryContext, plans: PullPlan[], opts: RegistrySourceOptions = {}) {
    this.ctx = ctx;
    this.plans = plans;
    this.opts = opts;
  }

  get description(): string {
    return this.opened ? `registry ${this.opened.source.ref.domain}` : 'the registry';
  }

  /** The name the image is known by (the plan's logical reference that served it). */
  get logical(): ImageReference {
    return this.opened?.logical ?? this.plans[0]!.logical;
  }

  /** The reference actually read (a mirror or a rewritten location), its mirror, and the base URL that answered. */
  get served(): { ref: ImageReference; mirror: string | undefined; endpoint: string; client: RegistryClient } {
    const o = this.opened!;
    return { ref: o.source.ref, mirror: o.source.mirror, endpoint: o.client.base ?? o.source.ref.domain, client: o.client };
  }

  /** What the `resolved` event says of who served the image: the base URL and, if one did, the mirror. */
  get servedBy(): { endpoint: string; mirror?: string } {
    const { endpoint, mirror } = this.served;
    return mirror !== undefined ? { endpoint, mirror } : { endpoint };
  }

  /** Tries each plan's sources in order; the first that serves the manifest wins and its client stays open. */
  async resolve(selection: Selection, signal?: AbortSignal): Promise<ResolvedImage> {
    const failures: Array<{ where: string; error: DeckhandError }> = [];
    for (const plan of this.plans) {
      for (const source of plan.sources) {
        const credentials = source.mirror === undefined ? this.opts.credentials : undefined;
        const client = await this.ctx.client(source.ref.domain, source.ref.path, { insecure: source.insecure, credentials });
        let image: ResolvedImage;
        try {
          const resolving = resolveRemote(client, source.ref, selection, signal);
          // policy.json is read while the manifest is on its way, not after it arrived (2-4 ms
          // before the first blob request); its error, if any, is reported below, where it is used.
          this.ctx.policy().catch(() => undefined);
          image = await resolving;
        } catch (e) {
          await client.close();
          signal?.throwIfAborted();
          if (!(e instanceof DeckhandError) || FINAL.has(e.code)) throw e;
          failures.push({ where: `${source.mirror !== undefined ? 'mirror ' : ''}${formatReference(source.ref)}`, error: e });
          continue;
        }
        this.opened = { logical: plan.logical, source, client };
        this.rootDigest = image.root.digest;
        // Policy before any blob: a refused image leaves nothing behind.
        this.decision = await enforcePolicy(client, plan.logical, image.root, { policy: await this.ctx.policy(), signal });
        return image;
      }
    }
    const last = failures[failures.length - 1]!.error;
    if (failures.length === 1) throw last;
    const attempts = failures.map((f) => ({ source: f.where, code: f.error.code, message: f.error.message }));
    throw new DeckhandError(
      last.code,
      `No source served the image. Tried, in order: ${attempts.map((a) => `${a.source}: ${a.message}`).join(' | ')}`,
      { cause: last, detail: { ...(last.detail ?? {}), attempts } },
    );
  }

  blob(descriptor: Descriptor): BlobReader {
    const { client, source } = this.opened!;
    return registryBlob(client, source.ref.path, descriptor.digest);
  }

  async close(): Promise<void> {
    await this.opened?.client.close();
  }
}
