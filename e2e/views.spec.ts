/**
 * The renderer's views against a real registry and a real store: filter and details, the layer
 * tree, prune with its preview, drag-to-push, the row menu's Push to… submenu, and dropping an
 * archive to load it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cli, expect, screenshot, test } from './fixtures.ts';

/** Bytes of every blob file in the store. */
async function blobBytes(storeDir: string): Promise<number> {
  const dir = join(storeDir, 'blobs', 'sha256');
  let n = 0;
  for (const f of await readdir(dir)) n += (await stat(join(dir, f))).size;
  return n;
}

test('find an image with the filter and open its details', async ({ app, registry }) => {
  const { page } = app;
  await cli(['--store', app.storeDir, 'pull', '--quiet', registry.appRef]);
  const rows = page.getByTestId('image-row');
  await expect(rows.filter({ hasText: 'e2e/app' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'e2e/base' })).toHaveCount(1);

  await page.getByRole('textbox', { name: 'Filter images' }).fill('e2e/app');
  await expect(rows.filter({ hasText: 'e2e/base' })).toHaveCount(0);
  const row = rows.filter({ hasText: 'e2e/app' });
  await expect(row).toHaveCount(1);
  // On the row's text, not its centre: at this width the centre is the digest's copy icon, which copies.
  await row.getByTestId('cell-tag').dblclick();
  const details = page.getByTestId('image-details');
  await expect(details).toBeVisible();
  await expect(details).toContainText(`${registry.host}/e2e/app:1`);
  // Three 4 MiB layers of random data (4.2 MB each, gzipped), and where the image came from.
  await expect(details).toContainText('4.2 MB');
  await expect(details).toContainText(registry.host);
  await screenshot(page, 'filter-and-details');
});

test('the layer tree shows shared base layers and selects the images on a layer', async ({ app, registry }) => {
  const { page } = app;
  // A second name for the base image: its layers are shared by two names.
  await cli(['--store', app.storeDir, 'tag', registry.baseRef, `${registry.host}/e2e/base:copy`]);
  await cli(['--store', app.storeDir, 'pull', '--quiet', registry.appRef]);
  await expect(page.getByTestId('image-row')).toHaveCount(3);
  await page.getByTestId('tab-tree').click();
  const tree = page.getByTestId('layer-tree');
  await expect(tree).toBeVisible();
  // Two layers of base, three of app: five layer nodes.
  await expect(tree.getByTestId('tree-node')).toHaveCount(5);
  await expect(tree).toContainText('e2e/app:1');
  await screenshot(page, 'layer-tree');
  await tree.getByTestId('tree-node').filter({ hasText: 'e2e/app:1' }).first().click();
  await expect(page.getByTestId('tab-images')).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('[data-testid=image-row][aria-selected=true]')).toHaveCount(1);
});

test('prune shows what it will free, and frees exactly that', async ({ app, registry }) => {
  const { page } = app;
  await cli(['--store', app.storeDir, 'pull', '--quiet', registry.appRef]);
  // Moving the base tag to the app image leaves the old base image dangling.
  await cli(['--store', app.storeDir, 'tag', registry.appRef, registry.baseRef]);
  const button = page.getByTestId('prune-button');
  await expect.poll(async () => Number(await button.getAttribute('data-bytes'))).toBeGreaterThan(500_000);
  const promised = Number(await button.getAttribute('data-bytes'));
  await button.click();
  const dialog = page.getByTestId('prune-dialog');
  await expect(dialog).toBeVisible();
  const planned = dialog.getByTestId('prune-planned');
  await expect(planned).toHaveAttribute('data-bytes', String(promised));
  await expect(dialog).toContainText('dangling');
  await screenshot(page, 'prune-preview');
  const before = await blobBytes(app.storeDir);
  await dialog.getByRole('button', { name: /^Prune/ }).click();
  const freed = dialog.getByTestId('prune-freed');
  await expect(freed).toBeVisible();
  await expect(freed).toHaveAttribute('data-bytes', String(promised));
  expect(before - (await blobBytes(app.storeDir))).toBe(promised);
  await screenshot(page, 'prune-done');
});

test('dragging an image onto a registry pushes it there', async ({ app, registry }) => {
  const { page } = app;
  const sidebar = page.getByRole('complementary', { name: 'Registries' });
  await sidebar.getByRole('textbox', { name: /registry/i }).fill(registry.host);
  await sidebar.getByRole('checkbox', { name: /insecure/i }).check();
  await sidebar.getByRole('button', { name: /^Add/ }).click();
  const target = sidebar.locator(`[data-testid=registry][data-host="${registry.host}"]`);
  await expect(target).toBeVisible();

  const row = page.getByTestId('image-row').filter({ hasText: 'e2e/base' });
  await row.dragTo(target);
  const dialog = page.getByRole('dialog', { name: /push/i });
  await expect(dialog).toBeVisible();
  const name = dialog.getByRole('textbox', { name: /repository|name/i });
  await name.fill(`${registry.host}/e2e/dragged`);
  await dialog.getByRole('button', { name: /^Push/ }).click();
  const transfer = page.getByTestId('transfer').filter({ hasText: 'e2e/dragged' });
  await expect(transfer).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await screenshot(page, 'drag-to-push');

  // The registry itself has it, with the same digest as the stored image.
  const res = await fetch(`http://${registry.host}/v2/e2e/dragged/manifests/1`, {
    method: 'HEAD',
    headers: {
      Accept:
        'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    },
  });
  expect(res.status).toBe(200);
  const index = JSON.parse(await readFile(join(app.storeDir, 'index.json'), 'utf8')) as {
    manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
  };
  const stored = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name']?.endsWith('e2e/base:1'));
  expect(res.headers.get('docker-content-digest')).toBe(stored?.digest);
});

test("the row menu's Push to… submenu opens the push dialog, by pointer and by keyboard", async ({ app, registry }) => {
  const { page } = app;
  const sidebar = page.getByRole('complementary', { name: 'Registries' });
  await sidebar.getByRole('textbox', { name: /registry/i }).fill(registry.host);
  await sidebar.getByRole('checkbox', { name: /insecure/i }).check();
  await sidebar.getByRole('button', { name: /^Add/ }).click();
  await expect(sidebar.locator(`[data-testid=registry][data-host="${registry.host}"]`)).toBeVisible();

  // By pointer: right-click the row, move onto Push to… and across into its submenu.
  const row = page.getByTestId('image-row').filter({ hasText: 'e2e/base' });
  await row.click({ button: 'right' });
  const menu = page.getByTestId('image-menu');
  await expect(menu).toBeVisible();
  await expect(menu).toHaveAttribute('aria-label', `Actions for ${registry.baseRef}`);
  await menu.getByRole('menuitem', { name: /Push to/ }).hover();
  const pushMenu = page.getByTestId('push-menu');
  await pushMenu.getByRole('menuitem', { name: registry.host }).click();
  const dialog = page.getByRole('dialog', { name: /push/i });
  await expect(dialog).toBeVisible();
  await expect(menu).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Close' }).first().click();
  await expect(dialog).toHaveCount(0);

  // By keyboard: Shift+F10 on the cursor's row, down to Push to…, right into the submenu, Enter.
  // The pointer goes out of the way first: an item under a resting pointer takes the highlight back.
  // Radix moves the focus a task after each key, so each step waits for it before the next key.
  await page.mouse.move(0, 0);
  await page.getByRole('treegrid', { name: 'Images' }).focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+F10');
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: 'Copy reference', exact: true })).toBeFocused();
  for (const name of ['Copy digest reference', 'Tag…', 'Untag', 'Push to…']) {
    await page.keyboard.press('ArrowDown');
    await expect(menu.getByRole('menuitem', { name, exact: true })).toBeFocused();
  }
  await page.keyboard.press('ArrowRight');
  await expect(pushMenu.getByRole('menuitem', { name: registry.host })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await screenshot(page, 'row-menu-push');
});

test('dropping an archive on the window loads it', async ({ app, registry }) => {
  const { page } = app;
  const archive = join(app.storeDir, '..', `deckhand-e2e-${Date.now()}.tar`);
  await cli(['--store', app.storeDir, 'tag', registry.baseRef, 'example.test/dropped/base:7']);
  await cli(['--store', app.storeDir, 'save', '-o', archive, 'example.test/dropped/base:7']);
  await cli(['--store', app.storeDir, 'rmi', 'example.test/dropped/base:7']);
  await expect(page.getByTestId('image-row').filter({ hasText: 'dropped/base' })).toHaveCount(0);

  const bytes = (await readFile(archive)).toString('base64');
  const dataTransfer = await page.evaluateHandle((b64) => {
    const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bin], 'dropped-base.tar', { type: 'application/x-tar' }));
    return dt;
  }, bytes);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer });
  await expect(page.getByTestId('drop-overlay')).toBeVisible();
  await page.dispatchEvent('body', 'dragover', { dataTransfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer });
  const transfer = page.getByTestId('transfer').filter({ hasText: /load/i });
  await expect(transfer).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('image-row').filter({ hasText: 'dropped/base' })).toHaveCount(1);
  await screenshot(page, 'drop-archive');
});
