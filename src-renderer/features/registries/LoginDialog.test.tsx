import { screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, expect, test, vi } from 'vitest';
import { CallError } from '../../../src-shared/ipc/proxy.ts';
import type { ReactElement } from 'react';
import { keys } from '../../data/keys.ts';
import { registriesQuery } from '../../data/queries.ts';
import { createQueryClient, fakeApi, renderWithData } from '../../data/testing.tsx';
import { deckhand } from '../../store/index.ts';
import { LoginDialog, logoutNotice } from './LoginDialog.tsx';

const mockApi = { login: vi.fn(), listRegistries: vi.fn() };
let client = createQueryClient();
const render = (ui: ReactElement) => renderWithData(ui, { api: mockApi, client });

const SECRET = 'hunter2-secret';

beforeEach(async () => {
  deckhand.setState(deckhand.getInitialState(), true);
  deckhand.setState({ dialog: { kind: 'login', registry: 'quay.io' } });
  vi.clearAllMocks();
  client = createQueryClient();
  // The sidebar has listed the registries before the login.
  mockApi.listRegistries.mockResolvedValueOnce([]);
  await client.prefetchQuery(registriesQuery(fakeApi(mockApi)));
  mockApi.listRegistries.mockResolvedValue([{ host: 'quay.io', sources: ['auth'], insecure: false }]);
});

test('submits the login, clears the password, closes with a notice of where it was saved and reloads the registries', async () => {
  const log = vi.spyOn(console, 'log');
  mockApi.login.mockResolvedValue({ registry: 'quay.io', username: 'ann', storedIn: 'credential-helper', helper: 'osxkeychain' });
  render(<LoginDialog registry="quay.io" />);
  expect(screen.getByTestId('login-dialog')).toBeTruthy();
  const password = screen.getByLabelText('Password or token') as HTMLInputElement;
  expect(password.type).toBe('password');
  expect(password.autocomplete).toBe('off');
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Username'), 'ann');
  await user.type(password, SECRET);
  await user.click(screen.getByRole('button', { name: 'Log in' }));
  expect(mockApi.login).toHaveBeenCalledWith({ registry: 'quay.io', username: 'ann', password: SECRET });
  expect(deckhand.getState().dialog).toBeNull();
  expect(deckhand.getState().notices.map((n) => n.text)).toEqual([
    'Logged in to quay.io as ann: saved with the credential helper docker-credential-osxkeychain.',
  ]);
  await vi.waitFor(() => expect(client.getQueryData(keys.registries())).toEqual([{ host: 'quay.io', sources: ['auth'], insecure: false }]));
  expect(JSON.stringify(deckhand.getState())).not.toContain(SECRET);
  expect(log.mock.calls.flat().join(' ')).not.toContain(SECRET);
  log.mockRestore();
});

test('a refused login shows inline, the password is cleared and the dialog stays open', async () => {
  mockApi.login.mockRejectedValue(
    new CallError({
      code: 'EUNAUTHORIZED',
      message: 'Login failed: quay.io did not accept the username "ann" with that password. Nothing was saved.',
      detail: null,
    }),
  );
  render(<LoginDialog registry="quay.io" />);
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Username'), 'ann');
  await user.type(screen.getByLabelText('Password or token'), SECRET);
  await user.click(screen.getByTestId('login-submit'));
  expect((await screen.findByRole('alert')).textContent).toBe(
    'Login failed: quay.io did not accept the username "ann" with that password. Nothing was saved.',
  );
  expect((screen.getByLabelText('Password or token') as HTMLInputElement).value).toBe('');
  expect((screen.getByLabelText('Username') as HTMLInputElement).value).toBe('ann');
  expect(deckhand.getState().dialog).toEqual({ kind: 'login', registry: 'quay.io' });
  // Submitting again needs the password typed again.
  expect((screen.getByTestId('login-submit') as HTMLButtonElement).disabled).toBe(true);
  expect(document.body.innerHTML).not.toContain(SECRET);
});

test("nowhere to save the login: the main side's reason is shown", async () => {
  const message =
    'This Deckhand (deckhand serve) cannot save logins itself: configure a credential helper (credHelpers or credsStore in ~/.docker/config.json), or run `deckhand login quay.io` on this machine.';
  mockApi.login.mockRejectedValue(new CallError({ code: 'EAUTH_CONFIG', message, detail: null }));
  render(<LoginDialog registry="quay.io" />);
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Username'), 'ann');
  await user.type(screen.getByLabelText('Password or token'), SECRET);
  await user.click(screen.getByTestId('login-submit'));
  expect((await screen.findByTestId('login-error')).textContent).toBe(message);
});

test('the logout notice says what was removed', () => {
  expect(logoutNotice({ registry: 'quay.io', removedFrom: ['keychain'] })).toBe(
    "Logged out of quay.io: removed from the app's keychain-encrypted logins.",
  );
  expect(logoutNotice({ registry: 'quay.io', removedFrom: [] })).toMatch(/^Deckhand had no login saved for quay.io/);
});
