/**
 * `GET /<token>/api/events` upgraded to a WebSocket: every host event goes to every connected page
 * as `{"event": name, "payload": …}`. Upgrades are checked like any request, and a browser page
 * from a foreign Origin is refused before the handshake.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventHub } from '../host/events.ts';

export class EventSockets {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly unsubscribe: () => void;
  private readonly events: EventHub;

  constructor(events: EventHub) {
    this.events = events;
    this.unsubscribe = events.subscribe((e) => {
      const data = JSON.stringify(e);
      for (const ws of this.wss.clients) if (ws.readyState === ws.OPEN) ws.send(data);
    });
  }

  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      // Pages only listen; anything they send is ignored.
      ws.on('error', () => ws.terminate());
      ws.once('close', this.events.connected());
    });
  }

  get count(): number {
    return this.wss.clients.size;
  }

  close(): void {
    this.unsubscribe();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}

/** Ends an upgrade request that may not proceed, with a plain HTTP status. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.on('error', () => socket.destroy());
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
