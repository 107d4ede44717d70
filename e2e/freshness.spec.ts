/**
 * The Registry column on the small store: a tag that moved in the registry shows `stale` (with the
 * registry's digest in its tooltip), Update pulls the new image as a transfer, the tag turns
 * `current` and the old image is dangling again, as after any pull that moves a tag. The other
 * tags, untouched in the registry, stay `current`. Screenshots before and after.
 */
import { cli, screenshot } from './fixtures.ts';
import { expect, test } from './small-store.ts';
import { REPOSITORIES } from './small-store.ts';

test('a stale tag in the Registry column, its Update, and the tag turning current', async ({ smallApp, smallStore }) => {
  const { page } = smallApp;
  await page.setViewportSize({ width: 1440, height: 900 });
  const rows = page.getByTestId('image-row');
  await expect(rows).toHaveCount(5);
  const cell = (name: string) => page.locator(`[data-testid=image-row][data-name="${name}"] [data-testid=freshness]`);
  // Untouched in the registry: current, by HEAD.
  await expect(cell(smallStore.refs.motd)).toHaveAttribute('data-state', 'current', { timeout: 30_000 });
  await expect(cell(smallStore.refs.hello)).toHaveAttribute('data-state', 'current');

  // The registry's `edge` of the hello service named the first build, then moved to the second;
  // the store still names the first build `edge`.
  const edge = `${smallStore.host}/${REPOSITORIES.hello}:edge`;
  await cli(['--store', smallStore.dir, 'push', '--quiet', smallStore.danglingDigest, edge]);
  await cli(['--store', smallStore.dir, 'push', '--quiet', smallStore.refs.hello, edge]);
  await cli(['--store', smallStore.dir, 'tag', smallStore.danglingDigest, edge]);
  await expect(page.locator('[data-testid=image-row].dangling')).toHaveCount(0, { timeout: 30_000 });
  await expect(cell(edge)).toHaveAttribute('data-state', 'stale', { timeout: 30_000 });
  await expect(cell(edge)).toContainText('stale');
  await expect(cell(edge)).toHaveAttribute('title', new RegExp(`Registry: ${smallStore.digests.hello}`));
  await expect(cell(smallStore.refs.hello)).toHaveAttribute('data-state', 'current');
  await screenshot(page, 'freshness-stale');

  await cell(edge).getByRole('button', { name: 'Update' }).click();
  const transfer = page.getByTestId('transfer').filter({ hasText: edge });
  await expect(transfer).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(cell(edge)).toHaveAttribute('data-state', 'current', { timeout: 30_000 });
  await expect(page.locator(`[data-testid=image-row][data-name="${edge}"]`)).not.toHaveClass(/dangling/);
  // The first build lost its name again: dangling, saying what it was.
  const dangling = page.locator('[data-testid=image-row].dangling');
  await expect(dangling).toHaveCount(1);
  await expect(dangling).toContainText('was hello-service-with-a-rather-long-name:edge');
  await screenshot(page, 'freshness-updated');
});
