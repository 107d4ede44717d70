import { screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, expect, test, vi } from 'vitest';
import type { ReactElement } from 'react';
import { wireEvents } from '../../data/events.ts';
import { keys } from '../../data/keys.ts';
import { repositoriesQuery } from '../../data/queries.ts';
import { createQueryClient, fakeApi, fakeEvents, renderWithData } from '../../data/testing.tsx';
import { startTransfer } from '../../data/transfers.ts';
import { deckhand } from '../../store/index.ts';
import { PushDialog, proposeTarget } from './PushDialog.tsx';

const events = fakeEvents();
const mockApi = { push: vi.fn(), registryRepositories: vi.fn(), on: events.on };
let client = createQueryClient();
const render = (ui: ReactElement) => renderWithData(ui, { api: mockApi, client });

const transferId = '6f1c7a53-5d2c-4c43-9d1e-0a1b2c3d4e5f';

beforeEach(() => {
  deckhand.setState(deckhand.getInitialState(), true);
  client = createQueryClient();
  client.setQueryData(keys.registries(), [
    { host: 'localhost:5000', sources: ['added' as const], insecure: true },
    { host: 'ghcr.io', sources: ['auth' as const], insecure: false },
  ]);
  vi.clearAllMocks();
});

test('the proposed target keeps the repository path and tag, on the registry (and repository) dropped on', () => {
  expect(proposeTarget('docker.io/library/nginx:1.25', 'localhost:5000', null)).toEqual({
    name: 'localhost:5000/library/nginx',
    tag: '1.25',
  });
  // An engine's short name: pushed as the name it has there, not docker.io's library/.
  expect(proposeTarget('app:1', 'localhost:5000', null)).toEqual({ name: 'localhost:5000/app', tag: '1' });
  expect(proposeTarget('quay.io/team/tools/app', 'ghcr.io', null)).toEqual({ name: 'ghcr.io/team/tools/app', tag: 'latest' });
  expect(proposeTarget('quay.io/team/app:v2', 'ghcr.io', 'me/mirror')).toEqual({ name: 'ghcr.io/me/mirror', tag: 'v2' });
  // A dangling image has no name to keep; a bare tag from an OCI layout keeps its tag.
  expect(proposeTarget(`sha256:${'a'.repeat(64)}`, 'ghcr.io', null)).toEqual({ name: 'ghcr.io/', tag: 'latest' });
  expect(proposeTarget('3.20', 'ghcr.io', 'me/alpine')).toEqual({ name: 'ghcr.io/me/alpine', tag: '3.20' });
});

test('the dialog proposes the target, pushes to the edited one over plain HTTP for an insecure registry, and closes', async () => {
  mockApi.push.mockResolvedValue({ transferId });
  deckhand.setState({ dialog: { kind: 'push', source: 'example.com/team/app:1.2', registry: 'localhost:5000' } });
  render(<PushDialog source="example.com/team/app:1.2" registry="localhost:5000" repository={null} />);
  const name = screen.getByTestId('push-target') as HTMLInputElement;
  const tag = screen.getByRole('textbox', { name: 'Tag' }) as HTMLInputElement;
  expect(name.value).toBe('localhost:5000/team/app');
  expect(tag.value).toBe('1.2');
  expect(screen.getByTestId('push-destination').textContent).toBe('localhost:5000/team/app:1.2');
  expect(screen.getByRole('dialog', { name: 'Push to localhost:5000' }).textContent).toContain(
    'only the layers the registry does not have',
  );

  const user = userEvent.setup();
  await user.clear(tag);
  await user.type(tag, 'stable');
  await user.click(screen.getByRole('button', { name: 'Push' }));
  expect(mockApi.push).toHaveBeenCalledWith({
    source: 'example.com/team/app:1.2',
    destination: 'localhost:5000/team/app:stable',
    tlsVerify: false,
  });
  expect(deckhand.getState().dialog).toBeNull();
});

test('dropped on a repository, it pushes there with TLS verified; a refusal shows inline', async () => {
  mockApi.push.mockRejectedValue(Object.assign(new Error('denied: requested access to the resource is denied'), { code: 'EDENIED' }));
  render(<PushDialog source="alpine:3.20" registry="ghcr.io" repository="me/alpine" />);
  expect((screen.getByTestId('push-target') as HTMLInputElement).value).toBe('ghcr.io/me/alpine');
  await userEvent.setup().click(screen.getByTestId('push-submit'));
  expect(mockApi.push).toHaveBeenCalledWith({ source: 'alpine:3.20', destination: 'ghcr.io/me/alpine:3.20' });
  expect(screen.getByRole('alert').textContent).toBe('denied: requested access to the resource is denied');
});

test('a successful push refreshes the repositories of a registry the sidebar has loaded', async () => {
  mockApi.push.mockResolvedValue({ transferId });
  mockApi.registryRepositories.mockResolvedValueOnce({ host: 'localhost:5000', repositories: [], complete: true });
  mockApi.registryRepositories.mockResolvedValue({ host: 'localhost:5000', repositories: ['team/app'], complete: true });
  const api = fakeApi(mockApi);
  const unwire = wireEvents(api, client);
  await client.fetchQuery(repositoriesQuery(api, 'localhost:5000')); // the sidebar has loaded it
  mockApi.registryRepositories.mockClear();
  await startTransfer(api, {
    call: 'push',
    input: { source: 'example.com/team/app:1', destination: 'localhost:5000/team/app:1', tlsVerify: false },
  });
  events.emit('transferEnded', { transferId, kind: 'push', ref: 'example.com/team/app:1', digest: 'sha256:f', error: null });
  expect(mockApi.registryRepositories).toHaveBeenCalledWith({ host: 'localhost:5000' });
  await vi.waitFor(() =>
    expect(client.getQueryData(repositoriesQuery(api, 'localhost:5000').queryKey)?.repositories).toEqual(['team/app']),
  );
  unwire();
});
