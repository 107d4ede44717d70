/**
 * Log in to a registry from the sidebar. The main side checks the login against the registry, then
 * saves it with the credential helper configured for it or, in the desktop app, encrypted with the
 * OS keychain; the notice says which. The password lives in this component's state only until the
 * form is submitted, is cleared then whatever the outcome, and is never logged.
 */
import { useState, type FormEvent } from 'react';
import type { LoginResult, LogoutResult } from '../../../src-shared/ipc/contract.ts';
import { useApi } from '../../api/provider.tsx';
import { useRegistryActions } from '../../data/registries.ts';
import { useDeckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { Dialog, FormFooter } from '../../ui/Dialog.tsx';
import './registries.css';

/** Where a login was saved, for the notice. */
export function storedWhere(result: Pick<LoginResult, 'storedIn' | 'helper'>): string {
  return result.storedIn === 'credential-helper'
    ? `saved with the credential helper docker-credential-${result.helper ?? '?'}`
    : 'saved encrypted with the OS keychain';
}

/** What a logout removed, for the notice. */
export function logoutNotice(result: LogoutResult): string {
  if (result.removedFrom.length === 0)
    return `Deckhand had no login saved for ${result.registry}; logins other tools saved in their own auth files stay (use their logout, or \`deckhand logout ${result.registry}\`).`;
  const where = result.removedFrom.map((w) => (w === 'keychain' ? "the app's keychain-encrypted logins" : 'the credential helper'));
  return `Logged out of ${result.registry}: removed from ${where.join(' and ')}.`;
}

/** The failure to show: a refused login says so; a login that cannot be saved gives the reason as the main side wrote it. */
function failureOf(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  const message = messageOf(e);
  if (code === 'EUNAUTHORIZED' && !/^login failed/i.test(message)) return `Login failed: ${message}`;
  return message;
}

export function LoginDialog({ registry }: { registry: string }) {
  const closeDialog = useDeckhand((s) => s.closeDialog);
  const notify = useDeckhand((s) => s.notify);
  const api = useApi();
  const { reloadRegistries } = useRegistryActions();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || !username.trim() || !password) return;
    const secret = password;
    // Out of the state (and the input) at once, whatever the outcome.
    setPassword('');
    setBusy(true);
    setError(null);
    try {
      const result = await api.login({ registry, username: username.trim(), password: secret });
      closeDialog();
      notify('info', `Logged in to ${result.registry} as ${result.username}: ${storedWhere(result)}.`);
      void reloadRegistries();
    } catch (err) {
      setError(failureOf(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Log in to ${registry}`} onClose={closeDialog} testId="login-dialog">
      <form onSubmit={(e) => void submit(e)} aria-label={`Log in to ${registry}`} autoComplete="off">
        <label>
          Username
          <input
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="off"
            required
            data-testid="login-username"
          />
        </label>
        <label>
          Password or token
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="off"
            required
            aria-describedby={error ? 'login-error' : undefined}
            data-testid="login-password"
          />
        </label>
        <p className="form-hint muted">
          The login is checked with {registry} first, then saved with the credential helper configured for it, or encrypted with the OS
          keychain. Nothing is saved when the registry refuses it.
        </p>
        <FormFooter
          error={error}
          errorId="login-error"
          errorTestId="login-error"
          submitLabel="Log in"
          busyLabel="Checking…"
          busy={busy}
          disabled={username.trim() === '' || password === ''}
          submitTestId="login-submit"
          onCancel={closeDialog}
        />
      </form>
    </Dialog>
  );
}
