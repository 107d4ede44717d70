/**
 * Credentials from the files Podman and Docker users already have, read in containers-auth.json(5)
 * order: $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json,
 * ~/.config/containers/auth.json, then the Docker config ($DOCKER_CONFIG/config.json or
 * ~/.docker/config.json). Within a file the most specific key wins: `host/ns/repo`, `host/ns`, `host`
 * (and the legacy `https://index.docker.io/v1/` key for docker.io).
 * https://github.com/containers/image/blob/main/docs/containers-auth.json.5.md
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DeckhandError } from '../../../src-shared/errors.ts';
import type { Credentials } from '../registry/auth.ts';
import { isErrno } from '../store/fsutil.ts';

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

export function authFilePaths(env: NodeJS.ProcessEnv = process.env, home = homedir()): string[] {
  const paths: string[] = [];
  if (env.REGISTRY_AUTH_FILE) paths.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) paths.push(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  paths.push(join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'containers', 'auth.json'));
  paths.push(join(env.DOCKER_CONFIG ?? join(home, '.docker'), 'config.json'));
  return paths;
}

/** Keys to look up for a repository, most specific first. */
export function lookupKeys(domain: string, repositoryPath: string): string[] {
  const keys: string[] = [];
  const parts = repositoryPath.split('/');
  for (let n = parts.length; n >= 1; n--) keys.push(`${domain}/${parts.slice(0, n).join('/')}`);
  keys.push(domain);
  if (domain === 'docker.io') keys.push('https://index.docker.io/v1/', 'index.docker.io', 'registry-1.docker.io');
  return keys;
}

function decode(entry: AuthEntry, file: string, key: string): Credentials | undefined {
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const text = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) {
    throw new DeckhandError('EAUTH_CONFIG', `The credentials for ${key} in ${file} are malformed (the "auth" field must be base64 of "user:password"). Run \`deckhand login\` again to replace them.`, { detail: { file, key } });
  }
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Finds stored credentials for a repository, or undefined for anonymous access. Never logs secrets. */
export async function findCredentials(domain: string, repositoryPath: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  const keys = lookupKeys(domain, repositoryPath);
  for (const file of authFilePaths(env)) {
    let doc: { auths?: Record<string, AuthEntry> };
    try {
      doc = JSON.parse(await readFile(file, 'utf8')) as typeof doc;
    } catch (e) {
      if (isErrno(e, 'ENOENT', 'ENOTDIR', 'EACCES')) continue;
      if (e instanceof SyntaxError) throw new DeckhandError('EAUTH_CONFIG', `${file} is not valid JSON; fix or remove it.`, { detail: { file } });
      throw e;
    }
    const auths = doc.auths ?? {};
    const normalized = new Map(Object.entries(auths).map(([k, v]) => [k.replace(/^https?:\/\//, '').replace(/\/+$/, '').replace(/\/v[12]$/, ''), v] as const));
    for (const key of keys) {
      const entry = auths[key] ?? normalized.get(key.replace(/^https?:\/\//, '').replace(/\/v1\/$/, ''));
      if (entry) {
        const creds = decode(entry, file, key);
        if (creds) return creds;
      }
    }
  }
  return undefined;
}
