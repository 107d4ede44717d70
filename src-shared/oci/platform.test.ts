import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeckhandError } from '../errors.ts';
import type { Descriptor, ImageIndex } from './manifest.ts';
import {
  formatPlatform,
  hostPlatform,
  normalizePlatform,
  parsePlatform,
  platformMatchRank,
  platformsEqual,
  selectPlatformManifests,
  type Platform,
} from './platform.ts';

const linux = (architecture: string, variant?: string): Platform =>
  variant === undefined ? { os: 'linux', architecture } : { os: 'linux', architecture, variant };

test('normalizePlatform resolves containerd aliases', () => {
  const cases: Array<[Platform, Platform]> = [
    [{ os: 'Linux', architecture: 'x86_64' }, linux('amd64')],
    [{ os: 'linux', architecture: 'x86-64', variant: 'v1' }, linux('amd64')],
    [linux('amd64', 'v3'), linux('amd64', 'v3')],
    [linux('aarch64'), linux('arm64')],
    [linux('arm64', 'v8'), linux('arm64')],
    [linux('arm64', '8'), linux('arm64')],
    [linux('arm64', 'v8.0'), linux('arm64')],
    [linux('arm64', 'v8.2'), linux('arm64', 'v8.2')],
    [linux('armhf'), linux('arm', 'v7')],
    [linux('armel'), linux('arm', 'v6')],
    [linux('arm'), linux('arm', 'v7')],
    [linux('arm', '7'), linux('arm', 'v7')],
    [linux('arm', '5'), linux('arm', 'v5')],
    [linux('arm', '8'), linux('arm', 'v8')],
    [linux('i386'), linux('386')],
    [linux('i686'), linux('386')],
    [linux('x86'), linux('386')],
    [
      { os: 'macOS', architecture: 'ARM64' },
      { os: 'darwin', architecture: 'arm64' },
    ],
    [
      { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' },
      { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' },
    ],
  ];
  for (const [input, want] of cases) assert.deepEqual(normalizePlatform(input), want, JSON.stringify(input));
});

test('platformsEqual compares after normalization', () => {
  assert.equal(platformsEqual(linux('arm64', 'v8'), linux('arm64')), true);
  assert.equal(platformsEqual(linux('aarch64'), linux('arm64', '8')), true);
  assert.equal(platformsEqual(linux('arm'), linux('arm', 'v7')), true);
  assert.equal(platformsEqual(linux('arm', 'v6'), linux('arm', 'v7')), false);
  assert.equal(platformsEqual(linux('amd64'), { os: 'windows', architecture: 'amd64' }), false);
});

test('parsePlatform and formatPlatform round-trip the usual spellings', () => {
  assert.equal(formatPlatform(parsePlatform('linux/aarch64')), 'linux/arm64');
  assert.equal(formatPlatform(parsePlatform('linux/arm64/v8')), 'linux/arm64');
  assert.equal(formatPlatform(parsePlatform('linux/arm')), 'linux/arm/v7');
  assert.equal(formatPlatform(parsePlatform('linux/arm/v6')), 'linux/arm/v6');
  assert.equal(formatPlatform(parsePlatform('Linux/X86_64')), 'linux/amd64');
  assert.deepEqual(parsePlatform('arm64'), linux('arm64'));
  assert.deepEqual(parsePlatform('armhf'), linux('arm', 'v7'));
  assert.deepEqual(parsePlatform('x86_64'), linux('amd64'));
  assert.deepEqual(parsePlatform('windows(10.0.17763)/amd64'), { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763' });
  assert.equal(formatPlatform({ os: 'linux', architecture: 'aarch64' }), 'linux/arm64');
});

test('parsePlatform rejects bad input with EPLATFORM and examples', () => {
  for (const bad of [
    '',
    '  ',
    'linux',
    'macos',
    'ubuntu',
    'linux/',
    '/amd64',
    'linux/amd64/',
    'linux/amd64/v3/x',
    'linux/am d64',
    'linux/../etc',
    'linux\\amd64',
    'a/b/c/d/e',
  ]) {
    assert.throws(
      () => parsePlatform(bad),
      (e: unknown) => e instanceof DeckhandError && e.code === 'EPLATFORM' && /linux\/arm64/.test(e.message),
      bad,
    );
  }
  for (const v of [undefined, null, 5, {}]) {
    assert.throws(
      () => parsePlatform(v as unknown as string),
      (e: unknown) => e instanceof DeckhandError && e.code === 'EPLATFORM',
    );
  }
});

test('property: random strings parse to a normalized platform or throw EPLATFORM', () => {
  let seed = 11;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const alphabet = 'linuxarm64vd8/_.-() 7X';
  for (let i = 0; i < 3000; i++) {
    let s = '';
    const len = Math.floor(next() * 24);
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(next() * alphabet.length)];
    try {
      const p = parsePlatform(s);
      assert.deepEqual(normalizePlatform(p), p, 'parse output is already normalized');
      assert.deepEqual(parsePlatform(formatPlatform(p)).architecture, p.architecture);
    } catch (e) {
      assert.ok(e instanceof DeckhandError && e.code === 'EPLATFORM', `unexpected ${String(e)} for ${JSON.stringify(s)}`);
    }
  }
});

test('hostPlatform is always linux, with the host CPU architecture', () => {
  assert.deepEqual(hostPlatform('darwin', 'arm64'), linux('arm64'));
  assert.deepEqual(hostPlatform('win32', 'x64'), linux('amd64'));
  assert.deepEqual(hostPlatform('linux', 'arm'), linux('arm', 'v7'));
  assert.deepEqual(hostPlatform('linux', 'ia32'), linux('386'));
  assert.deepEqual(hostPlatform('linux', 'ppc64'), linux('ppc64le'));
  assert.deepEqual(hostPlatform('linux', 's390x'), linux('s390x'));
  assert.deepEqual(hostPlatform('linux', 'riscv64'), linux('riscv64'));
  assert.throws(
    () => hostPlatform('linux', 'mips'),
    (e: unknown) => e instanceof DeckhandError && e.code === 'EPLATFORM' && /--platform/.test(e.message),
  );
});

test('platformMatchRank: exact is 0, older arm and amd64 variants rank after, others -1', () => {
  assert.equal(platformMatchRank(linux('arm64'), linux('arm64', 'v8')), 0);
  assert.equal(platformMatchRank(linux('arm', 'v7'), linux('arm', 'v7')), 0);
  assert.equal(platformMatchRank(linux('arm', 'v7'), linux('arm', 'v6')), 1);
  assert.equal(platformMatchRank(linux('arm', 'v7'), linux('arm', 'v5')), 2);
  assert.equal(platformMatchRank(linux('arm', 'v8'), linux('arm', 'v6')), 2);
  assert.equal(platformMatchRank(linux('arm', 'v6'), linux('arm', 'v7')), -1);
  assert.equal(platformMatchRank(linux('arm', 'v7'), linux('arm', 'v4')), -1);
  assert.equal(platformMatchRank(linux('arm64'), linux('arm', 'v7')), -1, 'no cross-architecture fallback');
  assert.equal(platformMatchRank(linux('amd64'), linux('386')), -1, 'no cross-architecture fallback');
  assert.equal(platformMatchRank(linux('amd64'), linux('amd64', 'v1')), 0);
  assert.equal(platformMatchRank(linux('amd64'), linux('amd64', 'v2')), -1);
  assert.equal(platformMatchRank(linux('amd64', 'v3'), linux('amd64', 'v3')), 0);
  assert.equal(platformMatchRank(linux('amd64', 'v3'), linux('amd64', 'v2')), 1);
  assert.equal(platformMatchRank(linux('amd64', 'v3'), linux('amd64')), 2);
  assert.equal(platformMatchRank(linux('arm64'), { os: 'darwin', architecture: 'arm64' }), -1, 'os must match');
  assert.equal(platformMatchRank(linux('riscv64'), linux('riscv64')), 0);
});

const d = (n: number, platform?: Platform, annotations?: Record<string, string>): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${n.toString(16).padStart(64, '0')}`,
  size: 1000 + n,
  ...(platform ? { platform } : {}),
  ...(annotations ? { annotations } : {}),
});

// Shaped like docker.io/library/alpine's index: images plus buildx attestation manifests.
const alpine: ImageIndex = {
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    d(1, linux('amd64')),
    d(2, linux('arm', 'v6')),
    d(3, linux('arm', 'v7')),
    d(4, linux('arm64', 'v8')),
    d(5, linux('386')),
    d(6, linux('ppc64le')),
    d(7, linux('s390x')),
    d(
      11,
      { os: 'unknown', architecture: 'unknown' },
      { 'vnd.docker.reference.digest': d(1).digest, 'vnd.docker.reference.type': 'attestation-manifest' },
    ),
    d(
      14,
      { os: 'unknown', architecture: 'unknown' },
      { 'vnd.docker.reference.digest': d(4).digest, 'vnd.docker.reference.type': 'attestation-manifest' },
    ),
  ],
};

test('selectPlatformManifests picks the host image from a multi-arch index', () => {
  assert.equal(selectPlatformManifests(alpine, hostPlatform('darwin', 'arm64'))?.digest, d(4).digest);
  assert.equal(selectPlatformManifests(alpine, hostPlatform('win32', 'x64'))?.digest, d(1).digest);
  assert.equal(selectPlatformManifests(alpine, hostPlatform('linux', 'arm'))?.digest, d(3).digest);
  assert.equal(selectPlatformManifests(alpine, linux('riscv64')), undefined);
  assert.equal(selectPlatformManifests(alpine, { os: 'unknown', architecture: 'unknown' }), undefined, 'attestations are never chosen');
});

test('selectPlatformManifests falls back to arm/v6 for an arm/v7 host and skips entries without platform', () => {
  const noV7: ImageIndex = {
    schemaVersion: 2,
    manifests: [d(20), d(21, linux('arm', 'v5')), d(22, linux('arm', 'v6')), d(23, linux('amd64'))],
  };
  assert.equal(selectPlatformManifests(noV7, hostPlatform('linux', 'arm'))?.digest, d(22).digest);
  const attestedArm: ImageIndex = {
    schemaVersion: 2,
    manifests: [d(30, linux('arm', 'v7'), { 'vnd.docker.reference.type': 'attestation-manifest' }), d(31, linux('arm', 'v5'))],
  };
  assert.equal(selectPlatformManifests(attestedArm, linux('arm', 'v7'))?.digest, d(31).digest);
  const v3: ImageIndex = { schemaVersion: 2, manifests: [d(40, linux('amd64')), d(41, linux('amd64', 'v2'))] };
  assert.equal(selectPlatformManifests(v3, linux('amd64', 'v3'))?.digest, d(41).digest);
  assert.equal(selectPlatformManifests(v3, linux('amd64'))?.digest, d(40).digest);
  assert.equal(selectPlatformManifests({ schemaVersion: 2, manifests: [] }, linux('amd64')), undefined);
});
