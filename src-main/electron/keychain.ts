/**
 * The OS keychain for logins saved in the app (host/app-logins.ts): Electron safeStorage, which
 * encrypts with a key kept in the macOS Keychain, Windows DPAPI, or libsecret/kwallet on Linux.
 * Linux's `basic_text` fallback (a hard-coded key) does not count as a keychain: the app then
 * refuses to save and says to configure a credential helper or use `deckhand login`.
 */
import type { SafeStorage } from 'electron';
import { join } from 'node:path';
import type { KeychainCipher } from '../host/app-logins.ts';

/** The ciphertext file under the app's userData folder. */
export const keychainFile = (userData: string): string => join(userData, 'registry-logins.json');

export function safeStorageCipher(safeStorage: SafeStorage, platform: NodeJS.Platform = process.platform): KeychainCipher {
  return {
    async available() {
      if (!(await safeStorage.isAsyncEncryptionAvailable())) return false;
      return platform !== 'linux' || !['basic_text', 'unknown'].includes(safeStorage.getSelectedStorageBackend());
    },
    encrypt: (plain) => safeStorage.encryptStringAsync(plain),
    decrypt: async (ciphertext) => (await safeStorage.decryptStringAsync(ciphertext)).result,
  };
}
