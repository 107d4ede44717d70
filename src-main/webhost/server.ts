/**
 * The web host: the built renderer and the contract over HTTP (calls) and a WebSocket (events),
 * on 127.0.0.1 only, behind a random per-run token that starts every path. Requests without the
 * token get 401; a Host header that is not loopback, or a browser Origin other than this host,
 * gets 403. This is how the e2e tests drive the real UI in Chromium, and how Deckhand is used on
 * a remote machine through an SSH tunnel.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { CALL_ROUTE_PREFIX, EVENTS_ROUTE, UPLOAD_ROUTE } from '../../src-shared/ipc/contract.ts';
import type { Dispatch } from '../host/dispatch.ts';
import type { EventHub } from '../host/events.ts';
import { handleCall } from './api.ts';
import { isLoopbackHostHeader, newToken, originAllowed, routeOf } from './guard.ts';
import { EventSockets, refuseUpgrade } from './sockets.ts';
import { serveStatic } from './static.ts';
import { handleUpload } from './upload.ts';

export interface WebHostOptions {
  dispatch: Dispatch;
  events: EventHub;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Fixed token (tests); a fresh random one per run otherwise. */
  token?: string;
  /** Where dropped archives are uploaded (`<store>/.deckhand/uploads`); without it there is no upload route. */
  uploadsDir?: string;
}

export interface WebHost {
  /** `http://127.0.0.1:PORT/TOKEN/`: the address to open. */
  url: string;
  token: string;
  server: Server;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const UNAUTHORIZED = "Unauthorized: open the address `deckhand serve` printed; it carries this run's token.\n";

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? newToken();
  const sockets = new EventSockets(opts.events);

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (!isLoopbackHostHeader(req.headers.host))
      return void res.writeHead(403, { 'Content-Type': 'text/plain' }).end('Forbidden: unknown host name.\n');
    const route = routeOf(req.url ?? '/', token);
    if (!route) return void res.writeHead(401, { 'Content-Type': 'text/plain' }).end(UNAUTHORIZED);
    if (!originAllowed(req.headers.origin, req.headers.host))
      return void res.writeHead(403, { 'Content-Type': 'text/plain' }).end('Forbidden: foreign origin.\n');
    if (route.redirect) return void res.writeHead(308, { Location: `/${token}/` }).end();
    if (route.rest.startsWith(CALL_ROUTE_PREFIX))
      return void handleCall(req, res, route.rest.slice(CALL_ROUTE_PREFIX.length), opts.dispatch).catch(() => res.destroy());
    if (route.rest === UPLOAD_ROUTE && opts.uploadsDir) return void handleUpload(req, res, opts.uploadsDir).catch(() => res.destroy());
    if (route.rest === EVENTS_ROUTE) return void res.writeHead(426, { Upgrade: 'websocket' }).end();
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    void serveStatic(res, opts.rendererDir, route.rest, req.method === 'HEAD');
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!isLoopbackHostHeader(req.headers.host)) return refuseUpgrade(socket, 403, 'Forbidden');
    const route = routeOf(req.url ?? '/', token);
    if (!route) return refuseUpgrade(socket, 401, 'Unauthorized');
    if (!originAllowed(req.headers.origin, req.headers.host)) return refuseUpgrade(socket, 403, 'Forbidden');
    if (route.rest !== EVENTS_ROUTE) return refuseUpgrade(socket, 404, 'Not Found');
    sockets.accept(req, socket, head);
  };

  const server = createServer(onRequest);
  server.on('upgrade', onUpgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port ?? 0, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${token}/`,
    token,
    server,
    async close() {
      sockets.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
