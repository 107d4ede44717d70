/**
 * Remembering a short-name choice: the pull dialog offers the candidates of an ESHORTNAME refusal,
 * and the one chosen is recorded as an alias in the user's short-name-aliases.conf (as Podman does
 * at its prompt), for the host's environment, so later pulls of the short name use it.
 */
import type { Handlers } from '../../src-shared/ipc/contract.ts';
import { recordShortNameAlias } from '../engine/config/short-names.ts';
import type { HostContext } from './handlers.ts';

export function aliasHandlers(ctx: HostContext): Pick<Handlers, 'rememberAlias'> {
  return {
    rememberAlias: async ({ name, value }) => recordShortNameAlias(name, value, ctx.env),
  };
}
