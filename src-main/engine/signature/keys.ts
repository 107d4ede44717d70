/**
 * Public keys and raw signatures for sigstore, with node:crypto: PEM "PUBLIC KEY" (PKIX) keys of
 * ECDSA (P-256, P-384, P-521; SHA-256, ASN.1 DER signatures, as cosign and containers/image sign),
 * ed25519 and RSA (PKCS#1 v1.5, SHA-256), matching sigstore's LoadVerifier.
 */
import { createPublicKey, createHash, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';

export interface PublicKey {
  /** Where it came from (a path, or "keyData[1]"), for messages. */
  label: string;
  key: KeyObject;
  /** sha256 of the DER: a short, stable way to show which key verified an image. */
  fingerprint: string;
}

/** Parses one PEM public key; throws an Error naming `label` when it is not a supported one. */
export function parsePublicKey(pem: string | Buffer, label: string): PublicKey {
  const text = pem.toString();
  if (!/-----BEGIN PUBLIC KEY-----/.test(text)) throw new Error(`${label} is not a PEM "PUBLIC KEY"`);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch (e) {
    throw new Error(`${label} is not a readable public key (${(e as Error).message})`, { cause: e });
  }
  const type = key.asymmetricKeyType;
  if (type !== 'ec' && type !== 'ed25519' && type !== 'rsa')
    throw new Error(`${label} is a ${type} key; sigstore keys are ECDSA, ed25519 or RSA`);
  const der = key.export({ type: 'spki', format: 'der' });
  return { label, key, fingerprint: `sha256:${createHash('sha256').update(der).digest('hex')}` };
}

/** Verifies a base64 signature over `payload`. False for a bad signature or undecodable base64. */
export function verifySignature(key: KeyObject, payload: Buffer, signatureBase64: string): boolean {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(signatureBase64.trim())) return false;
  const signature = Buffer.from(signatureBase64.trim(), 'base64');
  if (signature.length === 0) return false;
  try {
    return cryptoVerify(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', payload, key, signature);
  } catch {
    return false;
  }
}

/** Signs `payload` with a private key: base64 of the signature, in the form verifySignature reads. */
export function signPayload(privateKey: KeyObject, payload: Buffer): string {
  return cryptoSign(privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256', payload, privateKey).toString('base64');
}
