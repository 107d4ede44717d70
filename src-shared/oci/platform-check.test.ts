import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPlatform } from './platform-check.ts';
import { isDeckhandError } from '../errors.ts';

test('known platforms pass, normalized as containerd normalizes them', () => {
  assert.deepEqual(checkPlatform({ os: 'linux', architecture: 'aarch64' }), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(checkPlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' }), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(checkPlatform({ os: 'linux', architecture: 'arm' }), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(checkPlatform({ os: 'linux', architecture: 'x86_64', variant: 'v3' }), {
    os: 'linux',
    architecture: 'amd64',
    variant: 'v3',
  });
  assert.deepEqual(checkPlatform({ os: 'linux', architecture: 'arm64', variant: 'v9.2' }).variant, 'v9.2');
  assert.equal(checkPlatform({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.5329' })['os.version'], '10.0.17763.5329');
});

test('unknown operating systems, architectures and variants are refused, naming the part', () => {
  const refused = (p: Parameters<typeof checkPlatform>[0], part: RegExp, value: string) =>
    assert.throws(
      () => checkPlatform(p),
      (e: unknown) => isDeckhandError(e, 'EPLATFORM') && part.test(e.message) && (e.detail as { value: string }).value === value,
    );
  refused({ os: 'linx', architecture: 'amd64' }, /"linx" is not a known operating system/, 'linx');
  refused({ os: 'linux', architecture: 'arm65' }, /"arm65" is not a known architecture/, 'arm65');
  refused({ os: 'linux', architecture: 'arm', variant: 'v9' }, /"v9" is not a variant of arm.*v5, v6, v7/, 'v9');
  refused({ os: 'linux', architecture: 'amd64', variant: 'v5' }, /not a variant of amd64/, 'v5');
  refused({ os: 'linux', architecture: 's390x', variant: 'v2' }, /s390x has no variants/, 'v2');
});
