import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { electronWindow, opener } from './start.ts';

test('no window without the Electron binary or without a display, each with its reason', () => {
  assert.match((electronWindow({ DISPLAY: ':0' }, 'linux', () => false) as { reason: string }).reason, /binary is not installed/);
  assert.match(
    (
      electronWindow(
        {},
        'linux',
        () => true,
        () => 'electron',
      ) as { reason: string }
    ).reason,
    /no display/,
  );
  assert.match(
    (
      electronWindow(
        { DISPLAY: ':0' },
        'linux',
        () => true,
        () => 'electron',
      ) as { binary: string }
    ).binary,
    /node_modules\/electron\/dist\/electron$/,
  );
  assert.equal(
    opener('linux', () => false),
    undefined,
  );
  assert.deepEqual(
    opener('linux', () => true),
    ['xdg-open'],
  );
  assert.deepEqual(
    opener('darwin', () => false),
    ['open'],
  );
});

test('npm start without Electron says why in one line and serves the UI at a working address; Ctrl-C stops it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-start-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const env = {
    ...process.env,
    DECKHAND_STORE: join(dir, 'store'),
    DECKHAND_OPEN: '0',
    ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'no-electron'),
  };
  const child = spawn(process.execPath, [join(import.meta.dirname, 'start.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address within 15 s; output so far: ${out}`)), 15_000);
    child.stdout.on('data', (text: string) => {
      out += text;
      const m = /http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
  });
  assert.match(out.split('\n')[0]!, /^No Electron window: Electron's binary is not installed .*npx install-electron/);
  const page = await fetch(url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<html/i);
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0);
});
