/**
 * Issue 18's figures in the views: the Images table's Efficiency column sorted (every image
 * analysed by the main side, least efficient first) and an image's wasted bytes drawn in its cell
 * of the disk-usage map. The small store's images waste nothing, so two builds that do are added:
 * one leaves a cache in a lower layer and removes it above, the other writes its config twice.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { writeOciLayout } from '../src-main/test/fixtures/images.ts';
import { cli, openApp, screenshot, type App } from './fixtures.ts';
import { expect, image, layer, test as small } from './small-store.ts';

const LEFTOVER = 'registry.example/deckhand-e2e/wasteful/cache-leftover:1';
const REWRITES = 'registry.example/deckhand-e2e/wasteful/config-rewrites:1';

/** Builds the two wasteful images and copies them into `storeDir` with `deckhand copy oci:…`. */
async function addWastefulImages(storeDir: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'deckhand-e2e-waste-'));
  try {
    const blobs = join(work, 'layers');
    await mkdir(blobs, { recursive: true });
    const when = new Date('2026-11-02T10:00:00Z');
    const at = when.toISOString();
    const step = (created_by: string) => ({ created: at, created_by, comment: 'buildkit.dockerfile.v0' });
    const cache = await layer(
      blobs,
      [
        { name: 'app/', type: 'directory' },
        { name: 'app/server', body: randomBytes(600_000), mode: 0o755 },
        { name: 'tmp/', type: 'directory' },
        { name: 'tmp/build-cache/', type: 'directory' },
        { name: 'tmp/build-cache/deps.tar', body: randomBytes(2_400_000) },
      ],
      when,
    );
    const cleanup = await layer(
      blobs,
      [
        { name: 'tmp/', type: 'directory' },
        { name: 'tmp/build-cache/', type: 'directory' },
        { name: 'tmp/build-cache/.wh.deps.tar', body: '' },
      ],
      when,
    );
    const leftover = image(
      [cache, cleanup],
      [step('COPY . /app # buildkit'), step('RUN /bin/sh -c rm /tmp/build-cache/deps.tar # buildkit')],
      { Cmd: ['/app/server'] },
      at,
    );
    const config = (n: number) =>
      layer(
        blobs,
        [
          { name: 'etc/', type: 'directory' },
          { name: 'etc/app.conf', body: randomBytes(300_000 + n) },
        ],
        when,
      );
    const tool = await layer(
      blobs,
      [
        { name: 'bin/', type: 'directory' },
        { name: 'bin/tool', body: randomBytes(1_500_000), mode: 0o755 },
      ],
      when,
    );
    const rewrites = image(
      [tool, await config(1), await config(2)],
      [
        step('COPY tool /bin/tool # buildkit'),
        step('COPY app.conf /etc/ # buildkit'),
        step('RUN /bin/sh -c configure --write /etc/app.conf # buildkit'),
      ],
      { Cmd: ['/bin/tool'] },
      at,
    );
    await writeOciLayout(join(work, 'layout'), [
      { ref: 'leftover', image: leftover },
      { ref: 'rewrites', image: rewrites },
    ]);
    await cli(['--store', storeDir, 'copy', '--quiet', `oci:${join(work, 'layout')}:leftover`, LEFTOVER]);
    await cli(['--store', storeDir, 'copy', '--quiet', `oci:${join(work, 'layout')}:rewrites`, REWRITES]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const test = small.extend<{ wasteApp: App }>({
  wasteApp: async ({ smallStore }, use) => {
    await addWastefulImages(smallStore.dir);
    await openApp(smallStore.dir, use);
  },
});

/** Sorts the table by Efficiency and waits until every image is analysed. */
async function sortByEfficiency(page: Page): Promise<void> {
  await page.getByTestId('sort-efficiency').click();
  await expect(page.getByRole('columnheader', { name: /^Efficiency/ })).toHaveAttribute('aria-sort', 'ascending');
  await expect(page.getByTestId('efficiency-progress')).toHaveCount(0, { timeout: 60_000 });
}

test('the Efficiency column: score and wasted bytes, sorted least efficient first', async ({ wasteApp }) => {
  const { page } = wasteApp;
  await page.setViewportSize({ width: 1440, height: 900 });
  const rows = page.getByTestId('image-row');
  await expect(rows.filter({ hasText: 'cache-leftover' })).toHaveCount(1);
  await sortByEfficiency(page);
  // The two wasteful images first, the cache left behind (2.4 MB of 3 MB) the worst.
  await expect(rows.nth(0)).toHaveAttribute('data-name', LEFTOVER);
  await expect(rows.nth(1)).toHaveAttribute('data-name', REWRITES);
  const worst = rows.nth(0).getByTestId('efficiency');
  await expect(worst).toContainText('%');
  await expect(worst).toContainText('2.4 MB');
  await expect(worst).toHaveAttribute('title', /2\.4 MB wasted/);
  // The small store's images waste nothing: 100 %, 0 B.
  await expect(rows.filter({ hasText: 'motd-printer' }).getByTestId('efficiency')).toContainText('100.0 %');
  await screenshot(page, 'efficiency-sorted');

  // Descending: the most efficient first; the wasteful ones last.
  await page.getByTestId('sort-efficiency').click();
  await expect(rows.last()).toHaveAttribute('data-name', LEFTOVER);
});

test("the disk-usage map draws an analysed image's wasted bytes inside its cell", async ({ wasteApp }) => {
  const { page } = wasteApp;
  await page.setViewportSize({ width: 1440, height: 900 });
  await sortByEfficiency(page);
  await page.getByTestId('tab-usage').click();
  const map = page.getByTestId('usage-map');
  const cell = map.locator(`[data-testid=usage-cell][data-name="${LEFTOVER}"]`);
  const band = cell.getByTestId('usage-wasted');
  await expect(band).toHaveCount(1);
  await expect(band.locator('title')).toHaveText(/2\.4 MB wasted \(\d+\.\d % of what its layers hold/);
  await expect(band).toHaveAttribute('data-name', LEFTOVER);
  // Images that waste nothing get no band.
  await expect(map.locator('[data-testid=usage-wasted]')).toHaveCount(2);
  await screenshot(page, 'usage-wasted');
});
