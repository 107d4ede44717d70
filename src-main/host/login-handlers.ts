/**
 * The app's login and logout calls, over app-logins.ts (credential helper, else the OS keychain in
 * the desktop app; the web host refuses to save without a helper). Inputs arrive validated; the
 * password is handed on once and is in no result, log line or error.
 */
import type { Handlers } from '../../src-shared/ipc/contract.ts';
import type { HostContext } from './handlers.ts';

export function loginHandlers(ctx: HostContext): Pick<Handlers, 'login' | 'logout'> {
  return {
    login: async ({ registry, username, password }) => ctx.logins.login(registry.toLowerCase(), { username, password }),
    logout: async ({ registry }) => ctx.logins.logout(registry.toLowerCase()),
  };
}
