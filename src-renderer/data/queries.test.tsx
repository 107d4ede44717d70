import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { expect, test, vi } from 'vitest';
import type { ImageRow } from '../../src-shared/ipc/contract.ts';
import { image } from '../features/images/fixtures.ts';
import { wireEvents } from './events.ts';
import { keys, STORE } from './keys.ts';
import { DataProvider } from './provider.tsx';
import { sourceChanged, useImages } from './queries.ts';
import { createQueryClient, fakeApi, fakeEvents } from './testing.tsx';

/** A listImages whose answers the test hands out, in any order. */
function listings() {
  const pending: Array<(rows: ImageRow[]) => void> = [];
  const listImages = vi.fn(() => new Promise<ImageRow[]>((resolve) => pending.push(resolve)));
  return { listImages, answer: (call: number, rows: ImageRow[]) => act(async () => pending[call]!(rows)) };
}

const older = [image({ repository: 'example.com/old', tag: '1' })];
const newer = [image({ repository: 'example.com/new', tag: '1' })];

function setup(calls: object) {
  const client = createQueryClient();
  const events = fakeEvents();
  const api = fakeApi({ ...calls, on: events.on });
  wireEvents(api, client);
  const wrapper = ({ children }: { children: ReactNode }) => (
    <DataProvider api={api} client={client}>
      {children}
    </DataProvider>
  );
  return { client, events, wrapper };
}

test('keys start with the source they were read from', () => {
  expect(keys.images(STORE)).toEqual(['store', 'images']);
  expect(keys.diskUsage(STORE)).toEqual(['store', 'diskUsage']);
  expect(keys.tree(STORE)).toEqual(['store', 'tree']);
  expect(keys.repositories('localhost:5000')).toEqual(['registry', 'localhost:5000', 'repositories']);
});

test('a listing that answers late never replaces the one asked for after it', async () => {
  const { listImages, answer } = listings();
  const { events, wrapper } = setup({ listImages });
  const { result } = renderHook(() => useImages(), { wrapper });
  expect(listImages).toHaveBeenCalledTimes(1);
  // The store changes while the first listing is on its way: a second one is asked for.
  act(() => events.emit('storeChanged', { reason: 'pull' }));
  await waitFor(() => expect(listImages).toHaveBeenCalledTimes(2));
  await answer(1, newer);
  await waitFor(() => expect(result.current.data).toEqual(newer));
  await answer(0, older); // the first answer arrives last
  expect(result.current.data).toEqual(newer);
});

test('two changes in a row: only the last listing lands', async () => {
  const { listImages, answer } = listings();
  const { client, wrapper } = setup({ listImages });
  const { result } = renderHook(() => useImages(), { wrapper });
  await answer(0, older);
  await waitFor(() => expect(result.current.data).toEqual(older));
  await act(async () => {
    void sourceChanged(client);
    void sourceChanged(client);
  });
  await waitFor(() => expect(listImages).toHaveBeenCalledTimes(3));
  await answer(2, newer);
  await answer(1, older);
  await waitFor(() => expect(result.current.isFetching).toBe(false));
  expect(result.current.data).toEqual(newer);
});

test("storeChanged invalidates the store's queries and leaves the registries alone", async () => {
  const { client, events } = setup({});
  client.setQueryData(keys.images(STORE), older);
  client.setQueryData(keys.diskUsage(STORE), null as never);
  client.setQueryData(keys.registries(), []);
  client.setQueryData(keys.repositories('localhost:5000'), { host: 'localhost:5000', repositories: [], complete: true });
  events.emit('storeChanged', { reason: 'pull' });
  await waitFor(() => expect(client.getQueryState(keys.images(STORE))?.isInvalidated).toBe(true));
  const invalidated = (key: readonly unknown[]) => client.getQueryState(key)?.isInvalidated;
  expect(invalidated(keys.images(STORE))).toBe(true);
  expect(invalidated(keys.diskUsage(STORE))).toBe(true);
  expect(invalidated(keys.registries())).toBe(false);
  expect(invalidated(keys.repositories('localhost:5000'))).toBe(false);
});
