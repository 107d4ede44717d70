/**
 * Where `deckhand login` saves and `deckhand logout` removes credentials, as podman does: with the
 * credential helper configured for the registry (a `credHelpers` entry, else a `credsStore`, in the
 * auth files in lookup order, or only in `--authfile`), else in the containers auth.json
 * (`--authfile`, $REGISTRY_AUTH_FILE or ${XDG_RUNTIME_DIR}/containers/auth.json): mode 0600,
 * replaced atomically, every other entry and field kept.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseReference } from '../../../src-shared/oci/reference.ts';
import type { Credentials } from '../registry/auth.ts';
import { writeFileAtomic } from '../store/fsutil.ts';
import { authFilePaths, credHelperFor, normalizeKey, primaryAuthFile, readAuthFile, type AuthFileDoc } from './auth-file.ts';
import { helperErase, helperList, helperStore } from './cred-helper.ts';

export interface LoginTarget {
  /** The auth file key: `host` or `host/namespace/repo` (podman's per-repository logins). */
  key: string;
  /** The registry host (`docker.io` for Docker Hub). */
  host: string;
}

export interface AuthStoreOptions {
  env?: NodeJS.ProcessEnv;
  /** `--authfile F`: read helpers from and write to this file only. */
  authFile?: string;
}

export interface ConfiguredHelper {
  helper: string;
  /** Where it is configured, e.g. `credHelpers of /home/me/.docker/config.json`. */
  configuredIn: string;
}

export type SavedTo = { kind: 'helper'; helper: string } | { kind: 'file'; file: string };

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** Parses `deckhand login`'s REGISTRY argument: `host[:port][/namespace/repo]`, a scheme and trailing slash tolerated. */
export function loginTarget(arg: string): LoginTarget {
  const text = normalizeKey(arg.trim());
  const [first, ...rest] = text.split('/');
  const host = (first ?? '').toLowerCase();
  const bad = () =>
    new DeckhandError(
      'EUSAGE',
      `${JSON.stringify(arg)} is not a registry (host[:port], optionally with a /namespace/repository path, without a tag or digest).`,
      { detail: { registry: arg } },
    );
  if (!host || /[@\s]/.test(text) || (rest.length > 0 && rest.at(-1)!.includes(':'))) throw bad();
  const canonical = DOCKER_HUB.has(host) ? 'docker.io' : host;
  if (rest.length === 0) {
    if (!/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/.test(host))
      throw bad();
    return { key: canonical, host: canonical };
  }
  let ref;
  try {
    ref = parseReference(`${canonical}/${rest.join('/')}`);
  } catch {
    throw bad();
  }
  if (ref.domain !== canonical) throw bad();
  return { key: `${canonical}/${ref.path}`, host: canonical };
}

const filesToSearch = (opts: AuthStoreOptions) => (opts.authFile ? [opts.authFile] : authFilePaths(opts.env));

/** The helper that holds a registry's credentials, if one is configured: `credHelpers` first in any file, then the first `credsStore`. */
export async function configuredHelper(host: string, opts: AuthStoreOptions = {}): Promise<ConfiguredHelper | undefined> {
  const docs: Array<[string, AuthFileDoc]> = [];
  for (const file of filesToSearch(opts)) {
    const doc = await readAuthFile(file);
    if (doc) docs.push([file, doc]);
  }
  for (const [file, doc] of docs) {
    const helper = credHelperFor(doc, host);
    if (helper) return { helper, configuredIn: `credHelpers of ${file}` };
  }
  for (const [file, doc] of docs) {
    if (typeof doc.credsStore === 'string' && doc.credsStore) return { helper: doc.credsStore, configuredIn: `credsStore of ${file}` };
  }
  return undefined;
}

/** Replaces a file with `text`, mode 0600, atomically (temp file, fsync, rename, fsync the folder). */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, text, { mode: 0o600 });
}

/** Changes the `auths` of an auth file, keeping everything else in it. */
async function changeAuths(file: string, change: (auths: Record<string, unknown>) => boolean): Promise<boolean> {
  const doc: AuthFileDoc = (await readAuthFile(file)) ?? {};
  const auths = (typeof doc.auths === 'object' && doc.auths !== null ? { ...doc.auths } : {}) as Record<string, unknown>;
  if (!change(auths)) return false;
  await writePrivateFile(file, `${JSON.stringify({ ...doc, auths }, null, '\t')}\n`);
  return true;
}

/** Saves a login (already checked against the registry) with the configured helper, else in the auth file. */
export async function saveLogin(target: LoginTarget, credentials: Credentials, opts: AuthStoreOptions = {}): Promise<SavedTo> {
  const helper = await configuredHelper(target.host, opts);
  if (helper) {
    if (target.key !== target.host) {
      throw new DeckhandError(
        'EUSAGE',
        `${target.key}: credential helpers hold one login per registry; log in to ${target.host} instead (${helper.configuredIn} names docker-credential-${helper.helper}).`,
        { detail: { registry: target.key } },
      );
    }
    await helperStore(helper.helper, target.host, credentials, {
      ...(opts.env ? { env: opts.env } : {}),
      configuredIn: helper.configuredIn,
    });
    return { kind: 'helper', helper: helper.helper };
  }
  const file = opts.authFile ?? primaryAuthFile(opts.env);
  const entry =
    'identityToken' in credentials
      ? { auth: '', identitytoken: credentials.identityToken }
      : { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64') };
  await changeAuths(file, (auths) => {
    for (const k of Object.keys(auths)) if (k !== target.key && normalizeKey(k) === target.key) delete auths[k];
    auths[target.key] = entry;
    return true;
  });
  return { kind: 'file', file };
}

export interface RemovedLogin {
  /** Where something was removed: helper names and auth file paths. */
  removedFrom: string[];
}

/** Removes a login from the auth file Deckhand writes and from the configured helper. Fails when there was none. */
export async function removeLogin(target: LoginTarget, opts: AuthStoreOptions = {}): Promise<RemovedLogin> {
  const removedFrom: string[] = [];
  const file = opts.authFile ?? primaryAuthFile(opts.env);
  const removed = await changeAuths(file, (auths) => {
    const keys = Object.keys(auths).filter(
      (k) => k === target.key || normalizeKey(k) === target.key || (target.key === 'docker.io' && normalizeKey(k) === 'index.docker.io'),
    );
    for (const k of keys) delete auths[k];
    return keys.length > 0;
  });
  if (removed) removedFrom.push(file);
  const helper = target.key === target.host ? await configuredHelper(target.host, opts) : undefined;
  if (
    helper &&
    (await helperErase(helper.helper, target.host, { ...(opts.env ? { env: opts.env } : {}), configuredIn: helper.configuredIn }))
  )
    removedFrom.push(`docker-credential-${helper.helper}`);
  if (removedFrom.length === 0) {
    throw new DeckhandError(
      'ENOT_FOUND',
      `Not logged in to ${target.key}: ${file} has no login for it${helper ? ` and docker-credential-${helper.helper} holds none` : ''}. A login saved by another tool in another file (such as ~/.docker/config.json) is removed with that tool.`,
      {
        detail: { registry: target.key, file },
      },
    );
  }
  return { removedFrom };
}

/** `logout --all`: empties the auth file's `auths` and erases every login held by the helpers that file configures. */
export async function removeAllLogins(opts: AuthStoreOptions = {}): Promise<RemovedLogin> {
  const removedFrom: string[] = [];
  const file = opts.authFile ?? primaryAuthFile(opts.env);
  const doc = await readAuthFile(file);
  if (await changeAuths(file, (auths) => Object.keys(auths).length > 0 && (Object.keys(auths).forEach((k) => delete auths[k]), true)))
    removedFrom.push(file);
  const helpers = new Map<string, Set<string>>();
  for (const [host, helper] of Object.entries(doc?.credHelpers ?? {}))
    if (typeof helper === 'string') helpers.set(helper, (helpers.get(helper) ?? new Set()).add(normalizeKey(host)));
  const hopts = { ...(opts.env ? { env: opts.env } : {}), configuredIn: file };
  if (typeof doc?.credsStore === 'string' && doc.credsStore) {
    const set = helpers.get(doc.credsStore) ?? new Set<string>();
    for (const url of await helperList(doc.credsStore, hopts))
      set.add(normalizeKey(url) === 'index.docker.io' ? 'docker.io' : normalizeKey(url));
    helpers.set(doc.credsStore, set);
  }
  for (const [helper, hosts] of helpers) {
    for (const host of hosts)
      if (await helperErase(helper, host === 'index.docker.io' ? 'docker.io' : host, hopts))
        removedFrom.push(`docker-credential-${helper} (${host})`);
  }
  return { removedFrom };
}
