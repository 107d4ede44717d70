/**
 * The layer rules in .dependency-cruiser.cjs catch what they are meant to: each case builds a small
 * tree in a temporary folder (the importing file, what it imports, stand-ins for the electron and
 * react packages) and runs dependency-cruiser over it with the project's config.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Run with this process's Node: the bin's `#!/usr/bin/env node` may find an older one.
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');

/** Rule names broken when `file` holds `source` (the relative files it imports exist, empty). */
async function broken(file: string, source: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-layers-'));
  try {
    const put = async (path: string, text: string) => {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    };
    await put('tsconfig.json', JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true, module: 'nodenext' } }));
    for (const pkg of ['electron', 'react']) {
      await put(`node_modules/${pkg}/package.json`, JSON.stringify({ name: pkg, main: 'index.js' }));
      await put(`node_modules/${pkg}/index.js`, '');
    }
    for (const m of source.matchAll(/from '(\.[^']+)'/g)) await put(join(dirname(file), m[1]!), 'export {};\n');
    await put(file, source);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [depcruise, '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'json', file],
      { cwd: dir },
    ).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    const result = JSON.parse(stdout) as { summary: { violations: Array<{ rule: { name: string } }> } };
    return result.summary.violations.map((v) => v.rule.name);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the engine may not import electron or the renderer', async () => {
  assert.deepEqual(await broken('src-main/engine/store/x.ts', "import { app } from 'electron';"), ['src-main/engine:no-electron']);
  assert.deepEqual(await broken('src-main/engine/store/x.ts', "import { A } from '../../../src-renderer/a.ts';"), [
    'src-main/engine:imports',
  ]);
  assert.deepEqual(
    await broken('src-main/engine/store/x.ts', "import { A } from '../../../src-shared/a.ts';\nimport fs from 'node:fs';"),
    [],
  );
});

test('shared code imports nothing from node, electron or react; its tests may use node:test', async () => {
  assert.deepEqual(await broken('src-shared/oci/x.ts', "import { readFile } from 'node:fs/promises';"), ['src-shared:no-node']);
  assert.deepEqual(await broken('src-shared/oci/x.ts', "import React from 'react';"), ['src-shared:no-react']);
  assert.deepEqual(
    await broken('src-shared/oci/x.test.ts', "import { test } from 'node:test';\nimport assert from 'node:assert/strict';"),
    [],
  );
  assert.deepEqual(await broken('src-shared/oci/x.test.ts', "import { readFile } from 'node:fs/promises';"), ['src-shared:test-no-node']);
});

test('the renderer reaches the main side only through shared types', async () => {
  assert.deepEqual(await broken('src-renderer/app.tsx', "import { pull } from '../src-main/engine/transfer/pull.ts';"), [
    'src-renderer:imports',
  ]);
  assert.deepEqual(await broken('src-renderer/app.tsx', "import type { TransferEvent } from '../src-shared/transfer.ts';"), []);
});

test('the hosts share src-main/host; Electron and the web host do not reach into each other', async () => {
  assert.deepEqual(await broken('src-main/electron/ipc.ts', "import { createHost } from '../host/host.ts';"), []);
  assert.deepEqual(await broken('src-main/electron/main.ts', "import { startWebHost } from '../webhost/server.ts';"), [
    'src-main/electron:imports',
  ]);
  assert.deepEqual(await broken('src-main/host/host.ts', "import { app } from 'electron';"), ['src-main/host:no-electron']);
  assert.deepEqual(await broken('src-main/engine/store/x.ts', "import { createHost } from '../../host/host.ts';"), [
    'src-main/engine:imports',
  ]);
  // Integration tests may drive the host end to end; they still cannot reach a web host.
  assert.deepEqual(await broken('src-main/test/integration/host.itest.ts', "import { createHost } from '../../host/host.ts';"), []);
  assert.deepEqual(await broken('src-main/test/integration/host.itest.ts', "import { startWebHost } from '../../webhost/server.ts';"), [
    'src-main/test:test-imports',
  ]);
});

test("the engine's rooms use only the rooms below them: no config <-> registry cycle", async () => {
  assert.deepEqual(await broken('src-main/engine/registry/client.ts', "import { loadRegistryTls } from '../config/certs-d.ts';"), [
    'engine-room:registry',
  ]);
  assert.deepEqual(await broken('src-main/engine/store/ingest.ts', "import { pull } from '../transfer/pull.ts';"), ['engine-room:store']);
  assert.deepEqual(await broken('src-main/engine/config/context.ts', "import { RegistryClient } from '../registry/client.ts';"), []);
  assert.deepEqual(await broken('src-main/engine/archive/save.ts', "import { copyImage } from '../transfer/copy-image.ts';"), []);
  // A unit test may set up its subject with any room.
  assert.deepEqual(await broken('src-main/engine/registry/fuzz.test.ts', "import { Store } from '../store/layout.ts';"), []);
});

test('tests may use the test kit; production code may not', async () => {
  assert.deepEqual(await broken('src-main/host/dispatch.test.ts', "import { fakeEngine } from '../test/fixtures/fake-handlers.ts';"), []);
  assert.deepEqual(await broken('src-main/host/dispatch.ts', "import { fakeEngine } from '../test/fixtures/fake-handlers.ts';"), [
    'src-main/host:imports',
  ]);
});
