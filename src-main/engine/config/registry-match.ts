/**
 * Which `[[registry]]` applies to a reference, and where a pull or push of it really goes
 * (containers-registries.conf(5), "Choosing a [[registry]] TOML table" and "Remapping and mirroring
 * registries"):
 *
 * - a prefix matches a reference that equals it or continues it at "/", "@" or, after a
 *   repository, ":" (a tag); the longest matching prefix wins. Unlike containers/image, a host-only
 *   prefix does not match the same host with a port (`example.com` is not `example.com:5000`),
 *   which its own source calls unintended.
 * - `*.example.com` matches any subdomain of example.com (not example.com itself), with or without
 *   a port, at the start of the reference only.
 * - `location` replaces the matched part; the rest of the reference is appended.
 * - a pull tries the mirrors in order (subject to `mirror-by-digest-only` and each mirror's
 *   `pull-from-mirror`), then the primary location; a push goes to the reference as written,
 *   never to a mirror or a rewritten location (as containers/image does).
 * - a blocked registry refuses pulls and pushes, naming the file and the prefix.
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import { formatReference, parseReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { RegistriesConf, RegistryRule } from './registries-conf.ts';

/** Length of `ref` that `prefix` matches, or -1. `ref` is a full reference string (`host/repo:tag`). */
export function matchLength(ref: string, prefix: string): number {
  if (prefix.startsWith('*.')) {
    const suffix = prefix.slice(1).toLowerCase();
    const slash = ref.indexOf('/');
    const host = slash < 0 ? ref : ref.slice(0, slash);
    const hostname = host.replace(/:[0-9]+$/, '');
    if (hostname.length > suffix.length && hostname.toLowerCase().endsWith(suffix) && !hostname.startsWith('[')) return hostname.length;
    return -1;
  }
  if (prefix === '' || !ref.startsWith(prefix)) return -1;
  if (ref.length === prefix.length) return prefix.length;
  const next = ref[prefix.length];
  if (next === '/' || next === '@') return prefix.length;
  if (next === ':' && prefix.includes('/')) return prefix.length;
  return -1;
}

/** The rule with the longest prefix matching `ref`, if any. */
export function findRegistry(conf: Pick<RegistriesConf, 'registries'>, ref: string): RegistryRule | undefined {
  let best: RegistryRule | undefined;
  for (const rule of conf.registries) {
    if (matchLength(ref, rule.prefix) >= 0 && (!best || rule.prefix.length > best.prefix.length)) best = rule;
  }
  return best;
}

/** `ref` with the part `rule.prefix` matched replaced by `location` ('' keeps it as it is). */
export function rewriteReference(ref: ImageReference, rule: Pick<RegistryRule, 'prefix' | 'file'>, location: string): ImageReference {
  if (location === '') return ref;
  const text = formatReference(ref);
  const n = matchLength(text, rule.prefix);
  if (n < 0) throw new DeckhandError('EINTERNAL', `${rule.prefix} does not match ${text}.`);
  const rewritten = location + text.slice(n);
  try {
    return parseReference(rewritten, { defaultTag: false });
  } catch (e) {
    throw new DeckhandError(
      'ECONFIG',
      `${rule.file}: the [[registry]] with prefix "${rule.prefix}" turns ${text} into ${rewritten}, which is not a valid image reference; fix its location.`,
      { cause: e, detail: { file: rule.file, prefix: rule.prefix } },
    );
  }
}

export function blockedError(ref: ImageReference, rule: RegistryRule, action: 'pull' | 'push'): DeckhandError {
  const name = formatReference(ref);
  return new DeckhandError(
    'EBLOCKED',
    `Cannot ${action} ${name}: registries.conf blocks it (the [[registry]] with prefix "${rule.prefix}" in ${rule.file} sets blocked = true).`,
    { detail: { ref: name, prefix: rule.prefix, file: rule.file } },
  );
}

/** One place a pull may read an image from. */
export interface PullSource {
  /** The reference at that place (rewritten by `location`). */
  ref: ImageReference;
  /** Verify TLS unless the place is marked `insecure`. */
  insecure: boolean;
  /** The mirror's `location` when this is a mirror; undefined for the primary. */
  mirror: string | undefined;
}

/** Where a pull of `logical` goes, in order: eligible mirrors, then the primary. Throws EBLOCKED. */
export function pullSources(conf: Pick<RegistriesConf, 'registries'>, logical: ImageReference): PullSource[] {
  const rule = findRegistry(conf, formatReference(logical));
  if (!rule) return [{ ref: logical, insecure: false, mirror: undefined }];
  if (rule.blocked) throw blockedError(logical, rule, 'pull');
  const byDigest = logical.digest !== undefined;
  const mirrors = rule.mirrors.filter((m) =>
    rule.mirrorByDigestOnly ? byDigest : m.pullFromMirror === 'all' || (m.pullFromMirror === 'digest-only') === byDigest,
  );
  return [
    ...mirrors.map((m) => ({ ref: rewriteReference(logical, rule, m.location), insecure: m.insecure, mirror: m.location })),
    { ref: rewriteReference(logical, rule, rule.location), insecure: rule.insecure, mirror: undefined },
  ];
}

/** A push goes to `ref` itself; the matching rule may block it or mark it insecure. */
export function pushTarget(conf: Pick<RegistriesConf, 'registries'>, ref: ImageReference): { insecure: boolean } {
  const rule = findRegistry(conf, formatReference(ref));
  if (rule?.blocked) throw blockedError(ref, rule, 'push');
  return { insecure: rule?.insecure ?? false };
}
