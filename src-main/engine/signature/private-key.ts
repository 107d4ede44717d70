/**
 * Sigstore private key files as cosign (v2+) and `skopeo generate-sigstore-key` write them: a PEM
 * block "ENCRYPTED SIGSTORE PRIVATE KEY" whose body is the JSON of go-securesystemslib's
 * `encrypted` package: {"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":B64},
 * "cipher":{"name":"nacl/secretbox","nonce":B64},"ciphertext":B64}, the ciphertext being the NaCl
 * secretbox (XSalsa20-Poly1305) of the PKCS#8 DER private key under scrypt(passphrase, salt) → 32
 * bytes. Readers there insist on exactly these scrypt parameters; so do we.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, scrypt, type KeyObject } from 'node:crypto';
import { secretbox } from '@noble/ciphers/salsa.js';
import { DeckhandError } from '../../../src-shared/errors.ts';

export const ENCRYPTED_KEY_PEM_TYPE = 'ENCRYPTED SIGSTORE PRIVATE KEY';
/** cosign v1's name for the same format; containers/image does not read it, cosign still does. */
const LEGACY_PEM_TYPE = 'ENCRYPTED COSIGN PRIVATE KEY';
const SCRYPT = { N: 32768, r: 8, p: 1 } as const;

function deriveKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // 128 * N * r = 32 MiB, exactly Node's default maxmem: raise it.
    scrypt(Buffer.from(passphrase, 'utf8'), salt, 32, { ...SCRYPT, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

function pem(type: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}

function unpem(text: string): { type: string; body: Buffer } | undefined {
  const m = /-----BEGIN ([A-Z ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  return m ? { type: m[1]!, body: Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64') } : undefined;
}

export async function encryptPrivateKey(privateKey: KeyObject, passphrase: string): Promise<string> {
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const key = await deriveKey(passphrase, salt);
  const ciphertext = Buffer.from(secretbox(key, nonce).seal(der));
  const json = JSON.stringify({
    kdf: { name: 'scrypt', params: SCRYPT, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: ciphertext.toString('base64'),
  });
  return pem(ENCRYPTED_KEY_PEM_TYPE, Buffer.from(json));
}

function keyError(file: string, problem: string, cause?: unknown): DeckhandError {
  return new DeckhandError('EPOLICY', `Cannot use the sigstore private key ${file}: ${problem}`, {
    ...(cause ? { cause } : {}),
    detail: { file },
  });
}

/** Decrypts a key file's text; `file` names it in errors. A wrong passphrase says so. */
export async function decryptPrivateKey(text: string, passphrase: string, file: string): Promise<KeyObject> {
  const block = unpem(text);
  if (!block) throw keyError(file, 'it is not a PEM file');
  if (block.type !== ENCRYPTED_KEY_PEM_TYPE && block.type !== LEGACY_PEM_TYPE)
    throw keyError(
      file,
      `it is a PEM "${block.type}", not an "${ENCRYPTED_KEY_PEM_TYPE}" (create one with \`deckhand generate-sigstore-key\`)`,
    );
  let doc: {
    kdf?: { name?: unknown; params?: { N?: unknown; r?: unknown; p?: unknown }; salt?: unknown };
    cipher?: { name?: unknown; nonce?: unknown };
    ciphertext?: unknown;
  };
  try {
    doc = JSON.parse(block.body.toString('utf8'));
  } catch (e) {
    throw keyError(file, 'its body is not the JSON of an encrypted key', e);
  }
  if (doc.kdf?.name !== 'scrypt') throw keyError(file, `unknown key derivation ${JSON.stringify(doc.kdf?.name)}`);
  if (doc.cipher?.name !== 'nacl/secretbox') throw keyError(file, `unknown cipher ${JSON.stringify(doc.cipher?.name)}`);
  const params = doc.kdf.params;
  if (params?.N !== SCRYPT.N || params.r !== SCRYPT.r || params.p !== SCRYPT.p) throw keyError(file, 'unexpected scrypt parameters');
  if (typeof doc.kdf.salt !== 'string' || typeof doc.cipher.nonce !== 'string' || typeof doc.ciphertext !== 'string')
    throw keyError(file, 'salt, nonce or ciphertext is missing');
  const nonce = Buffer.from(doc.cipher.nonce, 'base64');
  if (nonce.length !== 24) throw keyError(file, 'the nonce is not 24 bytes');
  const key = await deriveKey(passphrase, Buffer.from(doc.kdf.salt, 'base64'));
  let der: Uint8Array;
  try {
    der = secretbox(key, nonce).open(Buffer.from(doc.ciphertext, 'base64'));
  } catch (e) {
    throw keyError(file, 'decryption failed; the passphrase is wrong', e);
  }
  try {
    return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch (e) {
    throw keyError(file, 'the decrypted key is not a PKCS#8 private key', e);
  }
}

export interface GeneratedKeyPair {
  publicPem: string;
  privatePem: string;
}

/** A new ECDSA P-256 key pair: the public key as PEM "PUBLIC KEY", the private key encrypted as above. */
export async function generateSigstoreKeyPair(passphrase: string): Promise<GeneratedKeyPair> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { publicPem, privatePem: await encryptPrivateKey(privateKey, passphrase) };
}
