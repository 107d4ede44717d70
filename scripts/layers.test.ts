import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalize, join, dirname } from 'node:path';
import { importsOf, violations } from './layers.ts';

const check = (file: string, src: string) => violations(file, src, (spec) => normalize(join(dirname(file), spec)));

test('the engine may not import electron or the renderer', () => {
  assert.equal(check('src-main/engine/store/x.ts', "import { app } from 'electron';").length, 1);
  assert.equal(check('src-main/engine/store/x.ts', "import { A } from '../../../src-renderer/a.ts';").length, 1);
  assert.deepEqual(check('src-main/engine/store/x.ts', "import { A } from '../../../src-shared/a.ts';\nimport fs from 'node:fs';"), []);
});

test('shared code imports nothing from node, electron or react', () => {
  assert.equal(check('src-shared/oci/x.ts', "import { readFile } from 'node:fs/promises';").length, 1);
  assert.equal(check('src-shared/oci/x.ts', "import React from 'react';").length, 1);
  assert.deepEqual(check('src-shared/oci/x.test.ts', "import { test } from 'node:test';"), []);
});

test('the renderer reaches the main side only through shared types', () => {
  assert.equal(check('src-renderer/app.tsx', "import { pull } from '../src-main/engine/transfer/pull.ts';").length, 1);
  assert.deepEqual(check('src-renderer/app.tsx', "import type { TransferEvent } from '../src-shared/transfer.ts';"), []);
});

test('finds static, type-only, re-export and dynamic imports', () => {
  assert.deepEqual(
    importsOf("import a from 'a';\nimport type { B } from 'b';\nexport { c } from 'c';\nconst d = await import('d');\nimport 'e';"),
    ['a', 'b', 'c', 'd', 'e'],
  );
});

test('the hosts share src-main/host; Electron and the web host do not reach into each other', () => {
  assert.deepEqual(check('src-main/electron/ipc.ts', "import { createHost } from '../host/host.ts';"), []);
  assert.deepEqual(check('src-main/webhost/server.ts', "import type { Dispatch } from '../host/dispatch.ts';"), []);
  assert.equal(check('src-main/electron/main.ts', "import { startWebHost } from '../webhost/server.ts';").length, 1);
  assert.equal(check('src-main/host/host.ts', "import { app } from 'electron';").length, 1);
  assert.equal(check('src-main/host/host.ts', "import { startWebHost } from '../webhost/server.ts';").length, 1);
  assert.equal(check('src-main/engine/store/x.ts', "import { createHost } from '../../host/host.ts';").length, 1);
  // Integration tests may drive the host end to end; they still cannot reach Electron or a web host.
  assert.deepEqual(check('src-main/test/integration/host.itest.ts', "import { createHost } from '../../host/host.ts';"), []);
  assert.equal(check('src-main/test/integration/host.itest.ts', "import { startWebHost } from '../../webhost/server.ts';").length, 1);
});

test("the engine's rooms use only the rooms below them: no config <-> registry cycle", () => {
  assert.equal(check('src-main/engine/registry/client.ts', "import { loadRegistryTls } from '../config/certs-d.ts';").length, 1);
  assert.equal(check('src-main/engine/store/ingest.ts', "import { pull } from '../transfer/pull.ts';").length, 1);
  assert.equal(check('src-main/engine/transfer/copy.ts', "import { saveArchive } from '../archive/save.ts';").length, 1);
  assert.deepEqual(check('src-main/engine/config/context.ts', "import { RegistryClient } from '../registry/client.ts';"), []);
  assert.deepEqual(check('src-main/engine/archive/save.ts', "import { copyImage } from '../transfer/copy-image.ts';"), []);
  // A unit test may set up its subject with any room.
  assert.deepEqual(check('src-main/engine/registry/fuzz.test.ts', "import { Store } from '../store/layout.ts';"), []);
});

test('tests may use the test kit; production code may not', () => {
  assert.deepEqual(check('src-main/host/dispatch.test.ts', "import { fakeEngine } from '../test/fixtures/fake-handlers.ts';"), []);
  assert.equal(check('src-main/host/dispatch.ts', "import { fakeEngine } from '../test/fixtures/fake-handlers.ts';").length, 1);
});
