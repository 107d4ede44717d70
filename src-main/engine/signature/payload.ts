/**
 * The simple-signing payload that a sigstore signature signs, as containers/image and cosign write
 * it (containers/image signature/internal/sigstore_payload.go):
 *   {"critical":{"identity":{"docker-reference":"…"},"image":{"docker-manifest-digest":"sha256:…"},
 *    "type":"cosign container image signature"},"optional":{…}}
 * Reading is strict where containers/image is: `critical` and its parts have exactly these fields.
 */
import { isDigest } from '../../../src-shared/oci/digest.ts';

export const SIGSTORE_PAYLOAD_TYPE = 'cosign container image signature';
export const SIGSTORE_SIGNATURE_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SIGSTORE_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';

export interface SignedClaims {
  dockerReference: string;
  manifestDigest: string;
}

export function createPayload(claims: SignedClaims, creator = 'deckhand 0.1.0', now = new Date()): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': claims.dockerReference },
        image: { 'docker-manifest-digest': claims.manifestDigest },
        type: SIGSTORE_PAYLOAD_TYPE,
      },
      optional: { creator, timestamp: Math.floor(now.getTime() / 1000) },
    }),
  );
}

function exactObject(value: unknown, fields: string[], what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not a JSON object`);
  const keys = Object.keys(value);
  const extra = keys.filter((k) => !fields.includes(k));
  const missing = fields.filter((f) => !keys.includes(f));
  if (extra.length || missing.length)
    throw new Error(`${what} has ${extra.length ? `unexpected field(s) ${extra.join(', ')}` : `no ${missing.join(', ')}`}`);
  return value as Record<string, unknown>;
}

function stringField(o: Record<string, unknown>, k: string, what: string): string {
  const s = o[k];
  if (typeof s !== 'string') throw new Error(`${what}.${k} is not a string`);
  return s;
}

/** Reads the claims of an (already signature-verified) payload; throws an Error saying what is wrong. */
export function parsePayload(bytes: Buffer): SignedClaims {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error('the payload is not JSON');
  }
  const top = exactObject(doc, ['critical', 'optional'], 'the payload');
  if (top.optional !== null && (typeof top.optional !== 'object' || Array.isArray(top.optional)))
    throw new Error('payload.optional is not an object');
  const critical = exactObject(top.critical, ['identity', 'image', 'type'], 'payload.critical');
  const type = stringField(critical, 'type', 'critical');
  if (type !== SIGSTORE_PAYLOAD_TYPE) throw new Error(`unrecognized signature type ${JSON.stringify(type)}`);
  const image = exactObject(critical.image, ['docker-manifest-digest'], 'critical.image');
  const identity = exactObject(critical.identity, ['docker-reference'], 'critical.identity');
  const manifestDigest = stringField(image, 'docker-manifest-digest', 'critical.image');
  if (!isDigest(manifestDigest)) throw new Error(`critical.image.docker-manifest-digest ${JSON.stringify(manifestDigest)} is not a digest`);
  return { manifestDigest, dockerReference: stringField(identity, 'docker-reference', 'critical.identity') };
}
