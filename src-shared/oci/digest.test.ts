import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeckhandError } from '../errors.ts';
import { assertDigest, isDigest, parseDigest, shortDigest } from './digest.ts';

const HEX64 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const HEX128 =
  'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e';

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function throwsCode(fn: () => unknown, code: string): DeckhandError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DeckhandError, `expected DeckhandError, got ${String(e)}`);
    assert.equal(e.code, code);
    return e;
  }
  assert.fail('expected a throw');
}

test('parseDigest splits valid sha256 and sha512 digests', () => {
  assert.deepEqual(parseDigest(`sha256:${HEX64}`), { algorithm: 'sha256', hex: HEX64 });
  assert.deepEqual(parseDigest(`sha512:${HEX128}`), { algorithm: 'sha512', hex: HEX128 });
  assert.equal(isDigest(`sha256:${HEX64}`), true);
  assert.equal(assertDigest(`sha512:${HEX128}`), `sha512:${HEX128}`);
});

test('parseDigest rejects path traversal, case, length and unknown algorithms with EDIGEST', () => {
  const bad = [
    'sha256:../../x',
    `sha256:../../${HEX64.slice(6)}`,
    `sha256:${HEX64.toUpperCase()}`,
    `SHA256:${HEX64}`,
    `sha256:${HEX64.slice(1)}`,
    `sha256:${HEX64}0`,
    `sha512:${HEX64}`,
    `sha256:${HEX128}`,
    `md5:${HEX64.slice(0, 32)}`,
    `sha384:${HEX64}${HEX64.slice(0, 32)}`,
    HEX64,
    `sha256:${HEX64}\n`,
    ` sha256:${HEX64}`,
    `sha256:${HEX64}/`,
    'sha256:',
    ':',
    '',
  ];
  for (const s of bad) {
    throwsCode(() => parseDigest(s), 'EDIGEST');
    assert.equal(isDigest(s), false, s);
  }
});

test('digest errors name the value, explain why, and show a valid example', () => {
  const e = throwsCode(() => parseDigest(`sha256:${HEX64.toUpperCase()}`), 'EDIGEST');
  assert.match(e.message, /lowercase/);
  assert.match(e.message, /sha256:e3b0c442/);
  const long = throwsCode(() => parseDigest(`sha256:${'z'.repeat(5000)}`), 'EDIGEST');
  assert.ok(long.message.length < 400, 'the bad value is truncated');
  assert.match(throwsCode(() => parseDigest(`md5:${HEX64}`), 'EDIGEST').message, /"md5" is not supported/);
  assert.match(throwsCode(() => parseDigest(`sha256:${HEX64.slice(2)}`), 'EDIGEST').message, /62 characters, sha256 needs 64/);
  assert.match(throwsCode(() => assertDigest(42, 'layer digest'), 'EDIGEST').message, /^Invalid layer digest a number/);
});

test('non-string input never escapes as another error type', () => {
  for (const v of [undefined, null, 1, {}, [], true, Symbol('x'), 10n]) {
    throwsCode(() => parseDigest(v as unknown as string), 'EDIGEST');
    throwsCode(() => assertDigest(v), 'EDIGEST');
    assert.equal(isDigest(v), false);
  }
});

test('property: random strings either are well-formed digests or throw EDIGEST', () => {
  const next = rng(7);
  const alphabet = 'sha256512:0123456789abcdefABCDEF./-_ \u0000é';
  for (let i = 0; i < 2000; i++) {
    const len = Math.floor(next() * 140);
    let s = next() < 0.5 ? 'sha256:' : '';
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(next() * alphabet.length)];
    let parsed: unknown;
    try {
      parsed = parseDigest(s);
    } catch (e) {
      assert.ok(e instanceof DeckhandError && e.code === 'EDIGEST', `unexpected ${String(e)} for ${JSON.stringify(s)}`);
      continue;
    }
    assert.match(s, /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/);
    assert.ok(parsed);
  }
  // Mutating one character of a valid digest to something outside [0-9a-f] always fails.
  for (let i = 0; i < 300; i++) {
    const pos = 7 + Math.floor(next() * 64);
    const ch = 'gG/.:-Z '[Math.floor(next() * 8)] ?? 'g';
    const s = `sha256:${HEX64}`.slice(0, pos) + ch + `sha256:${HEX64}`.slice(pos + 1);
    throwsCode(() => parseDigest(s), 'EDIGEST');
  }
});

test('shortDigest returns the hex prefix like a docker image ID', () => {
  assert.equal(shortDigest(`sha256:${HEX64}`), 'e3b0c44298fc');
  assert.equal(shortDigest(`sha256:${HEX64}`, 4), 'e3b0');
  assert.equal(shortDigest(`sha512:${HEX128}`, 8), 'cf83e135');
  assert.equal(shortDigest(HEX64), 'e3b0c44298fc');
});
