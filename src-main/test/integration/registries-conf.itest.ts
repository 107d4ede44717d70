/**
 * registries.conf against real registries (Debian's docker-registry on 127.0.0.1): a mirror serves
 * a pull while the primary is down, mirror-by-digest-only keeps tag pulls off the mirror, a blocked
 * registry is refused for pull, push and copy with the rule named, a location rewrite reads from
 * another registry, short names follow unqualified-search-registries and short-name-mode, the
 * primary's credentials never reach a mirror, and the built CLI prints candidates and mirrors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransferEvent } from '../../../src-shared/transfer.ts';
import { startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { generateImage, pushWithSkopeo, writeOciLayout, type GeneratedImage } from '../fixtures/images.ts';
import { CLI, freePort, runCli, type CliResult } from '../fixtures/tools.ts';
import { Store } from '../../engine/store/layout.ts';
import { pull } from '../../engine/transfer/pull.ts';
import { push } from '../../engine/transfer/push.ts';
import { copy as copyImage } from '../../engine/transfer/copy.ts';

const ARM64 = { os: 'linux', architecture: 'arm64' };

let work: string;
let registry: TestRegistry;
let image: GeneratedImage;
/** A primary with nothing listening. */
let down: string;
let confCount = 0;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'deckhand-regconf-'));
  registry = await startRegistry();
  down = `127.0.0.1:${await freePort()}`;
  image = await generateImage({ layers: 2, layerSize: 100_000, platform: ARM64, seed: 'regconf' });
  const layout = join(work, 'layout');
  await writeOciLayout(layout, [{ ref: 'x', image }]);
  for (const repo of ['mirror/team/app:1', 'rewritten/app:1', 'team/app:1']) await pushWithSkopeo(layout, 'x', `${registry.host}/${repo}`);
});

after(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

/** An env whose only registries configuration is `text` (no drop-ins, no user files, no logins unless given). */
async function envWith(text: string, extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const dir = join(work, `conf-${++confCount}`);
  await mkdir(join(dir, 'registries.conf.d'), { recursive: true });
  await writeFile(join(dir, 'registries.conf'), text);
  return {
    HOME: dir,
    CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
    CONTAINERS_REGISTRIES_CONF_DIR: join(dir, 'registries.conf.d'),
    REGISTRY_AUTH_FILE: join(dir, 'none.json'),
    XDG_CONFIG_HOME: join(dir, 'cfg'),
    DOCKER_CONFIG: join(dir, 'docker'),
    ...extra,
  };
}

const fresh = (name: string) => Store.open(join(work, 'stores', name));
const code =
  (c: string, ...parts: string[]) =>
  (e: Error & { code?: string }) => {
    assert.equal(e.code, c, e.message);
    for (const p of parts) assert.ok(e.message.includes(p), `${p} not in: ${e.message}`);
    return true;
  };

describe('registries.conf', () => {
  test('a mirror serves the pull while the primary is down; the stored name and the events say so', async () => {
    const env = await envWith(
      `[[registry]]\nlocation = "${down}/team"\n[[registry.mirror]]\nlocation = "${down}/also-down"\n[[registry.mirror]]\nlocation = "${registry.host}/mirror/team"\n`,
    );
    const events: TransferEvent[] = [];
    const result = await pull(await fresh('mirror'), `${down}/team/app:1`, { platform: ARM64, env, onEvent: (e) => events.push(e) });
    assert.equal(result.digest, image.manifestDigest);
    assert.equal(result.ref, `${down}/team/app:1`, 'stored under the name asked for');
    assert.equal(result.mirror, `${registry.host}/mirror/team`);
    assert.equal(result.source, `${registry.host}/mirror/team/app:1`);
    assert.equal(result.endpoint, registry.url);
    const resolved = events.find((e) => e.type === 'resolved');
    assert.ok(resolved?.type === 'resolved' && resolved.mirror === `${registry.host}/mirror/team`);
  });

  test('mirror-by-digest-only: a tag pull goes to the (down) primary only; a digest pull uses the mirror', async () => {
    const env = await envWith(
      `[[registry]]\nlocation = "${down}/team"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "${registry.host}/mirror/team"\n`,
    );
    const store = await fresh('by-digest');
    await assert.rejects(pull(store, `${down}/team/app:1`, { platform: ARM64, env }), code('ENETWORK', down));
    const byDigest = await pull(store, `${down}/team/app@${image.manifestDigest}`, { platform: ARM64, env });
    assert.equal(byDigest.mirror, `${registry.host}/mirror/team`);
  });

  test('a blocked registry is refused for pull, push and copy, naming the file and the prefix', async () => {
    const env = await envWith(`[[registry]]\nprefix = "${registry.host}/blocked"\nlocation = "${registry.host}/blocked"\nblocked = true\n`);
    const file = env.CONTAINERS_REGISTRIES_CONF!;
    const store = await fresh('blocked');
    await assert.rejects(
      pull(store, `${registry.host}/blocked/app:1`, { platform: ARM64, env }),
      code('EBLOCKED', file, `"${registry.host}/blocked"`, 'pull'),
    );
    await pull(store, `${registry.host}/team/app:1`, { platform: ARM64, env });
    await assert.rejects(
      push(store, `${registry.host}/team/app:1`, `${registry.host}/blocked/app:2`, { env }),
      code('EBLOCKED', file, `"${registry.host}/blocked"`, 'push'),
    );
    await assert.rejects(
      copyImage(store, `docker://${registry.host}/team/app:1`, `docker://${registry.host}/blocked/app:3`, { platform: ARM64, env }),
      code('EBLOCKED', file),
    );
    const tags = await fetch(`${registry.url}/v2/blocked/app/tags/list`);
    assert.equal(tags.status, 404, 'nothing reached the registry');
    await tags.arrayBuffer();
  });

  test('location rewriting reads from another registry and namespace', async () => {
    const env = await envWith(`[[registry]]\nprefix = "registry.example.com/team"\nlocation = "${registry.host}/rewritten"\n`);
    const result = await pull(await fresh('rewrite'), 'registry.example.com/team/app:1', { platform: ARM64, env });
    assert.deepEqual(
      [result.ref, result.digest, result.source, result.mirror],
      ['registry.example.com/team/app:1', image.manifestDigest, `${registry.host}/rewritten/app:1`, undefined],
    );
  });

  test('a registry copy reads through a mirror and writes to the destination itself', async () => {
    const env = await envWith(`[[registry]]\nlocation = "${down}"\n[[registry.mirror]]\nlocation = "${registry.host}/mirror"\n`);
    const r = await copyImage(await fresh('copy'), `docker://${down}/team/app:1`, `docker://${registry.host}/copied/app:1`, {
      platform: ARM64,
      env,
    });
    assert.equal(r.digest, image.manifestDigest);
    const head = await fetch(`${registry.url}/v2/copied/app/manifests/1`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(head.headers.get('docker-content-digest'), image.manifestDigest);
  });

  test('short names: enforcing refuses an ambiguous one with its candidates; permissive takes the first that exists', async () => {
    const search = `unqualified-search-registries = ["${down}", "${registry.host}"]\n`;
    const enforcing = await envWith(search);
    await assert.rejects(
      pull(await fresh('short1'), 'team/app:1', { platform: ARM64, env: enforcing }),
      (e: Error & { code?: string; detail?: { candidates?: string[] } }) => {
        assert.equal(e.code, 'ESHORTNAME');
        assert.deepEqual(e.detail?.candidates, [`${down}/team/app:1`, `${registry.host}/team/app:1`]);
        assert.ok(e.message.includes(`${down}/team/app:1, ${registry.host}/team/app:1`) && e.message.includes('alias'), e.message);
        return true;
      },
    );
    const permissive = await envWith(`${search}short-name-mode = "permissive"\n`);
    const result = await pull(await fresh('short2'), 'team/app:1', { platform: ARM64, env: permissive });
    assert.deepEqual([result.ref, result.digest], [`${registry.host}/team/app:1`, image.manifestDigest]);
    const aliased = await envWith(`${search}[aliases]\n"app" = "${registry.host}/rewritten/app"\n`);
    assert.equal((await pull(await fresh('short3'), 'app:1', { platform: ARM64, env: aliased })).ref, `${registry.host}/rewritten/app:1`);
  });

  test("the primary's credentials are never sent to a mirror", async (t) => {
    // The mirror knows alice with the same password as the primary: it would accept her credentials if they leaked.
    const mirror = await startRegistry({ auth: 'basic', users: { alice: 'primary-pw', bob: 'mirror-pw' } });
    t.after(() => mirror.stop());
    const layout = join(work, 'layout');
    await pushWithSkopeo(layout, 'x', `${mirror.host}/private/app:1`, { creds: 'bob:mirror-pw' });
    const auth = (entries: Record<string, string>) => ({
      auths: Object.fromEntries(Object.entries(entries).map(([host, up]) => [host, { auth: Buffer.from(up).toString('base64') }])),
    });
    const authFile = join(work, 'auth-primary-only.json');
    await writeFile(authFile, JSON.stringify(auth({ [down]: 'alice:primary-pw' })));
    const text = `[[registry]]\nlocation = "${down}/private"\n[[registry.mirror]]\nlocation = "${mirror.host}/private"\n`;
    const env = await envWith(text, { REGISTRY_AUTH_FILE: authFile });
    await assert.rejects(
      pull(await fresh('creds1'), `${down}/private/app:1`, { platform: ARM64, env }),
      (e: Error & { code?: string; detail?: { attempts?: Array<{ code: string }> } }) => {
        assert.deepEqual(
          e.detail?.attempts?.map((a) => a.code),
          ['EUNAUTHORIZED', 'ENETWORK'],
          e.message,
        );
        return true;
      },
    );
    const withMirrorLogin = join(work, 'auth-both.json');
    await writeFile(withMirrorLogin, JSON.stringify(auth({ [down]: 'alice:primary-pw', [mirror.host]: 'bob:mirror-pw' })));
    const ok = await pull(await fresh('creds2'), `${down}/private/app:1`, {
      platform: ARM64,
      env: await envWith(text, { REGISTRY_AUTH_FILE: withMirrorLogin }),
    });
    assert.equal(ok.mirror, `${mirror.host}/private`);
  });
});

const cli = (args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> => runCli(args, { env: { PATH: process.env.PATH, ...env } });

describe(
  'the deckhand command with registries.conf',
  { skip: existsSync(CLI) ? false : 'dist/cli.mjs is not built (npm run build)' },
  () => {
    test('an ambiguous short name fails listing the candidates; a mirror pull says which mirror served it', async () => {
      const env = await envWith(
        `unqualified-search-registries = ["${down}", "${registry.host}"]\n[[registry]]\nlocation = "${down}/team"\n[[registry.mirror]]\nlocation = "${registry.host}/mirror/team"\n`,
        { DECKHAND_STORE: join(work, 'stores', 'cli') },
      );
      const ambiguous = await cli(['pull', 'team/app:1'], env);
      assert.equal(ambiguous.code, 1);
      assert.ok(ambiguous.stderr.includes(`${down}/team/app:1, ${registry.host}/team/app:1`), ambiguous.stderr);
      const mirrored = await cli(['pull', `${down}/team/app:1`], env);
      assert.equal(mirrored.code, 0, mirrored.stderr);
      assert.ok(mirrored.stderr.includes(`via mirror ${registry.host}/mirror/team`), mirrored.stderr);
      const json = await cli(['pull', '--format', 'json', `${down}/team/app:1`], env);
      assert.equal(JSON.parse(json.stdout).mirror, `${registry.host}/mirror/team`);
    });
  },
);
