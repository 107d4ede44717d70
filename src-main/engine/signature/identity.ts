/**
 * signedIdentity: does the docker-reference a signature claims fit the image being pulled?
 * Semantics of containers/image signature/policy_reference_match.go, per containers-policy.json(5).
 * `intended` is the reference the user asked for (name:tag or name@digest).
 */
import { parseReference, repositoryName, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { SignedIdentity } from '../config/policy.ts';

function parseSigned(s: string): ImageReference | undefined {
  try {
    return parseReference(s, { defaultTag: false });
  } catch {
    return undefined;
  }
}

/** A reference as a single string with only one of tag and digest, as Docker's reference.String() has it. */
function canonical(r: ImageReference): string | undefined {
  if (r.digest) return `${repositoryName(r)}@${r.digest}`;
  if (r.tag) return `${repositoryName(r)}:${r.tag}`;
  return undefined;
}

function matchExact(intended: ImageReference, signed: ImageReference): boolean {
  const a = canonical(intended);
  return a !== undefined && a === canonical(signed);
}

function matchRepoDigestOrExact(intended: ImageReference, signed: ImageReference): boolean {
  return intended.digest ? repositoryName(intended) === repositoryName(signed) : matchExact(intended, signed);
}

/** Name-prefix match at a `/` boundary (containers/image refMatchesPrefix). */
function hasPrefix(name: string, prefix: string): boolean {
  return name === prefix || (name.startsWith(prefix) && name[prefix.length] === '/');
}

export function identityLabel(id: SignedIdentity | undefined): string {
  if (!id) return 'matchRepoDigestOrExact';
  switch (id.type) {
    case 'exactReference':
      return `exactReference ${id.dockerReference}`;
    case 'exactRepository':
      return `exactRepository ${id.dockerRepository}`;
    case 'remapIdentity':
      return `remapIdentity ${id.prefix} → ${id.signedPrefix}`;
    default:
      return id.type;
  }
}

/** True when `signedReference` (from a verified payload) satisfies `rule` for `intended`. */
export function identityMatches(rule: SignedIdentity | undefined, intended: ImageReference, signedReference: string): boolean {
  const signed = parseSigned(signedReference);
  if (!signed) return false;
  const type = rule?.type ?? 'matchRepoDigestOrExact';
  switch (type) {
    case 'matchExact':
      return matchExact(intended, signed);
    case 'matchRepoDigestOrExact':
      return matchRepoDigestOrExact(intended, signed);
    case 'matchRepository':
      return repositoryName(intended) === repositoryName(signed);
    case 'exactReference': {
      const want = parseSigned((rule as { dockerReference: string }).dockerReference);
      return !!want && canonical(want) !== undefined && canonical(want) === canonical(signed);
    }
    case 'exactRepository': {
      const want = parseSigned((rule as { dockerRepository: string }).dockerRepository);
      return !!want && repositoryName(want) === repositoryName(signed);
    }
    case 'remapIdentity': {
      const { prefix, signedPrefix } = rule as { prefix: string; signedPrefix: string };
      const name = repositoryName(intended);
      if (!hasPrefix(name, prefix)) return matchRepoDigestOrExact(intended, signed);
      const remapped = parseSigned(
        `${signedPrefix}${name.slice(prefix.length)}${intended.tag !== undefined && !intended.digest ? `:${intended.tag}` : ''}${intended.digest ? `@${intended.digest}` : ''}`,
      );
      return !!remapped && matchRepoDigestOrExact(remapped, signed);
    }
  }
  return false;
}
