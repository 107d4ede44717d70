import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeckhandError } from '../errors.ts';
import { parseImageConfig } from './manifest.ts';

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const diff = `sha256:${'4'.repeat(64)}`;

// Shaped like a docker-built config (Go writes nil slices as null).
const dockerConfig = {
  architecture: 'arm64',
  variant: 'v8',
  os: 'linux',
  created: '2024-06-20T17:00:00Z',
  config: {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin'],
    Cmd: ['/bin/sh'],
    Entrypoint: null,
    WorkingDir: '',
    Labels: null,
    ExposedPorts: { '80/tcp': {} },
    Volumes: null,
    OnBuild: null,
  },
  rootfs: { type: 'layers', diff_ids: [diff] },
  history: [
    { created: '2024-06-20T17:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
    { created_by: 'CMD ["/bin/sh"]', empty_layer: true },
  ],
};

function fails(v: unknown, msg: RegExp): void {
  assert.throws(
    () => parseImageConfig(enc(v)),
    (e: unknown) => e instanceof DeckhandError && e.code === 'EMANIFEST' && /image config/.test(e.message) && msg.test(e.message),
    msg.source,
  );
}

test('parses a docker-style config and treats null slices as absent', () => {
  const c = parseImageConfig(enc(dockerConfig));
  assert.equal(c.os, 'linux');
  assert.equal(c.architecture, 'arm64');
  assert.deepEqual(c.rootfs.diff_ids, [diff]);
  assert.deepEqual(c.config?.Cmd, ['/bin/sh']);
  assert.equal(c.config?.Entrypoint, null);
  assert.equal('Volumes' in (c.config ?? {}), false);
  assert.equal(c.history?.[1]?.empty_layer, true);
  assert.equal(parseImageConfig(enc({ ...dockerConfig, config: null, history: null })).config, undefined);
});

test('rejects configs missing what an image needs', () => {
  fails({ ...dockerConfig, os: undefined }, /"?os"? must be/);
  fails({ ...dockerConfig, architecture: '' }, /architecture/);
  fails({ ...dockerConfig, rootfs: undefined }, /rootfs/);
  fails({ ...dockerConfig, rootfs: { type: 'layers' } }, /diff_ids/);
  fails({ ...dockerConfig, rootfs: { type: 'layers', diff_ids: ['sha256:nothex'] } }, /rootfs\.diff_ids\[0\]/);
  fails({ ...dockerConfig, config: { Env: 'PATH=/bin' } }, /config\.Env/);
  fails({ ...dockerConfig, config: { Cmd: [1] } }, /config\.Cmd/);
  fails({ ...dockerConfig, config: { Labels: { a: 1 } } }, /config\.Labels/);
  fails({ ...dockerConfig, config: [] }, /"config" must be an object/);
  fails({ ...dockerConfig, history: [{ empty_layer: 'yes' }] }, /empty_layer/);
  fails({ ...dockerConfig, history: {} }, /history/);
  fails({ ...dockerConfig, created: 5 }, /created/);
  fails([], /JSON object/);
  fails('not json', /not valid JSON/);
  assert.throws(
    () => parseImageConfig(new Uint8Array([0xc3, 0x28])),
    (e: unknown) => e instanceof DeckhandError && e.code === 'EMANIFEST',
  );
});

test('property: random byte damage to a config yields a config or EMANIFEST', () => {
  const src = enc(dockerConfig);
  let seed = 99;
  const next = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < 2000; i++) {
    const b = src.slice();
    b[Math.floor(next() * b.length)] = Math.floor(next() * 256);
    try {
      const c = parseImageConfig(b);
      assert.equal(typeof c.os, 'string');
    } catch (e) {
      assert.ok(e instanceof DeckhandError && e.code === 'EMANIFEST', String(e));
    }
  }
});
