import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReference } from '../../../src-shared/oci/reference.ts';
import { isDeckhandError } from '../../../src-shared/errors.ts';
import { parsePolicy } from '../config/policy.ts';
import { createPayload, parsePayload, SIGSTORE_SIGNATURE_ANNOTATION, SIGSTORE_SIGNATURE_MEDIA_TYPE } from './payload.ts';
import { identityMatches } from './identity.ts';
import { parsePublicKey, signPayload, verifySignature } from './keys.ts';
import { decryptPrivateKey, encryptPrivateKey, generateSigstoreKeyPair } from './private-key.ts';
import { evaluatePolicy, type PolicyImage } from './evaluate.ts';
import type { SigstoreSignature } from './attachments.ts';
import { signatureTag } from './attachments.ts';

const MANIFEST = Buffer.from('{"schemaVersion":2,"layers":[]}');
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;
const D2 = `sha256:${'b'.repeat(64)}`;

test('payload: created in the simple-signing layout and read back; malformed payloads say why', () => {
  const bytes = createPayload({ dockerReference: 'quay.io/team/app:1', manifestDigest: DIGEST }, 'test', new Date(1_700_000_000_000));
  const doc = JSON.parse(bytes.toString());
  assert.deepEqual(doc, {
    critical: {
      identity: { 'docker-reference': 'quay.io/team/app:1' },
      image: { 'docker-manifest-digest': DIGEST },
      type: 'cosign container image signature',
    },
    optional: { creator: 'test', timestamp: 1_700_000_000 },
  });
  assert.deepEqual(parsePayload(bytes), { dockerReference: 'quay.io/team/app:1', manifestDigest: DIGEST });
  const mutate = (f: (d: typeof doc) => void) => {
    const d = structuredClone(doc);
    f(d);
    return Buffer.from(JSON.stringify(d));
  };
  assert.deepEqual(parsePayload(mutate((d) => (d.optional = null))).manifestDigest, DIGEST, 'cosign writes "optional": null');
  assert.throws(() => parsePayload(mutate((d) => (d.critical.extra = 1))), /unexpected field\(s\) extra/);
  assert.throws(() => parsePayload(mutate((d) => (d.critical.type = 'atomic container signature'))), /unrecognized signature type/);
  assert.throws(() => parsePayload(mutate((d) => delete d.optional)), /no optional/);
  assert.throws(() => parsePayload(mutate((d) => (d.critical.image['docker-manifest-digest'] = 'sha256:xyz'))), /not a digest/);
  assert.throws(() => parsePayload(Buffer.from('nope')), /not JSON/);
});

test('the signature tag is sha256-<hex>.sig', () => {
  assert.equal(signatureTag(DIGEST), `sha256-${DIGEST.slice(7)}.sig`);
});

test('keys: ECDSA P-256, ed25519 and RSA sign and verify; a changed payload or wrong key does not verify', () => {
  for (const [type, opts] of [
    ['ec', { namedCurve: 'P-256' }],
    ['ed25519', {}],
    ['rsa', { modulusLength: 2048 }],
  ] as const) {
    const { privateKey, publicKey } = generateKeyPairSync(type as 'ec', opts as { namedCurve: string });
    const pub = parsePublicKey(publicKey.export({ type: 'spki', format: 'pem' }), `${type}.pub`);
    const payload = Buffer.from('payload');
    const sig = signPayload(privateKey, payload);
    assert.ok(verifySignature(pub.key, payload, sig), type);
    assert.ok(!verifySignature(pub.key, Buffer.from('payloaD'), sig), `${type}: changed payload`);
    assert.ok(!verifySignature(pub.key, payload, 'not base64!'), `${type}: garbage`);
  }
  const other = parsePublicKey(
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }),
    'other',
  );
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  assert.ok(!verifySignature(other.key, Buffer.from('x'), signPayload(privateKey, Buffer.from('x'))));
  assert.throws(
    () => parsePublicKey('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'cert.pem'),
    /cert\.pem is not a PEM "PUBLIC KEY"/,
  );
});

test('private key files: generate, encrypt, decrypt round trip; a wrong passphrase or a foreign PEM is refused', async () => {
  const pair = await generateSigstoreKeyPair('pw');
  assert.match(pair.publicPem, /^-----BEGIN PUBLIC KEY-----\n/);
  assert.match(pair.privatePem, /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
  const body = JSON.parse(Buffer.from(pair.privatePem.split('\n').slice(1, -2).join(''), 'base64').toString());
  assert.deepEqual(Object.keys(body), ['kdf', 'cipher', 'ciphertext']);
  assert.deepEqual(body.kdf.params, { N: 32768, r: 8, p: 1 });
  assert.equal(body.cipher.name, 'nacl/secretbox');
  assert.equal(Buffer.from(body.kdf.salt, 'base64').length, 32);
  assert.equal(Buffer.from(body.cipher.nonce, 'base64').length, 24);
  const key = await decryptPrivateKey(pair.privatePem, 'pw', 'k.private');
  assert.equal(createPublicKey(key).export({ type: 'spki', format: 'pem' }), pair.publicPem);
  await assert.rejects(
    decryptPrivateKey(pair.privatePem, 'wrong', 'k.private'),
    (e) => isDeckhandError(e, 'EPOLICY') && /k\.private: decryption failed; the passphrase is wrong/.test(e.message),
  );
  await assert.rejects(decryptPrivateKey(pair.publicPem, 'pw', 'k.pub'), /PEM "PUBLIC KEY"/);
  const ed = generateKeyPairSync('ed25519').privateKey;
  assert.equal((await decryptPrivateKey(await encryptPrivateKey(ed, ''), '', 'ed')).asymmetricKeyType, 'ed25519');
});

test('signedIdentity rules', () => {
  const tagged = parseReference('quay.io/team/app:1');
  const digested = parseReference(`quay.io/team/app@${DIGEST}`);
  const m = identityMatches;
  // matchRepoDigestOrExact (the default)
  assert.ok(m(undefined, tagged, 'quay.io/team/app:1'));
  assert.ok(!m(undefined, tagged, 'quay.io/team/app:2'));
  assert.ok(m(undefined, digested, 'quay.io/team/app:anything'));
  assert.ok(!m(undefined, digested, 'quay.io/team/other:1'));
  assert.ok(m(undefined, parseReference('busybox:1'), 'busybox:1'), 'normalized both ways');
  assert.ok(!m(undefined, tagged, 'not a reference'));
  // matchExact
  assert.ok(m({ type: 'matchExact' }, tagged, 'quay.io/team/app:1'));
  assert.ok(!m({ type: 'matchExact' }, digested, 'quay.io/team/app:1'));
  assert.ok(!m({ type: 'matchExact' }, tagged, 'quay.io/team/app'), 'a name-only identity never matches exactly');
  // matchRepository
  assert.ok(m({ type: 'matchRepository' }, tagged, 'quay.io/team/app:other'));
  assert.ok(!m({ type: 'matchRepository' }, tagged, 'quay.io/team/app2:1'));
  // exactReference / exactRepository
  assert.ok(m({ type: 'exactReference', dockerReference: 'example.com/x:2' }, tagged, 'example.com/x:2'));
  assert.ok(!m({ type: 'exactReference', dockerReference: 'example.com/x:2' }, tagged, 'example.com/x:3'));
  assert.ok(m({ type: 'exactRepository', dockerRepository: 'example.com/x' }, tagged, 'example.com/x:9'));
  assert.ok(!m({ type: 'exactRepository', dockerRepository: 'example.com/x' }, tagged, 'example.com/y:9'));
  // remapIdentity
  const remap = { type: 'remapIdentity' as const, prefix: 'mirror.local/quay', signedPrefix: 'quay.io' };
  assert.ok(m(remap, parseReference('mirror.local/quay/team/app:1'), 'quay.io/team/app:1'));
  assert.ok(!m(remap, parseReference('mirror.local/quay/team/app:1'), 'mirror.local/quay/team/app:2'));
  assert.ok(!m(remap, parseReference('mirror.local/quayx/team/app:1'), 'quay.io/x/team/app:1'), 'prefixes match at / boundaries');
  assert.ok(m(remap, parseReference('other.io/a:1'), 'other.io/a:1'), 'outside the prefix: matchRepoDigestOrExact');
});

test('evaluatePolicy: accept, reject and sigstoreSigned decisions name the rule', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-eval-'));
  try {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyPath = join(dir, 'team.pub');
    await writeFile(keyPath, publicKey.export({ type: 'spki', format: 'pem' }));
    const sign = (ref: string, digest = DIGEST): SigstoreSignature => {
      const payload = createPayload({ dockerReference: ref, manifestDigest: digest });
      return {
        mediaType: SIGSTORE_SIGNATURE_MEDIA_TYPE,
        payload,
        annotations: { [SIGSTORE_SIGNATURE_ANNOTATION]: signPayload(privateKey, payload) },
      };
    };
    const policy = parsePolicy(
      JSON.stringify({
        default: [{ type: 'insecureAcceptAnything' }],
        transports: {
          docker: {
            'quay.io/team': [{ type: 'sigstoreSigned', keyPath }],
            'quay.io/blocked': [{ type: 'reject' }],
            'quay.io/gpg': [{ type: 'signedBy', keyType: 'GPGKeys', keyPath }],
          },
        },
      }),
      '/p.json',
    );
    const image = (ref: string, sigs: SigstoreSignature[]): PolicyImage => ({
      ref: parseReference(ref),
      manifestDigest: DIGEST,
      manifestBytes: MANIFEST,
      signatures: async () => sigs,
    });

    const ok = await evaluatePolicy(policy, image('quay.io/team/app:1', [sign('quay.io/team/app:1')]));
    assert.equal(ok.allowed, true);
    assert.equal(ok.verifiedBy[0]?.key, keyPath);

    const none = await evaluatePolicy(policy, image('quay.io/team/app:1', []));
    assert.equal(none.allowed, false);
    assert.equal(none.rule, `transports.docker["quay.io/team"]: sigstoreSigned with key ${keyPath}`);
    assert.match(none.reason, /^no signature verified: the registry holds no sigstore signature/);

    const wrongDigest = await evaluatePolicy(policy, image('quay.io/team/app:1', [sign('quay.io/team/app:1', D2)]));
    assert.match(wrongDigest.reason, /for another manifest/);
    const wrongIdentity = await evaluatePolicy(policy, image('quay.io/team/app:1', [sign('quay.io/team/app:2')]));
    assert.match(wrongIdentity.reason, /for quay\.io\/team\/app:2, which matchRepoDigestOrExact does not accept/);
    const tampered = sign('quay.io/team/app:1');
    tampered.payload = Buffer.from(tampered.payload.toString().replace('app:1', 'app:1 '));
    assert.match((await evaluatePolicy(policy, image('quay.io/team/app:1', [tampered]))).reason, /not signed by the key/);
    const mixed = await evaluatePolicy(policy, image('quay.io/team/app:1', [tampered, sign('quay.io/team/app:1')]));
    assert.equal(mixed.allowed, true, 'one good signature among bad ones is enough');

    const blocked = await evaluatePolicy(policy, image('quay.io/blocked/app:1', []));
    assert.deepEqual([blocked.allowed, blocked.rule], [false, 'transports.docker["quay.io/blocked"]: reject']);
    const gpg = await evaluatePolicy(policy, image('quay.io/gpg/app:1', []));
    assert.match(gpg.reason, /GPG .* not supported/);
    let fetched = false;
    const free = await evaluatePolicy(policy, {
      ...image('docker.io/library/busybox:1', []),
      signatures: async () => ((fetched = true), []),
    });
    assert.deepEqual([free.allowed, free.scope, fetched], [true, 'default', false], 'signatures are fetched only when a rule needs them');

    const missingKey = parsePolicy(JSON.stringify({ default: [{ type: 'sigstoreSigned', keyPath: join(dir, 'nope.pub') }] }), '/p.json');
    assert.match((await evaluatePolicy(missingKey, image('quay.io/team/app:1', []))).reason, /cannot read public key .*nope\.pub/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
