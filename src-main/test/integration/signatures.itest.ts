/**
 * Sigstore signatures and policy.json against a real registry and skopeo: Deckhand's key files and
 * signatures are read by skopeo (containers/image), skopeo's by Deckhand where this skopeo can sign,
 * an unsigned image is refused by both under the same policy, and a refused pull stores nothing.
 * The CLI runs from source (`node src-main/cli/main.ts`), so no build is needed.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { generateImage, permissivePolicy, pushWithSkopeo, writeOciLayout, type GeneratedImage } from '../fixtures/images.ts';
import { run, runCli, CLI_SOURCE, type CliResult } from '../fixtures/tools.ts';
import { Store } from '../../engine/store/layout.ts';
import { listEntries } from '../../engine/store/catalog.ts';
import { pull } from '../../engine/transfer/pull.ts';
import { isDeckhandError } from '../../../src-shared/errors.ts';
import { signatureTag } from '../../engine/signature/attachments.ts';
import { SIGNATURE_POLICY, SIGNATURE_VERIFIED_AT, SIGNATURE_VERIFIED_BY } from '../../engine/store/annotations.ts';
import { listImages } from '../../engine/insight/images.ts';

const PLATFORM = { os: 'linux', architecture: 'amd64' };
const PASSPHRASE = 'correct horse battery staple';

let work: string;
let registry: TestRegistry;
let image: GeneratedImage;
let keyPrefix: string;
let passFile: string;
let registriesD: string;
let requireKey: string;
/** HOME without a policy, so the machine's ~/.config/containers/policy.json never leaks in. */
let env: NodeJS.ProcessEnv;

const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCli(args, { env: { ...env, ...extraEnv }, entry: CLI_SOURCE });

async function writePolicy(name: string, doc: unknown): Promise<string> {
  const path = join(work, name);
  await writeFile(path, JSON.stringify(doc, null, 2));
  return path;
}

/** skopeo reading from the registry under `policy`; sigstore attachments on (registries.d). */
function skopeoPull(policy: string, ref: string, dest: string) {
  return run(
    'skopeo',
    [
      'copy',
      '--quiet',
      '--policy',
      policy,
      '--registries.d',
      registriesD,
      '--src-tls-verify=false',
      '--remove-signatures',
      `docker://${ref}`,
      `oci:${dest}:x`,
    ],
    { timeoutMs: 60_000, env },
  );
}

/** Debian's skopeo/containers-image build patches sigstore out ("Debian-local change: sigstore disabled"). */
const SIGSTORE_DISABLED = /Debian-local change: sigstore disabled/;

/**
 * skopeo must accept `ref` under `policy`. Where its sigstore code is patched out, it can only get
 * as far as finding the signature (an unsigned image fails earlier, with "no signature exists"):
 * the test is skipped, saying so.
 */
async function skopeoAccepts(t: TestContext, policy: string, ref: string, dest: string): Promise<void> {
  try {
    await skopeoPull(policy, ref, dest);
  } catch (e) {
    if (!SIGSTORE_DISABLED.test((e as Error).message)) throw e;
    t.skip(
      'this skopeo found the sigstore signature but cannot verify it: its sigstore support is patched out (Debian-local change: sigstore disabled)',
    );
  }
}

const PYTHON = '/usr/bin/python3';
/** PyNaCl (Debian's python3-nacl), an independent implementation of the secretbox + scrypt key format, when installed. */
async function hasPyNacl(): Promise<boolean> {
  return run(PYTHON, ['-c', 'import nacl.secret'], { timeoutMs: 20_000 }).then(
    () => true,
    () => false,
  );
}

const PY_DECRYPT = `
import sys, json, base64, hashlib, nacl.secret
text = open(sys.argv[1]).read()
body = ''.join(l for l in text.splitlines() if not l.startswith('-----'))
doc = json.loads(base64.b64decode(body))
assert doc['kdf']['name'] == 'scrypt' and doc['cipher']['name'] == 'nacl/secretbox'
p = doc['kdf']['params']
key = hashlib.scrypt(sys.argv[2].encode(), salt=base64.b64decode(doc['kdf']['salt']), n=p['N'], r=p['r'], p=p['p'], maxmem=64*1024*1024, dklen=32)
der = nacl.secret.SecretBox(key).decrypt(base64.b64decode(doc['ciphertext']), base64.b64decode(doc['cipher']['nonce']))
open(sys.argv[3], 'wb').write(der)
`;

const PY_ENCRYPT = `
import sys, json, base64, hashlib, os, nacl.secret
der = open(sys.argv[1], 'rb').read()
salt, nonce = os.urandom(32), os.urandom(24)
key = hashlib.scrypt(sys.argv[2].encode(), salt=salt, n=32768, r=8, p=1, maxmem=64*1024*1024, dklen=32)
ct = nacl.secret.SecretBox(key).encrypt(der, nonce).ciphertext
doc = {'kdf': {'name': 'scrypt', 'params': {'N': 32768, 'r': 8, 'p': 1}, 'salt': base64.b64encode(salt).decode()}, 'cipher': {'name': 'nacl/secretbox', 'nonce': base64.b64encode(nonce).decode()}, 'ciphertext': base64.b64encode(ct).decode()}
b = base64.b64encode(json.dumps(doc).encode()).decode()
lines = [b[i:i+64] for i in range(0, len(b), 64)]
open(sys.argv[3], 'w').write('-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\\n' + '\\n'.join(lines) + '\\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\\n')
`;

async function storeIsEmpty(dir: string): Promise<void> {
  const store = await Store.open(dir);
  assert.deepEqual(await listEntries(store), [], 'no image is tagged');
  const blobs = await readdir(join(dir, 'blobs', 'sha256')).catch(() => []);
  assert.deepEqual(blobs, [], 'no blob is stored');
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'deckhand-signatures-'));
  await mkdir(join(work, 'home'));
  env = { ...process.env, HOME: join(work, 'home'), COSIGN_PASSWORD: undefined };
  delete env.COSIGN_PASSWORD;
  registry = await startRegistry();
  image = await generateImage({ layers: 2, layerSize: 50_000, platform: PLATFORM, seed: 'sig' });
  await writeOciLayout(join(work, 'src'), [{ ref: 'one', image }]);
  await pushWithSkopeo(join(work, 'src'), 'one', `${registry.host}/sig/unsigned:1`);
  registriesD = join(work, 'registries.d');
  await mkdir(registriesD);
  await writeFile(join(registriesD, 'default.yaml'), 'default-docker:\n  use-sigstore-attachments: true\n');
  passFile = join(work, 'passphrase');
  await writeFile(passFile, `${PASSPHRASE}\n`);
  keyPrefix = join(work, 'deckhand-key');
  const gen = await cli(['generate-sigstore-key', '--output-prefix', keyPrefix, '--passphrase-file', passFile]);
  assert.equal(gen.code, 0, gen.stderr);
  requireKey = await writePolicy('require-key.json', {
    default: [{ type: 'reject' }],
    transports: { docker: { [`${registry.host}/sig`]: [{ type: 'sigstoreSigned', keyPath: `${keyPrefix}.pub` }] } },
  });
});

after(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('Deckhand signs, skopeo verifies', () => {
  test('generate-sigstore-key writes PEM files and refuses to overwrite them', async () => {
    assert.match(await readFile(`${keyPrefix}.pub`, 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
    assert.match(await readFile(`${keyPrefix}.private`, 'utf8'), /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----/);
    const again = await cli(['generate-sigstore-key', '--output-prefix', keyPrefix, '--passphrase-file', passFile]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
  });

  test('push --sign-by-sigstore-private-key attaches a signature as containers/image lays it out (sha256-<hex>.sig, simple-signing layer)', async () => {
    const storeDir = join(work, 'store-push');
    const permissive = await permissivePolicy(work);
    const pulled = await cli(['--store', storeDir, 'pull', '--quiet', '--signature-policy', permissive, `${registry.host}/sig/unsigned:1`]);
    assert.equal(pulled.code, 0, pulled.stderr);
    const pushed = await cli([
      '--store',
      storeDir,
      'push',
      '--quiet',
      '--sign-by-sigstore-private-key',
      `${keyPrefix}.private`,
      '--sign-passphrase-file',
      passFile,
      `${registry.host}/sig/unsigned:1`,
      `${registry.host}/sig/signed:1`,
    ]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal(pushed.stdout.trim(), image.manifestDigest);
    const sigManifest = (await (
      await fetch(`${registry.url}/v2/sig/signed/manifests/${signatureTag(image.manifestDigest)}`, {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      })
    ).json()) as { layers: Array<{ mediaType: string; annotations: Record<string, string> }> };
    assert.equal(sigManifest.layers.length, 1);
    assert.equal(sigManifest.layers[0]!.mediaType, 'application/vnd.dev.cosign.simplesigning.v1+json');
    assert.ok(sigManifest.layers[0]!.annotations['dev.cosignproject.cosign/signature']);
  });

  test('openssl verifies the signature over the payload with the public key, and the payload names the image', async () => {
    const sigManifest = (await (
      await fetch(`${registry.url}/v2/sig/signed/manifests/${signatureTag(image.manifestDigest)}`, {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      })
    ).json()) as { layers: Array<{ digest: string; annotations: Record<string, string> }> };
    const layer = sigManifest.layers[0]!;
    const payload = Buffer.from(await (await fetch(`${registry.url}/v2/sig/signed/blobs/${layer.digest}`)).arrayBuffer());
    const claims = JSON.parse(payload.toString('utf8')) as {
      critical: { identity: { 'docker-reference': string }; image: { 'docker-manifest-digest': string }; type: string };
    };
    assert.deepEqual(claims.critical, {
      identity: { 'docker-reference': `${registry.host}/sig/signed:1` },
      image: { 'docker-manifest-digest': image.manifestDigest },
      type: 'cosign container image signature',
    });
    await writeFile(join(work, 'payload'), payload);
    await writeFile(join(work, 'payload.sig'), Buffer.from(layer.annotations['dev.cosignproject.cosign/signature']!, 'base64'));
    const out = await run(
      'openssl',
      ['dgst', '-sha256', '-verify', `${keyPrefix}.pub`, '-signature', join(work, 'payload.sig'), join(work, 'payload')],
      { timeoutMs: 20_000 },
    );
    assert.match(out.stdout, /Verified OK/);
  });

  test('skopeo accepts the signed image under a policy requiring the key', async (t) => {
    await skopeoAccepts(t, requireKey, `${registry.host}/sig/signed:1`, join(work, 'skopeo-ok'));
  });

  test('the private key file is the go-securesystemslib format: an independent implementation (PyNaCl) decrypts it, and Deckhand reads one it wrote', async (t) => {
    if (!(await hasPyNacl())) {
      t.skip('python3-nacl is not installed');
      return;
    }
    const der = join(work, 'key.der');
    await run(PYTHON, ['-c', PY_DECRYPT, `${keyPrefix}.private`, PASSPHRASE, der], { timeoutMs: 30_000 });
    const pub = await run('openssl', ['pkey', '-inform', 'DER', '-in', der, '-pubout'], { timeoutMs: 20_000 });
    assert.equal(pub.stdout, await readFile(`${keyPrefix}.pub`, 'utf8'), 'the decrypted private key belongs to the public key');
    // The other way: a key encrypted by PyNaCl signs a push that Deckhand then verifies.
    const foreign = join(work, 'foreign');
    await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${foreign}.pem`], {
      timeoutMs: 20_000,
    });
    await run('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', `${foreign}.pem`, '-outform', 'DER', '-out', `${foreign}.der`], {
      timeoutMs: 20_000,
    });
    await writeFile(
      `${foreign}.pub`,
      (await run('openssl', ['pkey', '-inform', 'DER', '-in', `${foreign}.der`, '-pubout'], { timeoutMs: 20_000 })).stdout,
    );
    await run(PYTHON, ['-c', PY_ENCRYPT, `${foreign}.der`, PASSPHRASE, `${foreign}.private`], { timeoutMs: 30_000 });
    const pushed = await cli([
      '--store',
      join(work, 'store-push'),
      'push',
      '--quiet',
      '--sign-by-sigstore-private-key',
      `${foreign}.private`,
      '--sign-passphrase-file',
      passFile,
      `${registry.host}/sig/unsigned:1`,
      `${registry.host}/sig/foreign:1`,
    ]);
    assert.equal(pushed.code, 0, pushed.stderr);
    const policy = await writePolicy('foreign.json', { default: [{ type: 'sigstoreSigned', keyPath: `${foreign}.pub` }] });
    const r = await cli([
      '--store',
      join(work, 'store-foreign'),
      'pull',
      '--quiet',
      '--signature-policy',
      policy,
      `${registry.host}/sig/foreign:1`,
    ]);
    assert.equal(r.code, 0, r.stderr);
  });

  test('a wrong passphrase fails before anything is pushed', async () => {
    const bad = join(work, 'bad-pass');
    await writeFile(bad, 'wrong\n');
    const r = await cli([
      '--store',
      join(work, 'store-push'),
      'push',
      '--quiet',
      '--sign-by-sigstore-private-key',
      `${keyPrefix}.private`,
      '--sign-passphrase-file',
      bad,
      `${registry.host}/sig/unsigned:1`,
      `${registry.host}/sig/never:1`,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /passphrase is wrong/);
    const tags = await fetch(`${registry.url}/v2/sig/never/tags/list`);
    assert.equal(tags.status, 404);
  });

  test('skopeo refuses the unsigned image under the same policy', async () => {
    await assert.rejects(
      skopeoPull(requireKey, `${registry.host}/sig/unsigned:1`, join(work, 'skopeo-no')),
      /A signature was required, but no signature exists/,
    );
  });
});

describe('Deckhand verifies', () => {
  test('pull --signature-policy accepts the signed image', async () => {
    const dir = join(work, 'store-verify');
    const r = await cli(['--store', dir, 'pull', '--quiet', '--signature-policy', requireKey, `${registry.host}/sig/signed:1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), image.manifestDigest);
    // The stored entry records the verification: the key, the policy file and scope, and when.
    const store = await Store.open(dir);
    const [entry] = await listEntries(store);
    const a = entry!.descriptor.annotations ?? {};
    assert.equal(a[SIGNATURE_VERIFIED_BY], `${keyPrefix}.pub`);
    assert.equal(a[SIGNATURE_POLICY], `${requireKey} transports.docker["${registry.host}/sig"]`);
    assert.ok(Math.abs(Date.parse(a[SIGNATURE_VERIFIED_AT]!) - Date.now()) < 120_000, a[SIGNATURE_VERIFIED_AT]);
    const [row] = await listImages(store);
    assert.deepEqual(row!.signature, {
      verifiedBy: `${keyPrefix}.pub`,
      policy: `${requireKey} transports.docker["${registry.host}/sig"]`,
      at: a[SIGNATURE_VERIFIED_AT],
    });
  });

  test('a pull accepted by insecureAcceptAnything records no signature, replacing an earlier record', async () => {
    const dir = join(work, 'store-verify');
    const permissive = await permissivePolicy(work);
    await pull(await Store.open(dir), `${registry.host}/sig/signed:1`, { platform: PLATFORM, signaturePolicy: permissive, env });
    const [entry] = await listEntries(await Store.open(dir));
    assert.equal(entry!.descriptor.annotations?.[SIGNATURE_VERIFIED_BY], undefined);
    assert.equal(entry!.descriptor.annotations?.[SIGNATURE_POLICY], undefined);
    assert.equal((await listImages(await Store.open(dir)))[0]!.signature, null);
  });

  test('the unsigned image is refused, naming the rule, and nothing is stored', async () => {
    const dir = join(work, 'store-unsigned');
    const r = await cli(['--store', dir, 'pull', '--quiet', '--signature-policy', requireKey, `${registry.host}/sig/unsigned:1`]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`transports\\.docker\\["${registry.host.replace(/\./g, '\\.')}/sig"\\]: sigstoreSigned with key .*deckhand-key\\.pub`),
    );
    assert.match(r.stderr, /no sigstore signature/);
    await storeIsEmpty(dir);
  });

  test('a signature by another key, or for another identity, does not verify', async () => {
    const otherPrefix = join(work, 'other-key');
    assert.equal((await cli(['generate-sigstore-key', '--output-prefix', otherPrefix, '--passphrase-file', passFile])).code, 0);
    const otherKey = await writePolicy('other-key.json', { default: [{ type: 'sigstoreSigned', keyPath: `${otherPrefix}.pub` }] });
    const dir = join(work, 'store-other');
    await assert.rejects(
      pull(await Store.open(dir), `${registry.host}/sig/signed:1`, { platform: PLATFORM, signaturePolicy: otherKey, env }),
      (e) => isDeckhandError(e, 'EPOLICY') && /not signed by the key/.test(e.message),
    );
    const exact = await writePolicy('exact.json', {
      default: [
        {
          type: 'sigstoreSigned',
          keyPath: `${keyPrefix}.pub`,
          signedIdentity: { type: 'exactReference', dockerReference: `${registry.host}/sig/elsewhere:1` },
        },
      ],
    });
    await assert.rejects(
      pull(await Store.open(dir), `${registry.host}/sig/signed:1`, { platform: PLATFORM, signaturePolicy: exact, env }),
      (e) => isDeckhandError(e, 'EPOLICY') && /exactReference/.test(e.message),
    );
    await storeIsEmpty(dir);
  });

  test('a reject rule refuses and stores nothing', async () => {
    const policy = await writePolicy('reject.json', {
      default: [{ type: 'insecureAcceptAnything' }],
      transports: { docker: { [`${registry.host}/sig/signed`]: [{ type: 'reject' }] } },
    });
    const dir = join(work, 'store-reject');
    await assert.rejects(
      pull(await Store.open(dir), `${registry.host}/sig/signed:1`, { platform: PLATFORM, signaturePolicy: policy, env }),
      (e) => isDeckhandError(e, 'EPOLICY') && e.message.includes(`transports.docker["${registry.host}/sig/signed"]: reject`),
    );
    await storeIsEmpty(dir);
  });

  test('the policy in ~/.config/containers is used without --signature-policy', async () => {
    const home = join(work, 'home-with-policy');
    await mkdir(join(home, '.config', 'containers'), { recursive: true });
    await writeFile(join(home, '.config', 'containers', 'policy.json'), JSON.stringify({ default: [{ type: 'reject' }] }));
    const dir = join(work, 'store-home');
    const r = await cli(['--store', dir, 'pull', '--quiet', `${registry.host}/sig/signed:1`], { HOME: home });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /home-with-policy\/\.config\/containers\/policy\.json, default: reject/);
  });
});

describe('signatures travel on copy', () => {
  test('registry to registry copies the .sig tag; the copy verifies under Deckhand', async () => {
    const r = await cli([
      'copy',
      '--quiet',
      '--signature-policy',
      requireKey,
      `docker://${registry.host}/sig/signed:1`,
      `docker://${registry.host}/sig/copied:1`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    // The signature names sig/signed; a policy for the copy says which repository's signatures count.
    const policy = await writePolicy('copied.json', {
      default: [
        {
          type: 'sigstoreSigned',
          keyPath: `${keyPrefix}.pub`,
          signedIdentity: { type: 'exactRepository', dockerRepository: `${registry.host}/sig/signed` },
        },
      ],
    });
    const dir = join(work, 'store-copied');
    const pulled = await pull(await Store.open(dir), `${registry.host}/sig/copied:1`, { platform: PLATFORM, signaturePolicy: policy, env });
    assert.equal(pulled.digest, image.manifestDigest);
  });

  test('skopeo accepts the copy under the same policy', async (t) => {
    const policy = join(work, 'copied.json');
    await skopeoAccepts(t, policy, `${registry.host}/sig/copied:1`, join(work, 'skopeo-copied'));
  });
});

describe('skopeo signs, Deckhand verifies', () => {
  test('an image signed by skopeo --sign-by-sigstore-private-key with a Deckhand key verifies under Deckhand', async (t) => {
    const permissive = await permissivePolicy(work);
    const dest = `${registry.host}/sig/by-skopeo:1`;
    try {
      await run(
        'skopeo',
        [
          'copy',
          '--quiet',
          '--policy',
          permissive,
          '--registries.d',
          registriesD,
          '--dest-tls-verify=false',
          '--preserve-digests',
          '--sign-by-sigstore-private-key',
          `${keyPrefix}.private`,
          '--sign-passphrase-file',
          passFile,
          `oci:${join(work, 'src')}:one`,
          `docker://${dest}`,
        ],
        { timeoutMs: 60_000, env },
      );
    } catch (e) {
      // Debian's skopeo 1.9.3 is built with sigstore signing patched out ("Debian-local change: sigstore disabled").
      if (/sigstore disabled/.test((e as Error).message)) {
        t.skip('this skopeo cannot create sigstore signatures (Debian-local change: sigstore disabled)');
        return;
      }
      throw e;
    }
    const dir = join(work, 'store-by-skopeo');
    const r = await cli(['--store', dir, 'pull', '--quiet', '--signature-policy', requireKey, dest]);
    assert.equal(r.code, 0, r.stderr);
  });
});
