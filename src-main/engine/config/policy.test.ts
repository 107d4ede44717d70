import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReference } from '../../../src-shared/oci/reference.ts';
import { isDeckhandError } from '../../../src-shared/errors.ts';
import { dockerScopes, loadPolicy, parsePolicy, requirementsFor } from './policy.ts';

const FILE = '/etc/containers/policy.json';

/** The example from containers-policy.json(5), with a sigstore key added. */
const VALID = {
  default: [{ type: 'reject' }],
  transports: {
    docker: {
      'private-registry.example.com': [
        { type: 'sigstoreSigned', keyPath: '/etc/pki/private.pub', signedIdentity: { type: 'matchRepository' } },
      ],
      'registry.example.com/team': [{ type: 'sigstoreSigned', keyPaths: ['/a.pub', '/b.pub'] }],
      'registry.example.com/team/app:1.0': [{ type: 'insecureAcceptAnything' }],
      '*.example.org': [
        {
          type: 'sigstoreSigned',
          keyData: 'LS0t',
          signedIdentity: { type: 'remapIdentity', prefix: 'mirror.example.org/x', signedPrefix: 'example.org/x' },
        },
      ],
      'quay.io/signed': [
        {
          type: 'signedBy',
          keyType: 'GPGKeys',
          keyPath: '/etc/pki/rpm-gpg/key',
          signedIdentity: { type: 'exactRepository', dockerRepository: 'quay.io/other' },
        },
      ],
      'docker.io/library': [
        {
          type: 'sigstoreSigned',
          keyDatas: ['LS0t'],
          signedIdentity: { type: 'exactReference', dockerReference: 'docker.io/library/busybox:1' },
        },
      ],
      '': [{ type: 'insecureAcceptAnything' }],
    },
    'docker-daemon': { '': [{ type: 'insecureAcceptAnything' }] },
    oci: { '/srv/images': [{ type: 'reject' }] },
  },
};

const parse = (doc: unknown) => parsePolicy(JSON.stringify(doc), FILE);

function rejects(doc: unknown, pattern: RegExp): void {
  assert.throws(
    () => parse(doc),
    (e) => isDeckhandError(e, 'EPOLICY') && e.message.includes(FILE) && pattern.test(e.message),
    String(pattern),
  );
}

test('a valid policy parses, with every requirement and identity type', () => {
  const p = parse(VALID);
  assert.equal(p.source, FILE);
  assert.equal(Object.keys(p.doc.transports!.docker!).length, 7);
});

test('an unknown field anywhere rejects the file, naming its path', () => {
  rejects({ ...VALID, extra: 1 }, /: extra: unknown field "extra"/);
  rejects({ default: [{ type: 'reject', why: 'no' }] }, /default\[0\]\.why: unknown field "why"/);
  rejects(
    {
      default: [{ type: 'reject' }],
      transports: { docker: { 'quay.io/team': [{ type: 'sigstoreSigned', keyPath: '/k', keyPathz: '/k' }] } },
    },
    /transports\.docker\["quay\.io\/team"\]\[0\]\.keyPathz: unknown field "keyPathz"/,
  );
  rejects(
    { default: [{ type: 'sigstoreSigned', keyPath: '/k', signedIdentity: { type: 'matchExact', extra: true } }] },
    /default\[0\]\.signedIdentity\.extra: unknown field/,
  );
  rejects({ default: [{ type: 'sigstoreSigned', fulcio: { caPath: '/ca', bogus: 1 } }] }, /default\[0\]\.fulcio\.bogus: unknown field/);
});

test('invalid values are rejected with their path', () => {
  rejects({ default: [{ type: 'trustMe' }] }, /default\[0\]\.type: /);
  rejects({ default: [] }, /default: a list of requirements must not be empty/);
  rejects({}, /default: /);
  rejects({ default: [{ type: 'sigstoreSigned' }] }, /default\[0\]: sigstoreSigned needs exactly one of keyPath/);
  rejects({ default: [{ type: 'sigstoreSigned', keyPath: '/a', keyData: 'LS0t' }] }, /found keyPath, keyData/);
  rejects({ default: [{ type: 'sigstoreSigned', keyPath: 3 }] }, /default\[0\]\.keyPath: /);
  rejects({ default: [{ type: 'sigstoreSigned', keyPaths: [] }] }, /default\[0\]\.keyPaths: must not be an empty list/);
  rejects(
    { default: [{ type: 'sigstoreSigned', keyPath: '/a', signedIdentity: { type: 'exactReference', dockerReference: 'quay.io/x' } }] },
    /signedIdentity: it names a repository only/,
  );
  rejects(
    { default: [{ type: 'sigstoreSigned', keyPath: '/a', signedIdentity: { type: 'exactRepository', dockerRepository: 'quay.io/x:1' } }] },
    /signedIdentity: exactRepository takes a repository/,
  );
  rejects(
    {
      default: [
        { type: 'sigstoreSigned', keyPath: '/a', signedIdentity: { type: 'remapIdentity', prefix: 'quay.io/x:1', signedPrefix: 'a.io' } },
      ],
    },
    /remapIdentity|not a host/,
  );
  rejects({ default: [{ type: 'signedBy', keyType: 'GPGKeys' }] }, /signedBy needs exactly one/);
  rejects(
    { default: [{ type: 'reject' }], transports: { docker: { x: [] } } },
    /transports\.docker\.x: a list of requirements must not be empty/,
  );
  assert.throws(() => parsePolicy('{"default": [', FILE), /not JSON/);
});

test('docker scopes go from the full reference to the host and its wildcards', () => {
  assert.deepEqual(dockerScopes(parseReference('a.b.example.com:5000/ns/sub/app:1.0')), [
    'a.b.example.com:5000/ns/sub/app:1.0',
    'a.b.example.com:5000/ns/sub/app',
    'a.b.example.com:5000/ns/sub',
    'a.b.example.com:5000/ns',
    'a.b.example.com:5000',
    '*.b.example.com',
    '*.example.com',
    '*.com',
  ]);
  const d = `sha256:${'a'.repeat(64)}`;
  assert.deepEqual(dockerScopes(parseReference(`busybox@${d}`)).slice(0, 3), [
    `docker.io/library/busybox@${d}`,
    'docker.io/library/busybox',
    'docker.io/library',
  ]);
});

test('the most specific scope wins; the transport default and then default apply otherwise', () => {
  const p = parse(VALID);
  const scope = (ref: string) => requirementsFor(p, 'docker', parseReference(ref)).scope;
  assert.equal(scope('registry.example.com/team/app:1.0'), 'transports.docker["registry.example.com/team/app:1.0"]');
  assert.equal(scope('registry.example.com/team/app:2.0'), 'transports.docker["registry.example.com/team"]');
  assert.equal(scope('registry.example.com/teams/app'), 'transports.docker[""]', 'a namespace matches at / boundaries only');
  assert.equal(scope('private-registry.example.com/x/y'), 'transports.docker["private-registry.example.com"]');
  assert.equal(scope('mirror.example.org/x/app'), 'transports.docker["*.example.org"]');
  assert.equal(scope('busybox'), 'transports.docker["docker.io/library"]');
  assert.equal(requirementsFor(p, 'docker-daemon').scope, 'transports.docker-daemon[""]');
  assert.equal(requirementsFor(p, 'dir').scope, 'default');
  assert.equal(requirementsFor(parse({ default: [{ type: 'reject' }] }), 'docker', parseReference('x')).scope, 'default');
});

test('the file comes from the explicit path, else ~/.config/containers, else the system path; none means no policy', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-policy-'));
  try {
    const home = join(dir, 'home');
    const system = join(dir, 'system.json');
    assert.equal(await loadPolicy({ env: { HOME: home }, systemPath: system }), undefined);
    await writeFile(system, JSON.stringify({ default: [{ type: 'reject' }] }));
    assert.equal((await loadPolicy({ env: { HOME: home }, systemPath: system }))?.source, system);
    await mkdir(join(home, '.config', 'containers'), { recursive: true });
    await writeFile(join(home, '.config', 'containers', 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    assert.equal(
      (await loadPolicy({ env: { HOME: home }, systemPath: system }))?.source,
      join(home, '.config', 'containers', 'policy.json'),
    );
    assert.equal((await loadPolicy({ path: system, env: { HOME: home }, systemPath: system }))?.source, system);
    await assert.rejects(
      loadPolicy({ path: join(dir, 'missing.json') }),
      (e) => isDeckhandError(e, 'EPOLICY') && /missing\.json/.test(e.message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
