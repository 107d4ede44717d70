/**
 * For component tests: render under the same providers as the app, with a fake client (an object
 * with the calls the test needs) and a fresh query cache the test can seed and inspect.
 */
import type { QueryClient } from '@tanstack/react-query';
import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement, ReactNode } from 'react';
import type { DeckhandApi, EventName } from '../../src-shared/ipc/contract.ts';
import { DataProvider } from './provider.tsx';
import { createQueryClient } from './queries.ts';

/** A fake of the calls a test uses; any other call is a test bug and fails as one. */
export const fakeApi = (calls: object): DeckhandApi => calls as DeckhandApi;

export function renderWithData(
  ui: ReactElement,
  { api, client = createQueryClient() }: { api: object; client?: QueryClient },
): RenderResult & { client: QueryClient } {
  const wrapper = ({ children }: { children: ReactNode }) => (
    <DataProvider api={fakeApi(api)} client={client}>
      {children}
    </DataProvider>
  );
  return Object.assign(render(ui, { wrapper }), { client });
}

/** An event source for a fake client: `on` as the contract's, `emit` to deliver an event. */
export function fakeEvents() {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  return {
    on: (event: string, listener: (payload: unknown) => void) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set.add(listener));
      return () => void set.delete(listener);
    },
    emit: (event: EventName, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload)),
  };
}

export { createQueryClient };
