/**
 * Electron IPC wiring derived from the contract: one `handle` per call, each checking its sender
 * before anything else (a foreign frame's message is dropped: the engine never sees it), then
 * going through the host's validating dispatcher. Events go to the app's own windows only.
 * Only Electron's types are imported, so this runs under plain Node in the unit tests.
 */
import type { IpcMainInvokeEvent } from 'electron';
import { CALL_NAMES, callChannel, eventChannel, type CallResult } from '../../src-shared/ipc/contract.ts';
import type { Dispatch } from '../host/dispatch.ts';
import type { EventHub } from '../host/events.ts';
import { isTrustedSender } from './security.ts';

type InvokeEvent = Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>;

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export type SenderCheck = (event: InvokeEvent) => boolean;

const FORBIDDEN: CallResult<never> = {
  ok: false,
  error: { code: 'EFORBIDDEN', message: 'This frame may not call Deckhand.', detail: null },
};

/** Only the top frame of a page at the app's own URL may call. */
export function appFrameOnly(appUrl: string): SenderCheck {
  return (event) => {
    const frame = event.senderFrame;
    return frame !== null && frame !== undefined && isTrustedSender(frame.url, appUrl, frame === event.sender.mainFrame);
  };
}

export function registerCalls(
  ipc: IpcMainLike,
  dispatch: Dispatch,
  isTrusted: SenderCheck,
  log: (message: string) => void = console.warn,
): () => void {
  for (const call of CALL_NAMES) {
    ipc.handle(callChannel(call), async (event, ...args) => {
      if (!isTrusted(event)) {
        log(`deckhand: dropped a ${call} call from a foreign sender (${event.senderFrame?.url ?? 'no frame'})`);
        return FORBIDDEN;
      }
      if (args.length > 1)
        return {
          ok: false,
          error: {
            code: 'EINVALID',
            message: `Invalid input for ${call}: a call takes one argument, got ${args.length}.`,
            detail: { call },
          },
        };
      return dispatch(call, args[0]);
    });
  }
  return () => {
    for (const call of CALL_NAMES) ipc.removeHandler(callChannel(call));
  };
}

export interface EventTarget {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

/** Sends every host event to the current app windows. */
export function forwardEvents(hub: EventHub, targets: () => Iterable<EventTarget>): () => void {
  return hub.subscribe(({ event, payload }) => {
    for (const t of targets()) if (!t.isDestroyed()) t.send(eventChannel(event), payload);
  });
}
