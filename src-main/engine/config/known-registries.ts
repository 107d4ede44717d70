/**
 * The registries Deckhand knows of, for the sidebar: hosts with a login in the auth files
 * (auth-file.ts), hosts stored images came from, and hosts the user added, which are kept in
 * `<store>/.deckhand/registries.json` (written atomically). Only host names and the insecure flag
 * are ever returned; credentials are read to learn which hosts have them, never passed on.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeckhandError } from '../../../src-shared/errors.ts';
import type { RegistryInfo } from '../../../src-shared/ipc/types.ts';
import { listEntries } from '../store/catalog.ts';
import { isErrno, writeFileAtomic } from '../store/fsutil.ts';
import type { Store } from '../store/layout.ts';
import { withLock } from '../store/lock.ts';
import { authFilePaths, credentialSourceHosts } from './auth-file.ts';

export interface AddedRegistry {
  host: string;
  insecure: boolean;
}

const DOCKER_HUB_KEYS = new Set(['index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', 'docker.io']);
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/;

/** An auth file key (`https://index.docker.io/v1/`, `quay.io/team`, `http://host:5000`) as a registry host, or null. */
export function hostOfAuthKey(key: string): string | null {
  const host = key
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .split('/')[0]!;
  if (DOCKER_HUB_KEYS.has(host)) return 'docker.io';
  return HOST.test(host) ? host : null;
}

/** Hosts that have a login in any of the auth files (the keys of `auths` and `credHelpers`, nothing else is read out), or in the app's own logins. */
export async function authFileHosts(env: NodeJS.ProcessEnv = process.env, home?: string): Promise<string[]> {
  const hosts = new Set<string>();
  for (const file of home === undefined ? authFilePaths(env) : authFilePaths(env, home)) {
    let doc: unknown;
    try {
      doc = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      // A missing or unreadable file has no logins; a damaged one is reported when a pull uses it.
      if (isErrno(e, 'ENOENT', 'ENOTDIR', 'EACCES', 'EISDIR') || e instanceof SyntaxError) continue;
      throw e;
    }
    for (const field of ['auths', 'credHelpers']) {
      const map = (doc as Record<string, unknown> | null)?.[field];
      if (typeof map !== 'object' || map === null) continue;
      for (const key of Object.keys(map)) {
        const host = hostOfAuthKey(key);
        if (host) hosts.add(host);
      }
    }
  }
  for (const host of await credentialSourceHosts()) hosts.add(host);
  return [...hosts];
}

const addedFile = (store: Store) => join(store.metaDir, 'registries.json');

export async function readAddedRegistries(store: Store): Promise<AddedRegistry[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(addedFile(store), 'utf8'));
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return [];
    if (e instanceof SyntaxError)
      throw new DeckhandError(
        'ESTORE',
        `${addedFile(store)} is not valid JSON; fix or remove it (it lists the registries added in Deckhand).`,
      );
    throw e;
  }
  const list = (doc as { registries?: unknown } | null)?.registries;
  if (!Array.isArray(list)) return [];
  return list
    .filter((r): r is AddedRegistry => typeof r === 'object' && r !== null && typeof (r as AddedRegistry).host === 'string')
    .map((r) => ({ host: r.host, insecure: r.insecure === true }));
}

/** Adds (or updates) or removes a host in the added list, under a lock, written atomically. */
export async function changeAddedRegistries(store: Store, change: (list: AddedRegistry[]) => AddedRegistry[]): Promise<void> {
  await withLock(`${addedFile(store)}.lock`, async () => {
    const list = change(await readAddedRegistries(store)).sort((a, b) => a.host.localeCompare(b.host));
    await writeFileAtomic(addedFile(store), `${JSON.stringify({ registries: list }, null, 2)}\n`);
  });
}

/** Every known registry, sorted by host, with why it is known. */
export async function knownRegistries(store: Store, env: NodeJS.ProcessEnv = process.env, home?: string): Promise<RegistryInfo[]> {
  const [auth, entries, added] = await Promise.all([authFileHosts(env, home), listEntries(store), readAddedRegistries(store)]);
  const byHost = new Map<string, RegistryInfo>();
  const note = (host: string, source: RegistryInfo['sources'][number], insecure = false) => {
    let info = byHost.get(host);
    if (!info) byHost.set(host, (info = { host, sources: [], insecure: false }));
    if (!info.sources.includes(source)) info.sources.push(source);
    info.insecure ||= insecure;
  };
  for (const host of auth) note(host, 'auth');
  for (const e of entries) if (e.ref) note(e.ref.domain, 'images');
  for (const r of added) note(r.host, 'added', r.insecure);
  const order = ['auth', 'images', 'added'];
  return [...byHost.values()]
    .map((r) => ({ ...r, sources: r.sources.sort((a, b) => order.indexOf(a) - order.indexOf(b)) }))
    .sort((a, b) => a.host.localeCompare(b.host));
}
