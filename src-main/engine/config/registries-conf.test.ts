import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeckhandError } from '../../../src-shared/errors.ts';
import { parseAliasesFile, parseRegistriesConf } from './registries-conf-schema.ts';
import { loadRegistriesConf, registriesConfLocations, SYSTEM_REGISTRIES_CONF, SYSTEM_REGISTRIES_CONF_DIR } from './registries-conf.ts';

async function tempDir(t: { after(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-regconf-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const FILE = '/etc/containers/registries.conf';

/** Asserts ECONFIG whose message names the file and every one of `parts`. */
function rejects(text: string, ...parts: string[]): void {
  assert.throws(
    () => parseRegistriesConf(text, FILE),
    (e: unknown) => {
      assert.ok(isDeckhandError(e, 'ECONFIG'), String(e));
      assert.ok(e.message.startsWith(`${FILE}: `), e.message);
      for (const p of parts) assert.ok(e.message.includes(p), `${JSON.stringify(p)} not in: ${e.message}`);
      return true;
    },
  );
}

test('a full v2 file parses and is normalized', () => {
  const conf = parseRegistriesConf(
    `
unqualified-search-registries = ["registry.fedoraproject.org", "quay.io/", "localhost:5000"]
short-name-mode = "permissive"
credential-helpers = ["containers-auth.json"]

[aliases]
"fedora" = "registry.fedoraproject.org/fedora"
"team/app" = "ghcr.io/team/app"
"gone" = ""

[[registry]]
prefix = "example.com/foo"
location = "internal.example.net/bar/"
insecure = true
[[registry.mirror]]
location = "mirror-0.local/foo"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "mirror-1.local/foo"
insecure = true

[[registry]]
location = "registry.com"
mirror-by-digest-only = true

[[registry]]
prefix = "*.Untrusted.example"
blocked = true

[[registry]]
location = "registry.com"
blocked = false
insecure = false
`,
    FILE,
  );
  assert.deepEqual(conf.searchRegistries, ['registry.fedoraproject.org', 'quay.io', 'localhost:5000']);
  assert.equal(conf.shortNameMode, 'permissive');
  assert.deepEqual(Object.fromEntries([...conf.aliases].map(([k, v]) => [k, v.value])), {
    fedora: 'registry.fedoraproject.org/fedora',
    'team/app': 'ghcr.io/team/app',
    gone: null,
  });
  assert.equal(conf.registries.length, 3, 'a second table with the same prefix is ignored');
  const [foo, com, wild] = conf.registries;
  assert.deepEqual(foo, {
    prefix: 'example.com/foo',
    location: 'internal.example.net/bar',
    insecure: true,
    blocked: false,
    mirrorByDigestOnly: false,
    file: FILE,
    mirrors: [
      { location: 'mirror-0.local/foo', insecure: false, pullFromMirror: 'digest-only' },
      { location: 'mirror-1.local/foo', insecure: true, pullFromMirror: 'all' },
    ],
  });
  assert.equal(com!.prefix, 'registry.com', 'a missing prefix is the location');
  assert.equal(com!.mirrorByDigestOnly, true);
  assert.deepEqual([wild!.prefix, wild!.location, wild!.blocked], ['*.untrusted.example', '', true]);
});

test('an empty file is an empty configuration', () => {
  const conf = parseRegistriesConf('# nothing\n', FILE);
  assert.equal(conf.searchRegistries, undefined);
  assert.equal(conf.shortNameMode, undefined);
  assert.deepEqual(conf.registries, []);
  assert.equal(conf.aliases.size, 0);
});

test('each invalid case names the file, the key and what is wrong', () => {
  rejects('unqualified-search-registries = "quay.io"', 'unqualified-search-registries', 'expected Array');
  rejects('unqualified-search-registries = ["quay.io/ns"]', 'unqualified-search-registries[0]', 'not a host[:port]');
  rejects('unqualified-search-registries = ["https://quay.io"]', 'URL scheme');
  rejects('short-name-mode = "strict"', 'short-name-mode', '"enforcing"', '"strict"');
  rejects('bogus = 1', 'unknown key "bogus"');
  rejects('[[registry]]\nlocation = "a.io"\ninsecure = "yes"', 'registry[0].insecure', 'expected boolean', '"yes"');
  rejects('[[registry]]\nlocation = "a.io"\nlocaton = "b.io"', 'registry[0]', 'unknown key "locaton"');
  rejects('[[registry]]\ninsecure = true', 'registry[0]', 'neither prefix nor location');
  rejects('[[registry]]\nprefix = "a.io"', 'registry[0].location', '"*.host" prefix');
  rejects('[[registry]]\nprefix = "*.a.io/ns"', 'registry[0].prefix', 'wildcard');
  rejects('[[registry]]\nprefix = "a.*.io"\nlocation = "b.io"', 'registry[0].prefix', 'wildcard');
  rejects('[[registry]]\nlocation = "http://a.io"', 'registry[0].location', 'URL scheme');
  rejects('[[registry]]\nlocation = "a.io"\npull-from-mirror = "all"', 'registry[0].pull-from-mirror', '[[registry.mirror]]');
  rejects('[[registry]]\nlocation = "a.io"\n[[registry.mirror]]\ninsecure = true', 'registry[0].mirror[0].location', 'needs a location');
  rejects(
    '[[registry]]\nlocation = "a.io"\n[[registry.mirror]]\nlocation = "m.io"\npull-from-mirror = "sometimes"',
    'registry[0].mirror[0].pull-from-mirror',
    '"digest-only"',
  );
  rejects(
    '[[registry]]\nlocation = "a.io"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m.io"\npull-from-mirror = "tag-only"',
    'registry[0].mirror[0].pull-from-mirror',
    'mirror-by-digest-only',
  );
  rejects(
    '[[registry]]\nprefix = "x.io"\nlocation = "a.io"\n[[registry]]\nprefix = "y.io"\nlocation = "a.io"\nblocked = true',
    'registry[1]',
    'different insecure or blocked',
  );
  rejects('[aliases]\n"quay.io/app" = "quay.io/app"', 'aliases."quay.io/app"', 'short name');
  rejects('[aliases]\n"localhost/app" = "quay.io/app"', 'short name');
  rejects('[aliases]\n"app:1" = "quay.io/app"', 'tag or digest');
  rejects('[aliases]\n"app" = "app"', 'fully qualified');
  rejects('[aliases]\n"app" = "quay.io/app:1"', 'tag or digest');
  rejects('[aliases]\n"app" = 3', 'aliases.app', 'expected string');
  rejects('[[registry]\nlocation = "a.io"', 'not valid TOML', 'line 1');
});

test('the version 1 format is refused with the version 2 text to use', () => {
  rejects(
    "[registries.search]\nregistries = ['registry1.com', 'registry2.com']\n[registries.insecure]\nregistries = ['registry3.com']\n[registries.block]\nregistries = ['bad.com']\n",
    'version 1',
    'convert',
    'unqualified-search-registries = ["registry1.com","registry2.com"]',
    'location = "registry3.com" insecure = true',
    'location = "bad.com" blocked = true',
  );
});

test('short-name-aliases.conf holds [aliases] only', () => {
  assert.equal(parseAliasesFile('[aliases]\n"nginx" = "quay.io/nginx"\n', '/c/a.conf').get('nginx')!.value, 'quay.io/nginx');
  assert.throws(
    () => parseAliasesFile('unqualified-search-registries = []\n', '/c/a.conf'),
    (e: unknown) => isDeckhandError(e, 'ECONFIG') && e.message.includes('/c/a.conf') && e.message.includes('unqualified-search-registries'),
  );
});

test('file locations follow containers/image: env override, then the user file, then the system file', async (t) => {
  const home = await tempDir(t);
  const userDir = join(home, '.config', 'containers', 'registries.conf.d');
  assert.deepEqual(await registriesConfLocations({ HOME: home }), {
    main: SYSTEM_REGISTRIES_CONF,
    explicit: false,
    dropInDirs: [SYSTEM_REGISTRIES_CONF_DIR, userDir],
    aliasesFile: join(home, '.cache', 'containers', 'short-name-aliases.conf'),
  });
  assert.deepEqual((await registriesConfLocations({ HOME: home, CONTAINERS_REGISTRIES_CONF: '/x.conf' })).dropInDirs, [
    SYSTEM_REGISTRIES_CONF_DIR,
    userDir,
  ]);
  assert.deepEqual(
    (await registriesConfLocations({ HOME: home, CONTAINERS_REGISTRIES_CONF: '/x.conf', CONTAINERS_REGISTRIES_CONF_DIR: '/d' })).dropInDirs,
    ['/d'],
  );
  assert.equal(
    (await registriesConfLocations({ HOME: home, XDG_CACHE_HOME: '/cache' })).aliasesFile,
    '/cache/containers/short-name-aliases.conf',
  );
  await mkdir(join(home, '.config', 'containers'), { recursive: true });
  await writeFile(join(home, '.config', 'containers', 'registries.conf'), '');
  assert.deepEqual(await registriesConfLocations({ HOME: home }), {
    main: join(home, '.config', 'containers', 'registries.conf'),
    explicit: false,
    dropInDirs: [userDir],
    aliasesFile: join(home, '.cache', 'containers', 'short-name-aliases.conf'),
  });
});

test('drop-ins merge in order: settings replaced, registries by prefix, aliases one by one; the aliases file wins', async (t) => {
  const dir = await tempDir(t);
  const main = join(dir, 'registries.conf');
  const d = join(dir, 'd');
  await mkdir(join(d, 'sub.conf'), { recursive: true });
  await writeFile(
    main,
    'unqualified-search-registries = ["a.io", "b.io"]\n[aliases]\nx = "a.io/x"\ny = "a.io/y"\nz = "a.io/z"\n[[registry]]\nlocation = "a.io"\ninsecure = true\n[[registry]]\nlocation = "keep.io"\n',
  );
  await writeFile(
    join(d, '20-second.conf'),
    'short-name-mode = "disabled"\n[aliases]\ny = ""\n[[registry]]\nlocation = "a.io"\nblocked = true\n',
  );
  await writeFile(
    join(d, '10-first.conf'),
    'unqualified-search-registries = ["c.io"]\nshort-name-mode = "permissive"\n[aliases]\nx = "c.io/x"\n',
  );
  await writeFile(join(d, 'ignored.txt'), 'not = [toml');
  await mkdir(join(dir, 'cache', 'containers'), { recursive: true });
  await writeFile(join(dir, 'cache', 'containers', 'short-name-aliases.conf'), '[aliases]\nz = "user.io/z"\n');
  const conf = await loadRegistriesConf({
    HOME: dir,
    XDG_CACHE_HOME: join(dir, 'cache'),
    CONTAINERS_REGISTRIES_CONF: main,
    CONTAINERS_REGISTRIES_CONF_DIR: d,
  });
  assert.deepEqual(conf.files, [
    main,
    join(d, '10-first.conf'),
    join(d, '20-second.conf'),
    join(dir, 'cache', 'containers', 'short-name-aliases.conf'),
  ]);
  assert.deepEqual(conf.searchRegistries, ['c.io']);
  assert.equal(conf.searchOrigin, join(d, '10-first.conf'));
  assert.equal(conf.shortNameMode, 'disabled');
  assert.deepEqual(
    conf.registries.map((r) => [r.prefix, r.blocked, r.insecure, r.file]),
    [
      ['a.io', true, false, join(d, '20-second.conf')],
      ['keep.io', false, false, main],
    ],
  );
  assert.deepEqual(Object.fromEntries([...conf.aliases].map(([k, v]) => [k, v.value])), { x: 'c.io/x', y: null, z: 'user.io/z' });
});

test('no file at all is an empty configuration; a missing CONTAINERS_REGISTRIES_CONF is an error', async (t) => {
  const dir = await tempDir(t);
  const conf = await loadRegistriesConf({ HOME: dir, CONTAINERS_REGISTRIES_CONF_DIR: join(dir, 'none'), REGISTRIES_CONFIG_PATH: '' });
  // The system file may exist on this machine; only assert the parts the drop-in override controls.
  assert.ok(conf.files.every((f) => f === SYSTEM_REGISTRIES_CONF));
  const empty = await loadRegistriesConf({
    HOME: dir,
    CONTAINERS_REGISTRIES_CONF: join(dir, 'empty.conf'),
    CONTAINERS_REGISTRIES_CONF_DIR: join(dir, 'none'),
  }).catch((e: unknown) => e);
  assert.ok(
    isDeckhandError(empty, 'ECONFIG') && empty.message.includes('CONTAINERS_REGISTRIES_CONF') && empty.message.includes('does not exist'),
    String(empty),
  );
  await writeFile(join(dir, 'empty.conf'), '');
  const none = await loadRegistriesConf({
    HOME: dir,
    CONTAINERS_REGISTRIES_CONF: join(dir, 'empty.conf'),
    CONTAINERS_REGISTRIES_CONF_DIR: join(dir, 'none'),
  });
  assert.deepEqual([none.searchRegistries, none.registries, none.aliases.size, none.shortNameMode], [[], [], 0, 'enforcing']);
});
