/**
 * Both ends of a transport, derived from the contract: `rawApi` turns an invoke function into one
 * named method per call (the preload and the web host client use it), and `clientApi` turns that
 * into the renderer's typed API: values or a CallError, and only events that pass their schema.
 */
import type { WireError } from '../errors.ts';
import { CALL_NAMES, isEventName, type CallName, type CallResult, type DeckhandApi, type EventName, type RawApi } from './contract.ts';
import { checkEvent } from './validate.ts';

export type Invoke = (call: CallName, input: unknown) => Promise<CallResult<unknown>>;
export type Subscribe = (event: EventName, listener: (payload: unknown) => void) => () => void;

export function rawApi(invoke: Invoke, subscribe: Subscribe): RawApi {
  const api: Record<string, unknown> = {};
  for (const call of CALL_NAMES) api[call] = (input?: unknown) => invoke(call, input);
  api.on = (event: EventName, listener: (payload: unknown) => void) => {
    if (!isEventName(event) || typeof listener !== 'function') throw new TypeError(`Unknown event ${String(event)}.`);
    return subscribe(event, listener);
  };
  return api as RawApi;
}

/** A failed call as the renderer sees it: the main side's stable code, message and detail. */
export class CallError extends Error {
  readonly code: string;
  readonly detail: Record<string, unknown> | null;
  constructor(error: WireError) {
    super(error.message);
    this.name = 'CallError';
    this.code = error.code;
    this.detail = error.detail;
  }
}

function isCallResult(r: unknown): r is CallResult<unknown> {
  if (typeof r !== 'object' || r === null) return false;
  const o = r as Record<string, unknown>;
  if (o.ok === true) return 'value' in o;
  const e = o.error as Record<string, unknown> | undefined;
  return o.ok === false && typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.message === 'string';
}

export function clientApi(raw: RawApi, onInvalidEvent: (message: string) => void = () => undefined): DeckhandApi {
  const api: Record<string, unknown> = {};
  const methods = raw as unknown as Record<CallName, (input?: unknown) => Promise<unknown>>;
  for (const call of CALL_NAMES) {
    api[call] = async (input?: unknown) => {
      const result = await methods[call](input);
      if (!isCallResult(result))
        throw new CallError({
          code: 'EINTERNAL',
          message: `The main side answered ${call} with something that is not a result.`,
          detail: null,
        });
      if (result.ok) return result.value;
      throw new CallError({ code: result.error.code, message: result.error.message, detail: result.error.detail ?? null });
    };
  }
  api.on = (event: EventName, listener: (payload: never) => void) =>
    raw.on(event, (payload) => {
      const checked = checkEvent(event, payload);
      if (checked.ok) listener(checked.value as never);
      else onInvalidEvent(checked.error.message);
    });
  return api as unknown as DeckhandApi;
}
