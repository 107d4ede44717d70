/**
 * Per-registry TLS from certs.d directories, as containers/image reads them (containers-certs.d(5)):
 * for a registry `HOST[:PORT]` (written exactly as in image references, so `registry.example` and
 * `registry.example:443` are different directories) the first of
 * `$HOME/.config/containers/certs.d/HOST[:PORT]`, `/etc/containers/certs.d/HOST[:PORT]` and
 * `/etc/docker/certs.d/HOST[:PORT]` that exists is used, alone (they are not merged). `--cert-dir DIR`
 * replaces the lookup: DIR itself holds the files. In the directory, `*.crt` are CA certificates
 * added to the default roots, and each `NAME.cert` pairs with `NAME.key` as a client certificate.
 * https://github.com/containers/image/blob/main/docs/containers-certs.d.5.md
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { isErrno } from '../store/fsutil.ts';
import type { RegistryTls } from '../registry/tls-errors.ts';

/**
 * node:tls is taken when a certs.d directory has something in it, not at import: loading it costs
 * 4-11 ms of a command's start (measured), and a pull from an http registry or one without certs.d
 * never needs it (node:https loads it on the first https request anyway).
 */
const tls = () => process.getBuiltinModule('node:tls');

export const SYSTEM_CERTS_DIRS = ['/etc/containers/certs.d', '/etc/docker/certs.d'];

export interface CertsDOptions {
  /** `--cert-dir`: this directory holds the files; no per-host lookup. */
  certDir?: string | undefined;
  /** For HOME (default: the process's). */
  env?: NodeJS.ProcessEnv | undefined;
  /** The system-wide certs.d roots (tests replace them). */
  systemDirs?: readonly string[];
}

export type { RegistryTls };

/** The directories to look at for `hostPort`, in containers/image's order. */
export function certsDirsFor(hostPort: string, opts: CertsDOptions = {}): string[] {
  if (opts.certDir) return [opts.certDir];
  if (!hostPort || hostPort.includes('/') || hostPort === '.' || hostPort === '..') {
    throw new DeckhandError('EUSAGE', `"${hostPort}" is not a registry host[:port].`);
  }
  const home = opts.env?.HOME || homedir();
  const roots = [join(home, '.config', 'containers', 'certs.d'), ...(opts.systemDirs ?? SYSTEM_CERTS_DIRS)];
  return roots.map((r) => join(r, hostPort));
}

/** The first candidate that exists; unreadable or missing ones are skipped, as containers/image does. */
async function firstExisting(dirs: string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    try {
      if ((await stat(dir)).isDirectory()) return dir;
    } catch (e) {
      if (isErrno(e, 'ENOENT', 'ENOTDIR', 'EACCES', 'EPERM')) continue;
      throw fileError(dir, e);
    }
  }
  return undefined;
}

function fileError(file: string, e: unknown, what = 'cannot be read'): DeckhandError {
  const reason = (e as Error).message ?? String(e);
  return new DeckhandError('ETLS', `${file} ${what}: ${reason}`, { cause: e, detail: { file } });
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw fileError(file, e);
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The PEM certificates in a file, each checked to parse; a file with none is an error. */
export function parseCertificates(text: string, file: string): string[] {
  const blocks = text.match(PEM_CERT) ?? [];
  if (blocks.length === 0)
    throw new DeckhandError('ETLS', `${file} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----").`, { detail: { file } });
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (e) {
      throw fileError(file, e, 'holds a certificate that does not parse');
    }
  }
  return blocks;
}

async function loadClient(dir: string, base: string): Promise<NonNullable<RegistryTls['client']>> {
  const certFile = join(dir, `${base}.cert`);
  const keyFile = join(dir, `${base}.key`);
  const cert = await readText(certFile);
  const key = await readText(keyFile);
  parseCertificates(cert, certFile);
  try {
    createPrivateKey(key);
  } catch (e) {
    throw fileError(keyFile, e, 'is not a usable private key (PEM, unencrypted)');
  }
  try {
    tls().createSecureContext({ cert, key });
  } catch (e) {
    throw new DeckhandError('ETLS', `${keyFile} is not the key of the client certificate ${certFile}: ${(e as Error).message}`, {
      cause: e,
      detail: { file: keyFile, certFile },
    });
  }
  return { certFile, keyFile, cert, key };
}

/**
 * Reads the TLS configuration for a registry. A `NAME.cert` without `NAME.key` (or the reverse), an
 * unreadable file or a file that is not valid PEM is an error naming the file; a missing directory is
 * not (there is simply nothing to add), except an explicit `--cert-dir`.
 */
export async function loadRegistryTls(hostPort: string, opts: CertsDOptions = {}): Promise<RegistryTls> {
  const searched = certsDirsFor(hostPort, opts);
  const dir = await firstExisting(searched);
  if (!dir) {
    if (opts.certDir)
      throw new DeckhandError('ETLS', `--cert-dir ${opts.certDir} is not a directory (or cannot be read).`, {
        detail: { file: opts.certDir },
      });
    return { dir: undefined, searched, caFiles: [], ca: undefined, client: undefined };
  }
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (e) {
    throw fileError(dir, e);
  }
  const present = new Set(names);
  const caFiles: string[] = [];
  const extra: string[] = [];
  let client: RegistryTls['client'];
  for (const name of names) {
    if (name.endsWith('.crt')) {
      const file = join(dir, name);
      extra.push(...parseCertificates(await readText(file), file));
      caFiles.push(file);
    } else if (name.endsWith('.cert')) {
      const base = name.slice(0, -'.cert'.length);
      if (!present.has(`${base}.key`)) {
        throw new DeckhandError(
          'ETLS',
          `${join(dir, name)} has no matching key ${join(dir, `${base}.key`)}. A client certificate NAME.cert needs its key NAME.key; CA certificates use the extension .crt.`,
          { detail: { file: join(dir, name) } },
        );
      }
      const pair = await loadClient(dir, base);
      client ??= pair;
    } else if (name.endsWith('.key')) {
      const base = name.slice(0, -'.key'.length);
      if (!present.has(`${base}.cert`)) {
        throw new DeckhandError('ETLS', `${join(dir, name)} has no matching client certificate ${join(dir, `${base}.cert`)}.`, {
          detail: { file: join(dir, name) },
        });
      }
    }
  }
  const ca = extra.length > 0 ? [...tls().getCACertificates('default'), ...extra] : undefined;
  return { dir, searched, caFiles, ca, client };
}
