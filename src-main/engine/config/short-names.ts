/**
 * Short names (containers-registries.conf(5), "Short-Name Aliasing"): a name whose first component
 * has no "." or ":" and is not `localhost` (`nginx`, `team/app:1`) names no registry. An alias
 * (tag and digest stripped for the lookup, put back after) settles it; otherwise
 * `unqualified-search-registries` gives the candidates. One candidate is used as is. With several,
 * `enforcing` refuses (ESHORTNAME, listing them, as Podman does without a terminal to prompt on) and
 * `permissive` / `disabled` try them in order. With no search registries configured, a short name
 * keeps meaning Docker Hub, as it always has in Deckhand.
 */
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'smol-toml';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { formatReference, isShortName, parseReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import { isErrno, writeFileAtomic } from '../store/fsutil.ts';
import { checkAliases, parseAliasesFile } from './registries-conf-schema.ts';
import { shortNameAliasesPath, type RegistriesConf } from './registries-conf.ts';

export interface ShortNameResolution {
  /** Fully-qualified references to try, in order (one unless the mode lets several be tried). */
  candidates: ImageReference[];
  /** The input was a short name. */
  short: boolean;
  /** The alias that settled it, with the file it came from. */
  alias?: { name: string; value: string; file: string };
}

/** `nginx:1@sha256:…` → { name: 'nginx', tag: '1', digest: 'sha256:…' } as written (no normalization). */
function splitName(input: string): { name: string; suffix: string } {
  const at = input.indexOf('@');
  const noDigest = at < 0 ? input : input.slice(0, at);
  const colon = noDigest.lastIndexOf(':');
  const name = colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
  return { name, suffix: input.slice(name.length) };
}

export function resolveShortName(
  conf: Pick<RegistriesConf, 'aliases' | 'searchRegistries' | 'searchOrigin' | 'shortNameMode' | 'modeOrigin' | 'aliasesFile'>,
  input: string,
): ShortNameResolution {
  const parsed = parseReference(input);
  if (!isShortName(input)) return { candidates: [parsed], short: false };
  const { name, suffix } = splitName(input);
  const alias = conf.aliases.get(name);
  if (alias?.value) {
    const ref = parseReference(alias.value + suffix);
    return { candidates: [ref], short: true, alias: { name, value: alias.value, file: alias.file } };
  }
  if (conf.searchRegistries.length === 0) return { candidates: [parsed], short: true };
  const candidates = conf.searchRegistries.map((host) => parseReference(`${host}/${input}`));
  if (candidates.length === 1 || conf.shortNameMode !== 'enforcing') return { candidates, short: true };
  const names = candidates.map(formatReference);
  throw new DeckhandError(
    'ESHORTNAME',
    `"${input}" is a short name and ${names.length} registries could serve it: ${names.join(', ')} (unqualified-search-registries in ${conf.searchOrigin ?? 'registries.conf'}; short-name-mode is enforcing${conf.modeOrigin ? ` in ${conf.modeOrigin}` : ' by default'}). Use one of these fully-qualified names, or settle it with an alias: "${name}" = "REGISTRY/REPOSITORY" under [aliases] in registries.conf or ${conf.aliasesFile}.`,
    { detail: { input, shortName: name, candidates: names, mode: conf.shortNameMode } },
  );
}

/**
 * Records `name` → `value` (a fully-qualified repository, no tag or digest) in the user's
 * short-name-aliases.conf, where Podman records the choices made at its prompt, so later short-name
 * pulls (by Deckhand and Podman) use it. Other aliases in the file are kept; the write is atomic.
 */
export async function recordShortNameAlias(
  name: string,
  value: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ file: string; name: string; value: string }> {
  const file = shortNameAliasesPath(env);
  const checked = checkAliases({ [name]: value }, file).get(name);
  if (!checked?.value)
    throw new DeckhandError('EUSAGE', `An alias for "${name}" needs a fully-qualified repository such as registry.example.com/team/app.`);
  let existing = new Map<string, { value: string | null }>();
  try {
    existing = parseAliasesFile(await readFile(file, 'utf8'), file);
  } catch (e) {
    if (!isErrno(e, 'ENOENT')) throw e;
  }
  const aliases: Record<string, string> = {};
  for (const [k, entry] of existing) aliases[k] = entry.value ?? '';
  aliases[name] = checked.value;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${stringify({ aliases })}\n`);
  await chmod(file, 0o600).catch(() => undefined);
  return { file, name, value: checked.value };
}
