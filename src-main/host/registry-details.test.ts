import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistryDetails } from '../../src-shared/ipc/contract.ts';
import { fakeCredentialHelper } from '../test/fixtures/cred-helper.ts';
import type { KeychainCipher } from './app-logins.ts';
import { createHost } from './host.ts';

const SECRET = 'n0t-f0r-3y3s';

const cipher: KeychainCipher = {
  available: async () => true,
  encrypt: async (plain) => Buffer.from(Buffer.from(plain).map((b) => b ^ 0x5a)),
  decrypt: async (buf) => Buffer.from(buf.map((b) => b ^ 0x5a)).toString(),
};

const REGISTRIES_CONF = `
unqualified-search-registries = ["quay.io", "docker.io"]
short-name-mode = "permissive"

[[registry]]
prefix = "quay.io"
location = "quay.io"
[[registry.mirror]]
location = "mirror.internal:5000"
insecure = true
[[registry.mirror]]
location = "mirror2.internal"
pull-from-mirror = "tag-only"

[[registry]]
prefix = "quay.io/team"
location = "quay.io/team"
blocked = true

[[registry]]
prefix = "*.corp.example"
insecure = true
mirror-by-digest-only = true
[[registry.mirror]]
location = "cache.corp.example"
`;

const POLICY = {
  default: [{ type: 'reject' }],
  transports: {
    docker: {
      'quay.io': [{ type: 'sigstoreSigned', keyPath: '/etc/pki/team.pub', signedIdentity: { type: 'matchRepository' } }],
      '*.corp.example': [{ type: 'insecureAcceptAnything' }],
      'ghcr.io/team': [{ type: 'insecureAcceptAnything' }],
    },
  },
};

async function withHost(
  t: { after(fn: () => unknown): void },
  fn: (call: (host: string) => Promise<RegistryDetails>, dir: string, env: NodeJS.ProcessEnv) => Promise<void>,
  extraEnv: NodeJS.ProcessEnv = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-regdetails-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, '.config', 'containers'), { recursive: true });
  await mkdir(join(dir, 'conf.d'));
  await mkdir(join(dir, 'docker'));
  await writeFile(join(dir, 'registries.conf'), REGISTRIES_CONF);
  await writeFile(join(dir, '.config', 'containers', 'policy.json'), JSON.stringify(POLICY));
  const auth = Buffer.from(`ann:${SECRET}`).toString('base64');
  await writeFile(
    join(dir, 'auth.json'),
    JSON.stringify({
      auths: { 'quay.io': { auth }, 'ghcr.io': { identitytoken: SECRET } },
      credHelpers: { 'helped.example': 'test', 'missing.example': 'nosuchhelper' },
    }),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, '.config'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
    DOCKER_CONFIG: join(dir, 'docker'),
    CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
    CONTAINERS_REGISTRIES_CONF_DIR: join(dir, 'conf.d'),
    ...extraEnv,
  };
  const host = createHost({
    kind: 'electron',
    storeDir: join(dir, 'store'),
    env,
    keychain: { file: join(dir, 'userData', 'registry-logins.json'), cipher },
  });
  try {
    await fn(
      async (h) => {
        const r = await host.dispatch('registryDetails', { host: h });
        if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
        assert.ok(!JSON.stringify(r.value).includes(SECRET), 'no secret in the details');
        return r.value as RegistryDetails;
      },
      dir,
      env,
    );
  } finally {
    await host.close();
  }
}

test('registry details: the registries.conf rule with its mirrors, the auth-file login and the policy scope', async (t) => {
  await withHost(t, async (details, dir) => {
    const quay = await details('Quay.io');
    assert.equal(quay.host, 'quay.io');
    assert.deepEqual(quay.registriesConf.rule, {
      file: join(dir, 'registries.conf'),
      prefix: 'quay.io',
      location: 'quay.io',
      insecure: false,
      blocked: false,
      mirrorByDigestOnly: false,
      mirrors: [
        { location: 'mirror.internal:5000', insecure: true, pullFromMirror: 'all' },
        { location: 'mirror2.internal', insecure: false, pullFromMirror: 'tag-only' },
      ],
    });
    assert.deepEqual(
      quay.registriesConf.narrower.map((r) => [r.prefix, r.blocked]),
      [['quay.io/team', true]],
    );
    assert.deepEqual(quay.registriesConf.searchRegistries, ['quay.io', 'docker.io']);
    assert.equal(quay.registriesConf.shortNameMode, 'permissive');
    assert.deepEqual(quay.login, {
      storedIn: 'auth-file',
      username: 'ann',
      identityToken: false,
      file: join(dir, 'auth.json'),
      helper: null,
      problem: null,
    });
    assert.deepEqual(quay.policy, {
      file: join(dir, '.config', 'containers', 'policy.json'),
      scope: 'transports.docker["quay.io"]',
      requirements: [
        {
          type: 'sigstoreSigned',
          keyPaths: ['/etc/pki/team.pub'],
          text: 'sigstoreSigned with /etc/pki/team.pub; identity matchRepository',
        },
      ],
    });

    // A wildcard rule and a wildcard policy scope; a repository scope does not apply to the whole registry.
    const corp = await details('registry.corp.example:8443');
    assert.equal(corp.registriesConf.rule?.prefix, '*.corp.example');
    assert.equal(corp.registriesConf.rule?.insecure, true);
    assert.equal(corp.registriesConf.rule?.mirrorByDigestOnly, true);
    assert.equal(corp.policy?.scope, 'transports.docker["*.corp.example"]');
    assert.equal(corp.policy?.requirements[0]?.text, 'insecureAcceptAnything: images are accepted without signatures');
    assert.deepEqual(corp.login.storedIn, null);

    const ghcr = await details('ghcr.io');
    assert.equal(ghcr.registriesConf.rule, null);
    assert.deepEqual(ghcr.login, {
      storedIn: 'auth-file',
      username: null,
      identityToken: true,
      file: join(dir, 'auth.json'),
      helper: null,
      problem: null,
    });
    assert.deepEqual(ghcr.policy, {
      file: join(dir, '.config', 'containers', 'policy.json'),
      scope: 'default',
      requirements: [{ type: 'reject', keyPaths: [], text: 'reject: every image is refused' }],
    });
  });
});

test('registry details: logins in the app keychain and in credential helpers; a missing helper is a problem, not a failure', async (t) => {
  const h = await fakeCredentialHelper();
  t.after(() => h.cleanup());
  await withHost(
    t,
    async (details, dir, env) => {
      // A login the app saved in its keychain file wins, as it does for pulls.
      await mkdir(join(dir, 'userData'));
      const ciphertext = await cipher.encrypt(JSON.stringify({ username: 'kim', password: SECRET }));
      await writeFile(
        join(dir, 'userData', 'registry-logins.json'),
        JSON.stringify({ version: 1, logins: { 'quay.io': ciphertext.toString('base64') } }),
      );
      assert.deepEqual((await details('quay.io')).login, {
        storedIn: 'keychain',
        username: 'kim',
        identityToken: false,
        file: join(dir, 'userData', 'registry-logins.json'),
        helper: null,
        problem: null,
      });

      assert.equal((await details('helped.example')).login.storedIn, null);
      const { execFileSync } = await import('node:child_process');
      execFileSync('docker-credential-test', ['store'], {
        env,
        input: JSON.stringify({ ServerURL: 'helped.example', Username: 'hal', Secret: SECRET }),
      });
      assert.deepEqual((await details('helped.example')).login, {
        storedIn: 'credential-helper',
        username: 'hal',
        identityToken: false,
        file: `credHelpers of ${join(dir, 'auth.json')}`,
        helper: 'test',
        problem: null,
      });

      const missing = (await details('missing.example')).login;
      assert.equal(missing.storedIn, 'credential-helper');
      assert.equal(missing.helper, 'nosuchhelper');
      assert.match(missing.problem ?? '', /nosuchhelper/);
    },
    { PATH: h.env().PATH },
  );
});

test("registry details: a broken config file is the call's error", async (t) => {
  await withHost(t, async (details, dir) => {
    await writeFile(join(dir, 'registries.conf'), '[[registry]]\nprefix = "quay.io"\nlocaton = "x"\n');
    await assert.rejects(
      details('quay.io'),
      (e: Error & { code?: string }) => e.code === 'ECONFIG' && e.message.includes('registries.conf') && e.message.includes('locaton'),
    );
    await writeFile(join(dir, 'registries.conf'), '');
    await writeFile(
      join(dir, '.config', 'containers', 'policy.json'),
      JSON.stringify({ default: [{ type: 'insecureAcceptAnything', extra: 1 }] }),
    );
    await assert.rejects(details('quay.io'), (e: Error & { code?: string }) => e.code === 'EPOLICY' && e.message.includes('extra'));
  });
});
