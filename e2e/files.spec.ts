/**
 * The Files tab: what is inside each layer of a stored image, analysed by the main side from the
 * real layers of the small store's busybox images, with dive's efficiency figures; the chosen
 * layer's own changes and, stacked, the file system as of it.
 */
import { screenshot } from './fixtures.ts';
import { expect, test } from './small-store.ts';

test("the Files tab shows the image's efficiency, its layers and what the chosen layer added", async ({ smallApp, smallStore }) => {
  const { page } = smallApp;
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.locator(`[data-testid=image-row][data-name="${smallStore.refs.hello}"]`).dblclick();
  const details = page.getByTestId('image-details');
  await details.getByRole('tab', { name: 'Files' }).click();
  const files = details.getByTestId('files-tab');
  await expect(files.getByTestId('files-summary')).toBeVisible({ timeout: 30_000 });
  await expect(files.getByTestId('files-score')).toHaveText(/^\d+(\.\d+)? ?%$/);
  // The top layer (RUN mkdir -p /srv/www && echo … > index.html) is chosen first: what it added.
  const entries = files.getByTestId('files-entries');
  await expect(entries).toContainText('/srv/www/index.html');
  await expect(entries).toContainText('added');
  // The details pane scrolls on its own: bring the entries into the picture.
  await entries.scrollIntoViewIfNeeded();
  await screenshot(page, 'files-tab');
  // The layer below it (COPY hello-service) added the service's script.
  await files.getByRole('button', { name: 'Layer 2' }).click();
  await expect(entries).toContainText('/usr/local/bin/hello-service');

  // Stacked: the file system as of the top layer, what each layer below wrote included.
  await files.getByRole('button', { name: 'Layer 3' }).click();
  await files.getByRole('button', { name: 'Stacked' }).click();
  await expect(entries).toHaveAttribute('data-mode', 'stacked');
  await expect(entries).toContainText('/bin/busybox');
  await expect(entries).toContainText('/usr/local/bin/hello-service');
  await expect(entries).toContainText('/srv/www/index.html');
  await expect(entries).toContainText('layer 1');
  await entries.scrollIntoViewIfNeeded();
  await screenshot(page, 'files-tab-stacked');
});
