/**
 * `login`: checks a username and password against the registry before anything is saved, as
 * `docker login` and `podman login` do: GET /v2/, then answer its challenge with the credentials
 * (Basic, or a token fetched from the realm with them). Only a registry that accepts them leads to
 * a save (auth-store.ts). The password is never part of an error or its detail.
 */
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import { RegistryClient } from '../registry/client.ts';
import { loadRegistryTls } from './certs-d.ts';
import { saveLogin, type AuthStoreOptions, type LoginTarget, type SavedTo } from './auth-store.ts';

export interface LoginCredentials {
  username: string;
  password: string;
}

export interface VerifyOptions {
  tlsVerify?: boolean;
  signal?: AbortSignal;
}

/** Resolves when the registry accepts the credentials; EUNAUTHORIZED "login failed" when it does not. */
export async function verifyLogin(host: string, credentials: LoginCredentials, opts: VerifyOptions = {}): Promise<void> {
  const client = new RegistryClient({
    domain: host,
    credentials: { username: credentials.username, password: credentials.password },
    ...(opts.tlsVerify === undefined ? {} : { tlsVerify: opts.tlsVerify }),
    tlsFiles: () => loadRegistryTls(host),
  });
  try {
    const reply = await client.send({
      method: 'GET',
      path: '/v2/',
      scope: '',
      repository: '',
      object: `Registry ${host}`,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    await reply.body.dump();
  } catch (e) {
    if (isDeckhandError(e, 'EUNAUTHORIZED') || isDeckhandError(e, 'EDENIED')) {
      throw new DeckhandError(
        'EUNAUTHORIZED',
        `Login failed: ${host} did not accept the username ${JSON.stringify(credentials.username)} with that password. Nothing was saved.`,
        { detail: { registry: host } },
      );
    }
    throw e;
  } finally {
    await client.close();
  }
}

/** Checks the credentials, then saves them (helper or auth file). */
export async function login(
  target: LoginTarget,
  credentials: LoginCredentials,
  opts: AuthStoreOptions & VerifyOptions = {},
): Promise<SavedTo> {
  if (!credentials.username || !credentials.password) throw new DeckhandError('EUSAGE', 'A login needs a username and a password.');
  await verifyLogin(target.host, credentials, opts);
  return saveLogin(target, credentials, opts);
}
