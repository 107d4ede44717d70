/**
 * Checks payloads at the boundary against the contract's schemas. A failure becomes a WireError
 * with a stable code (EUSAGE for an unknown call, EINVALID for input that fails its schema) and a
 * message naming the call, the field and what was wrong.
 */
import * as v from 'valibot';
import type { WireError } from '../errors.ts';
import { CALLS, EVENTS, isCallName, isEventName, type CallArgs, type CallName, type EventName, type EventPayload } from './contract.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: WireError };

function describe(issues: readonly v.BaseIssue<unknown>[]): Array<{ path: string; message: string }> {
  return issues.map((i) => ({ path: v.getDotPath(i) ?? '', message: i.message }));
}

export function checkCall(call: unknown, input: unknown): Checked<{ call: CallName; args: CallArgs<CallName> }> {
  if (!isCallName(call)) {
    const shown = typeof call === 'string' ? call.slice(0, 64) : typeof call;
    return {
      ok: false,
      error: {
        code: 'EUSAGE',
        message: `Unknown call ${JSON.stringify(shown)}; the contract has ${Object.keys(CALLS).join(', ')}.`,
        detail: { call: shown },
      },
    };
  }
  const parsed = v.safeParse(CALLS[call].input, input);
  if (parsed.success) return { ok: true, value: { call, args: parsed.output as CallArgs<CallName> } };
  const issues = describe(parsed.issues);
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return { ok: false, error: { code: 'EINVALID', message: `Invalid input for ${call}: ${summary}.`, detail: { call, issues } } };
}

export function checkEvent<E extends EventName>(event: E, payload: unknown): Checked<EventPayload<E>>;
export function checkEvent(event: unknown, payload: unknown): Checked<unknown> {
  if (!isEventName(event))
    return { ok: false, error: { code: 'EUSAGE', message: `Unknown event ${JSON.stringify(String(event).slice(0, 64))}.`, detail: null } };
  const parsed = v.safeParse(EVENTS[event], payload);
  if (parsed.success) return { ok: true, value: parsed.output };
  const issues = describe(parsed.issues);
  return {
    ok: false,
    error: {
      code: 'EINVALID',
      message: `Invalid ${event} event: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}.`,
      detail: { event, issues },
    },
  };
}
