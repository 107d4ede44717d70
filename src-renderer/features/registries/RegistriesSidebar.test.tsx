import { act, fireEvent, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, expect, test, vi } from 'vitest';
import { CallError } from '../../../src-shared/ipc/proxy.ts';
import { deckhand } from '../../store/index.ts';
import { IMAGE_DRAG_TYPE } from '../../ui/dnd.ts';
import { ArchiveDrop } from './ArchiveDrop.tsx';
import { RegistriesSidebar } from './RegistriesSidebar.tsx';
import type { ReactElement } from 'react';
import { registriesQuery } from '../../data/queries.ts';
import { createQueryClient, fakeApi, renderWithData } from '../../data/testing.tsx';

const mockApi = {
  listRegistries: vi.fn(),
  addRegistry: vi.fn(),
  removeRegistry: vi.fn(),
  registryRepositories: vi.fn(),
  registryTags: vi.fn(),
  load: vi.fn(),
  logout: vi.fn(),
};
let client = createQueryClient();
const render = (ui: ReactElement) => renderWithData(ui, { api: mockApi, client });
const archivePathFor = vi.hoisted(() => vi.fn());
vi.mock('../../api/files.ts', () => ({ archivePathFor }));

const local = { host: 'localhost:5000', sources: ['added' as const], insecure: true };
const hub = { host: 'docker.io', sources: ['auth' as const, 'images' as const], insecure: false };

beforeEach(async () => {
  deckhand.setState(deckhand.getInitialState(), true);
  vi.clearAllMocks();
  mockApi.listRegistries.mockResolvedValue([local, hub]);
  client = createQueryClient();
  await client.prefetchQuery(registriesQuery(fakeApi(mockApi)));
});

/** A drag carrying the given types and data, as jsdom has no DataTransfer. */
function transfer(data: Record<string, string>, files: File[] = []) {
  return {
    types: [...Object.keys(data), ...(files.length ? ['Files'] : [])],
    getData: (t: string) => data[t] ?? '',
    files,
    dropEffect: 'none',
  };
}

test('registries open to their repositories and tags; a refusal shows with a way to type a repository', async () => {
  mockApi.registryRepositories.mockImplementation(async ({ host }: { host: string }) => {
    if (host === 'docker.io')
      throw new CallError({ code: 'EDENIED', message: 'docker.io does not allow listing its repositories.', detail: null });
    return { host, repositories: ['team/app'], complete: true };
  });
  mockApi.registryTags.mockResolvedValue({ host: 'localhost:5000', repository: 'team/app', tags: ['1', 'latest'] });
  render(<RegistriesSidebar />);
  expect(screen.getByRole('heading', { name: 'Registries' })).toBeTruthy();
  const [first, second] = screen.getAllByTestId('registry');
  expect(first!.dataset.host).toBe('localhost:5000');
  const user = userEvent.setup();

  await user.click(within(first!).getByRole('button', { name: /localhost:5000/, expanded: false }));
  expect(mockApi.registryRepositories).toHaveBeenCalledWith({ host: 'localhost:5000' });
  const repo = await within(first!).findByTestId('registry-repo');
  expect(repo.dataset.repo).toBe('team/app');
  await user.click(within(repo).getByRole('button', { name: /team\/app/ }));
  expect(mockApi.registryTags).toHaveBeenCalledWith({ host: 'localhost:5000', repository: 'team/app' });
  expect((await within(repo).findAllByTestId('registry-tag')).map((t) => t.dataset.tag)).toEqual(['1', 'latest']);
  await user.click(within(repo).getByRole('button', { name: 'Pull localhost:5000/team/app:1' }));
  expect(deckhand.getState().dialog).toEqual({ kind: 'pull', ref: 'localhost:5000/team/app:1' });

  await user.click(within(second!).getByRole('button', { name: 'docker.io', expanded: false }));
  expect((await within(second!).findByTestId('registry-refusal')).textContent).toBe('docker.io does not allow listing its repositories.');
  await user.type(within(second!).getByRole('textbox', { name: 'Repository of docker.io' }), 'library/alpine');
  await user.click(within(second!).getByRole('button', { name: 'Open' }));
  expect(within(second!).getByTestId('registry-repo').dataset.repo).toBe('library/alpine');
  // Only added registries can be removed.
  expect(within(second!).queryByRole('button', { name: 'Remove docker.io' })).toBeNull();
});

test('add and remove a registry', async () => {
  mockApi.addRegistry.mockResolvedValue([local, hub, { host: '127.0.0.1:5001', sources: ['added'], insecure: true }]);
  mockApi.removeRegistry.mockResolvedValue([hub]);
  render(<RegistriesSidebar />);
  const user = userEvent.setup();
  await user.type(screen.getByRole('textbox', { name: 'Registry host' }), '127.0.0.1:5001');
  await user.click(screen.getByRole('checkbox', { name: 'insecure (plain HTTP)' }));
  await user.click(screen.getByRole('button', { name: 'Add registry' }));
  expect(mockApi.addRegistry).toHaveBeenCalledWith({ host: '127.0.0.1:5001', insecure: true });
  expect(screen.getAllByTestId('registry').map((r) => r.dataset.host)).toEqual(['localhost:5000', 'docker.io', '127.0.0.1:5001']);
  expect((screen.getByRole('textbox', { name: 'Registry host' }) as HTMLInputElement).value).toBe('');

  await user.click(screen.getByRole('button', { name: 'Remove localhost:5000' }));
  expect(mockApi.removeRegistry).toHaveBeenCalledWith({ host: 'localhost:5000' });
  expect(screen.getAllByTestId('registry').map((r) => r.dataset.host)).toEqual(['docker.io']);
});

test('a refused host is explained next to the form', async () => {
  mockApi.addRegistry.mockRejectedValue(new CallError({ code: 'EINVALID', message: 'a registry is host[:port]', detail: null }));
  render(<RegistriesSidebar />);
  const user = userEvent.setup();
  await user.type(screen.getByRole('textbox', { name: 'Registry host' }), 'not a host');
  await user.click(screen.getByRole('button', { name: 'Add registry' }));
  expect(screen.getByTestId('registry-add-error').textContent).toBe('a registry is host[:port]');
});

test('an image dropped on a registry or a repository opens the push dialog for it', async () => {
  mockApi.registryRepositories.mockResolvedValue({ host: 'localhost:5000', repositories: ['team/app'], complete: false });
  render(<RegistriesSidebar />);
  const registry = screen.getAllByTestId('registry')[0]!;
  const row = registry.firstElementChild!;
  const drag = transfer({ [IMAGE_DRAG_TYPE]: 'example.com/team/app:1' });
  fireEvent.dragEnter(row, { dataTransfer: drag });
  fireEvent.dragOver(row, { dataTransfer: drag });
  expect(row.className).toContain('drop-over');
  fireEvent.drop(row, { dataTransfer: drag });
  expect(row.className).not.toContain('drop-over');
  expect(deckhand.getState().dialog).toEqual({ kind: 'push', source: 'example.com/team/app:1', registry: 'localhost:5000' });

  await userEvent.setup().click(within(registry).getByRole('button', { name: 'localhost:5000', expanded: false }));
  const repo = await within(registry).findByTestId('registry-repo');
  expect(within(registry).getByText(/Only the first 1 repositories/)).toBeTruthy();
  fireEvent.drop(repo.firstElementChild!, { dataTransfer: drag });
  expect(deckhand.getState().dialog).toEqual({
    kind: 'push',
    source: 'example.com/team/app:1',
    registry: 'localhost:5000',
    repository: 'team/app',
  });

  // Files are not images: left to the window's archive drop.
  deckhand.getState().closeDialog();
  const over = fireEvent.dragOver(row, { dataTransfer: transfer({}, [new File(['x'], 'a.tar')]) });
  expect(over).toBe(true);
  expect(deckhand.getState().dialog).toBeNull();
});

test('archives dropped on the window load; other files get a notice', async () => {
  archivePathFor.mockImplementation(async (file: File) => `/tmp/uploads/${file.name}`);
  mockApi.load.mockResolvedValue({ transferId: '6f1c7a53-5d2c-4c43-9d1e-0a1b2c3d4e5f' });
  render(<ArchiveDrop />);
  const files = [new File(['x'], 'app.tar'), new File(['x'], 'base.tgz'), new File(['x'], 'notes.txt')];
  const drag = transfer({}, files);
  expect(screen.queryByTestId('drop-overlay')).toBeNull();
  fireEvent.dragEnter(window, { dataTransfer: drag });
  expect(screen.getByTestId('drop-overlay').textContent).toBe('Drop a .tar archive to load it');
  // An image row dragged within the window shows no overlay.
  fireEvent.dragLeave(window, { dataTransfer: drag });
  fireEvent.dragEnter(window, { dataTransfer: transfer({ [IMAGE_DRAG_TYPE]: 'a:1' }) });
  expect(screen.queryByTestId('drop-overlay')).toBeNull();

  fireEvent.dragEnter(window, { dataTransfer: drag });
  await act(async () => {
    fireEvent.drop(window, { dataTransfer: drag });
  });
  expect(screen.queryByTestId('drop-overlay')).toBeNull();
  await vi.waitFor(() => expect(mockApi.load).toHaveBeenCalledTimes(2));
  expect(mockApi.load).toHaveBeenCalledWith({ path: '/tmp/uploads/app.tar' });
  expect(mockApi.load).toHaveBeenCalledWith({ path: '/tmp/uploads/base.tgz' });
  const notices = deckhand.getState().notices;
  expect(notices).toHaveLength(1);
  expect(notices[0]!.text).toContain('notes.txt was not loaded: only image archives');
});

test('a failed upload becomes a notice', async () => {
  archivePathFor.mockRejectedValue(new Error('The Deckhand host answered the upload of big.tar.gz with HTTP 413.'));
  render(<ArchiveDrop />);
  const drag = transfer({}, [new File(['x'], 'big.tar.gz')]);
  fireEvent.dragEnter(window, { dataTransfer: drag });
  await act(async () => {
    fireEvent.drop(window, { dataTransfer: drag });
  });
  await vi.waitFor(() => expect(deckhand.getState().notices).toHaveLength(1));
  expect(deckhand.getState().notices[0]).toMatchObject({
    kind: 'error',
    text: 'Could not load big.tar.gz: The Deckhand host answered the upload of big.tar.gz with HTTP 413.',
  });
  expect(mockApi.load).not.toHaveBeenCalled();
});

test('each registry logs in, logs out (where a login is known) and opens its settings', async () => {
  mockApi.logout.mockResolvedValue({ registry: 'docker.io', removedFrom: ['credential-helper'] });
  render(<RegistriesSidebar />);
  const [first, second] = screen.getAllByTestId('registry');
  const user = userEvent.setup();
  expect(within(first!).queryByRole('button', { name: 'Log out of localhost:5000' })).toBeNull();
  await user.click(within(first!).getByRole('button', { name: 'Log in to localhost:5000' }));
  expect(deckhand.getState().dialog).toEqual({ kind: 'login', registry: 'localhost:5000' });
  await user.click(within(first!).getByRole('button', { name: 'Settings of localhost:5000' }));
  expect(deckhand.getState().dialog).toEqual({ kind: 'registry', host: 'localhost:5000' });
  await user.click(within(second!).getByRole('button', { name: 'Log out of docker.io' }));
  expect(mockApi.logout).toHaveBeenCalledWith({ registry: 'docker.io' });
  await vi.waitFor(() =>
    expect(deckhand.getState().notices.map((n) => n.text)).toEqual(['Logged out of docker.io: removed from the credential helper.']),
  );
  expect(mockApi.listRegistries).toHaveBeenCalledTimes(2);
});
