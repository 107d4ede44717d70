/**
 * The registries sidebar: which registries Deckhand knows of (logins, stored images, added here)
 * and, where a registry allows it, its repositories and their tags. Credentials come from the auth
 * files for each request and are never part of a result or a message.
 */
import { DeckhandError } from '../../src-shared/errors.ts';
import type { Handlers, RegistryInfo } from '../../src-shared/ipc/contract.ts';
import { parseReference } from '../../src-shared/oci/reference.ts';
import { RegistryContext } from '../engine/config/context.ts';
import { changeAddedRegistries, knownRegistries, readAddedRegistries } from '../engine/config/known-registries.ts';
import { listRepositories, listTags } from '../engine/registry/listing.ts';
import type { HostContext } from './handlers.ts';

type RegistryCalls = 'listRegistries' | 'addRegistry' | 'removeRegistry' | 'registryRepositories' | 'registryTags';

export function registryHandlers(ctx: HostContext): Pick<Handlers, RegistryCalls> {
  const list = async (): Promise<RegistryInfo[]> => knownRegistries(await ctx.store(), ctx.env);

  /** A client for `host`, with the saved login for `repository` (if any) and plain HTTP where the host was added as insecure. */
  const clientFor = async (host: string, repository: string) => {
    const insecure = (await readAddedRegistries(await ctx.store())).some((r) => r.host === host && r.insecure);
    return (await RegistryContext.load({ env: ctx.env })).client(host, repository, { insecure });
  };

  return {
    listRegistries: list,

    addRegistry: async ({ host, insecure }) => {
      const h = host.toLowerCase();
      await changeAddedRegistries(await ctx.store(), (l) => [...l.filter((r) => r.host !== h), { host: h, insecure: insecure ?? false }]);
      return list();
    },

    removeRegistry: async ({ host }) => {
      const h = host.toLowerCase();
      await changeAddedRegistries(await ctx.store(), (l) => l.filter((r) => r.host !== h));
      return list();
    },

    registryRepositories: async ({ host }) => {
      const h = host.toLowerCase();
      const client = await clientFor(h, '');
      try {
        const { items, complete } = await listRepositories(client);
        return { host: h, repositories: items, complete };
      } finally {
        await client.close();
      }
    },

    registryTags: async ({ host, repository }) => {
      const h = host.toLowerCase();
      const ref = parseReference(`${h}/${repository}`);
      if (ref.domain !== h || /[@:]/.test(repository)) {
        throw new DeckhandError(
          'EUSAGE',
          `${repository} is not a repository name on ${h} (a path such as team/app, without a tag or digest).`,
          { detail: { host: h, repository } },
        );
      }
      const client = await clientFor(h, ref.path);
      try {
        const { items } = await listTags(client, ref.path);
        return { host: h, repository: ref.path, tags: items };
      } finally {
        await client.close();
      }
    },
  };
}
