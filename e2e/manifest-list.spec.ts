/**
 * Combine into a multi-platform image…: the small store's hello service (amd64) and an arm64 build
 * of it become one manifest list in the app, its dialog previewing each entry's platform, the index
 * document and its digest before anything is written; the list shows in the table, expands to its
 * platforms, and dragged onto the registry it is pushed whole (both images, then the index).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleImage, writeOciLayout } from '../src-main/test/fixtures/images.ts';
import { cli, openApp, screenshot } from './fixtures.ts';
import { clippedTexts } from './overflow.ts';
import { buildSmallImages, expect, REPOSITORIES, test } from './small-store.ts';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

test('two images combined into a multi-platform image, shown expanded, then pushed whole by drag', async ({ smallStore }) => {
  // The arm64 build of the hello service, as a Mac would build it: the same layers, an arm64 config.
  const work = await mkdtemp(join(tmpdir(), 'deckhand-e2e-arm-'));
  const armRef = `${smallStore.host}/${REPOSITORIES.hello}:1.5.0-arm64`;
  try {
    const { hello2 } = await buildSmallImages(work);
    const arm = assembleImage({ os: 'linux', architecture: 'arm64' }, hello2.layers, { ...hello2.config, architecture: 'arm64' });
    await writeOciLayout(join(work, 'arm-layout'), [{ ref: 'arm', image: arm }]);
    await cli(['--store', smallStore.dir, 'copy', '--quiet', `oci:${join(work, 'arm-layout')}:arm`, armRef]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  await openApp(smallStore.dir, async ({ page }) => {
    await page.setViewportSize({ width: 1440, height: 900 });
    const row = (name: string) => page.locator(`[data-testid=image-row][data-name="${name}"]`);
    await row(smallStore.refs.helloVersion).getByTestId('cell-tag').click();
    await row(armRef)
      .getByTestId('cell-tag')
      .click({ modifiers: ['Control'] });
    await page.getByRole('button', { name: 'Combine into a multi-platform image…' }).click();

    const dialog = page.getByTestId('combine-dialog');
    await expect(dialog.getByTestId('combine-kind')).toHaveText('OCI image index');
    const entries = dialog.getByTestId('combine-entry');
    await expect(entries).toHaveCount(2);
    const listName = `${smallStore.host}/${REPOSITORIES.hello}:multi-platform`;
    await expect(dialog.getByLabel('Name of the multi-platform image')).toHaveValue(listName);
    const platforms = await entries.evaluateAll((rows) =>
      rows.map((r) => (r.querySelector('input[aria-label^="Platform of"]') as HTMLInputElement).value),
    );
    expect(platforms.sort()).toEqual(['linux/amd64', 'linux/arm64']);
    const json = JSON.parse((await dialog.getByTestId('combine-json').textContent()) ?? '') as {
      mediaType: string;
      manifests: Array<{ digest: string; platform: { architecture: string } }>;
    };
    expect(json.mediaType).toBe(OCI_INDEX);
    expect(json.manifests.map((m) => m.platform.architecture).sort()).toEqual(['amd64', 'arm64']);
    const digest = ((await dialog.getByTestId('combine-digest').textContent()) ?? '').split(' ')[0]!;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await clippedTexts(dialog)).toEqual([]);
    await screenshot(page, 'combine-dialog');

    // An edited platform is previewed again before anything is written: another digest.
    const amdPlatform = dialog.getByLabel(/^Platform of .*:1\.5\.0 /);
    await amdPlatform.fill('linux/amd64/v2');
    await amdPlatform.press('Enter');
    await expect(dialog.getByTestId('combine-digest')).not.toContainText(digest);
    await expect(dialog.getByText('its config says linux/amd64')).toBeVisible();
    await amdPlatform.fill('linux/amd64');
    await amdPlatform.press('Enter');
    await expect(dialog.getByTestId('combine-digest')).toContainText(digest);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog).toBeHidden();

    // The list in the table: one image with two platforms, expanded to them.
    const list = row(listName);
    await expect(list).toBeVisible();
    await expect(list).toHaveAttribute('aria-selected', 'true');
    await list.getByRole('button', { name: /^Expand/ }).click();
    const children = page.locator(`[data-testid=platform-row][data-name="${listName}"]`);
    await expect(children).toHaveCount(2);
    await expect(children.filter({ hasText: 'linux/arm64' })).toHaveCount(1);
    await expect(children.filter({ hasText: 'linux/amd64' })).toHaveCount(1);
    await screenshot(page, 'manifest-list-table');

    // Dragged onto the registry, it is pushed whole: the images, then the index.
    const sidebar = page.getByRole('complementary', { name: 'Registries' });
    await sidebar.getByRole('textbox', { name: /registry/i }).fill(smallStore.host);
    await sidebar.getByRole('checkbox', { name: /insecure/i }).check();
    await sidebar.getByRole('button', { name: /^Add/ }).click();
    const target = sidebar.locator(`[data-testid=registry][data-host="${smallStore.host}"]`);
    await expect(target).toBeVisible();
    await list.dragTo(target);
    const push = page.getByRole('dialog', { name: /push/i });
    await push.getByRole('textbox', { name: /repository|name/i }).fill(`${smallStore.host}/e2e/multi`);
    await push.getByRole('button', { name: /^Push/ }).click();
    const transfer = page.getByTestId('transfer').filter({ hasText: 'e2e/multi' });
    await expect(transfer).toHaveAttribute('data-state', 'done', { timeout: 60_000 });

    // The push dialog proposed the list's own tag.
    const res = await fetch(`http://${smallStore.host}/v2/e2e/multi/manifests/multi-platform`, { headers: { Accept: OCI_INDEX } });
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    const pushed = (await res.json()) as { manifests: Array<{ digest: string; mediaType: string }> };
    for (const m of pushed.manifests) {
      const child = await fetch(`http://${smallStore.host}/v2/e2e/multi/manifests/${m.digest}`, {
        method: 'HEAD',
        headers: { Accept: m.mediaType },
      });
      expect(child.status, m.digest).toBe(200);
    }
  });
});
