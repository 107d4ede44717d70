/**
 * What a registry lists: its repositories (`GET /v2/_catalog`) and a repository's tags
 * (`GET /v2/<name>/tags/list`), following RFC 5988 `Link: <…>; rel="next"` pagination for a bounded
 * number of pages. Registries often refuse the catalog (Docker Hub, most cloud registries); a
 * refusal becomes an error that says so and what to do instead.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
 * https://distribution.github.io/distribution/spec/api/#catalog
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import type { RegistryClient } from './client.ts';

export interface Listing {
  items: string[];
  /** False when more pages remained after `maxPages`. */
  complete: boolean;
}

export interface ListOptions {
  pageSize?: number;
  maxPages?: number;
  signal?: AbortSignal;
}

const MAX_PAGE_BYTES = 4 * 1024 * 1024;

/** The `rel="next"` target of a Link header, if any. */
export function nextLink(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*((?:;[^;]*)*)$/.exec(part);
    if (m && /;\s*rel="?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(m[2]!)) return m[1];
  }
  return undefined;
}

async function readPage(
  client: RegistryClient,
  path: string,
  scope: string,
  repository: string,
  object: string,
  signal?: AbortSignal,
): Promise<{ doc: unknown; next: string | undefined }> {
  const reply = await client.send({ method: 'GET', path, headers: { accept: 'application/json' }, scope, repository, object, signal });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of reply.body) {
    size += chunk.length;
    if (size > MAX_PAGE_BYTES) {
      reply.body.destroy();
      throw new DeckhandError('EREGISTRY', `${client.domain} sent a list page over ${MAX_PAGE_BYTES} bytes; refusing it.`);
    }
    chunks.push(chunk);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new DeckhandError('EREGISTRY', `${client.domain} answered ${object.toLowerCase()} with something that is not JSON.`);
  }
  return { doc, next: nextLink(reply.headers.link) };
}

async function paged(
  client: RegistryClient,
  first: string,
  pick: (doc: unknown) => unknown,
  what: { scope: string; repository: string; object: string },
  opts: ListOptions,
): Promise<Listing> {
  const origin = await client.ensureConnected(opts.signal);
  const items: string[] = [];
  let path: string | undefined = first;
  for (let page = 0; path !== undefined; page++) {
    if (page >= (opts.maxPages ?? 10)) return { items, complete: false };
    const { doc, next } = await readPage(client, path, what.scope, what.repository, what.object, opts.signal);
    const list = pick(doc);
    if (list !== null && list !== undefined && !Array.isArray(list))
      throw new DeckhandError('EREGISTRY', `${client.domain} answered ${what.object.toLowerCase()} with an unexpected document.`);
    for (const item of (list as unknown[] | null | undefined) ?? []) if (typeof item === 'string') items.push(item);
    path = undefined;
    if (next) {
      // The next page must come from the registry itself: credentials go nowhere else.
      const url = new URL(next, origin);
      if (url.origin !== origin.origin)
        throw new DeckhandError(
          'EREGISTRY',
          `${client.domain} points the next page of ${what.object.toLowerCase()} at another server (${url.host}); Deckhand does not follow it.`,
        );
      path = `${url.pathname}${url.search}`;
    }
  }
  return { items, complete: true };
}

function refused(e: unknown, host: string, what: string, instead: string): never {
  if (e instanceof DeckhandError && (e.code === 'EUNAUTHORIZED' || e.code === 'EDENIED')) {
    const login =
      e.code === 'EUNAUTHORIZED'
        ? `Log in to it (\`deckhand login ${host}\`, or docker/podman login) and try again, or ${instead}`
        : `Your login may not have that permission; ${instead}`;
    throw new DeckhandError(e.code, `${host} does not allow listing ${what}. ${login}.`, {
      cause: e,
      detail: { registry: host, status: e.detail?.status ?? null },
    });
  }
  throw e;
}

export async function listRepositories(client: RegistryClient, opts: ListOptions = {}): Promise<Listing> {
  const host = client.domain;
  try {
    return await paged(
      client,
      `/v2/_catalog?n=${opts.pageSize ?? 100}`,
      (doc) => (doc as { repositories?: unknown }).repositories,
      { scope: 'registry:catalog:*', repository: '', object: 'The repository list' },
      opts,
    );
  } catch (e) {
    if (e instanceof DeckhandError && e.code === 'ENOT_FOUND') {
      throw new DeckhandError('ENOT_FOUND', `${host} does not offer a list of its repositories. Type the repository name instead.`, {
        cause: e,
        detail: { registry: host },
      });
    }
    return refused(e, host, 'its repositories', 'type the repository name instead');
  }
}

export async function listTags(client: RegistryClient, repository: string, opts: ListOptions = {}): Promise<Listing> {
  const host = client.domain;
  try {
    return await paged(
      client,
      `/v2/${repository}/tags/list?n=${opts.pageSize ?? 100}`,
      (doc) => (doc as { tags?: unknown }).tags,
      { scope: `repository:${repository}:pull`, repository, object: `The tags of ${repository}` },
      opts,
    );
  } catch (e) {
    if (e instanceof DeckhandError && e.code === 'ENOT_FOUND') {
      throw new DeckhandError('ENOT_FOUND', `There is no repository ${repository} on ${host}. Check the name.`, {
        cause: e,
        detail: { registry: host, repository },
      });
    }
    return refused(e, host, `the tags of ${repository}`, 'type the tag instead');
  }
}
