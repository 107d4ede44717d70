/**
 * Where the app saves a login made in its UI. Never as plain text of its own:
 * 1. with the credential helper configured for the registry (`credHelpers` / `credsStore` in the
 *    auth files, e.g. docker-credential-osxkeychain), so Docker, Podman and the CLI see it too;
 * 2. else, in the desktop app, encrypted with the OS keychain (Electron safeStorage: the macOS
 *    Keychain, Windows DPAPI, libsecret/kwallet on Linux) and kept as ciphertext in a
 *    Deckhand-owned file under the app's userData folder (`registry-logins.json`, mode 0600);
 *    pulls and pushes from the app find it there (it is asked before the auth files);
 * 3. else (the web host, or Linux without a keyring) the save is refused: configure a credential
 *    helper, or use `deckhand login`.
 * The password is checked against the registry first, and never returned, logged or put in an error.
 */
import { readFile } from 'node:fs/promises';
import { DeckhandError } from '../../src-shared/errors.ts';
import type { LoginResult, LogoutResult } from '../../src-shared/ipc/contract.ts';
import { addCredentialSource, type CredentialSource } from '../engine/config/auth-file.ts';
import { configuredHelper, writePrivateFile } from '../engine/config/auth-store.ts';
import { helperErase, helperStore } from '../engine/config/cred-helper.ts';
import { verifyLogin, type LoginCredentials } from '../engine/config/login.ts';
import type { Credentials } from '../engine/registry/auth.ts';
import { isErrno } from '../engine/store/fsutil.ts';

/** The OS keychain's string encryption (Electron safeStorage in the desktop app). */
export interface KeychainCipher {
  /** True only when a real OS keychain key protects the ciphertext (not Linux's `basic_text` fallback). */
  available(): Promise<boolean>;
  encrypt(plain: string): Promise<Buffer>;
  decrypt(ciphertext: Buffer): Promise<string>;
}

export interface AppLoginsOptions {
  env: NodeJS.ProcessEnv;
  /** The desktop app's keychain-encrypted file; absent in the web host. */
  keychain?: { file: string; cipher: KeychainCipher };
  /** Hosts to reach with TLS verification off (added as insecure). */
  insecure?: (host: string) => Promise<boolean>;
}

export interface AppLogins {
  login(registry: string, credentials: LoginCredentials): Promise<LoginResult>;
  logout(registry: string): Promise<LogoutResult>;
  /** Makes the saved logins visible to pulls and pushes in this process; returns the undo. */
  register(): () => void;
  /** The user of the login the app keeps for `registry` in its keychain file, with that file; undefined when none (never the password). */
  savedLogin(registry: string): Promise<{ username: string | null; file: string } | undefined>;
}

const NOTE =
  'Registry logins saved by the Deckhand app. Each value is ciphertext from the OS keychain (Electron safeStorage), not plain text; it can only be decrypted by Deckhand on this machine and account.';

interface KeychainDoc {
  note?: string;
  version?: number;
  logins?: Record<string, string>;
}

async function readDoc(file: string): Promise<KeychainDoc> {
  try {
    const doc = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return typeof doc === 'object' && doc !== null ? (doc as KeychainDoc) : {};
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return {};
    if (e instanceof SyntaxError)
      throw new DeckhandError('EAUTH_CONFIG', `${file} (the app's keychain-encrypted logins) is damaged; remove it and log in again.`, {
        detail: { file },
      });
    throw e;
  }
}

async function writeDoc(file: string, doc: KeychainDoc): Promise<void> {
  await writePrivateFile(file, `${JSON.stringify({ note: NOTE, version: 1, logins: doc.logins ?? {} }, null, 2)}\n`);
}

/** The keychain file as a credential source: one login per registry host. */
export function keychainSource(file: string, cipher: KeychainCipher): CredentialSource {
  return {
    async find(domain) {
      const value = (await readDoc(file)).logins?.[domain];
      if (typeof value !== 'string') return undefined;
      let plain: string;
      try {
        plain = await cipher.decrypt(Buffer.from(value, 'base64'));
      } catch {
        throw new DeckhandError(
          'EAUTH_CONFIG',
          `The login for ${domain} that Deckhand saved can no longer be decrypted with the OS keychain (its key changed or is locked). Log in to ${domain} again.`,
          { detail: { registry: domain } },
        );
      }
      const parsed = JSON.parse(plain) as { username?: unknown; password?: unknown };
      return typeof parsed.username === 'string' && typeof parsed.password === 'string'
        ? ({ username: parsed.username, password: parsed.password } satisfies Credentials)
        : undefined;
    },
    hosts: async () => Object.keys((await readDoc(file)).logins ?? {}),
  };
}

export function appLogins(opts: AppLoginsOptions): AppLogins {
  const helperOpts = { env: opts.env };
  const keychainReady = async () => opts.keychain !== undefined && (await opts.keychain.cipher.available());

  return {
    async login(registry, credentials) {
      // Decide where it would go before the password is sent anywhere.
      const helper = await configuredHelper(registry, helperOpts);
      if (!helper && !(await keychainReady())) {
        throw new DeckhandError(
          'EAUTH_CONFIG',
          opts.keychain
            ? `Deckhand cannot save the login for ${registry}: no OS keychain is available to encrypt it, and Deckhand does not store passwords as plain text. Configure a credential helper (credHelpers or credsStore in ~/.docker/config.json), or run \`deckhand login ${registry}\`.`
            : `This Deckhand (deckhand serve) cannot save logins itself: configure a credential helper (credHelpers or credsStore in ~/.docker/config.json), or run \`deckhand login ${registry}\` on this machine.`,
          { detail: { registry } },
        );
      }
      const insecure = (await opts.insecure?.(registry)) ?? false;
      await verifyLogin(registry, credentials, insecure ? { tlsVerify: false } : {});
      if (helper) {
        await helperStore(helper.helper, registry, credentials, { ...helperOpts, configuredIn: helper.configuredIn });
        return { registry, username: credentials.username, storedIn: 'credential-helper', helper: helper.helper };
      }
      const { file, cipher } = opts.keychain!;
      const ciphertext = await cipher.encrypt(JSON.stringify({ username: credentials.username, password: credentials.password }));
      const doc = await readDoc(file);
      await writeDoc(file, { logins: { ...doc.logins, [registry]: ciphertext.toString('base64') } });
      return { registry, username: credentials.username, storedIn: 'keychain' };
    },

    async logout(registry) {
      const removedFrom: LogoutResult['removedFrom'] = [];
      if (opts.keychain) {
        const doc = await readDoc(opts.keychain.file);
        if (doc.logins && Object.hasOwn(doc.logins, registry)) {
          const { [registry]: _gone, ...rest } = doc.logins;
          await writeDoc(opts.keychain.file, { logins: rest });
          removedFrom.push('keychain');
        }
      }
      const helper = await configuredHelper(registry, helperOpts);
      if (helper && (await helperErase(helper.helper, registry, { ...helperOpts, configuredIn: helper.configuredIn })))
        removedFrom.push('credential-helper');
      return { registry, removedFrom };
    },

    async savedLogin(registry) {
      if (!opts.keychain) return undefined;
      const creds = await keychainSource(opts.keychain.file, opts.keychain.cipher).find(registry, '');
      if (!creds) return undefined;
      return { username: 'username' in creds ? creds.username : null, file: opts.keychain.file };
    },

    register() {
      return opts.keychain ? addCredentialSource(keychainSource(opts.keychain.file, opts.keychain.cipher)) : () => undefined;
    },
  };
}
