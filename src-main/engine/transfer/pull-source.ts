/**
 * Where a pull (or the source side of a registry copy) reads from, after registries.conf: the
 * short name resolved to candidates, each candidate's mirrors and primary location, tried in order
 * until one serves the manifest. Credentials are looked up for the host actually contacted, so a
 * mirror never receives the primary's; `--tls-verify` given explicitly wins over `insecure`.
 */
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import { formatReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { Platform } from '../../../src-shared/oci/platform.ts';
import type { Credentials } from '../registry/auth.ts';
import { RegistryClient } from '../registry/client.ts';
import { findCredentials } from '../config/auth-file.ts';
import { loadRegistriesConf, type RegistriesConf } from '../config/registries-conf.ts';
import { pullSources, type PullSource } from '../config/registry-match.ts';
import { resolveShortName } from '../config/short-names.ts';
import { resolveRemote, type RemoteImage } from './remote-image.ts';

export interface PullPlan {
  /** The fully-qualified name the image is known by (and stored under). */
  logical: ImageReference;
  sources: PullSource[];
}

/** Candidates for `input`, each with its sources. Throws ESHORTNAME, EBLOCKED (when nothing is left) or EREFERENCE. */
export function planPull(conf: RegistriesConf, input: string | ImageReference): PullPlan[] {
  const candidates = typeof input === 'string' ? resolveShortName(conf, input).candidates : [input];
  const plans: PullPlan[] = [];
  let blocked: unknown;
  for (const logical of candidates) {
    try {
      plans.push({ logical, sources: pullSources(conf, logical) });
    } catch (e) {
      if (!isDeckhandError(e, 'EBLOCKED')) throw e;
      blocked ??= e;
    }
  }
  if (plans.length === 0) throw blocked;
  return plans;
}

export async function planPullFromEnv(input: string | ImageReference, env: NodeJS.ProcessEnv | undefined): Promise<PullPlan[]> {
  return planPull(await loadRegistriesConf(env ?? process.env), input);
}

export interface OpenedSource {
  logical: ImageReference;
  source: PullSource;
  client: RegistryClient;
  remote: RemoteImage;
}

export interface OpenOptions {
  platform: Platform;
  allPlatforms?: boolean;
  tlsVerify?: boolean;
  /** `--cert-dir`: CA and client certificates for every source, instead of each host's certs.d. */
  certDir?: string;
  /** For the primary location only; mirrors use their own host's stored credentials. */
  credentials?: Credentials;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Errors that would be the same at every other source: stop at once. */
const FINAL = new Set(['ECANCELLED', 'ENO_PLATFORM', 'EAUTH_CONFIG', 'ECONFIG', 'EMANIFEST']);

/** Tries each plan's sources in order; the first that serves the manifest wins (its client stays open). */
export async function openFirstSource(plans: PullPlan[], opts: OpenOptions): Promise<OpenedSource> {
  const failures: Array<{ where: string; error: unknown }> = [];
  for (const plan of plans) {
    for (const source of plan.sources) {
      const credentials = source.mirror === undefined && opts.credentials ? opts.credentials : await findCredentials(source.ref.domain, source.ref.path, opts.env);
      const tlsVerify = opts.tlsVerify ?? (source.insecure ? false : undefined);
      const client = new RegistryClient({ domain: source.ref.domain, ...(credentials ? { credentials } : {}), ...(tlsVerify === undefined ? {} : { tlsVerify }), ...(opts.certDir ? { certDir: opts.certDir } : {}), ...(opts.env ? { env: opts.env } : {}) });
      try {
        const remote = await resolveRemote(client, source.ref, opts);
        return { logical: plan.logical, source, client, remote };
      } catch (e) {
        await client.close();
        opts.signal?.throwIfAborted();
        if (!(e instanceof DeckhandError) || FINAL.has(e.code)) throw e;
        failures.push({ where: `${source.mirror !== undefined ? 'mirror ' : ''}${formatReference(source.ref)}`, error: e });
      }
    }
  }
  const last = failures[failures.length - 1]!.error as DeckhandError;
  if (failures.length === 1) throw last;
  const attempts = failures.map((f) => ({ source: f.where, code: (f.error as DeckhandError).code, message: (f.error as DeckhandError).message }));
  return Promise.reject(
    new DeckhandError(last.code, `No source served the image. Tried, in order: ${attempts.map((a) => `${a.source}: ${a.message}`).join(' | ')}`, { cause: last, detail: { ...(last.detail ?? {}), attempts } }),
  );
}
