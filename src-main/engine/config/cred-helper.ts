/**
 * The docker-credential-helpers protocol: `docker-credential-<name> get|store|erase|list`, run with
 * its input on stdin. `get` takes the server URL and prints {ServerURL, Username, Secret}; a
 * Username of `<token>` means Secret is an identity token. `store` takes that JSON, `erase` the
 * server URL, `list` prints {serverURL: username}. A helper that does not know a server prints
 * "credentials not found in native keychain" and exits non-zero.
 * https://github.com/docker/docker-credential-helpers (client/client.go, credentials/error.go)
 *
 * Secrets travel only on the helper's stdin and stdout; no error message or detail ever holds one.
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import type { Credentials } from '../registry/auth.ts';

/** The Username a helper reports when Secret is an identity token (docker's `tokenUsername`). */
export const TOKEN_USERNAME = '<token>';
const NOT_FOUND = /credentials not found/i;
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const TIMEOUT_MS = 120_000;

export interface HelperOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the helper was configured, for error messages. */
  configuredIn?: string;
}

/** The server URL helpers know a registry by: Docker Hub is `https://index.docker.io/v1/`, others their host. */
export function helperServerUrl(domain: string): string {
  return domain === 'docker.io' ? 'https://index.docker.io/v1/' : domain;
}

const program = (name: string) => `docker-credential-${name}`;

function where(registry: string, opts: HelperOptions): string {
  return `for ${registry}${opts.configuredIn ? ` (configured in ${opts.configuredIn})` : ''}`;
}

/** A helper's own words about a failure, without anything that could be a secret. */
function sanitize(output: string, secret?: string): string {
  let text = output.trim().split('\n')[0] ?? '';
  if (secret) text = text.split(secret).join('***');
  if (/^[{[]/.test(text)) return '';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

interface HelperRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runHelper(
  name: string,
  action: 'get' | 'store' | 'erase' | 'list',
  input: string,
  registry: string,
  opts: HelperOptions,
): Promise<HelperRun> {
  if (!HELPER_NAME.test(name)) {
    return Promise.reject(
      new DeckhandError(
        'EAUTH_CONFIG',
        `The credential helper name ${JSON.stringify(name)} ${where(registry, opts)} is not valid (it names docker-credential-<name> on PATH).`,
        { detail: { helper: name, registry } },
      ),
    );
  }
  return new Promise((resolve, reject) => {
    // node:child_process (and dgram with it) loads only when a helper runs: a few ms of every command's start otherwise.
    const child = process
      .getBuiltinModule('node:child_process')
      .spawn(program(name), [action], { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const missing = e.code === 'ENOENT';
      reject(
        new DeckhandError(
          'EAUTH_CONFIG',
          missing
            ? `The credential helper ${program(name)} ${where(registry, opts)} is not installed or not on PATH. Install it, or remove it from the configuration.`
            : `The credential helper ${program(name)} ${where(registry, opts)} could not be started (${e.code ?? e.message}).`,
          { detail: { helper: name, registry, action } },
        ),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal ? -1 : (code ?? -1), stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

function failed(name: string, action: string, registry: string, run: HelperRun, opts: HelperOptions, secret?: string): DeckhandError {
  const said = sanitize(run.stderr || run.stdout, secret);
  return new DeckhandError(
    'EAUTH_CONFIG',
    `The credential helper ${program(name)} failed to ${action} the credentials ${where(registry, opts)}${run.code >= 0 ? ` (exit ${run.code})` : ' (killed)'}${said ? `: ${said}` : ''}.`,
    {
      detail: { helper: name, registry, action, exitCode: run.code },
    },
  );
}

/** Credentials a helper holds for a registry, or undefined if it has none. */
export async function helperGet(name: string, domain: string, opts: HelperOptions = {}): Promise<Credentials | undefined> {
  const run = await runHelper(name, 'get', helperServerUrl(domain), domain, opts);
  if (run.code !== 0) {
    if (NOT_FOUND.test(run.stdout) || NOT_FOUND.test(run.stderr)) return undefined;
    throw failed(name, 'get', domain, run, opts);
  }
  let reply: { Username?: unknown; Secret?: unknown };
  try {
    reply = JSON.parse(run.stdout) as typeof reply;
  } catch {
    throw new DeckhandError(
      'EAUTH_CONFIG',
      `The credential helper ${program(name)} ${where(domain, opts)} answered something that is not JSON.`,
      { detail: { helper: name, registry: domain } },
    );
  }
  const { Username: username, Secret: secret } = reply ?? {};
  if (typeof secret !== 'string' || secret === '') return undefined;
  if (username === TOKEN_USERNAME) return { identityToken: secret };
  return { username: typeof username === 'string' ? username : '', password: secret };
}

/** Stores a username and password (or an identity token) with a helper. */
export async function helperStore(name: string, domain: string, credentials: Credentials, opts: HelperOptions = {}): Promise<void> {
  const [username, secret] =
    'identityToken' in credentials ? [TOKEN_USERNAME, credentials.identityToken] : [credentials.username, credentials.password];
  const run = await runHelper(
    name,
    'store',
    JSON.stringify({ ServerURL: helperServerUrl(domain), Username: username, Secret: secret }),
    domain,
    opts,
  );
  if (run.code !== 0) throw failed(name, 'store', domain, run, opts, secret);
}

/** Erases a registry's credentials from a helper; false if it had none. */
export async function helperErase(name: string, domain: string, opts: HelperOptions = {}): Promise<boolean> {
  const run = await runHelper(name, 'erase', helperServerUrl(domain), domain, opts);
  if (run.code === 0) return true;
  if (NOT_FOUND.test(run.stdout) || NOT_FOUND.test(run.stderr)) return false;
  throw failed(name, 'erase', domain, run, opts);
}

/** The server URLs a helper holds credentials for. */
export async function helperList(name: string, opts: HelperOptions = {}): Promise<string[]> {
  const run = await runHelper(name, 'list', '', 'all registries', opts);
  if (run.code !== 0) throw failed(name, 'list', 'all registries', run, opts);
  try {
    const doc = JSON.parse(run.stdout || '{}') as unknown;
    return typeof doc === 'object' && doc !== null ? Object.keys(doc) : [];
  } catch {
    throw new DeckhandError('EAUTH_CONFIG', `The credential helper ${program(name)} answered \`list\` with something that is not JSON.`, {
      detail: { helper: name },
    });
  }
}
