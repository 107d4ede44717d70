import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultStoreDir, resolveStoreDir } from './location.ts';

test('default store follows each OS convention', () => {
  assert.equal(defaultStoreDir('darwin', {}, '/Users/ann'), '/Users/ann/Library/Application Support/Deckhand/store');
  assert.equal(defaultStoreDir('linux', { XDG_DATA_HOME: '/data' }, '/home/ann'), '/data/deckhand/store');
  assert.equal(defaultStoreDir('linux', {}, '/home/ann'), '/home/ann/.local/share/deckhand/store');
  // A relative XDG_DATA_HOME is invalid per the XDG spec and ignored.
  assert.equal(defaultStoreDir('linux', { XDG_DATA_HOME: 'rel' }, '/home/ann'), '/home/ann/.local/share/deckhand/store');
});

test('--store beats DECKHAND_STORE beats the default', () => {
  assert.equal(resolveStoreDir('/a', { DECKHAND_STORE: '/b' }), '/a');
  assert.equal(resolveStoreDir(undefined, { DECKHAND_STORE: '/b' }), '/b');
});
