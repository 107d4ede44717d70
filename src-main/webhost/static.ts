/**
 * Serves the built renderer (dist/renderer) read-only: files inside that folder only, with their
 * content type, and the Content-Security-Policy on HTML.
 */
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../src-shared/csp.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export async function serveStatic(res: ServerResponse, rendererDir: string, rest: string, head: boolean): Promise<void> {
  let rel: string;
  try {
    rel = decodeURIComponent(rest || 'index.html');
  } catch {
    return void res.writeHead(400).end();
  }
  const root = resolve(rendererDir);
  const file = resolve(root, rel);
  const type = TYPES[extname(file)];
  if (!file.startsWith(root + sep) || rel.includes('\0') || !type) return void res.writeHead(404).end();
  try {
    if (!(await stat(file)).isFile()) return void res.writeHead(404).end();
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': body.length,
      ...(type.startsWith('text/html') ? { 'Content-Security-Policy': CONTENT_SECURITY_POLICY } : {}),
    });
    res.end(head ? undefined : body);
  } catch {
    res.writeHead(404).end();
  }
}
