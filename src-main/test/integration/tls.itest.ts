/**
 * TLS against real registries: Debian's docker-registry serving HTTPS only with a certificate from a
 * throwaway CA, and a second one that also demands a client certificate (`clientcas`). The CA and the
 * client certificate reach Deckhand through certs.d under a temporary HOME, or through --cert-dir;
 * without them the errors say what is missing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeckhandError } from '../../../src-shared/errors.ts';
import { startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { generateImage, permissivePolicy, writeOciLayout, type GeneratedImage } from '../fixtures/images.ts';
import { run, runCli, CLI_SOURCE, type CliResult } from '../fixtures/tools.ts';
import { Store } from '../../engine/store/layout.ts';
import { pull } from '../../engine/transfer/pull.ts';
import { RegistryContext } from '../../engine/config/context.ts';
import { push } from '../../engine/transfer/push.ts';

const AMD64 = { os: 'linux', architecture: 'amd64' };

let work: string;
let tlsReg: TestRegistry;
let mtlsReg: TestRegistry;
let image: GeneratedImage;
let n = 0;

/** A directory with the registry's CA as ca.crt and, when asked, the client pair as client.cert/.key. */
async function certFiles(dir: string, reg: TestRegistry, opts: { ca?: boolean; client?: boolean }): Promise<string> {
  await mkdir(dir, { recursive: true });
  if (opts.ca !== false) await copyFile(reg.tls!.ca, join(dir, 'ca.crt'));
  if (opts.client) {
    await copyFile(reg.tls!.client!.cert, join(dir, 'client.cert'));
    await copyFile(reg.tls!.client!.key, join(dir, 'client.key'));
  }
  return dir;
}

/** A HOME whose ~/.config/containers/certs.d/HOST:PORT holds what `opts` asks for (nothing: an empty HOME). */
async function homeWith(reg: TestRegistry, opts: { ca?: boolean; client?: boolean } | undefined): Promise<string> {
  const home = join(work, `home-${n++}`);
  await mkdir(home, { recursive: true });
  if (opts) await certFiles(join(home, '.config', 'containers', 'certs.d', reg.host), reg, opts);
  return home;
}

const freshStore = () => Store.open(join(work, `store-${n++}`));

async function expectTlsError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isDeckhandError(e, 'ETLS'), `expected ETLS, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

const cli = (args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> =>
  runCli(args, { env: { ...process.env, ...env }, entry: CLI_SOURCE });

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'deckhand-tls-'));
  [tlsReg, mtlsReg] = await Promise.all([startRegistry({ tls: {} }), startRegistry({ tls: { clientCAs: true } })]);
  image = await generateImage({ layers: 2, layerSize: 100_000, platform: AMD64, seed: 'tls' });
  await writeOciLayout(join(work, 'src'), [{ ref: 'app', image }]);
  const policy = await permissivePolicy(work);
  // skopeo seeds both registries through its own --dest-cert-dir, so the setup does not depend on the code under test.
  for (const reg of [tlsReg, mtlsReg]) {
    const dir = await certFiles(join(work, `seed-${reg.host.replace(':', '_')}`), reg, { client: reg === mtlsReg });
    await run(
      'skopeo',
      [
        'copy',
        '--quiet',
        '--policy',
        policy,
        '--preserve-digests',
        '--dest-no-creds',
        '--dest-cert-dir',
        dir,
        `oci:${join(work, 'src')}:app`,
        `docker://${reg.host}/tls/app:1`,
      ],
      { timeoutMs: 120_000 },
    );
  }
});

after(async () => {
  await Promise.all([tlsReg?.stop(), mtlsReg?.stop()]);
  await rm(work, { recursive: true, force: true });
});

describe('a registry serving HTTPS with a private CA', () => {
  test('is pulled from with the CA in ~/.config/containers/certs.d/HOST:PORT (HTTPS after plain HTTP fails on loopback)', async () => {
    const home = await homeWith(tlsReg, { ca: true });
    const result = await pull(await freshStore(), `${tlsReg.host}/tls/app:1`, { platform: AMD64, env: { HOME: home } });
    assert.equal(result.digest, image.manifestDigest);
    assert.equal(result.endpoint, `https://${tlsReg.host}`);
  });

  test('without the CA fails with a TLS error that names the certs.d directories it looked in', async () => {
    const home = await homeWith(tlsReg, undefined);
    await expectTlsError(
      pull(await freshStore(), `${tlsReg.host}/tls/app:1`, { platform: AMD64, env: { HOME: home } }),
      new RegExp(
        `not signed by a CA Deckhand trusts.*${join(home, '.config/containers/certs.d', tlsReg.host).replaceAll('.', '\\.')}.*/etc/containers/certs\\.d/${tlsReg.host}.*--cert-dir`,
      ),
    );
  });

  test('a certs.d directory for another port does not apply', async () => {
    const home = await homeWith(tlsReg, undefined);
    await certFiles(join(home, '.config', 'containers', 'certs.d', '127.0.0.1'), tlsReg, {});
    await expectTlsError(
      pull(await freshStore(), `${tlsReg.host}/tls/app:1`, { platform: AMD64, env: { HOME: home } }),
      /not signed by a CA Deckhand trusts/,
    );
  });

  test('--cert-dir with the CA works without certs.d', async () => {
    const home = await homeWith(tlsReg, undefined);
    const certDir = await certFiles(join(work, `cd-${n++}`), tlsReg, {});
    const result = await pull(await freshStore(), `${tlsReg.host}/tls/app:1`, { platform: AMD64, env: { HOME: home }, certDir });
    assert.equal(result.digest, image.manifestDigest);
  });
});

describe('a registry that requires a client certificate (clientcas)', () => {
  test('is pulled from with NAME.cert + NAME.key in certs.d', async () => {
    const home = await homeWith(mtlsReg, { ca: true, client: true });
    const result = await pull(await freshStore(), `${mtlsReg.host}/tls/app:1`, { platform: AMD64, env: { HOME: home } });
    assert.equal(result.digest, image.manifestDigest);
  });

  test('is pulled from with --cert-dir, which overrides certs.d', async () => {
    // certs.d has only the CA; --cert-dir has the client certificate too and wins.
    const home = await homeWith(mtlsReg, { ca: true });
    const certDir = await certFiles(join(work, `cd-${n++}`), mtlsReg, { client: true });
    const result = await pull(await freshStore(), `${mtlsReg.host}/tls/app:1`, { platform: AMD64, env: { HOME: home }, certDir });
    assert.equal(result.digest, image.manifestDigest);
  });

  test('without a client certificate, the error says the registry requires one and where to put it', async () => {
    const home = await homeWith(mtlsReg, { ca: true });
    const dir = join(home, '.config/containers/certs.d', mtlsReg.host);
    await expectTlsError(
      pull(await freshStore(), `${mtlsReg.host}/tls/app:1`, { platform: AMD64, env: { HOME: home } }),
      new RegExp(
        `Registry ${mtlsReg.host.replaceAll('.', '\\.')} requires a client certificate.*Put NAME\\.cert and NAME\\.key in ${dir.replaceAll('.', '\\.')} or pass --cert-dir`,
      ),
    );
  });

  test('a client certificate from a CA the registry does not accept is refused, naming the file', async () => {
    const home = await homeWith(mtlsReg, { ca: true });
    const dir = join(home, '.config/containers/certs.d', mtlsReg.host);
    // The server's own certificate and key: a valid pair, but not issued by the registry's client CA.
    await copyFile(join(mtlsReg.dir, 'server.pem'), join(dir, 'wrong.cert'));
    await copyFile(join(mtlsReg.dir, 'server-key.pem'), join(dir, 'wrong.key'));
    await expectTlsError(
      pull(await freshStore(), `${mtlsReg.host}/tls/app:1`, { platform: AMD64, env: { HOME: home } }),
      new RegExp(`refused the client certificate ${join(dir, 'wrong.cert').replaceAll('.', '\\.')}`),
    );
  });

  test('a client certificate without its key is an error naming both files, before any connection', async () => {
    const home = await homeWith(mtlsReg, { ca: true });
    const dir = join(home, '.config/containers/certs.d', mtlsReg.host);
    await copyFile(mtlsReg.tls!.client!.cert, join(dir, 'lonely.cert'));
    const client = await (await RegistryContext.load({ env: { HOME: home } })).client(mtlsReg.host, 'tls/app');
    await expectTlsError(client.ensureConnected(), /lonely\.cert has no matching key .*lonely\.key/);
    await client.close();
  });

  test('is pushed to with the client certificate, and the pushed image pulls back', async () => {
    const home = await homeWith(mtlsReg, { ca: true, client: true });
    const store = await freshStore();
    await pull(store, `${mtlsReg.host}/tls/app:1`, { platform: AMD64, env: { HOME: home } });
    const pushed = await push(store, `${mtlsReg.host}/tls/app:1`, `${mtlsReg.host}/tls/pushed:2`, { env: { HOME: home } });
    assert.equal(pushed.digest, image.manifestDigest);
    const back = await pull(await freshStore(), `${mtlsReg.host}/tls/pushed:2`, { platform: AMD64, env: { HOME: home } });
    assert.equal(back.digest, image.manifestDigest);
    // And without the certificate, the push is refused with the same clear message.
    const bare = await homeWith(mtlsReg, { ca: true });
    await expectTlsError(
      push(store, `${mtlsReg.host}/tls/app:1`, `${mtlsReg.host}/tls/pushed:3`, { env: { HOME: bare } }),
      /requires a client certificate/,
    );
  });

  test('the deckhand command takes --cert-dir on pull, push and copy, and explains a missing certificate', async () => {
    const home = await homeWith(mtlsReg, undefined);
    const certDir = await certFiles(join(work, `cd-${n++}`), mtlsReg, { client: true });
    const env = { HOME: home, DECKHAND_STORE: join(work, `cli-store-${n++}`) };
    const pulled = await cli(['pull', '--cert-dir', certDir, '--quiet', `${mtlsReg.host}/tls/app:1`], env);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(pulled.stdout.trim(), image.manifestDigest);
    const pushed = await cli(['push', '--cert-dir', certDir, '--quiet', `${mtlsReg.host}/tls/app:1`, `${mtlsReg.host}/tls/cli:1`], env);
    assert.equal(pushed.code, 0, pushed.stderr);
    const copied = await cli(
      ['copy', '--cert-dir', certDir, '--quiet', `docker://${mtlsReg.host}/tls/cli:1`, `docker://${mtlsReg.host}/tls/cli-copy:1`],
      env,
    );
    assert.equal(copied.code, 0, copied.stderr);
    const refused = await cli(['pull', '--quiet', `${mtlsReg.host}/tls/cli-copy:1`], {
      ...env,
      HOME: await homeWith(mtlsReg, { ca: true }),
    });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /requires a client certificate.*--cert-dir/);
  });
});
