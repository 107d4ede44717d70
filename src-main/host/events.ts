/**
 * The main side's event fan-out: the host emits contract events here and each transport (Electron
 * windows, web host sockets) subscribes once. A failing listener never stops the others.
 */
import type { EventName, EventPayload } from '../../src-shared/ipc/contract.ts';

export type HostEvent = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName];
export type HostEventListener = (e: HostEvent) => void;

export class EventHub {
  private readonly listeners = new Set<HostEventListener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const e = { event, payload } as HostEvent;
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        console.error(`deckhand: a ${event} listener failed:`, err);
      }
    }
  }

  subscribe(listener: HostEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
