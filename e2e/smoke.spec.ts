import { expect, screenshot, test } from './fixtures.ts';

test('the window opens, lists the prepared store, and a pull from the UI shows progress and finishes', async ({ app, registry }) => {
  const { page } = app;
  await expect(page).toHaveTitle('Deckhand');
  await expect(page.getByTestId('store-dir')).toHaveText(app.storeDir);

  const rows = page.getByTestId('image-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(`${registry.host}/e2e/base`);

  await page.getByTestId('open-pull').click();
  await page.getByTestId('pull-ref').fill(registry.appRef);
  await page.getByTestId('pull-submit').click();
  await expect(page.getByTestId('pull-dialog')).toHaveCount(0);
  const transfer = page.getByTestId('transfer');
  await expect(transfer).toBeVisible();
  await expect(transfer).toContainText(`${registry.host}/e2e/app:1`);

  // While the proxy holds the last layer halfway, the page shows partial progress.
  const bar = page.getByTestId('transfer-progress');
  const figures = () => bar.evaluate((p: HTMLProgressElement) => ({ value: p.value, max: p.max }));
  await expect
    .poll(
      async () => {
        const { value, max } = await figures();
        return max > 12_000_000 && value > 8_000_000 && value < max;
      },
      { timeout: registry.holdMs },
    )
    .toBe(true);
  await expect(transfer).toHaveAttribute('data-state', 'running');
  await expect(page.getByTestId('transfer-status')).toContainText(/^\d+(\.\d+)? MB \/ 12\.\d MB · 3\/4 blobs/);
  await screenshot(page, 'pull-progress');

  await expect(transfer).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('transfer-status')).toHaveText(/^Done: 12\.\d MB$/);
  const final = await figures();
  expect(final.value).toBe(final.max);

  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('images-table')).toContainText(`${registry.host}/e2e/app`);
  await screenshot(page, 'pull-done');
});

test('a failing pull says why, and a malformed reference is refused before any transfer', async ({ app, registry }) => {
  const { page } = app;
  await expect(page.getByTestId('image-row')).toHaveCount(1);
  await page.getByTestId('open-pull').click();
  await page.getByTestId('pull-ref').fill('Not A//Reference');
  await page.getByTestId('pull-submit').click();
  await expect(page.getByTestId('pull-error')).toBeVisible();
  await expect(page.getByTestId('transfer')).toHaveCount(0);

  // The dialog stays open with the error; a well-formed reference is then pulled (and fails remotely).
  await page.getByTestId('pull-ref').fill(`${registry.host}/e2e/missing:1`);
  await page.getByTestId('pull-submit').click();
  await expect(page.getByTestId('pull-dialog')).toHaveCount(0);
  const transfer = page.getByTestId('transfer');
  await expect(transfer).toHaveAttribute('data-state', 'failed');
  await expect(page.getByTestId('transfer-status')).toContainText('e2e/missing');
  await expect(page.getByTestId('image-row')).toHaveCount(1);
  await screenshot(page, 'pull-failed');
});

test('a damaged store shows the error on that image and the rest of the app keeps working', async ({ app, registry }) => {
  const { page } = app;
  const { readFile, rm } = await import('node:fs/promises');
  const { join } = await import('node:path');
  await expect(page.getByTestId('image-row')).toHaveCount(1);
  // The stored image loses its manifest (a disk error, a careless hand in the store folder).
  const index = JSON.parse(await readFile(join(app.storeDir, 'index.json'), 'utf8'));
  const digest: string = index.manifests[0].digest;
  await rm(join(app.storeDir, 'blobs', 'sha256', digest.slice(7)));
  await page.reload();
  const rows = page.getByTestId('image-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('missing from the store');
  // Pulling still works, and the new image lists normally next to the damaged one.
  await page.getByTestId('open-pull').click();
  await page.getByTestId('pull-ref').fill(registry.appRef);
  await page.getByTestId('pull-submit').click();
  await expect(page.getByTestId('transfer')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('images-table')).toContainText(`${registry.host}/e2e/app`);
  await screenshot(page, 'damaged-store');
});
