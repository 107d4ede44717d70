/**
 * Evaluating policy.json for one image, as containers/image's PolicyContext does: every
 * requirement of the scope that applies must accept (policy_eval.go); a sigstoreSigned requirement
 * accepts when at least one signature verifies with one of its keys, signs this manifest's digest
 * and carries an identity that signedIdentity accepts (policy_eval_sigstore.go). The decision names
 * the rule that decided it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseDigest } from '../../../src-shared/oci/digest.ts';
import { formatReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import { requirementsFor, type Policy, type Requirement, type SigstoreRequirement } from '../config/policy.ts';
import type { SigstoreSignature } from './attachments.ts';
import { identityLabel, identityMatches } from './identity.ts';
import { parsePublicKey, verifySignature, type PublicKey } from './keys.ts';
import { parsePayload, SIGSTORE_SIGNATURE_ANNOTATION, SIGSTORE_SIGNATURE_MEDIA_TYPE } from './payload.ts';

export interface PolicyImage {
  /** The reference asked for: name:tag, or name@digest. */
  ref: ImageReference;
  manifestDigest: string;
  manifestBytes: Buffer;
  /** Fetched only when a requirement needs them. */
  signatures: () => Promise<SigstoreSignature[]>;
}

export interface PolicyDecision {
  allowed: boolean;
  /** The policy file. */
  file: string;
  /** `transports.docker["quay.io/team"]` or `default`. */
  scope: string;
  /** `transports.docker["quay.io/team"]: sigstoreSigned with key /etc/pki/team.pub`: the requirement that decided (for an accept, all of them). */
  rule: string;
  /** Why, in words. */
  reason: string;
  /** Keys (label and fingerprint) that verified a signature, for an accept under sigstoreSigned. */
  verifiedBy: Array<{ key: string; fingerprint: string }>;
}

export function describeRequirement(req: Requirement): string {
  switch (req.type) {
    case 'sigstoreSigned': {
      const keys = req.keyPath
        ? `key ${req.keyPath}`
        : req.keyPaths
          ? `keys ${req.keyPaths.join(', ')}`
          : req.keyData
            ? 'key from keyData'
            : req.keyDatas
              ? `${req.keyDatas.length} keys from keyDatas`
              : req.fulcio
                ? 'Fulcio certificates'
                : 'PKI certificates';
      return `sigstoreSigned with ${keys}${req.signedIdentity ? ` (signedIdentity ${identityLabel(req.signedIdentity)})` : ''}`;
    }
    case 'signedBy':
      return `signedBy ${req.keyType}${req.keyPath ? ` with key ${req.keyPath}` : ''}`;
    default:
      return req.type;
  }
}

async function loadKeys(req: SigstoreRequirement): Promise<PublicKey[]> {
  if (req.keyPath || req.keyPaths) {
    const paths = req.keyPath ? [req.keyPath] : req.keyPaths!;
    return Promise.all(
      paths.map(async (p) => {
        let text: string;
        try {
          text = await readFile(p, 'utf8');
        } catch (e) {
          throw new Error(`cannot read public key ${p}: ${(e as Error).message}`, { cause: e });
        }
        return parsePublicKey(text, p);
      }),
    );
  }
  const datas = req.keyData ? [req.keyData] : (req.keyDatas ?? []);
  return datas.map((d, i) => parsePublicKey(Buffer.from(d, 'base64'), req.keyData ? 'keyData' : `keyDatas[${i}]`));
}

/** Why one signature does not satisfy the requirement, or undefined when it does (with the key that verified it). */
function checkSignature(
  sig: SigstoreSignature,
  keys: PublicKey[],
  req: SigstoreRequirement,
  image: PolicyImage,
): { key?: PublicKey; problem?: string } {
  if (sig.mediaType !== SIGSTORE_SIGNATURE_MEDIA_TYPE) return { problem: `unexpected media type ${sig.mediaType}` };
  const b64 = sig.annotations[SIGSTORE_SIGNATURE_ANNOTATION];
  if (!b64) return { problem: `no ${SIGSTORE_SIGNATURE_ANNOTATION} annotation` };
  const key = keys.find((k) => verifySignature(k.key, sig.payload, b64));
  if (!key) return { problem: `not signed by ${keys.length === 1 ? 'the key' : 'any of the keys'}` };
  let claims;
  try {
    claims = parsePayload(sig.payload);
  } catch (e) {
    return { problem: `signed by ${key.label}, but ${(e as Error).message}` };
  }
  const { algorithm, hex } = parseDigest(claims.manifestDigest);
  if (createHash(algorithm).update(image.manifestBytes).digest('hex') !== hex)
    return { problem: `signed by ${key.label} for another manifest (${claims.manifestDigest})` };
  if (!identityMatches(req.signedIdentity, image.ref, claims.dockerReference)) {
    return {
      problem: `signed by ${key.label} for ${claims.dockerReference}, which ${identityLabel(req.signedIdentity)} does not accept for ${formatReference(image.ref)}`,
    };
  }
  return { key };
}

async function evaluateSigstore(req: SigstoreRequirement, image: PolicyImage): Promise<{ ok: boolean; reason: string; key?: PublicKey }> {
  if (req.fulcio || req.pki)
    return {
      ok: false,
      reason: `${req.fulcio ? 'Fulcio' : 'PKI'} certificate verification is not supported by Deckhand; use public keys (keyPath, keyPaths, keyData, keyDatas)`,
    };
  if (req.rekorPublicKeyPath || req.rekorPublicKeyPaths || req.rekorPublicKeyData || req.rekorPublicKeyDatas)
    return { ok: false, reason: 'Rekor transparency-log verification is not supported by Deckhand' };
  let keys: PublicKey[];
  try {
    keys = await loadKeys(req);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  const signatures = await image.signatures();
  if (signatures.length === 0)
    return { ok: false, reason: `no signature verified: the registry holds no sigstore signature for ${image.manifestDigest}` };
  const problems: string[] = [];
  for (const sig of signatures) {
    const r = checkSignature(sig, keys, req, image);
    if (r.key) return { ok: true, reason: `signature verified with ${r.key.label}`, key: r.key };
    problems.push(r.problem!);
  }
  return { ok: false, reason: `no signature verified: ${problems.map((p, i) => (problems.length > 1 ? `#${i + 1} ${p}` : p)).join('; ')}` };
}

/** Decides whether `image` (from the docker transport) may be used under `policy`. */
export async function evaluatePolicy(policy: Policy, image: PolicyImage): Promise<PolicyDecision> {
  const { scope, requirements } = requirementsFor(policy, 'docker', image.ref);
  const verifiedBy: PolicyDecision['verifiedBy'] = [];
  const base = { file: policy.source, scope };
  for (const req of requirements) {
    const rule = `${scope}: ${describeRequirement(req)}`;
    if (req.type === 'insecureAcceptAnything') continue;
    if (req.type === 'reject') return { ...base, allowed: false, rule, reason: 'the policy rejects every image in this scope', verifiedBy };
    if (req.type === 'signedBy')
      return {
        ...base,
        allowed: false,
        rule,
        reason: 'GPG (simple signing) signatures are not supported by Deckhand; only sigstoreSigned requirements can be verified',
        verifiedBy,
      };
    if (req.type === 'signedBaseLayer')
      return {
        ...base,
        allowed: false,
        rule,
        reason: 'signedBaseLayer is not supported (containers/image does not implement it either)',
        verifiedBy,
      };
    const r = await evaluateSigstore(req, image);
    if (!r.ok) return { ...base, allowed: false, rule, reason: r.reason, verifiedBy };
    verifiedBy.push({ key: r.key!.label, fingerprint: r.key!.fingerprint });
  }
  return {
    ...base,
    allowed: true,
    rule: `${scope}: ${requirements.map(describeRequirement).join(' and ')}`,
    reason: verifiedBy.length ? `verified with ${verifiedBy.map((k) => k.key).join(', ')}` : 'accepted without signatures',
    verifiedBy,
  };
}
