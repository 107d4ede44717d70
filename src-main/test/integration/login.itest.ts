/**
 * `deckhand login` / `logout` against a real registry (Debian's docker-registry on 127.0.0.1) with
 * Basic and token auth: the CLI (source entry) checks credentials before saving, a later pull uses
 * what it saved, wrong credentials save nothing; a pull through a credential helper; and a token
 * registry reached with an identity token (the fixture's token server takes refresh_token grants).
 */
import { runCli } from '../fixtures/tools.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { generateImage, pushWithSkopeo, writeOciLayout, type GeneratedImage } from '../fixtures/images.ts';
import { fakeCredentialHelper } from '../fixtures/cred-helper.ts';
import { Store } from '../../engine/store/layout.ts';
import { pull } from '../../engine/transfer/pull.ts';

const ENTRY = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const ARM64 = { os: 'linux', architecture: 'arm64' };
const PW = 'alice-pw-9f3b';
const WRONG = 'not-the-pw-77aa';

let work: string;
let image: GeneratedImage;
let basic: TestRegistry;
let token: TestRegistry;

/** Runs the CLI from source with `input` on stdin. */
async function cli(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCli(args, { env: { ...process.env, ...env }, entry: ENTRY, input });
  return { ...r, code: r.code ?? -1 };
}

async function isolatedEnv(name: string): Promise<NodeJS.ProcessEnv> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  return {
    REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
    XDG_CONFIG_HOME: join(dir, 'cfg'),
    DOCKER_CONFIG: join(dir, 'docker'),
    DECKHAND_STORE: join(dir, 'store'),
  };
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'deckhand-login-'));
  image = await generateImage({ layers: 2, layerSize: 100_000, platform: ARM64, seed: 'login' });
  const layout = join(work, 'layout');
  await writeOciLayout(layout, [{ ref: 'x', image }]);
  [basic, token] = await Promise.all([
    startRegistry({ auth: 'basic', users: { alice: PW } }),
    startRegistry({ auth: 'token', users: { alice: PW }, refreshTokens: { 'refresh-for-alice': 'alice' } }),
  ]);
  await pushWithSkopeo(layout, 'x', `${basic.host}/private/app:1`, { creds: `alice:${PW}` });
  await pushWithSkopeo(layout, 'x', `${token.host}/private/app:1`, { creds: `alice:${PW}` });
});

after(async () => {
  await Promise.all([basic?.stop(), token?.stop()]);
  await rm(work, { recursive: true, force: true });
});

describe('deckhand login against a real registry', () => {
  for (const kind of ['basic', 'token'] as const) {
    test(`${kind} auth: login saves to auth.json, a later pull uses it, logout removes it`, async () => {
      const reg = kind === 'basic' ? basic : token;
      const env = await isolatedEnv(`ok-${kind}`);
      const res = await cli(['login', reg.host, '-u', 'alice', '--password-stdin'], env, `${PW}\n`);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /Login Succeeded/);
      assert.ok(!res.stdout.includes(PW) && !res.stderr.includes(PW));
      const doc = JSON.parse(await readFile(env.REGISTRY_AUTH_FILE!, 'utf8'));
      assert.deepEqual(doc.auths[reg.host], { auth: Buffer.from(`alice:${PW}`).toString('base64') });
      assert.equal((await stat(env.REGISTRY_AUTH_FILE!)).mode & 0o777, 0o600);
      const pulled = await cli(['pull', `${reg.host}/private/app:1`, '--platform', 'linux/arm64', '--quiet'], env);
      assert.equal(pulled.code, 0, pulled.stderr);
      const out = await cli(['logout', reg.host], env);
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(JSON.parse(await readFile(env.REGISTRY_AUTH_FILE!, 'utf8')).auths, {});
      const again = await cli(['logout', reg.host], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /Not logged in to/);
    });

    test(`${kind} auth: wrong credentials fail, save nothing and never print the password`, async () => {
      const reg = kind === 'basic' ? basic : token;
      const env = await isolatedEnv(`bad-${kind}`);
      const res = await cli(['login', reg.host, '-u', 'alice', '--password-stdin'], env, WRONG);
      assert.equal(res.code, 1);
      assert.match(res.stderr, /Login failed/);
      assert.ok(!res.stdout.includes(WRONG) && !res.stderr.includes(WRONG));
      await assert.rejects(stat(env.REGISTRY_AUTH_FILE!), { code: 'ENOENT' });
    });
  }

  test('without --password-stdin and without a terminal, login refuses to prompt', async () => {
    const env = await isolatedEnv('notty');
    const res = await cli(['login', basic.host, '-u', 'alice'], env);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /--password-stdin/);
  });

  test('a credential helper: login stores there, a pull gets the login from it, logout erases it', async (t) => {
    const h = await fakeCredentialHelper();
    t.after(() => h.cleanup());
    const env = h.env({ ...process.env, ...(await isolatedEnv('helper')) });
    await mkdir(env.DOCKER_CONFIG!, { recursive: true });
    await writeFile(join(env.DOCKER_CONFIG!, 'config.json'), JSON.stringify({ credHelpers: { [basic.host]: 'test' } }));
    const res = await cli(['login', basic.host, '-u', 'alice', '--password-stdin'], env, PW);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /docker-credential-test/);
    assert.equal((await h.entries())[basic.host]?.Secret, PW);
    await assert.rejects(stat(env.REGISTRY_AUTH_FILE!), { code: 'ENOENT' });
    const store = await Store.open(join(work, 'helper-store'));
    const result = await pull(store, `${basic.host}/private/app:1`, { platform: ARM64, env });
    assert.equal(result.digest, image.manifestDigest);
    assert.ok((await h.calls()).includes('get'));
    const out = await cli(['logout', basic.host], env);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(await h.entries(), {});
  });

  test('a token registry with an identity token: the token is fetched with a refresh_token grant', async () => {
    const env = await isolatedEnv('identity');
    await writeFile(
      env.REGISTRY_AUTH_FILE!,
      JSON.stringify({ auths: { [token.host]: { auth: Buffer.from('<token>:').toString('base64'), identitytoken: 'refresh-for-alice' } } }),
    );
    token.tokenServer!.requests.length = 0;
    const store = await Store.open(join(work, 'identity-store'));
    const result = await pull(store, `${token.host}/private/app:1`, { platform: ARM64, env });
    assert.equal(result.digest, image.manifestDigest);
    assert.ok(token.tokenServer!.requests.length > 0);
    assert.ok(token.tokenServer!.requests.every((r) => r.grantType === 'refresh_token' && r.authorization === undefined));
    await writeFile(env.REGISTRY_AUTH_FILE!, JSON.stringify({ auths: { [token.host]: { identitytoken: 'revoked' } } }));
    await assert.rejects(
      pull(await Store.open(join(work, 'identity-store-2')), `${token.host}/private/app:1`, { platform: ARM64, env }),
      (e: Error & { code?: string }) => e.code === 'EUNAUTHORIZED' && !e.message.includes('revoked'),
    );
  });
});
