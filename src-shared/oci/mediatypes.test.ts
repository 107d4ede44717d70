import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mt from './mediatypes.ts';

test('MANIFEST_ACCEPT lists exactly the four manifest and index types', () => {
  assert.deepEqual([...mt.MANIFEST_ACCEPT].sort(), [
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.oci.image.manifest.v1+json',
  ]);
  assert.ok(Object.isFrozen(mt.MANIFEST_ACCEPT));
  for (const t of mt.MANIFEST_ACCEPT) assert.ok(mt.isIndexMediaType(t) !== mt.isManifestMediaType(t), t);
});

test('classifiers recognise the right types and nothing else', () => {
  assert.equal(mt.isIndexMediaType(mt.OCI_INDEX), true);
  assert.equal(mt.isIndexMediaType(mt.DOCKER_MANIFEST_LIST), true);
  assert.equal(mt.isIndexMediaType(mt.OCI_MANIFEST), false);
  assert.equal(mt.isManifestMediaType(mt.DOCKER_MANIFEST), true);
  assert.equal(mt.isManifestMediaType(mt.DOCKER_SCHEMA1_SIGNED_MANIFEST), false);
  for (const layer of [
    mt.OCI_LAYER_TAR,
    mt.OCI_LAYER_TAR_GZIP,
    mt.OCI_LAYER_TAR_ZSTD,
    mt.OCI_LAYER_NONDIST_TAR_GZIP,
    mt.DOCKER_LAYER,
    mt.DOCKER_FOREIGN_LAYER,
  ]) {
    assert.equal(mt.isLayerMediaType(layer), true, layer);
  }
  assert.equal(mt.isLayerMediaType(mt.OCI_CONFIG), false);
  assert.equal(mt.isLayerMediaType('application/vnd.oci.image.layer.v1.tar+bzip2'), false);
  for (const junk of [undefined, null, 3, '', {}]) {
    assert.equal(mt.isLayerMediaType(junk), false);
    assert.equal(mt.isIndexMediaType(junk), false);
    assert.equal(mt.isManifestMediaType(junk), false);
  }
});

test('baseMediaType strips parameters and case', () => {
  assert.equal(mt.baseMediaType('application/vnd.oci.image.index.v1+json; charset=utf-8'), mt.OCI_INDEX);
  assert.equal(mt.baseMediaType(' Application/JSON '), 'application/json');
  assert.equal(mt.baseMediaType(''), '');
});
