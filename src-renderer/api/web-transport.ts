/**
 * The web host's transport for the contract: calls are POSTs to `api/call/<name>` and events come
 * over one WebSocket at `api/events`, both relative to the page, whose path starts with the run's
 * token (`/<token>/`), so the token travels in every URL without the page handling it.
 */
import { CALL_ROUTE_PREFIX, EVENTS_ROUTE, type CallResult, type EventName, type RawApi } from '../../src-shared/ipc/contract.ts';
import { rawApi } from '../../src-shared/ipc/proxy.ts';

type Listener = (payload: unknown) => void;

export function webRawApi(pageUrl: string): RawApi {
  const base = new URL('.', pageUrl);
  const listeners = new Map<EventName, Set<Listener>>();
  let socket: WebSocket | undefined;
  let opened: Promise<boolean> | undefined;
  let retryMs = 250;

  const deliver = (event: EventName, payload: unknown) => {
    for (const l of listeners.get(event) ?? []) l(payload);
  };

  const connect = (): Promise<boolean> => {
    const url = new URL(EVENTS_ROUTE, base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    socket = ws;
    let wasOpen = false;
    ws.onmessage = (m) => {
      try {
        const { event, payload } = JSON.parse(String(m.data)) as { event: EventName; payload: unknown };
        deliver(event, payload);
      } catch {
        console.error('Deckhand: an event from the host was not JSON.');
      }
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      opened = undefined;
      // Reconnect while anyone listens; events sent meanwhile are lost, so tell listeners to refetch.
      setTimeout(
        () => {
          if (listeners.size > 0) void ensureSocket().then((ok) => ok && deliver('storeChanged', { reason: 'reconnected' }));
        },
        wasOpen ? 0 : retryMs,
      );
      retryMs = wasOpen ? 250 : Math.min(retryMs * 2, 5000);
    };
    return new Promise<boolean>((resolve) => {
      ws.onopen = () => {
        wasOpen = true;
        retryMs = 250;
        resolve(true);
      };
      // Calls go ahead without events rather than hang when the socket cannot open.
      setTimeout(() => resolve(false), 2000);
    });
  };
  const ensureSocket = () => (opened ??= connect());

  return rawApi(
    async (call, input) => {
      // A transfer's first events must not race ahead of the socket that carries them.
      if (listeners.size > 0) await ensureSocket();
      const res = await fetch(new URL(CALL_ROUTE_PREFIX + call, base), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(input === undefined ? {} : { input }),
      });
      const body = (await res.json().catch(() => null)) as CallResult<unknown> | null;
      if (body && typeof body === 'object' && 'ok' in body) return body;
      return {
        ok: false,
        error: {
          code: 'EINTERNAL',
          message: `The Deckhand host answered ${call} with HTTP ${res.status}.`,
          detail: { status: res.status },
        },
      };
    },
    (event, listener) => {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      void ensureSocket();
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(event);
      };
    },
  );
}
