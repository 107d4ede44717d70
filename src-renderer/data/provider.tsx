/** What every component below the root reads server state through: the API client and the query cache. */
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { DeckhandApi } from '../../src-shared/ipc/contract.ts';
import { ApiProvider } from '../api/provider.tsx';

export function DataProvider({ api, client, children }: { api: DeckhandApi; client: QueryClient; children: ReactNode }) {
  return (
    <ApiProvider api={api}>
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    </ApiProvider>
  );
}
