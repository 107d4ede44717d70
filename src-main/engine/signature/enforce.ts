/**
 * The two calls the transfers make: `enforcePolicy` right after a pull or copy has resolved the
 * source manifest and before any blob is fetched or stored (a refusal throws EPOLICY naming the
 * rule), and `signPushed` after a push, to attach a sigstore signature of the pushed digest.
 */
import { readFile } from 'node:fs/promises';
import { createHash, type KeyObject } from 'node:crypto';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { formatReference, type ImageReference } from '../../../src-shared/oci/reference.ts';
import type { RegistryClient } from '../registry/client.ts';
import type { Policy } from '../config/policy.ts';
import { attachSignature, fetchSignatures } from './attachments.ts';
import { evaluatePolicy, type PolicyDecision } from './evaluate.ts';
import { signPayload } from './keys.ts';
import { createPayload, SIGSTORE_SIGNATURE_ANNOTATION, SIGSTORE_SIGNATURE_MEDIA_TYPE } from './payload.ts';
import { decryptPrivateKey } from './private-key.ts';

/**
 * Checks `policy` (the operation's policy.json, from its RegistryContext) for `ref` (as asked for)
 * whose top-level manifest is `root`. Returns the decision (undefined when there is no policy
 * file); throws EPOLICY when the policy refuses.
 */
export async function enforcePolicy(
  client: RegistryClient,
  ref: ImageReference,
  root: { digest: string; bytes: Buffer },
  opts: { policy: Policy | undefined; signal?: AbortSignal | undefined },
): Promise<PolicyDecision | undefined> {
  const { policy } = opts;
  if (!policy) return undefined;
  const decision = await evaluatePolicy(policy, {
    ref,
    manifestDigest: root.digest,
    manifestBytes: root.bytes,
    signatures: () => fetchSignatures(client, ref.path, root.digest, opts.signal),
  });
  if (!decision.allowed) {
    throw new DeckhandError(
      'EPOLICY',
      `${formatReference(ref)} (${root.digest}) is rejected by ${decision.file}, ${decision.rule}: ${decision.reason}. Nothing was stored.`,
      {
        detail: { file: decision.file, scope: decision.scope, rule: decision.rule, reason: decision.reason, digest: root.digest },
      },
    );
  }
  return decision;
}

export interface SignOptions {
  /** Path of an "ENCRYPTED SIGSTORE PRIVATE KEY" file. */
  privateKeyPath: string;
  passphrase: string;
}

/** Reads and decrypts the signing key (done before a push starts, so a wrong passphrase costs no upload). */
export async function loadSigningKey(opts: SignOptions): Promise<KeyObject> {
  let text: string;
  try {
    text = await readFile(opts.privateKeyPath, 'utf8');
  } catch (e) {
    throw new DeckhandError('EPOLICY', `Cannot read the sigstore private key ${opts.privateKeyPath}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return decryptPrivateKey(text, opts.passphrase, opts.privateKeyPath);
}

/** Signs `digest` as `identity` (the pushed name) and attaches the signature in the registry. */
export async function signPushed(
  client: RegistryClient,
  identity: ImageReference,
  digest: string,
  key: KeyObject,
  signal?: AbortSignal,
): Promise<{ payloadDigest: string; added: boolean }> {
  const dockerReference = formatReference(
    identity.tag
      ? { domain: identity.domain, path: identity.path, tag: identity.tag }
      : { domain: identity.domain, path: identity.path, digest },
  );
  const payload = createPayload({ dockerReference, manifestDigest: digest });
  const signature = signPayload(key, payload);
  const added = await attachSignature(
    client,
    identity.path,
    digest,
    { mediaType: SIGSTORE_SIGNATURE_MEDIA_TYPE, payload, annotations: { [SIGSTORE_SIGNATURE_ANNOTATION]: signature } },
    signal,
  );
  return { payloadDigest: `sha256:${createHash('sha256').update(payload).digest('hex')}`, added };
}
