/**
 * A pass-through proxy in front of the test registry that holds one blob halfway for a while, so
 * a spec sees a pull in progress however fast the machine is.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldProxy {
  host: string;
  /** Holds the body of GET …/blobs/<digest> after half its bytes, for `ms`. */
  hold(digest: string, ms: number): void;
  stop(): Promise<void>;
}

export async function startHoldProxy(upstream: string): Promise<HoldProxy> {
  const target = new URL(upstream);
  const holds = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const out = request({ hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      const digest = req.method === 'GET' ? /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(req.url ?? '')?.[1] : undefined;
      const ms = digest ? holds.get(digest) : undefined;
      const half = Number(up.headers['content-length'] ?? 0) / 2;
      if (!ms || !half) return void up.pipe(res);
      let sent = 0;
      up.on('data', (chunk: Buffer) => {
        const before = sent;
        sent += chunk.length;
        res.write(chunk);
        if (before < half && sent >= half) {
          up.pause();
          setTimeout(() => up.resume(), ms);
        }
      });
      up.on('end', () => res.end());
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    hold: (digest, ms) => void holds.set(digest, ms),
    stop: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
