import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { afterEach, expect, test, vi } from 'vitest';
import type { FreshnessResult, ImageRow } from '../../../src-shared/ipc/contract.ts';
import { wireEvents } from '../../data/events.ts';
import { keys, STORE } from '../../data/keys.ts';
import { DataProvider } from '../../data/provider.tsx';
import { createQueryClient, fakeApi, fakeEvents } from '../../data/testing.tsx';
import { useDeckhand } from '../../store/index.ts';
import { hex, image } from './fixtures.ts';
import { ImagesView } from './ImagesView.tsx';

const initial = useDeckhand.getState();
afterEach(() => {
  cleanup();
  useDeckhand.setState(initial, true);
});

const app = image({ repository: 'registry.example/team/app', tag: '1', digest: `sha256:${hex('a')}` });
const web = image({ repository: 'registry.example/team/web', tag: '2', digest: `sha256:${hex('b')}` });
const mine = image({ repository: 'registry.example/team/mine', tag: '3', digest: `sha256:${hex('c')}` });
const dangling = image({ repository: null, tag: null, dangling: true, digest: `sha256:${hex('d')}` });

const result = (row: ImageRow, over: Partial<FreshnessResult>): FreshnessResult => ({
  reference: row.name,
  localDigest: row.digest,
  remoteDigest: row.digest,
  state: 'current',
  reason: 'The registry’s tag names the stored digest.',
  checkedAt: '2026-11-30T10:00:00.000Z',
  ratelimitRemaining: null,
  retryAfterSeconds: null,
  indexFetched: false,
  endpoint: 'https://registry.example',
  ...over,
});

function setup(rows: ImageRow[], calls: object) {
  const client = createQueryClient();
  client.setQueryData(keys.hostInfo(), { host: 'web', storeDir: '/s', platform: 'linux/amd64', downloadsDir: '/d' });
  client.setQueryData(keys.images(STORE), rows);
  const events = fakeEvents();
  const api = fakeApi({ diskUsage: () => new Promise(() => {}), listImages: async () => rows, ...calls, on: events.on });
  wireEvents(api, client);
  const wrapper = ({ children }: { children: ReactNode }) => (
    <DataProvider api={api} client={client}>
      {children}
    </DataProvider>
  );
  render(<ImagesView />, { wrapper });
  return { client, events };
}

const cellOf = (name: string) =>
  within(screen.getAllByTestId('image-row').find((r) => r.dataset.name === name)!).queryByTestId('freshness');

test('each tag shows its state in words with a symbol and a tooltip; a tag being checked says so; a dangling image has none', async () => {
  const checkFreshness = vi.fn(async () => ({
    results: [result(app, { state: 'stale', remoteDigest: `sha256:${hex('e')}`, reason: 'The tag now names sha256:eeee.' })],
    pending: [web.name, mine.name],
  }));
  const { events } = setup([app, web, mine, dangling], { checkFreshness });
  await waitFor(() => expect(cellOf(app.name)?.dataset.state).toBe('stale'));
  expect(checkFreshness).toHaveBeenCalledTimes(1);
  const stale = cellOf(app.name)!;
  expect(stale.textContent).toBe('↻staleUpdate');
  expect(stale.title).toContain(`Registry: sha256:${hex('e')}`);
  expect(stale.title).toContain('The tag now names sha256:eeee.');
  expect(cellOf(web.name)?.textContent).toBe('… checking');
  expect(cellOf(dangling.name)).toBeNull();

  act(() =>
    events.emit('freshnessChanged', {
      results: [
        result(web, {}),
        result(mine, {
          state: 'rate-limited',
          remoteDigest: null,
          ratelimitRemaining: '0;w=21600',
          retryAfterSeconds: 30,
          reason: 'Slow down.',
        }),
      ],
    }),
  );
  // TanStack Query tells its observers on the next tick.
  await waitFor(() => expect(cellOf(web.name)?.dataset.state).toBe('current'));
  expect(cellOf(web.name)?.textContent).toBe('✓current');
  expect(within(cellOf(web.name)!).queryByRole('button')).toBeNull();
  expect(cellOf(mine.name)?.textContent).toBe('⌛rate-limited');
  expect(cellOf(mine.name)?.title).toContain('Rate limit remaining: 0;w=21600');
});

test('Update on a stale tag starts a pull of that tag, on its platform, as a transfer', async () => {
  const pull = vi.fn(async () => ({ transferId: '00000000-0000-4000-8000-000000000009' }));
  const checkFreshness = vi.fn(async () => ({
    results: [result(app, { state: 'stale', remoteDigest: `sha256:${hex('e')}` })],
    pending: [],
  }));
  setup([app], { checkFreshness, pull });
  await waitFor(() => expect(cellOf(app.name)?.dataset.state).toBe('stale'));
  await userEvent.setup().click(within(cellOf(app.name)!).getByRole('button', { name: 'Update' }));
  expect(pull).toHaveBeenCalledWith({ ref: app.name, platform: 'linux/amd64' });
  await waitFor(() => expect(useDeckhand.getState().notices.at(-1)?.text).toMatch(/^Updating registry\.example\/team\/app:1/));
  expect(useDeckhand.getState().requests['00000000-0000-4000-8000-000000000009']).toEqual({
    call: 'pull',
    input: { ref: app.name, platform: 'linux/amd64' },
  });
});

test('a result for the digest the tag had before a pull is not shown for the new one', async () => {
  const pulled = { ...app, digest: `sha256:${hex('e')}` };
  const checkFreshness = vi.fn(async () => ({ results: [result(app, { state: 'stale' })], pending: [] }));
  setup([pulled], { checkFreshness });
  await waitFor(() => expect(checkFreshness).toHaveBeenCalled());
  expect(cellOf(pulled.name)).toBeNull();
});
