/**
 * `deckhand copy SRC DEST` between transports, with the names skopeo uses: a plain reference is an
 * image in the store; `docker://REF` a registry; `oci:DIR[:REF]` an OCI layout directory. (Archives
 * are `deckhand save` and `deckhand load`.) An OCI layout is the store's own format, so the layout
 * cases reuse pull, push and the verifying layout copy; registry to registry streams blobs from one
 * to the other without touching the disk.
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import { formatReference, parseReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { Platform } from '../../../src-shared/oci/platform.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import { Store } from '../store/layout.ts';
import { listEntries, resolveOne } from '../store/catalog.ts';
import { copyBetweenLayouts } from './layout-copy.ts';
import { mirror } from './mirror.ts';
import { pull } from './pull.ts';
import { push } from './push.ts';

export type Endpoint =
  | { kind: 'store'; ref: string }
  | { kind: 'docker'; ref: ImageReference }
  | { kind: 'oci'; dir: string; ref: string | undefined };

const usage = 'Use a stored image name, docker://REGISTRY/REPO[:TAG|@DIGEST], or oci:DIR[:REF].';

/** Parses a copy endpoint. Like containers/image, `oci:` splits the directory at the first colon. */
export function parseEndpoint(s: string): Endpoint {
  if (s.startsWith('docker://')) return { kind: 'docker', ref: parseReference(s.slice('docker://'.length)) };
  if (s.startsWith('oci:')) {
    const rest = s.slice('oci:'.length);
    const colon = rest.indexOf(':');
    const dir = colon < 0 ? rest : rest.slice(0, colon);
    const ref = colon < 0 ? undefined : rest.slice(colon + 1);
    if (!dir) throw new DeckhandError('EUSAGE', `${s} names no directory. ${usage}`);
    if (ref === '') throw new DeckhandError('EUSAGE', `${s} ends with an empty reference. ${usage}`);
    return { kind: 'oci', dir, ref };
  }
  if (/^(oci-archive|docker-archive|docker-daemon|containers-storage|dir):/.test(s)) {
    throw new DeckhandError('EUSAGE', `${s.split(':')[0]}: is not a copy transport here. For archives use \`deckhand save\` and \`deckhand load\`. ${usage}`);
  }
  return { kind: 'store', ref: s };
}

export interface CopyOptions {
  platform: Platform;
  allPlatforms?: boolean;
  tlsVerify?: boolean;
  /** `--cert-dir`: CA and client certificates for the registry (both, registry to registry), instead of certs.d. */
  certDir?: string;
  env?: NodeJS.ProcessEnv;
  /** `--signature-policy PATH`: policy.json for a registry source instead of the user's or the system's. */
  signaturePolicy?: string;
  signal?: AbortSignal;
  onEvent?: TransferListener;
}

export interface CopyResult {
  ref: string;
  digest: string;
  /** Bytes that moved (downloaded, uploaded or written); 0 when the destination had everything. */
  bytes: number;
}

/** The name an image gets in a layout: a full reference in the store, as written in a plain layout (bare tags stay bare). */
function nameIn(dest: Endpoint & { kind: 'oci' | 'store' }, name: string): ImageReference | string {
  return dest.kind === 'store' || name.includes('/') ? parseReference(name) : name;
}

export async function copyImage(store: Store, srcText: string, destText: string, opts: CopyOptions): Promise<CopyResult> {
  const src = parseEndpoint(srcText);
  const dest = parseEndpoint(destText);
  const layoutOf = async (e: Endpoint): Promise<Store> => (e.kind === 'oci' ? Store.open(e.dir) : store);
  const pullOpts = { platform: opts.platform, allPlatforms: opts.allPlatforms ?? false, ...(opts.tlsVerify === undefined ? {} : { tlsVerify: opts.tlsVerify }), ...(opts.certDir ? { certDir: opts.certDir } : {}), ...(opts.env ? { env: opts.env } : {}), ...(opts.signaturePolicy ? { signaturePolicy: opts.signaturePolicy } : {}), ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) };

  if (src.kind === 'docker') {
    if (dest.kind === 'docker') {
      const r = await mirror(src.ref, dest.ref, pullOpts);
      return { ref: r.ref, digest: r.digest, bytes: r.uploadedBytes };
    }
    // Into a layout: pull there, then give it the requested name if one was asked for.
    const r = await pull(await layoutOf(dest), formatReference(src.ref), { ...pullOpts, tagAction: 'copy', ...(dest.ref ? { tagAs: nameIn(dest, dest.ref) } : {}) });
    return { ref: r.ref, digest: r.digest, bytes: r.fetchedBytes };
  }
  // A source layout must exist already: opening it as a destination would create one at a mistyped path.
  const from = src.kind === 'oci' ? await Store.openExisting(src.dir) : store;
  const input = src.kind === 'oci' ? (src.ref ?? (await onlyImage(from, src.dir))) : src.ref;
  if (dest.kind === 'docker') {
    const r = await push(from, input, formatReference(dest.ref), { ...(opts.tlsVerify === undefined ? {} : { tlsVerify: opts.tlsVerify }), ...(opts.certDir ? { certDir: opts.certDir } : {}), ...(opts.env ? { env: opts.env } : {}), ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) });
    return { ref: r.ref, digest: r.digest, bytes: r.uploadedBytes };
  }
  const to = await layoutOf(dest);
  const entry = await resolveOne(from, input);
  const target = nameIn(dest, dest.ref ?? entry.refName ?? input);
  const r = await copyBetweenLayouts(from, to, input, target, { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) });
  return { ref: typeof target === 'string' ? target : formatReference(target), digest: r.digest, bytes: r.copiedBytes };
}

/** `oci:DIR` without a reference means the layout's only image, as in skopeo. */
async function onlyImage(layout: Store, dir: string): Promise<string> {
  const entries = await listEntries(layout);
  if (entries.length !== 1) throw new DeckhandError('EUSAGE', `oci:${dir} holds ${entries.length} images; name one as oci:${dir}:REF.`);
  return entries[0]!.descriptor.digest;
}
