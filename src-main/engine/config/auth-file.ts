/**
 * Credentials from the files Podman and Docker users already have, read in containers-auth.json(5)
 * order: the primary file ($REGISTRY_AUTH_FILE if set, else $XDG_RUNTIME_DIR/containers/auth.json),
 * then ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json, the Docker config ($DOCKER_CONFIG/config.json
 * or ~/.docker/config.json) and the legacy ~/.dockercfg. The first file that has credentials wins.
 *
 * Within a file: a `credHelpers` entry for the registry wins (its `auths` are then not used for that
 * registry, as containers-auth.json(5) says); else the most specific `auths` key (`host/ns/repo`,
 * `host/ns`, `host`, and Docker Hub's legacy `https://index.docker.io/v1/`); else the file's
 * `credsStore` (Docker's default helper). Entries may hold `auth` (base64 user:password),
 * `username`/`password`, or an `identitytoken` (an OAuth2 refresh token, see registry/auth.ts).
 * https://github.com/containers/image/blob/main/docs/containers-auth.json.5.md
 *
 * A process may add its own credential sources (the desktop app's keychain-encrypted logins,
 * host/app-logins.ts); they are asked first. Nothing here logs a secret or puts one in an error.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DeckhandError } from '../../../src-shared/errors.ts';
import type { Credentials } from '../registry/auth.ts';
import { isErrno } from '../store/fsutil.ts';
import { helperGet } from './cred-helper.ts';

export interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

export interface AuthFileDoc {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  [other: string]: unknown;
}

/** Where `deckhand login` writes: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json as podman does (Linux), else ~/.config/containers/auth.json. */
export function primaryAuthFile(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (env.REGISTRY_AUTH_FILE) return env.REGISTRY_AUTH_FILE;
  if (env.XDG_RUNTIME_DIR && process.platform !== 'darwin' && process.platform !== 'win32')
    return join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'containers', 'auth.json');
}

const LEGACY_DOCKERCFG = '.dockercfg';

/** Every file read for credentials, in lookup order. */
export function authFilePaths(env: NodeJS.ProcessEnv = process.env, home = homedir()): string[] {
  const paths = [
    primaryAuthFile(env, home),
    join(env.XDG_CONFIG_HOME || join(home, '.config'), 'containers', 'auth.json'),
    join(env.DOCKER_CONFIG || join(home, '.docker'), 'config.json'),
    join(home, LEGACY_DOCKERCFG),
  ];
  return [...new Set(paths)];
}

/** Keys to look up for a repository, most specific first. */
export function lookupKeys(domain: string, repositoryPath: string): string[] {
  const keys: string[] = [];
  const parts = repositoryPath.split('/').filter(Boolean);
  for (let n = parts.length; n >= 1; n--) keys.push(`${domain}/${parts.slice(0, n).join('/')}`);
  keys.push(domain);
  if (domain === 'docker.io') keys.push('https://index.docker.io/v1/', 'index.docker.io', 'registry-1.docker.io');
  return keys;
}

/** An auth file key as lookupKeys writes it: no scheme, no trailing slash or /v1 /v2. */
export function normalizeKey(key: string): string {
  return key
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')
    .replace(/\/v[12]$/, '');
}

/** Reads an auth file; undefined when it does not exist or cannot be read. The legacy ~/.dockercfg is its `auths` map alone. */
export async function readAuthFile(file: string): Promise<AuthFileDoc | undefined> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    if (isErrno(e, 'ENOENT', 'ENOTDIR', 'EACCES', 'EISDIR')) return undefined;
    if (e instanceof SyntaxError)
      throw new DeckhandError('EAUTH_CONFIG', `${file} is not valid JSON; fix or remove it.`, { detail: { file } });
    throw e;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new DeckhandError('EAUTH_CONFIG', `${file} is not a JSON object; fix or remove it.`, { detail: { file } });
  if (file.endsWith(`/${LEGACY_DOCKERCFG}`) && !('auths' in doc)) return { auths: doc as Record<string, AuthEntry> };
  return doc as AuthFileDoc;
}

/** The helper a file's `credHelpers` names for a registry (Docker Hub under any of its names). */
export function credHelperFor(doc: AuthFileDoc, domain: string): string | undefined {
  const helpers = doc.credHelpers;
  if (typeof helpers !== 'object' || helpers === null) return undefined;
  const names = domain === 'docker.io' ? ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/'] : [domain];
  for (const [key, helper] of Object.entries(helpers)) {
    if (typeof helper === 'string' && helper && names.some((n) => n === key || n === normalizeKey(key))) return helper;
  }
  return undefined;
}

function decode(entry: AuthEntry, file: string, key: string): Credentials | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (typeof entry.username === 'string' && typeof entry.password === 'string' && entry.password)
    return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const text = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) {
    throw new DeckhandError(
      'EAUTH_CONFIG',
      `The credentials for ${key} in ${file} are malformed (the "auth" field must be base64 of "user:password"). Run \`deckhand login\` again to replace them.`,
      { detail: { file, key } },
    );
  }
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The credentials in a file's `auths` for the most specific key that has some. */
export function entryFor(doc: AuthFileDoc, file: string, domain: string, repositoryPath: string): Credentials | undefined {
  const auths = typeof doc.auths === 'object' && doc.auths !== null ? doc.auths : {};
  const normalized = new Map(Object.entries(auths).map(([k, v]) => [normalizeKey(k), v] as const));
  for (const key of lookupKeys(domain, repositoryPath)) {
    const entry = Object.hasOwn(auths, key) ? auths[key] : normalized.get(normalizeKey(key));
    if (entry) {
      const creds = decode(entry, file, key);
      if (creds) return creds;
    }
  }
  return undefined;
}

/** A process-wide source of credentials asked before the files (the desktop app's own logins). */
export interface CredentialSource {
  find(domain: string, repositoryPath: string): Promise<Credentials | undefined>;
  /** The registry hosts it has logins for (host names only, for the registries list). */
  hosts?(): Promise<string[]>;
}

const sources = new Set<CredentialSource>();

/** Adds a source asked before the auth files; returns the function that removes it again. */
export function addCredentialSource(source: CredentialSource): () => void {
  sources.add(source);
  return () => void sources.delete(source);
}

/** Hosts the added sources have logins for. */
export async function credentialSourceHosts(): Promise<string[]> {
  const lists = await Promise.all([...sources].map((s) => s.hosts?.() ?? Promise.resolve([])));
  return lists.flat();
}

/** Finds stored credentials for a repository, or undefined for anonymous access. Never logs secrets. */
/** A place the auth files say holds a registry's credentials: a helper to ask, or an entry read from a file. */
export type CredentialPlace =
  { kind: 'helper'; helper: string; configuredIn: string } | { kind: 'entry'; credentials: Credentials; file: string };

/**
 * Where the auth files say to look, in the order lookups try: per file, a `credHelpers` entry for
 * the registry (its `auths` are then skipped), else the most specific `auths` entry, else `credsStore`.
 */
export async function* credentialPlaces(
  domain: string,
  repositoryPath: string,
  env: NodeJS.ProcessEnv = process.env,
): AsyncGenerator<CredentialPlace> {
  for (const file of authFilePaths(env)) {
    const doc = await readAuthFile(file);
    if (!doc) continue;
    const helper = credHelperFor(doc, domain);
    if (helper) {
      yield { kind: 'helper', helper, configuredIn: `credHelpers of ${file}` };
      continue;
    }
    const credentials = entryFor(doc, file, domain, repositoryPath);
    if (credentials) yield { kind: 'entry', credentials, file };
    if (typeof doc.credsStore === 'string' && doc.credsStore)
      yield { kind: 'helper', helper: doc.credsStore, configuredIn: `credsStore of ${file}` };
  }
}

export async function findCredentials(
  domain: string,
  repositoryPath: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Credentials | undefined> {
  for (const source of sources) {
    const creds = await source.find(domain, repositoryPath);
    if (creds) return creds;
  }
  for await (const place of credentialPlaces(domain, repositoryPath, env)) {
    if (place.kind === 'entry') return place.credentials;
    const creds = await helperGet(place.helper, domain, { env, configuredIn: place.configuredIn });
    if (creds) return creds;
  }
  return undefined;
}
