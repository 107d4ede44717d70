import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './testing.ts';
import { Store } from '../engine/store/layout.ts';
import { storeTestImage } from '../test/fixtures/store-images.ts';
import { dir, file, fill, marker, tarOf } from '../test/fixtures/layer-tars.ts';
import { parseSize } from './commands/layers.ts';

/**
 * Two layers: /app/big (1000 B) and /app/keep (200 B), then /app/big written again (1000 B, other
 * bytes) and /app/keep deleted. Leaf paths: /app/big 2000 cumulative, 1000 smallest; /app/keep 200
 * and 0. Score 1000 / 2200; wasted 2200; the second layer holds 1000 bytes, so 220 % is wasted.
 */
async function fixture(t: { after: (fn: () => Promise<void>) => void }) {
  const root = await mkdtemp(join(tmpdir(), 'deckhand-cli-layers-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const store = await Store.open(root);
  const l0 = await tarOf([dir('app/'), file('app/big', fill(1000, 'a')), file('app/keep', fill(200, 'k'))]);
  const l1 = await tarOf([dir('app/'), file('app/big', fill(1000, 'b')), marker('app/.wh.keep')]);
  const img = await storeTestImage(store, {
    name: 'reg.example/waste:1',
    layers: [
      { content: l0, gzip: true },
      { content: l1, gzip: true },
    ],
  });
  return { root, img };
}

test('layers --format json: per layer counts and bytes, and the efficiency figures', async (t) => {
  const { root, img } = await fixture(t);
  const r = await cli(['--store', root, 'layers', 'reg.example/waste:1', '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out);
  assert.deepEqual(
    report.layers.map((l: Record<string, unknown>) => [l.digest, l.createdBy, l.added, l.modified, l.removed]),
    [
      [img.layers[0]!.digest, 'RUN step 0', { count: 3, bytes: 1200 }, { count: 0, bytes: 0 }, { count: 0, bytes: 0 }],
      [img.layers[1]!.digest, 'RUN step 1', { count: 0, bytes: 0 }, { count: 1, bytes: 1000 }, { count: 1, bytes: 200 }],
    ],
  );
  assert.equal(report.efficiency.score, 1000 / 2200);
  assert.equal(report.efficiency.wastedBytes, 2200);
  assert.equal(report.efficiency.userWastedPercent, 2.2);
  assert.deepEqual(
    report.efficiency.inefficiencies.map((d: { path: string; cumulativeSize: number; count: number }) => [
      d.path,
      d.cumulativeSize,
      d.count,
    ]),
    [
      ['/app/big', 2000, 2],
      ['/app/keep', 200, 2],
    ],
  );
  assert.equal(report.layers[0].files, undefined);
  const files = JSON.parse((await cli(['--store', root, 'layers', 'reg.example/waste:1', '--files', '--format', 'json'])).out);
  assert.deepEqual(
    files.layers[1].files.map((f: { path: string; status: string }) => [f.path, f.status]),
    [
      ['/app', 'unchanged'],
      ['/app/big', 'modified'],
      ['/app/keep', 'removed'],
    ],
  );
  const text = await cli(['--store', root, 'layers', 'reg.example/waste:1']);
  assert.equal(text.code, 0);
  assert.match(text.out, /Efficiency: 45\.45 %\s+Wasted: 2\.2 kB\s+User wasted: 220\.00 %/);
  assert.match(text.out, /2\s+2 kB\s+\/app\/big/);
});

test('layers --ci: dive rules and defaults, exit 1 naming the rule that failed, 2 for a bad threshold', async (t) => {
  const { root } = await fixture(t);
  const run = (...flags: string[]) => cli(['--store', root, 'layers', 'reg.example/waste:1', '--ci', ...flags]);
  // The defaults (efficiency 0.9, user wasted 0.1): both fail.
  const byDefault = await run();
  assert.equal(byDefault.code, 1);
  assert.match(byDefault.out, /FAIL: lowest-efficiency \(0\.9\): image efficiency is too low \(efficiency=0\.45 < threshold=0\.9\)/);
  assert.match(byDefault.out, /FAIL: highest-user-wasted-percent \(0\.1\)/);
  assert.match(byDefault.out, /SKIP: highest-wasted-bytes \(disabled\)/);
  assert.match(byDefault.err, /CI rule lowest-efficiency failed/);
  // Loose enough: passes.
  const loose = await run('--lowest-efficiency', '0.4', '--highest-user-wasted-percent', 'disabled', '--highest-wasted-bytes', '2.2kB');
  assert.equal(loose.code, 0, loose.out);
  assert.match(loose.out, /Result: PASS/);
  // One byte under the waste: that rule alone fails.
  const bytes = await run(
    '--lowest-efficiency',
    'off',
    '--highest-user-wasted-percent',
    'off',
    '--highest-wasted-bytes',
    '2199',
    '--format',
    'json',
  );
  assert.equal(bytes.code, 1);
  const ci = JSON.parse(bytes.out).ci;
  assert.equal(ci.passed, false);
  assert.deepEqual(
    ci.rules.map((r: { rule: string; status: string }) => [r.rule, r.status]),
    [
      ['lowest-efficiency', 'disabled'],
      ['highest-wasted-bytes', 'fail'],
      ['highest-user-wasted-percent', 'disabled'],
    ],
  );
  assert.equal((await run('--lowest-efficiency', '1.5')).code, 2);
  assert.equal((await run('--highest-wasted-bytes', 'lots')).code, 2);
  assert.equal((await cli(['--store', root, 'layers', 'reg.example/waste:1', '--lowest-efficiency', '0.5'])).code, 2);
  assert.equal((await cli(['--store', root, 'layers'])).code, 2);
});

test("sizes are read as dive reads them (go-humanize's ParseBytes)", () => {
  assert.equal(parseSize('20MB'), 20_000_000);
  assert.equal(parseSize('20M'), 20_000_000);
  assert.equal(parseSize('20MiB'), 20 * 1024 * 1024);
  assert.equal(parseSize('1.5 kB'), 1500);
  assert.equal(parseSize('1000'), 1000);
  assert.equal(parseSize('lots'), null);
  assert.equal(parseSize('5i'), null);
});
