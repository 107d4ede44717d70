/**
 * Takes over the TCP connection the CLI opened early for the registry it was asked to pull from
 * (cli/preconnect.ts leaves it in a global slot, since it runs before this bundle loads). Only a
 * live socket to exactly that host and port is taken, once; the transport then runs its own TLS
 * over it, and records the address it reached as a lookup would.
 */
import type { Socket } from 'node:net';

const SLOT = Symbol.for('deckhand.preconnected');

interface Preconnected {
  host: string;
  port: number;
  socket: Socket;
}

export function takePreconnected(host: string, port: number): Socket | undefined {
  const list = (globalThis as Record<symbol, Preconnected[] | undefined>)[SLOT];
  const i = list?.findIndex((p) => p.host === host && p.port === port && !p.socket.destroyed) ?? -1;
  if (i < 0) return undefined;
  const [{ socket }] = list!.splice(i, 1) as [Preconnected];
  socket.ref();
  return socket;
}
