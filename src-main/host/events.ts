/**
 * The main side's event fan-out: the host emits contract events here and each transport (Electron
 * windows, web host sockets) subscribes once. A failing listener never stops the others. The
 * transports also say when a window or tab connects and goes (`connected`), so the host watches
 * what only matters while someone looks (the engines' event streams).
 */
import type { EventName, EventPayload } from '../../src-shared/ipc/contract.ts';

export type HostEvent = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName];
export type HostEventListener = (e: HostEvent) => void;

export class EventHub {
  private readonly listeners = new Set<HostEventListener>();
  private readonly clientListeners = new Set<(clients: number) => void>();
  private clients = 0;

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

  /** A window or tab that receives events connected; returns the function to call when it goes (once). */
  connected(): () => void {
    this.setClients(this.clients + 1);
    let gone = false;
    return () => {
      if (gone) return;
      gone = true;
      this.setClients(this.clients - 1);
    };
  }

  /** Calls `listener` with the number of connected windows and tabs whenever it changes. */
  onClients(listener: (clients: number) => void): () => void {
    this.clientListeners.add(listener);
    return () => this.clientListeners.delete(listener);
  }

  private setClients(n: number): void {
    this.clients = n;
    for (const l of this.clientListeners) {
      try {
        l(n);
      } catch (err) {
        console.error('deckhand: a clients listener failed:', err);
      }
    }
  }
}
