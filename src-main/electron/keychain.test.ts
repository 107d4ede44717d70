import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SafeStorage } from 'electron';
import { keychainFile, safeStorageCipher } from './keychain.ts';

function fakeSafeStorage(backend: string, available = true): SafeStorage {
  return {
    isAsyncEncryptionAvailable: async () => available,
    getSelectedStorageBackend: () => backend,
    encryptStringAsync: async (s: string) => Buffer.from(`enc:${s}`),
    decryptStringAsync: async (b: Buffer) => ({ result: b.toString().slice(4), shouldReEncrypt: false }),
  } as unknown as SafeStorage;
}

test('safeStorage is a keychain only with a real OS key store behind it', async () => {
  assert.equal(await safeStorageCipher(fakeSafeStorage('gnome_libsecret'), 'linux').available(), true);
  assert.equal(
    await safeStorageCipher(fakeSafeStorage('basic_text'), 'linux').available(),
    false,
    "Linux's hard-coded key is plain text in disguise",
  );
  assert.equal(await safeStorageCipher(fakeSafeStorage('unknown'), 'darwin').available(), true);
  assert.equal(await safeStorageCipher(fakeSafeStorage('unknown', false), 'darwin').available(), false);
  const c = safeStorageCipher(fakeSafeStorage('kwallet6'), 'linux');
  assert.equal(await c.decrypt(await c.encrypt('pw')), 'pw');
  assert.equal(keychainFile('/u/Deckhand'), '/u/Deckhand/registry-logins.json');
});
