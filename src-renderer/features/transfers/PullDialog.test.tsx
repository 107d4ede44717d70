import { screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, expect, test, vi } from 'vitest';
import { CallError } from '../../../src-shared/ipc/proxy.ts';
import { deckhand } from '../../store/index.ts';
import { PullDialog } from './PullDialog.tsx';
import type { ReactElement } from 'react';
import { keys } from '../../data/keys.ts';
import { createQueryClient, renderWithData } from '../../data/testing.tsx';

const mockApi = { pull: vi.fn(), rememberAlias: vi.fn() };
let client = createQueryClient();
const render = (ui: ReactElement) => renderWithData(ui, { api: mockApi, client });

const transferId = '6f1c7a53-5d2c-4c43-9d1e-0a1b2c3d4e5f';

beforeEach(() => {
  deckhand.setState(deckhand.getInitialState(), true);
  deckhand.setState({ dialog: { kind: 'pull' } });
  client = createQueryClient();
  client.setQueryData(keys.hostInfo(), { host: 'web', storeDir: '/store', platform: 'linux/arm64', downloadsDir: '/home/me/Downloads' });
  client.setQueryData(keys.registries(), [{ host: 'localhost:5000', sources: ['added' as const], insecure: true }]);
  vi.clearAllMocks();
});

test("the platform defaults to this machine's; submitting pulls with it and closes", async () => {
  mockApi.pull.mockResolvedValue({ transferId });
  render(<PullDialog initialRef="" />);
  const input = screen.getByTestId('pull-ref');
  expect(document.activeElement).toBe(input);
  const platform = screen.getByRole('combobox', { name: 'Platform' }) as HTMLSelectElement;
  expect(platform.value).toBe('linux/arm64');
  expect([...platform.options].map((o) => o.textContent)).toEqual([
    'linux/arm64 (this machine)',
    'linux/amd64',
    'linux/arm/v7',
    'All platforms',
  ]);
  expect(screen.getByTestId('pull-submit')).toHaveProperty('disabled', true);

  const user = userEvent.setup();
  await user.type(input, 'alpine:3.20');
  await user.click(screen.getByTestId('pull-submit'));
  expect(mockApi.pull).toHaveBeenCalledWith({ ref: 'alpine:3.20', platform: 'linux/arm64' });
  expect(deckhand.getState().dialog).toBeNull();
  expect(deckhand.getState().requests[transferId]).toEqual({ call: 'pull', input: { ref: 'alpine:3.20', platform: 'linux/arm64' } });
});

test('all platforms, and TLS off for a registry added as insecure (or by hand)', async () => {
  mockApi.pull.mockResolvedValue({ transferId });
  const user = userEvent.setup();
  render(<PullDialog initialRef="localhost:5000/team/app:1" />);
  expect(screen.getByRole('checkbox', { name: /Verify TLS/ })).toHaveProperty('checked', false);
  await user.selectOptions(screen.getByRole('combobox', { name: 'Platform' }), 'All platforms');
  await user.click(screen.getByRole('button', { name: 'Pull' }));
  expect(mockApi.pull).toHaveBeenCalledWith({ ref: 'localhost:5000/team/app:1', allPlatforms: true, tlsVerify: false });
});

test('a registry on this machine: the dialog says it is reached over plain HTTP, TLS only if it answers over HTTPS', async () => {
  render(<PullDialog initialRef="127.0.0.1:5000/team/app:1" />);
  expect(screen.getByRole('checkbox', { name: 'Verify TLS if it answers over HTTPS' })).toBeTruthy();
  expect(screen.getByTestId('pull-loopback').textContent).toContain(
    '127.0.0.1:5000 is on this machine (loopback): it is reached over plain HTTP',
  );
  await userEvent.setup().clear(screen.getByTestId('pull-ref'));
  await userEvent.setup().type(screen.getByTestId('pull-ref'), 'quay.io/team/app:1');
  expect(screen.queryByTestId('pull-loopback')).toBeNull();
  expect(screen.getByRole('checkbox', { name: /^Verify TLS \(turn off/ })).toBeTruthy();
});

test('a refused call is shown inline and the dialog stays open', async () => {
  mockApi.pull.mockRejectedValue(new CallError({ code: 'EINVALID', message: 'Invalid image reference "Not A//Reference"', detail: null }));
  const user = userEvent.setup();
  render(<PullDialog initialRef="Not A//Reference" />);
  await user.click(screen.getByTestId('pull-submit'));
  expect(screen.getByRole('alert').textContent).toBe('Invalid image reference "Not A//Reference"');
  expect(screen.getByTestId('pull-error')).toBeTruthy();
  expect(screen.queryByTestId('pull-candidates')).toBeNull();
  expect(deckhand.getState().dialog).toEqual({ kind: 'pull' });
});

const aliasesFile = '/home/me/.cache/containers/short-name-aliases.conf';

test('a short name with several candidates offers them; picking one remembers it as an alias, then pulls it', async () => {
  const candidates = ['registry.fedoraproject.org/nginx:latest', 'quay.io/nginx:latest', 'docker.io/library/nginx:latest'];
  mockApi.pull
    .mockRejectedValueOnce(
      new CallError({
        code: 'ESHORTNAME',
        message: '"nginx" is a short name and more than one registry could serve it.',
        detail: { candidates },
      }),
    )
    .mockResolvedValueOnce({ transferId });
  mockApi.rememberAlias.mockResolvedValue({ name: 'nginx', value: 'docker.io/library/nginx', file: aliasesFile });
  const user = userEvent.setup();
  render(<PullDialog initialRef="nginx" />);
  await user.click(screen.getByTestId('pull-submit'));
  expect(screen.getByTestId('pull-error').textContent).toContain('short name');
  expect(screen.getAllByTestId('pull-candidate').map((b) => b.textContent)).toEqual(candidates);
  expect(screen.getByRole('checkbox', { name: 'Remember this choice' })).toHaveProperty('checked', true);
  await user.click(screen.getByRole('button', { name: 'docker.io/library/nginx:latest' }));
  expect(mockApi.rememberAlias).toHaveBeenCalledWith({ name: 'nginx', value: 'docker.io/library/nginx' });
  expect(mockApi.rememberAlias.mock.invocationCallOrder[0]!).toBeLessThan(mockApi.pull.mock.invocationCallOrder[1]!);
  expect(mockApi.pull).toHaveBeenLastCalledWith({ ref: 'docker.io/library/nginx:latest', platform: 'linux/arm64' });
  expect(deckhand.getState().dialog).toBeNull();
  expect(deckhand.getState().notices.map((n) => [n.kind, n.text])).toEqual([
    ['info', `Remembered "nginx" as docker.io/library/nginx in ${aliasesFile}`],
  ]);
});

test("the short name comes from the error's detail (tag left out); unticking Remember pulls without recording", async () => {
  const candidates = ['quay.io/team/app:1', 'docker.io/team/app:1'];
  const refusal = () =>
    new CallError({
      code: 'ESHORTNAME',
      message: '"team/app:1" is a short name',
      detail: { input: 'team/app:1', shortName: 'team/app', candidates },
    });
  mockApi.pull.mockRejectedValueOnce(refusal()).mockResolvedValueOnce({ transferId });
  mockApi.rememberAlias.mockResolvedValue({ name: 'team/app', value: 'quay.io/team/app', file: aliasesFile });
  const user = userEvent.setup();
  const { unmount } = render(<PullDialog initialRef="team/app:1" />);
  await user.click(screen.getByTestId('pull-submit'));
  await user.click(screen.getByRole('button', { name: 'quay.io/team/app:1' }));
  expect(mockApi.rememberAlias).toHaveBeenCalledWith({ name: 'team/app', value: 'quay.io/team/app' });
  unmount();

  vi.clearAllMocks();
  deckhand.setState({ dialog: { kind: 'pull' }, notices: [] });
  mockApi.pull.mockRejectedValueOnce(refusal()).mockResolvedValueOnce({ transferId });
  render(<PullDialog initialRef="team/app:1" />);
  await user.click(screen.getByTestId('pull-submit'));
  await user.click(screen.getByRole('checkbox', { name: 'Remember this choice' }));
  await user.click(screen.getByRole('button', { name: 'docker.io/team/app:1' }));
  expect(mockApi.rememberAlias).not.toHaveBeenCalled();
  expect(mockApi.pull).toHaveBeenLastCalledWith({ ref: 'docker.io/team/app:1', platform: 'linux/arm64' });
  expect(deckhand.getState().notices).toEqual([]);
});

test('a failed record is reported and the pull still runs', async () => {
  mockApi.pull
    .mockRejectedValueOnce(
      new CallError({
        code: 'ESHORTNAME',
        message: 'short',
        detail: { candidates: ['quay.io/nginx:latest', 'docker.io/library/nginx:latest'] },
      }),
    )
    .mockResolvedValueOnce({ transferId });
  mockApi.rememberAlias.mockRejectedValue(new CallError({ code: 'EIO', message: 'read-only file system', detail: null }));
  const user = userEvent.setup();
  render(<PullDialog initialRef="nginx:1.27" />);
  await user.click(screen.getByTestId('pull-submit'));
  await user.click(screen.getByRole('button', { name: 'quay.io/nginx:latest' }));
  expect(mockApi.rememberAlias).toHaveBeenCalledWith({ name: 'nginx', value: 'quay.io/nginx' });
  expect(mockApi.pull).toHaveBeenLastCalledWith({ ref: 'quay.io/nginx:latest', platform: 'linux/arm64' });
  expect(deckhand.getState().notices.map((n) => n.kind)).toEqual(['error']);
  expect(deckhand.getState().notices[0]!.text).toContain('read-only file system');
});
