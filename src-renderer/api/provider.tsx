/** The typed client through React context: ApiProvider at the root, useApi() below it. */
import { createContext, useContext, type ReactNode } from 'react';
import type { DeckhandApi } from '../../src-shared/ipc/contract.ts';

const ApiContext = createContext<DeckhandApi | null>(null);

export function ApiProvider({ api, children }: { api: DeckhandApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): DeckhandApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi() outside an ApiProvider');
  return api;
}
