/**
 * One registries.conf file (or drop-in), checked and normalized the way containers/image's
 * sysregistriesv2 post-processes it (containers-registries.conf(5)): types are strict, unknown keys
 * are refused, `location` and `prefix` lose a trailing "/", a missing `prefix` is the `location`,
 * only a `*.host` prefix may have no location, mirrors need a location, `pull-from-mirror` is a
 * mirror setting that excludes `mirror-by-digest-only`, and of two tables with one prefix the first
 * counts. Every error names the file and the key. The version 1 format is refused with the v2 text
 * to use instead.
 */
import { parse, TomlError } from 'smol-toml';
import * as v from 'valibot';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { isShortName, parseReference, repositoryName } from '../../../src-shared/oci/reference.ts';

export type ShortNameMode = 'enforcing' | 'permissive' | 'disabled';
export type PullFromMirror = 'all' | 'digest-only' | 'tag-only';

export interface MirrorRule {
  location: string;
  insecure: boolean;
  pullFromMirror: PullFromMirror;
}

export interface RegistryRule {
  prefix: string;
  /** '' only for a `*.host` prefix: matching names are used as they are. */
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrorByDigestOnly: boolean;
  mirrors: MirrorRule[];
  /** The file the rule came from, for messages. */
  file: string;
}

/** An alias's fully-qualified repository, or null where a later file erased it (`name = ""`). */
export interface AliasEntry {
  value: string | null;
  file: string;
}

export interface FileConfig {
  file: string;
  searchRegistries: string[] | undefined;
  shortNameMode: ShortNameMode | undefined;
  registries: RegistryRule[];
  aliases: Map<string, AliasEntry>;
}

const str = v.string();
const bool = v.boolean();
const Mirror = v.strictObject({
  location: v.optional(str),
  insecure: v.optional(bool),
  'pull-from-mirror': v.optional(v.picklist(['', 'all', 'digest-only', 'tag-only'])),
});
const Registry = v.strictObject({
  prefix: v.optional(str),
  location: v.optional(str),
  insecure: v.optional(bool),
  blocked: v.optional(bool),
  'mirror-by-digest-only': v.optional(bool),
  'pull-from-mirror': v.optional(str),
  mirror: v.optional(v.array(Mirror)),
});
const Aliases = v.record(str, str);
const RegistriesFile = v.strictObject({
  'unqualified-search-registries': v.optional(v.array(str)),
  'short-name-mode': v.optional(v.picklist(['', 'enforcing', 'permissive', 'disabled'])),
  // Read by other tools (credential helpers, additional layer stores); checked, not used here.
  'credential-helpers': v.optional(v.array(str)),
  'additional-layer-store-auth-helper': v.optional(str),
  registry: v.optional(v.array(Registry)),
  aliases: v.optional(Aliases),
});
const AliasesFile = v.strictObject({ aliases: v.optional(Aliases) });

export function configError(file: string, key: string | undefined, why: string): DeckhandError {
  return new DeckhandError('ECONFIG', `${file}${key ? `: ${key}` : ''}: ${why}. See containers-registries.conf(5).`, {
    detail: { file, ...(key ? { key } : {}) },
  });
}

function keyPath(path: ReadonlyArray<{ key: unknown }> | undefined): string {
  let out = '';
  for (const p of path ?? []) out += typeof p.key === 'number' ? `[${p.key}]` : `${out ? '.' : ''}${String(p.key)}`;
  return out;
}

function checked<T>(schema: v.GenericSchema<unknown, T>, doc: unknown, file: string): T {
  const result = v.safeParse(schema, doc);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const key = keyPath(issue.path as ReadonlyArray<{ key: unknown }> | undefined);
  const why =
    issue.type === 'strict_object'
      ? `unknown key ${issue.received}`
      : issue.type === 'picklist'
        ? `must be one of ${issue.expected}, not ${issue.received}`
        : `expected ${issue.expected}, got ${issue.received}`;
  throw configError(file, key, why);
}

export function parseToml(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (e) {
    const where = e instanceof TomlError ? ` (line ${e.line}, column ${e.column})` : '';
    throw configError(file, undefined, `not valid TOML${where}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** `location` / `prefix` as containers/image cleans them: no trailing "/", no URL scheme. */
function cleanLocation(value: string, file: string, key: string): string {
  const trimmed = value.replace(/\/+$/, '');
  if (/^https?:\/\//.test(trimmed)) throw configError(file, key, `"${value}" has a URL scheme; write the host without http:// or https://`);
  return trimmed;
}

const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;

function v1Error(doc: Record<string, unknown>, file: string): DeckhandError {
  const reg = (doc.registries ?? {}) as Record<string, { registries?: unknown } | undefined>;
  const list = (k: string) =>
    Array.isArray(reg[k]?.registries) ? (reg[k]!.registries as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  const lines: string[] = [];
  if (list('search').length) lines.push(`unqualified-search-registries = ${JSON.stringify(list('search'))}`);
  for (const host of list('insecure')) lines.push(`[[registry]] location = "${host}" insecure = true`);
  for (const host of list('block')) lines.push(`[[registry]] location = "${host}" blocked = true`);
  const suggestion = lines.length ? ` In version 2 this reads: ${lines.join('; ')} (one key per line)` : '';
  return configError(
    file,
    'registries',
    `uses the version 1 format ([registries.search], [registries.insecure], [registries.block]), which Deckhand does not read; convert the file to version 2.${suggestion}`,
  );
}

/** Aliases: the name is a short name without tag or digest; the value a fully-qualified repository, or "" to erase. */
export function checkAliases(raw: Record<string, string>, file: string): Map<string, AliasEntry> {
  const out = new Map<string, AliasEntry>();
  for (const [name, value] of Object.entries(raw)) {
    const key = `aliases."${name}"`;
    let named;
    try {
      named = parseReference(name, { defaultTag: false });
    } catch {
      throw configError(file, key, `"${name}" is not a valid image name`);
    }
    if (!isShortName(name)) throw configError(file, key, `"${name}" names a registry; an alias must be a short name`);
    if (named.tag !== undefined || named.digest !== undefined)
      throw configError(file, key, `"${name}" has a tag or digest; an alias name must not`);
    if (value === '') {
      out.set(name, { value: null, file });
      continue;
    }
    let target;
    try {
      target = parseReference(value, { defaultTag: false });
    } catch {
      throw configError(file, key, `"${value}" is not a valid image name`);
    }
    if (isShortName(value)) throw configError(file, key, `"${value}" must be fully qualified (registry/repository)`);
    if (target.tag !== undefined || target.digest !== undefined)
      throw configError(file, key, `"${value}" has a tag or digest; an alias value must not`);
    out.set(name, { value: repositoryName(target), file });
  }
  return out;
}

function checkRegistries(raw: v.InferOutput<typeof Registry>[], file: string): RegistryRule[] {
  const rules: RegistryRule[] = [];
  const seen = new Set<string>();
  const byLocation = new Map<string, RegistryRule>();
  raw.forEach((r, i) => {
    const at = `registry[${i}]`;
    const location = r.location === undefined ? '' : cleanLocation(r.location, file, `${at}.location`);
    let prefix = r.prefix === undefined || r.prefix === '' ? location : cleanLocation(r.prefix, file, `${at}.prefix`);
    if (prefix === '') throw configError(file, at, 'has neither prefix nor location');
    if (prefix.includes('*')) {
      if (!prefix.startsWith('*.') || /[/@:]/.test(prefix) || prefix.indexOf('*', 1) >= 0)
        throw configError(file, `${at}.prefix`, `a wildcard prefix is "*.host" with no port, path, tag or digest; "${prefix}" is not`);
      prefix = prefix.toLowerCase();
    } else if (location === '') {
      throw configError(file, `${at}.location`, `is unset, which only a "*.host" prefix allows`);
    }
    if (r['pull-from-mirror'] !== undefined && r['pull-from-mirror'] !== '')
      throw configError(file, `${at}.pull-from-mirror`, 'is a setting of a [[registry.mirror]], not of the registry');
    const mirrors = (r.mirror ?? []).map((m, j): MirrorRule => {
      const mat = `${at}.mirror[${j}]`;
      const loc = m.location === undefined ? '' : cleanLocation(m.location, file, `${mat}.location`);
      if (loc === '') throw configError(file, `${mat}.location`, 'a mirror needs a location');
      const pfm = m['pull-from-mirror'] || 'all';
      if (r['mirror-by-digest-only'] && m['pull-from-mirror'])
        throw configError(file, `${mat}.pull-from-mirror`, `cannot be set when ${at}.mirror-by-digest-only is`);
      return { location: loc, insecure: m.insecure ?? false, pullFromMirror: pfm };
    });
    const rule: RegistryRule = {
      prefix,
      location,
      insecure: r.insecure ?? false,
      blocked: r.blocked ?? false,
      mirrorByDigestOnly: r['mirror-by-digest-only'] ?? false,
      mirrors,
      file,
    };
    const same = byLocation.get(location || prefix);
    if (same && (same.insecure !== rule.insecure || same.blocked !== rule.blocked)) {
      throw configError(
        file,
        at,
        `"${location || prefix}" appears in more than one [[registry]] with different insecure or blocked settings`,
      );
    }
    byLocation.set(location || prefix, rule);
    // As in containers/image: of two tables with the same prefix, the first one counts.
    if (!seen.has(prefix)) rules.push(rule);
    seen.add(prefix);
  });
  return rules;
}

/** Parses and checks one registries.conf file's text. Drop-ins must be version 2. */
export function parseRegistriesConf(text: string, file: string): FileConfig {
  const doc = parseToml(text, file);
  if (doc.registries !== undefined) throw v1Error(doc, file);
  const conf = checked(RegistriesFile, doc, file);
  const search = conf['unqualified-search-registries']?.map((s, i) => {
    const host = cleanLocation(s, file, `unqualified-search-registries[${i}]`);
    if (!HOST.test(host)) throw configError(file, `unqualified-search-registries[${i}]`, `"${s}" is not a host[:port]`);
    return host;
  });
  const mode = conf['short-name-mode'];
  return {
    file,
    searchRegistries: search,
    shortNameMode: mode === undefined || mode === '' ? undefined : mode,
    registries: checkRegistries(conf.registry ?? [], file),
    aliases: checkAliases(conf.aliases ?? {}, file),
  };
}

/** The machine-written short-name-aliases.conf: an `[aliases]` table only. */
export function parseAliasesFile(text: string, file: string): Map<string, AliasEntry> {
  return checkAliases(checked(AliasesFile, parseToml(text, file), file).aliases ?? {}, file);
}
