import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aliasHandlers } from './alias-handlers.ts';
import { createDispatcher } from './dispatch.ts';
import { fakeEngine } from '../test/fixtures/fake-handlers.ts';
import type { HostContext } from './handlers.ts';

test('rememberAlias records the choice in the host env short-name-aliases.conf, keeping other aliases', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-alias-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ctx = { env: { HOME: join(dir, 'home'), XDG_CACHE_HOME: join(dir, 'cache') } } as unknown as HostContext;
  const dispatch = createDispatcher({ ...fakeEngine().handlers, ...aliasHandlers(ctx) }, () => undefined);
  const file = join(dir, 'cache', 'containers', 'short-name-aliases.conf');

  assert.deepEqual(await dispatch('rememberAlias', { name: 'app', value: 'quay.io/team/app' }), {
    ok: true,
    value: { file, name: 'app', value: 'quay.io/team/app' },
  });
  assert.deepEqual(await dispatch('rememberAlias', { name: 'nginx', value: 'docker.io/library/nginx' }), {
    ok: true,
    value: { file, name: 'nginx', value: 'docker.io/library/nginx' },
  });
  const text = await readFile(file, 'utf8');
  assert.match(text, /app = "quay\.io\/team\/app"/);
  assert.match(text, /nginx = "docker\.io\/library\/nginx"/);
});

test('rememberAlias refuses a qualified name, a short value, or either with a tag or digest, before the engine', async () => {
  const engine = fakeEngine();
  const dispatch = createDispatcher(engine.handlers, () => undefined);
  const bad = [
    { name: 'quay.io/nginx', value: 'quay.io/library/nginx' },
    { name: 'nginx:1', value: 'docker.io/library/nginx' },
    { name: 'nginx', value: 'nginx' },
    { name: 'nginx', value: 'docker.io/library/nginx:latest' },
    { name: 'nginx', value: `docker.io/library/nginx@sha256:${'a'.repeat(64)}` },
    { name: 'Not A Name', value: 'docker.io/library/nginx' },
    { name: 'nginx' },
  ];
  for (const input of bad) {
    const r = await dispatch('rememberAlias', input);
    assert.equal(r.ok, false, JSON.stringify(input));
    if (!r.ok) assert.equal(r.error.code, 'EINVALID', JSON.stringify(input));
  }
  assert.deepEqual(engine.calls, []);
  const ok = await dispatch('rememberAlias', { name: 'team/app', value: 'registry.example.com:5000/team/app' });
  assert.equal(ok.ok, true);
});
