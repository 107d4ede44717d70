/**
 * Where a pull (or the source side of a registry copy) reads from, after registries.conf: the
 * short name resolved to candidates, each candidate's mirrors and primary location, tried in order
 * until one serves the manifest (transfer/registry-source.ts does the trying).
 */
import { isDeckhandError } from '../../../src-shared/errors.ts';
import type { ImageReference } from '../../../src-shared/oci/reference.ts';
import type { RegistriesConf } from './registries-conf.ts';
import { pullSources, type PullSource } from './registry-match.ts';
import { resolveShortName } from './short-names.ts';

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
