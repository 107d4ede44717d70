import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeckhandError } from '../errors.ts';
import { descriptorPlatformString, parseManifestDocument } from './manifest.ts';
import {
  DOCKER_LAYER,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER_TAR_GZIP,
  OCI_MANIFEST,
} from './mediatypes.ts';

const dg = (c: string): string => `sha256:${c.repeat(64)}`;
const enc = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

const ociManifest = {
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: { mediaType: OCI_CONFIG, digest: dg('a'), size: 1469 },
  layers: [{ mediaType: OCI_LAYER_TAR_GZIP, digest: dg('b'), size: 3623807, annotations: { 'org.opencontainers.image.title': 'x' } }],
  annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
};
const dockerList = {
  schemaVersion: 2,
  mediaType: DOCKER_MANIFEST_LIST,
  manifests: [
    { mediaType: DOCKER_MANIFEST, digest: dg('c'), size: 528, platform: { architecture: 'amd64', os: 'linux' } },
    { mediaType: DOCKER_MANIFEST, digest: dg('d'), size: 528, platform: { architecture: 'arm', os: 'linux', variant: 'v7' } },
    {
      mediaType: DOCKER_MANIFEST,
      digest: dg('e'),
      size: 1000,
      platform: { architecture: 'amd64', os: 'windows', 'os.version': '10.0.17763.5329', 'os.features': ['win32k'] },
    },
  ],
};

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DeckhandError, `expected DeckhandError, got ${String(e)}`);
    return e.code;
  }
  return 'OK';
}

function fails(fn: () => unknown, wantCode: string, msg?: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof DeckhandError && e.code === wantCode && (msg === undefined || msg.test(e.message)));
}

test('parses an OCI manifest and a Docker manifest list', () => {
  const m = parseManifestDocument(enc(ociManifest), 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(m.kind, 'manifest');
  assert.equal(m.mediaType, OCI_MANIFEST);
  if (m.kind === 'manifest') {
    assert.equal(m.manifest.layers[0]?.size, 3623807);
    assert.equal(m.manifest.config.digest, dg('a'));
  }
  const l = parseManifestDocument(enc(dockerList));
  assert.equal(l.kind, 'index');
  assert.equal(l.mediaType, DOCKER_MANIFEST_LIST);
  if (l.kind === 'index') {
    assert.equal(l.index.manifests.length, 3);
    assert.deepEqual(l.index.manifests.map(descriptorPlatformString), ['linux/amd64', 'linux/arm/v7', 'windows/amd64']);
  }
});

test('the media type comes from the field, then Content-Type, then the shape', () => {
  const { mediaType: _omit, ...bare } = ociManifest;
  assert.equal(parseManifestDocument(enc(bare)).mediaType, OCI_MANIFEST);
  assert.equal(parseManifestDocument(enc(bare), `${DOCKER_MANIFEST}; charset=utf-8`).mediaType, DOCKER_MANIFEST);
  assert.equal(parseManifestDocument(enc(bare), 'application/json').mediaType, OCI_MANIFEST);
  assert.equal(parseManifestDocument(enc({ schemaVersion: 2, manifests: [] }), 'application/octet-stream').mediaType, OCI_INDEX);
  assert.equal(parseManifestDocument(enc({ schemaVersion: 2, manifests: [] })).kind, 'index');
  fails(() => parseManifestDocument(enc({ schemaVersion: 2 })), 'EMANIFEST', /neither/);
  fails(() => parseManifestDocument(enc(bare), 'text/html'), 'EMANIFEST', /text\/html.*not supported/);
});

test('a Content-Type contradicting mediaType is ECONTENT_TYPE; generic ones are not', () => {
  fails(() => parseManifestDocument(enc(ociManifest), DOCKER_MANIFEST), 'ECONTENT_TYPE', /Content-Type/);
  fails(() => parseManifestDocument(enc(ociManifest), OCI_INDEX), 'ECONTENT_TYPE');
  fails(() => parseManifestDocument(enc(dockerList), `${OCI_INDEX}; charset=utf-8`), 'ECONTENT_TYPE');
  for (const ct of [undefined, '', 'application/json', 'application/octet-stream', 'application/json; charset=utf-8']) {
    assert.equal(parseManifestDocument(enc(ociManifest), ct).mediaType, OCI_MANIFEST, String(ct));
  }
});

test('ambiguous documents and mismatched shapes are rejected', () => {
  fails(() => parseManifestDocument(enc({ ...ociManifest, manifests: [] })), 'EMANIFEST', /ambiguous/);
  fails(() => parseManifestDocument(enc({ ...dockerList, mediaType: DOCKER_MANIFEST })), 'EMANIFEST', /"config"/);
  fails(() => parseManifestDocument(enc({ ...ociManifest, mediaType: OCI_INDEX })), 'EMANIFEST', /ambiguous|"manifests"/);
  fails(() => parseManifestDocument(enc({ ...ociManifest, layers: {} })), 'EMANIFEST', /"layers" array/);
  fails(() => parseManifestDocument(enc({ ...dockerList, manifests: 'x' })), 'EMANIFEST', /"manifests" array/);
});

test('schema 1 gets its own explanation', () => {
  const s1 = { schemaVersion: 1, name: 'library/x', tag: 'latest', architecture: 'amd64', fsLayers: [], history: [] };
  fails(
    () => parseManifestDocument(enc(s1), 'application/vnd.docker.distribution.manifest.v1+prettyjws'),
    'EMANIFEST',
    /schema 1.*deprecated.*re-push/,
  );
  fails(() => parseManifestDocument(enc(s1)), 'EMANIFEST', /schema 1/);
  fails(
    () => parseManifestDocument(enc({ ...ociManifest, mediaType: 'application/vnd.docker.distribution.manifest.v1+json' })),
    'EMANIFEST',
    /schema 1/,
  );
});

test('top-level problems: not JSON, not UTF-8, not an object, wrong schemaVersion, unknown type', () => {
  fails(() => parseManifestDocument(enc('{')), 'EMANIFEST', /not valid JSON/);
  fails(() => parseManifestDocument(new Uint8Array([0x7b, 0xff, 0x7d])), 'EMANIFEST', /UTF-8/);
  for (const v of [[], null, 2, '"x"', true]) fails(() => parseManifestDocument(enc(JSON.stringify(v))), 'EMANIFEST', /JSON object/);
  fails(() => parseManifestDocument(enc({ ...ociManifest, schemaVersion: 3 })), 'EMANIFEST', /schemaVersion must be 2/);
  fails(() => parseManifestDocument(enc({ ...ociManifest, schemaVersion: '2' })), 'EMANIFEST', /schemaVersion/);
  fails(
    () => parseManifestDocument(enc({ ...ociManifest, mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip' })),
    'EMANIFEST',
    /not supported/,
  );
  fails(() => parseManifestDocument(enc({ ...ociManifest, mediaType: '' })), 'EMANIFEST', /mediaType/);
  fails(() => parseManifestDocument('nope' as unknown as Uint8Array), 'EMANIFEST', /bytes/);
});

test('every descriptor is validated, with its location in the message', () => {
  const withLayer = (layer: unknown): Uint8Array => enc({ ...ociManifest, layers: [ociManifest.layers[0], layer] });
  const good = { mediaType: DOCKER_LAYER, digest: dg('f'), size: 0 };
  assert.equal(
    code(() => parseManifestDocument(withLayer(good))),
    'OK',
  );
  assert.equal(
    code(() => parseManifestDocument(withLayer({ ...good, urls: ['https://example.com/l'] }))),
    'OK',
  );
  const bad: Array<[unknown, RegExp]> = [
    [{ ...good, digest: 'sha256:../../etc/passwd' }, /layers\[1\]\.digest/],
    [{ ...good, digest: dg('F') }, /lowercase/],
    [{ ...good, mediaType: '' }, /layers\[1\]\.mediaType/],
    [{ ...good, mediaType: 7 }, /mediaType/],
    [{ ...good, size: -1 }, /size/],
    [{ ...good, size: 1.5 }, /size/],
    [{ ...good, size: '12' }, /size/],
    [{ ...good, size: 2 ** 60 }, /size/],
    [{ ...good, urls: 'https://x' }, /urls/],
    [{ ...good, urls: [1] }, /urls/],
    [{ ...good, annotations: { a: 1 } }, /annotations/],
    [{ ...good, annotations: ['a'] }, /annotations/],
    [{ ...good, platform: { os: 'linux' } }, /platform\.architecture/],
    [{ ...good, platform: { os: 'linux', architecture: 'arm', variant: 7 } }, /variant/],
    [null, /descriptor object/],
    ['sha256:x', /descriptor object/],
  ];
  for (const [layer, msg] of bad) fails(() => parseManifestDocument(withLayer(layer)), 'EMANIFEST', msg);
  fails(
    () => parseManifestDocument(enc({ ...ociManifest, config: { ...ociManifest.config, digest: 'x' } })),
    'EMANIFEST',
    /config\.digest/,
  );
  fails(
    () => parseManifestDocument(enc({ ...ociManifest, subject: { mediaType: OCI_MANIFEST, digest: dg('1') } })),
    'EMANIFEST',
    /subject\.size/,
  );
  fails(() => parseManifestDocument(enc({ ...ociManifest, annotations: { a: null } })), 'EMANIFEST', /annotations/);
  fails(
    () =>
      parseManifestDocument(
        enc({
          ...dockerList,
          manifests: [{ ...dockerList.manifests[0], platform: { os: 'linux', architecture: 'amd64', 'os.features': 'x' } }],
        }),
      ),
    'EMANIFEST',
    /os\.features/,
  );
  const digestError = (() => {
    try {
      parseManifestDocument(withLayer({ ...good, digest: 'md5:00' }));
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(
    digestError instanceof DeckhandError && digestError.cause instanceof DeckhandError && digestError.cause.code === 'EDIGEST',
    'the EDIGEST error is kept as cause',
  );
});

test('property: random mutations of valid documents parse or throw a DeckhandError', () => {
  let seed = 1234567;
  const next = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const sources = [enc(ociManifest), enc(dockerList)];
  const junk = [0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x30, 0x2d, 0x61, 0x00, 0xc3, 0xff, 0x20];
  let parsed = 0;
  for (let i = 0; i < 3000; i++) {
    const src = sources[i % 2] ?? sources[0]!;
    const bytes = src.slice();
    const edits = 1 + Math.floor(next() * 3);
    for (let k = 0; k < edits; k++) bytes[Math.floor(next() * bytes.length)] = junk[Math.floor(next() * junk.length)] ?? 0;
    const cut = next() < 0.1 ? bytes.slice(0, Math.floor(next() * bytes.length)) : bytes;
    const c = code(() => parseManifestDocument(cut, next() < 0.3 ? DOCKER_MANIFEST : undefined));
    assert.ok(['OK', 'EMANIFEST', 'ECONTENT_TYPE'].includes(c), c);
    if (c === 'OK') parsed++;
  }
  assert.ok(parsed > 0 && parsed < 3000, `some mutations survive, most do not (${parsed})`);
});

test('property: arbitrary JSON values never escape as TypeError', () => {
  const values: unknown[] = [
    { schemaVersion: 2, manifests: [null] },
    { schemaVersion: 2, manifests: [[]] },
    { schemaVersion: 2, layers: [], config: null },
    { schemaVersion: 2, layers: [], config: [] },
    { schemaVersion: 2, mediaType: OCI_MANIFEST, layers: null, config: {} },
    { schemaVersion: 2, mediaType: { toString: 1 }, manifests: [] },
    { schemaVersion: 2, manifests: [], annotations: null },
    { schemaVersion: 2, manifests: [], subject: 'x' },
    { schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, digest: dg('a'), size: 1, platform: null }] },
    { schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, digest: dg('a'), size: 1, platform: [] }] },
    { schemaVersion: 2, config: {}, layers: [], artifactType: 5 },
    { __proto__: null, schemaVersion: 2, manifests: [] },
  ];
  for (const v of values) {
    const c = code(() => parseManifestDocument(enc(v)));
    assert.ok(c === 'EMANIFEST' || c === 'OK', `${JSON.stringify(v)} → ${c}`);
  }
  assert.equal(
    code(() => parseManifestDocument(enc('{"schemaVersion":2,"manifests":[],"__proto__":{"x":1}}'))),
    'OK',
  );
});
