import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates } from 'node:tls';
import { isDeckhandError } from '../../../src-shared/errors.ts';
import { issue, makeCa, type IssuedPair } from '../../test/fixtures/pki.ts';
import { certsDirsFor, loadRegistryTls } from './certs-d.ts';

let root: string;
let ca: IssuedPair;
let otherCa: IssuedPair;
let client: IssuedPair;
let otherClient: IssuedPair;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'deckhand-certsd-'));
  const pki = join(root, 'pki');
  await mkdir(pki);
  ca = await makeCa(pki, 'ca');
  otherCa = await makeCa(pki, 'other-ca');
  client = await issue(pki, 'client', ca, 'client');
  otherClient = await issue(pki, 'other-client', otherCa, 'client');
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

let n = 0;
/** A fresh HOME and two system roots, like /etc/containers/certs.d and /etc/docker/certs.d. */
async function layout() {
  const base = join(root, `case-${n++}`);
  const home = join(base, 'home');
  const sys = [join(base, 'etc-containers'), join(base, 'etc-docker')];
  const userDir = (host: string) => join(home, '.config', 'containers', 'certs.d', host);
  return { base, home, sys, userDir, opts: { env: { HOME: home }, systemDirs: sys } };
}

async function put(dir: string, files: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, from] of Object.entries(files)) await copyFile(from, join(dir, name));
}

async function rejectsWith(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isDeckhandError(e, 'ETLS'), String(e));
    assert.match(e.message, pattern);
    return true;
  });
}

describe('certsDirsFor', () => {
  test('looks in ~/.config/containers/certs.d, then /etc/containers/certs.d, then /etc/docker/certs.d', () => {
    assert.deepEqual(certsDirsFor('reg.example:5000', { env: { HOME: '/home/u' } }), [
      '/home/u/.config/containers/certs.d/reg.example:5000',
      '/etc/containers/certs.d/reg.example:5000',
      '/etc/docker/certs.d/reg.example:5000',
    ]);
  });

  test('--cert-dir replaces the lookup: the directory itself holds the files', () => {
    assert.deepEqual(certsDirsFor('reg.example:5000', { env: { HOME: '/home/u' }, certDir: '/tmp/certs' }), ['/tmp/certs']);
  });

  test('a host that could escape the certs.d root is refused', () => {
    assert.throws(() => certsDirsFor('../etc', {}), /not a registry host/);
    assert.throws(() => certsDirsFor('', {}), /not a registry host/);
  });
});

describe('loadRegistryTls', () => {
  test('no directory: nothing added, the searched directories are reported', async () => {
    const l = await layout();
    const tls = await loadRegistryTls('reg.example', l.opts);
    assert.equal(tls.dir, undefined);
    assert.equal(tls.ca, undefined);
    assert.equal(tls.client, undefined);
    assert.deepEqual(tls.searched, [l.userDir('reg.example'), join(l.sys[0]!, 'reg.example'), join(l.sys[1]!, 'reg.example')]);
  });

  test('*.crt files are added to the default roots', async () => {
    const l = await layout();
    await put(l.userDir('reg.example:5000'), { 'ca.crt': ca.cert, 'other.crt': otherCa.cert });
    const tls = await loadRegistryTls('reg.example:5000', l.opts);
    assert.equal(tls.dir, l.userDir('reg.example:5000'));
    assert.deepEqual(tls.caFiles, [join(tls.dir!, 'ca.crt'), join(tls.dir!, 'other.crt')]);
    const defaults = getCACertificates('default');
    assert.equal(tls.ca!.length, defaults.length + 2);
    assert.deepEqual(tls.ca!.slice(0, defaults.length), defaults);
    assert.equal(tls.client, undefined);
  });

  test('NAME.cert pairs with NAME.key as the client certificate', async () => {
    const l = await layout();
    await put(l.userDir('reg.example'), { 'client.cert': client.cert, 'client.key': client.key });
    const tls = await loadRegistryTls('reg.example', l.opts);
    assert.equal(tls.client?.certFile, join(tls.dir!, 'client.cert'));
    assert.equal(tls.client?.keyFile, join(tls.dir!, 'client.key'));
    assert.match(tls.client!.cert, /BEGIN CERTIFICATE/);
    assert.match(tls.client!.key, /PRIVATE KEY/);
    assert.equal(tls.ca, undefined);
  });

  test('the first existing directory wins and directories are not merged', async () => {
    const l = await layout();
    await put(l.userDir('reg.example'), { 'ca.crt': ca.cert });
    await put(join(l.sys[0]!, 'reg.example'), { 'client.cert': client.cert, 'client.key': client.key, 'x.crt': otherCa.cert });
    const tls = await loadRegistryTls('reg.example', l.opts);
    assert.equal(tls.dir, l.userDir('reg.example'));
    assert.equal(tls.client, undefined);
    assert.deepEqual(tls.caFiles, [join(tls.dir!, 'ca.crt')]);
  });

  test('without a per-user directory, /etc/containers/certs.d comes before /etc/docker/certs.d', async () => {
    const l = await layout();
    await put(join(l.sys[1]!, 'reg.example'), { 'docker.crt': otherCa.cert });
    assert.equal((await loadRegistryTls('reg.example', l.opts)).dir, join(l.sys[1]!, 'reg.example'));
    await put(join(l.sys[0]!, 'reg.example'), { 'containers.crt': ca.cert });
    assert.equal((await loadRegistryTls('reg.example', l.opts)).dir, join(l.sys[0]!, 'reg.example'));
  });

  test('the port must match exactly: reg.example and reg.example:443 are different directories', async () => {
    const l = await layout();
    await put(l.userDir('reg.example'), { 'ca.crt': ca.cert });
    assert.equal((await loadRegistryTls('reg.example:443', l.opts)).dir, undefined);
    assert.equal((await loadRegistryTls('reg.example', l.opts)).dir, l.userDir('reg.example'));
  });

  test('a .cert without its .key, or a .key without its .cert, is an error naming the files', async () => {
    const l = await layout();
    const dir = l.userDir('a.example');
    await put(dir, { 'me.cert': client.cert });
    await rejectsWith(
      loadRegistryTls('a.example', l.opts),
      new RegExp(`${join(dir, 'me.cert')} has no matching key ${join(dir, 'me.key')}`),
    );
    const dir2 = l.userDir('b.example');
    await put(dir2, { 'me.key': client.key, 'ca.crt': ca.cert });
    await rejectsWith(
      loadRegistryTls('b.example', l.opts),
      new RegExp(`${join(dir2, 'me.key')} has no matching client certificate ${join(dir2, 'me.cert')}`),
    );
  });

  test('a .crt that is not PEM, or holds a broken certificate, is an error naming it', async () => {
    const l = await layout();
    const dir = l.userDir('reg.example');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'ca.crt'), 'not a certificate\n');
    await rejectsWith(loadRegistryTls('reg.example', l.opts), new RegExp(`${join(dir, 'ca.crt')} holds no PEM certificate`));
    await writeFile(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    await rejectsWith(loadRegistryTls('reg.example', l.opts), new RegExp(`${join(dir, 'ca.crt')} holds a certificate that does not parse`));
  });

  test("a key that is not a key, or is not the certificate's, is an error naming the files", async () => {
    const l = await layout();
    const dir = l.userDir('reg.example');
    await put(dir, { 'me.cert': client.cert });
    await writeFile(join(dir, 'me.key'), 'garbage\n');
    await rejectsWith(loadRegistryTls('reg.example', l.opts), new RegExp(`${join(dir, 'me.key')} is not a usable private key`));
    await copyFile(otherClient.key, join(dir, 'me.key'));
    await rejectsWith(
      loadRegistryTls('reg.example', l.opts),
      new RegExp(`${join(dir, 'me.key')} is not the key of the client certificate ${join(dir, 'me.cert')}`),
    );
  });

  test('an unreadable file is an error naming it', { skip: process.getuid?.() === 0 ? 'root reads everything' : false }, async () => {
    const l = await layout();
    const dir = l.userDir('reg.example');
    await put(dir, { 'ca.crt': ca.cert });
    const { chmod } = await import('node:fs/promises');
    await chmod(join(dir, 'ca.crt'), 0o000);
    await rejectsWith(loadRegistryTls('reg.example', l.opts), new RegExp(`${join(dir, 'ca.crt')} cannot be read`));
  });

  test('--cert-dir overrides every certs.d directory', async () => {
    const l = await layout();
    await put(l.userDir('reg.example'), { 'ca.crt': otherCa.cert });
    const certDir = join(l.base, 'mine');
    await put(certDir, { 'ca.crt': ca.cert, 'client.cert': client.cert, 'client.key': client.key });
    const tls = await loadRegistryTls('reg.example', { ...l.opts, certDir });
    assert.equal(tls.dir, certDir);
    assert.deepEqual(tls.searched, [certDir]);
    assert.deepEqual(tls.caFiles, [join(certDir, 'ca.crt')]);
    assert.equal(tls.client?.certFile, join(certDir, 'client.cert'));
  });

  test('a --cert-dir that does not exist is an error', async () => {
    const l = await layout();
    await rejectsWith(
      loadRegistryTls('reg.example', { ...l.opts, certDir: join(l.base, 'missing') }),
      /--cert-dir .*missing is not a directory/,
    );
  });
});
