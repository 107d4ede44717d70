/**
 * Changes to the registries list (add, remove, and what a login or logout changes) and the refresh
 * of a registry's repositories, over the registries queries.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useApi } from '../api/provider.tsx';
import { keys } from './keys.ts';

export function useRegistryActions() {
  const api = useApi();
  const client = useQueryClient();
  return useMemo(
    () => ({
      addRegistry: async (host: string, insecure: boolean) => {
        client.setQueryData(keys.registries(), await api.addRegistry({ host, insecure }));
      },
      removeRegistry: async (host: string) => {
        client.setQueryData(keys.registries(), await api.removeRegistry({ host }));
      },
      /** The list again (a login or logout changes a registry's sources). */
      reloadRegistries: () => client.invalidateQueries({ queryKey: keys.registries(), exact: true, refetchType: 'all' }),
      reloadRepositories: (host: string) => client.invalidateQueries({ queryKey: keys.repositories(host) }),
    }),
    [api, client],
  );
}
