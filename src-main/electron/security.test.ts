import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTENT_SECURITY_POLICY, isTrustedSender } from './security.ts';

const APP = 'file:///opt/Deckhand/resources/app/dist/renderer/index.html';

test('only the app page in the top frame is a trusted sender', () => {
  assert.equal(isTrustedSender(APP, APP, true), true);
  assert.equal(isTrustedSender(`${APP}#/images`, APP, true), true);
  assert.equal(isTrustedSender(APP, APP, false), false, 'subframes are refused');
  assert.equal(isTrustedSender('https://evil.example/', APP, true), false);
  assert.equal(isTrustedSender('file:///tmp/other.html', APP, true), false);
  assert.equal(isTrustedSender(undefined, APP, true), false);
  assert.equal(isTrustedSender('not a url', APP, true), false);
});

test('the CSP forbids inline and remote script', () => {
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'/);
  assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|\*/);
});
