/**
 * Disk usage and the Layer tree on a small real store (e2e/small-store.ts), at a small laptop's
 * window (1024×700) and a large one (1440×900): no text cut without an ellipsis and a title; the
 * usage list tells long repository names apart by their ends; a row right-clicked in Images is not
 * a cleanup selection in Disk usage; layers read by their build step; the tree fills the view,
 * labels layers by size and words the dangling image as Images does. Screenshots of both views at
 * both sizes go under e2e/screenshots/.
 */
import type { Locator, Page } from '@playwright/test';
import { screenshot } from './fixtures.ts';
import { clippedTexts } from './overflow.ts';
import { expect, test } from './small-store.ts';

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
];

/** SVG text (which the clipped-text check does not see) that runs past the box it is drawn in. */
async function svgTextOutside(texts: Locator, box: Locator): Promise<string[]> {
  const b = await box.boundingBox();
  if (!b) return ['no box'];
  const out: string[] = [];
  for (const t of await texts.all()) {
    const r = await t.boundingBox();
    if (!r) continue;
    if (r.x < b.x - 1 || r.x + r.width > b.x + b.width + 1)
      out.push(`${await t.textContent()} (${Math.round(r.x)}–${Math.round(r.x + r.width)})`);
  }
  return out;
}

/**
 * expectNoClippedText, less screen-reader-only text (`.visually-hidden`, a 1px box by design), which
 * the check in e2e/overflow.ts counts as cut.
 */
async function expectNoClippedText(scope: Locator): Promise<void> {
  const found = (await clippedTexts(scope)).filter((c) => !c.where.includes('.visually-hidden'));
  expect(found, 'text cut without an ellipsis and a title').toEqual([]);
}

async function openView(page: Page, view: 'images' | 'usage' | 'tree'): Promise<void> {
  await page.getByTestId(`tab-${view}`).click();
  await expect(page.getByTestId(`tab-${view}`)).toHaveAttribute('aria-selected', 'true');
}

for (const size of SIZES) {
  const at = `${size.width}x${size.height}`;

  test(`disk usage at ${at}: names told apart, its own cleanup selection, layers by build step`, async ({ smallApp, smallStore }) => {
    const { page } = smallApp;
    await page.setViewportSize(size);
    // A row right-clicked in Images is selected there; it is not something to remove in Disk usage.
    const helloRow = page.getByTestId('image-row').filter({ hasText: smallStore.repositories[1]! }).first();
    await helloRow.click({ button: 'right' });
    await expect(page.locator('[data-testid=image-row][aria-selected=true]')).toHaveCount(1);
    await page.keyboard.press('Escape');

    await openView(page, 'usage');
    const view = page.getByTestId('usage-map');
    await expect(view.getByRole('group', { name: /Disk usage map/ })).toBeVisible();
    const cleanup = view.getByLabel('Cleanup selection');
    await expect(cleanup).toContainText('0 images selected');
    await expect(view.getByRole('button', { name: 'Remove selected…' })).toBeDisabled();
    await screenshot(page, `usage-${at}`);

    // Every name in the list fits its box as drawn, and the names' ends (repository and tag) tell them apart.
    const names = view.locator('.usage-list-text');
    await expect(names).toHaveCount(5);
    const shown: string[] = [];
    for (const n of await names.all()) {
      const { text, title, fits } = await n.evaluate((e) => ({
        text: e.textContent ?? '',
        title: e.getAttribute('title') ?? '',
        fits: e.scrollWidth <= e.clientWidth + 1,
      }));
      expect(fits, `${text} fits its box`).toBe(true);
      // The dangling build is stored by its digest; every other name is a reference on the registry.
      expect(title.startsWith(smallStore.host) || title === smallStore.danglingDigest, `${title} is the full name`).toBe(true);
      const end = text.slice(text.lastIndexOf('…') + 1);
      expect(title.endsWith(end), `${text} keeps the end of ${title}`).toBe(true);
      if (title.startsWith(smallStore.host)) expect(text.endsWith(title.slice(title.lastIndexOf(':'))), `${text} keeps its tag`).toBe(true);
      shown.push(text);
    }
    expect(new Set(shown).size, 'no two names read alike').toBe(shown.length);

    // The shared base layer is labelled by the step that made it, its digest and size on hover.
    const base = view.getByTestId('usage-shared-blob').first();
    await expect(base.locator('title')).toHaveText(/^ADD file:[0-9a-f]{64} in \/\nsha256:[0-9a-f]{64}: /);
    await expect(base.locator('> text')).toHaveText(/^ADD file:/);
    // (The images' own layers, a few hundred bytes beside a megabyte, are too small to draw here.)

    await expectNoClippedText(view);
    expect(await svgTextOutside(view.locator('.usage-cell > text'), view.locator('.usage-svg'))).toEqual([]);

    // Choosing here is this view's own: the table's selection stays what it was.
    await view.getByRole('checkbox', { name: `Select ${smallStore.refs.motd}` }).check();
    await expect(cleanup).toContainText('1 image selected');
    await openView(page, 'images');
    await expect(page.locator('[data-testid=image-row][aria-selected=true]')).toHaveCount(1);
    await expect(page.locator('[data-testid=image-row][aria-selected=true]')).toContainText(smallStore.repositories[1]!.split('/').pop()!);
  });

  test(`layer tree at ${at}: fitted to the view, layers by size and build step, the dangling image worded`, async ({ smallApp }) => {
    const { page } = smallApp;
    await page.setViewportSize(size);
    await openView(page, 'tree');
    const tree = page.getByTestId('layer-tree');
    // base; hello's two builds with two layers each; motd's one: six layers.
    await expect(tree.getByTestId('tree-node')).toHaveCount(6);
    await screenshot(page, `tree-${at}`);

    // Fitted: scaled within bounds and centred in the scroll box, filling it one way.
    const fit = tree.getByTestId('tree-fit');
    await expect(fit).toHaveAttribute('data-scale', /^[\d.]+$/);
    const scale = Number(await fit.getAttribute('data-scale'));
    expect(scale).toBeGreaterThanOrEqual(1);
    expect(scale).toBeLessThanOrEqual(1.6);
    const box = (await tree.locator('.tree-scroll').boundingBox())!;
    const drawn = (await fit.boundingBox())!;
    const left = drawn.x - box.x;
    const right = box.x + box.width - (drawn.x + drawn.width);
    const top = drawn.y - box.y;
    const bottom = box.y + box.height - (drawn.y + drawn.height);
    expect(left).toBeGreaterThanOrEqual(0);
    expect(right).toBeGreaterThanOrEqual(0);
    expect(Math.abs(left - right), 'centred across').toBeLessThan(0.2 * box.width);
    expect(Math.abs(top - bottom), 'centred down').toBeLessThan(0.2 * box.height);
    expect(Math.max(drawn.width / box.width, drawn.height / box.height, scale === 1.6 ? 1 : 0), 'fills the view one way').toBeGreaterThan(
      0.6,
    );

    // Every layer carries its size; hovering one shows the build step that made it.
    await expect(tree.getByTestId('tree-size')).toHaveCount(6);
    for (const s of await tree.getByTestId('tree-size').allTextContents()) expect(s).toMatch(/^\d[\d.]* (B|kB|MB)$/);
    const baseNode = tree.locator('[data-testid=tree-node][data-shared=true]').first();
    await baseNode.locator('.tree-dot').hover();
    await expect(tree.getByTestId('tree-step')).toHaveText(/^ADD file:[0-9a-f]{64} in \/$/);
    await page.mouse.move(0, 0);

    // The dangling build reads as Images words it, not as a digest.
    await expect(tree).toContainText('dangling (was ');
    expect((await tree.locator('.tree-image text').allTextContents()).filter((t) => t.startsWith('sha256:'))).toEqual([]);

    await expectNoClippedText(tree);
    expect(await svgTextOutside(tree.locator('.tree-image text, .tree-size'), tree.locator('.tree-scroll'))).toEqual([]);
  });
}
