/**
 * `deckhand pull REGISTRY/REPO…` opens the TCP connection to the named registry while the rest of
 * the command is still loading, so the handshake overlaps Node's start instead of following it
 * (over a 40 ms link that is a round trip or two saved on every pull). Only TCP is opened here: no
 * byte is sent until the engine, having read registries.conf, credentials and certs.d, sends its
 * first request; TLS then runs over this socket with the engine's own options (registry/http.ts
 * takes it over). Nothing is opened for a short name, for Docker Hub, or for a registry that any
 * registries.conf file mentions (it may be blocked, rewritten or mirrored), and an unused
 * connection is closed with the process. This file is its own small entry (dist/cli-preconnect.mjs)
 * so that it runs before the bundle loads.
 */
import { connect } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Options of pull and of the global flags that take a value: their value is not the reference. */
const VALUED = new Set(['--store', '--platform', '--tls-verify', '--cert-dir', '--signature-policy', '--format']);

/** The registry `deckhand pull REF` will reach first, as host and port, if it is worth opening now. */
export function preconnectTarget(argv: readonly string[], confTexts: () => string[]): { host: string; port: number } | undefined {
  const args = argv.filter((_a, i) => !VALUED.has(argv[i - 1] ?? ''));
  const positionals = args.filter((a) => !a.startsWith('-'));
  if (positionals[0] !== 'pull' || positionals.length !== 2) return undefined;
  const ref = positionals[1]!;
  const slash = ref.indexOf('/');
  if (slash < 0) return undefined;
  const domain = ref.slice(0, slash).toLowerCase();
  if (!(domain.includes('.') || domain.includes(':') || domain === 'localhost') || domain === 'docker.io') return undefined;
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(domain);
  if (!m) return undefined;
  const host = m[1]!.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host.startsWith('127.') || host === '::1';
  const port = m[2] ? Number(m[2]) : loopback ? 80 : 443;
  // A registry the configuration mentions (by name, or under a `*.` prefix) may be blocked, rewritten or mirrored.
  const labels = host.split('.');
  const names = [host, ...labels.slice(1).map((_l, i) => `*.${labels.slice(i + 1).join('.')}`)];
  if (confTexts().some((text) => names.some((n) => text.toLowerCase().includes(n)))) return undefined;
  return { host, port };
}

/** Every registries.conf file and drop-in the engine might read (see config/registries-conf.ts), as text. */
function registriesConfTexts(env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME || homedir();
  const files = [env.CONTAINERS_REGISTRIES_CONF, env.REGISTRIES_CONFIG_PATH, join(home, '.config/containers/registries.conf'), '/etc/containers/registries.conf'];
  for (const dir of [env.CONTAINERS_REGISTRIES_CONF_DIR, join(home, '.config/containers/registries.conf.d'), '/etc/containers/registries.conf.d']) {
    if (!dir) continue;
    try {
      files.push(...readdirSync(dir).map((n) => join(dir, n)));
    } catch {
      // No such folder: nothing in it mentions the registry.
    }
  }
  const texts: string[] = [];
  for (const f of files) {
    if (!f) continue;
    try {
      texts.push(readFileSync(f, 'utf8'));
    } catch {
      // Unreadable or missing: the engine reports it; here it only means no early connection.
    }
  }
  return texts;
}

const SLOT = Symbol.for('deckhand.preconnected');

/** Opens the connection (unref'd: it never keeps the process alive) and leaves it where registry/http.ts looks. */
export function preconnect(argv: readonly string[], env: NodeJS.ProcessEnv): void {
  const target = preconnectTarget(argv, () => registriesConfTexts(env));
  if (!target) return;
  const socket = connect({ host: target.host, port: target.port });
  socket.unref();
  // A failed early connection is not an error: the engine connects again and reports its own.
  socket.on('error', () => undefined);
  (globalThis as Record<symbol, unknown>)[SLOT] = [{ ...target, socket }];
}

// As dist/cli-preconnect.mjs, run by the `deckhand` entry before the bundle loads.
if (import.meta.url.endsWith('/cli-preconnect.mjs')) preconnect(process.argv.slice(2), process.env);
