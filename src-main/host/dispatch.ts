/**
 * The one door into the main side, shared by Electron IPC and the web host: checks the call name
 * and its input against the contract, and only then calls the handler. Every outcome is a
 * CallResult; errors carry their stable code, message and detail.
 */
import { toWireError } from '../../src-shared/errors.ts';
import type { CallResult, Handlers } from '../../src-shared/ipc/contract.ts';
import { checkCall } from '../../src-shared/ipc/validate.ts';

export type Dispatch = (call: unknown, input: unknown) => Promise<CallResult<unknown>>;

export function createDispatcher(handlers: Handlers, log: (message: string, error: unknown) => void = console.error): Dispatch {
  return async (call, input) => {
    const checked = checkCall(call, input);
    if (!checked.ok) return checked;
    const handler = handlers[checked.value.call] as (args: unknown) => Promise<unknown>;
    try {
      return { ok: true, value: await handler(checked.value.args) };
    } catch (e) {
      const error = toWireError(e);
      if (error.code === 'EINTERNAL') log(`deckhand: ${checked.value.call} failed unexpectedly:`, e);
      return { ok: false, error };
    }
  };
}
