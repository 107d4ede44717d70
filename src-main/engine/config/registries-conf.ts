/**
 * registries.conf as Podman reads it (containers-registries.conf(5), containers-registries.conf.d(5),
 * and containers/image's sysregistriesv2 for what the pages leave open):
 *
 * - the main file is $CONTAINERS_REGISTRIES_CONF if set (it must exist), else
 *   ~/.config/containers/registries.conf if it exists, else /etc/containers/registries.conf (if any);
 * - drop-ins (`*.conf`, alphanumeric order) come from $CONTAINERS_REGISTRIES_CONF_DIR alone if set;
 *   otherwise from ~/.config/containers/registries.conf.d, preceded by /etc/containers/registries.conf.d
 *   unless the main file is the user's own;
 * - a later file replaces `unqualified-search-registries` and `short-name-mode` when it sets them,
 *   replaces a `[[registry]]` with the same prefix and adds the others, and overrides aliases one by
 *   one (`name = ""` erases one);
 * - the machine-written short-name-aliases.conf ($XDG_CACHE_HOME or ~/.cache, then
 *   containers/short-name-aliases.conf) takes precedence over every alias in the files.
 *
 * With no file at all the result is empty: no rules, no search registries, and short names keep
 * meaning Docker Hub (see short-names.ts).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isErrno } from '../store/fsutil.ts';
import {
  configError,
  parseAliasesFile,
  parseRegistriesConf,
  type AliasEntry,
  type FileConfig,
  type RegistryRule,
  type ShortNameMode,
} from './registries-conf-schema.ts';

export type { AliasEntry, MirrorRule, PullFromMirror, RegistryRule, ShortNameMode } from './registries-conf-schema.ts';

/** Used when no file sets `short-name-mode`. containers/image defaults to permissive; Deckhand refuses to guess. */
export const DEFAULT_SHORT_NAME_MODE: ShortNameMode = 'enforcing';

export const SYSTEM_REGISTRIES_CONF = '/etc/containers/registries.conf';
export const SYSTEM_REGISTRIES_CONF_DIR = '/etc/containers/registries.conf.d';

export interface RegistriesConf {
  /** Every file read, in order (the main file, drop-ins, the aliases file); empty without any. */
  files: string[];
  searchRegistries: string[];
  /** The file that set `unqualified-search-registries`. */
  searchOrigin: string | undefined;
  shortNameMode: ShortNameMode;
  /** The file that set `short-name-mode`, or undefined for the default. */
  modeOrigin: string | undefined;
  /** Sorted by prefix; at most one per prefix. */
  registries: RegistryRule[];
  /** Aliases from the files, then short-name-aliases.conf over them; a null value was erased. */
  aliases: Map<string, AliasEntry>;
  /** Where recorded aliases go (see recordShortNameAlias). */
  aliasesFile: string;
}

export interface RegistriesConfLocations {
  main: string;
  /** Set through the environment: a missing file is an error, not an empty configuration. */
  explicit: boolean;
  dropInDirs: string[];
  aliasesFile: string;
}

function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

export function shortNameAliasesPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homeOf(env), '.cache'), 'containers', 'short-name-aliases.conf');
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export async function registriesConfLocations(env: NodeJS.ProcessEnv = process.env): Promise<RegistriesConfLocations> {
  const home = homeOf(env);
  const userFile = join(home, '.config', 'containers', 'registries.conf');
  const userDir = join(home, '.config', 'containers', 'registries.conf.d');
  const dirOverride = env.CONTAINERS_REGISTRIES_CONF_DIR || undefined;
  const aliasesFile = shortNameAliasesPath(env);
  const explicitFile = env.CONTAINERS_REGISTRIES_CONF || env.REGISTRIES_CONFIG_PATH || undefined;
  if (explicitFile)
    return {
      main: explicitFile,
      explicit: true,
      dropInDirs: dirOverride ? [dirOverride] : [SYSTEM_REGISTRIES_CONF_DIR, userDir],
      aliasesFile,
    };
  if (await isFile(userFile)) return { main: userFile, explicit: false, dropInDirs: [dirOverride ?? userDir], aliasesFile };
  return {
    main: SYSTEM_REGISTRIES_CONF,
    explicit: false,
    dropInDirs: dirOverride ? [dirOverride] : [SYSTEM_REGISTRIES_CONF_DIR, userDir],
    aliasesFile,
  };
}

async function readOptional(path: string, required: boolean, what: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if (isErrno(e, 'ENOENT', 'ENOTDIR') && !required) return undefined;
    if (isErrno(e, 'ENOENT', 'ENOTDIR')) throw configError(path, undefined, `${what} names this file, which does not exist`);
    if (isErrno(e, 'EISDIR')) throw configError(path, undefined, 'is a folder, not a file');
    throw configError(path, undefined, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

async function dropIns(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((d) => !d.isDirectory() && d.name.endsWith('.conf')).map((d) => d.name);
  } catch (e) {
    if (isErrno(e, 'ENOENT', 'ENOTDIR')) return [];
    throw configError(dir, undefined, `cannot be listed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return names.sort().map((n) => join(dir, n));
}

/** Folds files in order: later settings replace earlier ones, registries by prefix, aliases by name. */
export function mergeConfigs(files: FileConfig[], aliasesFile: string): RegistriesConf {
  const out: RegistriesConf = {
    files: files.map((f) => f.file),
    searchRegistries: [],
    searchOrigin: undefined,
    shortNameMode: DEFAULT_SHORT_NAME_MODE,
    modeOrigin: undefined,
    registries: [],
    aliases: new Map(),
    aliasesFile,
  };
  const byPrefix = new Map<string, RegistryRule>();
  for (const f of files) {
    for (const r of f.registries) byPrefix.set(r.prefix, r);
    if (f.searchRegistries !== undefined) {
      out.searchRegistries = f.searchRegistries;
      out.searchOrigin = f.file;
    }
    if (f.shortNameMode !== undefined) {
      out.shortNameMode = f.shortNameMode;
      out.modeOrigin = f.file;
    }
    for (const [name, entry] of f.aliases) out.aliases.set(name, entry);
  }
  out.registries = [...byPrefix.keys()].sort().map((k) => byPrefix.get(k)!);
  return out;
}

/** Reads the registries configuration for one operation (it is not cached: edits apply to the next one). */
export async function loadRegistriesConf(env: NodeJS.ProcessEnv = process.env): Promise<RegistriesConf> {
  const where = await registriesConfLocations(env);
  const parsed: FileConfig[] = [];
  const main = await readOptional(where.main, where.explicit, 'CONTAINERS_REGISTRIES_CONF');
  if (main !== undefined) parsed.push(parseRegistriesConf(main, where.main));
  for (const dir of where.dropInDirs) {
    for (const file of await dropIns(dir)) {
      const text = await readOptional(file, false, 'registries.conf.d');
      if (text !== undefined) parsed.push(parseRegistriesConf(text, file));
    }
  }
  const aliasesText = await readOptional(where.aliasesFile, false, 'short-name-aliases.conf');
  if (aliasesText !== undefined)
    parsed.push({
      file: where.aliasesFile,
      searchRegistries: undefined,
      shortNameMode: undefined,
      registries: [],
      aliases: parseAliasesFile(aliasesText, where.aliasesFile),
    });
  return mergeConfigs(parsed, where.aliasesFile);
}

/** The configuration of a machine with no registries.conf: today's behaviour (Docker Hub for short names). */
export function emptyRegistriesConf(env: NodeJS.ProcessEnv = process.env): RegistriesConf {
  return mergeConfigs([], shortNameAliasesPath(env));
}
