import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeckhandError } from '../../../src-shared/errors.ts';
import { formatReference } from '../../../src-shared/oci/reference.ts';
import { parseRegistriesConf } from './registries-conf-schema.ts';
import { emptyRegistriesConf, loadRegistriesConf, mergeConfigs, type RegistriesConf } from './registries-conf.ts';
import { recordShortNameAlias, resolveShortName } from './short-names.ts';
import { planPull } from './pull-plan.ts';

const FILE = '/etc/containers/registries.conf';
const ALIASES = '/home/u/.cache/containers/short-name-aliases.conf';
const conf = (text: string): RegistriesConf => mergeConfigs([parseRegistriesConf(text, FILE)], ALIASES);
const names = (c: RegistriesConf, input: string) => resolveShortName(c, input).candidates.map(formatReference);
const TWO = 'unqualified-search-registries = ["registry.fedoraproject.org", "docker.io"]\n';

test('fully-qualified names and localhost are never short', () => {
  const c = conf(`${TWO}short-name-mode = "enforcing"\n[aliases]\n"app" = "quay.io/team/app"\n`);
  for (const input of ['quay.io/app', 'localhost/app', 'localhost:5000/app:1', 'host:5000/app', 'docker.io/app']) {
    const r = resolveShortName(c, input);
    assert.equal(r.short, false, input);
    assert.equal(r.candidates.length, 1);
  }
  assert.deepEqual(names(c, 'docker.io/app'), ['docker.io/library/app:latest']);
});

test('without search registries a short name keeps meaning Docker Hub', () => {
  assert.deepEqual(names(emptyRegistriesConf({ HOME: '/nowhere' }), 'nginx:1.25'), ['docker.io/library/nginx:1.25']);
  assert.deepEqual(names(conf('short-name-mode = "enforcing"\n'), 'team/app'), ['docker.io/team/app:latest']);
});

test('one search registry is used as is, in every mode', () => {
  for (const mode of ['enforcing', 'permissive', 'disabled']) {
    assert.deepEqual(
      names(conf(`unqualified-search-registries = ["quay.io"]\nshort-name-mode = "${mode}"\n`), 'team/app@sha256:' + 'a'.repeat(64)),
      [`quay.io/team/app@sha256:${'a'.repeat(64)}`],
    );
  }
});

test('enforcing (the default): an ambiguous short name fails listing the candidates and how to choose', () => {
  for (const text of [TWO, `${TWO}short-name-mode = "enforcing"\n`]) {
    assert.throws(
      () => resolveShortName(conf(text), 'nginx:1.25'),
      (e: unknown) => {
        assert.ok(isDeckhandError(e, 'ESHORTNAME'));
        assert.deepEqual((e.detail as { candidates: string[] }).candidates, [
          'registry.fedoraproject.org/nginx:1.25',
          'docker.io/library/nginx:1.25',
        ]);
        for (const part of [
          '"nginx:1.25" is a short name',
          'registry.fedoraproject.org/nginx:1.25, docker.io/library/nginx:1.25',
          'fully-qualified',
          '[aliases]',
          ALIASES,
          FILE,
        ])
          assert.ok(e.message.includes(part), `${part} not in: ${e.message}`);
        return true;
      },
    );
  }
});

test('permissive and disabled try every search registry in order', () => {
  for (const mode of ['permissive', 'disabled']) {
    assert.deepEqual(names(conf(`${TWO}short-name-mode = "${mode}"\n`), 'nginx'), [
      'registry.fedoraproject.org/nginx:latest',
      'docker.io/library/nginx:latest',
    ]);
  }
});

test('an alias settles a short name in every mode; the tag and digest are put back', () => {
  const c = conf(`${TWO}[aliases]\n"nginx" = "quay.io/library/nginx"\n"team/app" = "ghcr.io/team/app"\n`);
  assert.deepEqual(names(c, 'nginx'), ['quay.io/library/nginx:latest']);
  assert.deepEqual(names(c, 'nginx:1.25'), ['quay.io/library/nginx:1.25']);
  assert.deepEqual(names(c, `team/app:2@sha256:${'d'.repeat(64)}`), [`ghcr.io/team/app:2@sha256:${'d'.repeat(64)}`]);
  assert.deepEqual(resolveShortName(c, 'nginx').alias, { name: 'nginx', value: 'quay.io/library/nginx', file: FILE });
  const erased = mergeConfigs(
    [
      parseRegistriesConf(`${TWO}short-name-mode = "disabled"\n[aliases]\nnginx = "quay.io/nginx"\n`, FILE),
      parseRegistriesConf('[aliases]\nnginx = ""\n', '/d/1.conf'),
    ],
    ALIASES,
  );
  assert.equal(names(erased, 'nginx').length, 2, 'an erased alias falls back to the search registries');
});

test('planning a pull: blocked candidates drop out; all blocked is EBLOCKED', () => {
  const c = conf(`${TWO}short-name-mode = "permissive"\n[[registry]]\nlocation = "registry.fedoraproject.org"\nblocked = true\n`);
  assert.deepEqual(
    planPull(c, 'nginx').map((p) => formatReference(p.logical)),
    ['docker.io/library/nginx:latest'],
  );
  assert.throws(
    () => planPull(c, 'registry.fedoraproject.org/fedora'),
    (e: unknown) => isDeckhandError(e, 'EBLOCKED'),
  );
});

test('recording an alias writes short-name-aliases.conf atomically, keeps the others, and is read back first', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'deckhand-alias-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = { HOME: home, CONTAINERS_REGISTRIES_CONF: join(home, 'none.conf'), CONTAINERS_REGISTRIES_CONF_DIR: join(home, 'none.d') };
  const file = join(home, '.cache', 'containers', 'short-name-aliases.conf');
  await assert.rejects(recordShortNameAlias('quay.io/app', 'quay.io/app', env), (e: unknown) => isDeckhandError(e, 'ECONFIG'));
  await assert.rejects(
    recordShortNameAlias('app', 'app', env),
    (e: unknown) => isDeckhandError(e, 'ECONFIG') && e.message.includes('fully qualified'),
  );
  assert.deepEqual(await recordShortNameAlias('nginx', 'docker.io/nginx', env), { file, name: 'nginx', value: 'docker.io/library/nginx' });
  await recordShortNameAlias('team/app', 'ghcr.io/team/app', env);
  await recordShortNameAlias('nginx', 'quay.io/nginx', env);
  const text = await readFile(file, 'utf8');
  assert.match(text, /^\[aliases\]/);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  await writeFile(env.CONTAINERS_REGISTRIES_CONF, `${TWO}[aliases]\nnginx = "docker.io/library/nginx"\n`);
  const loaded = await loadRegistriesConf(env);
  assert.deepEqual(names(loaded, 'nginx:1'), ['quay.io/nginx:1'], 'the recorded alias wins over registries.conf');
  assert.deepEqual(names(loaded, 'team/app'), ['ghcr.io/team/app:latest']);
});
