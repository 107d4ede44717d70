/**
 * The Images table and the details panel at ordinary window sizes (1024×700 and 1440×900), on the
 * small store's long repository names: no cell's text is cut without an ellipsis and its whole text
 * on hover, no figure (a size, a date) is cut at all, and every column shown is on screen.
 */
import type { Page } from '@playwright/test';
import { screenshot } from './fixtures.ts';
import { clippedTexts } from './overflow.ts';
import { expect, test } from './small-store.ts';

const FIGURES = ['size', 'unique', 'shared', 'created']
  .flatMap((c) => [`td.col-${c}`, `td.col-${c} *`, `th.col-${c}`, `th.col-${c} *`])
  .join(', ');

/** Every column header is inside the table's visible box: none is off to the right with no scrollbar to reach it. */
async function offScreenColumns(page: Page): Promise<string[]> {
  return page.getByTestId('images-table').evaluate((scroller) => {
    const box = scroller.getBoundingClientRect();
    const right = box.left + scroller.clientWidth;
    return [...scroller.querySelectorAll('thead th')]
      .filter((th) => getComputedStyle(th).display !== 'none' && th.getBoundingClientRect().width > 0)
      .filter((th) => th.getBoundingClientRect().right > right + 1)
      .map((th) => th.textContent ?? '');
  });
}

for (const [width, height] of [
  [1024, 700],
  [1440, 900],
] as const) {
  test(`the table and the details at ${width}×${height}: nothing cut without an ellipsis and a title`, async ({ smallApp, smallStore }) => {
    const { page } = smallApp;
    await page.setViewportSize({ width, height });
    const table = page.getByTestId('images-table');
    await expect(page.getByTestId('image-row')).toHaveCount(5);

    expect(await offScreenColumns(page), 'columns off screen').toEqual([]);
    expect(await clippedTexts(table, { neverCut: FIGURES }), 'the table').toEqual([]);
    await screenshot(page, `sizes-table-${width}`);

    // With details open the table has less room; still nothing cut.
    await page.locator(`[data-testid=image-row][data-name="${smallStore.refs.hello}"]`).dblclick();
    const details = page.getByTestId('image-details');
    await expect(details.getByTestId('layers')).toBeVisible();
    expect(await offScreenColumns(page), 'columns off screen, details open').toEqual([]);
    expect(await clippedTexts(table, { neverCut: FIGURES }), 'the table, details open').toEqual([]);
    expect(await clippedTexts(details, { neverCut: 'td.num, td.num *, th.num' }), 'the details').toEqual([]);
    // The build step as docker history shows it, the recorded command on hover.
    const createdBy = details.getByTestId('layers').locator('td.created-by');
    await expect(createdBy.nth(1)).toHaveText('COPY hello-service /usr/local/bin/hello-service');
    await expect(createdBy.nth(0)).toContainText(/^ADD file:[0-9a-f]+ in \/$/);
    await expect(createdBy.nth(0).locator('[title]').first()).toHaveAttribute('title', /Recorded as: \/bin\/sh -c #\(nop\) ADD file:/);
    await screenshot(page, `sizes-details-${width}`);

    // The prune dialog's reasons name the long repository: they wrap, nothing runs off its edge.
    await page.getByTestId('prune-button').click();
    const dialog = page.getByTestId('prune-dialog');
    await expect(dialog.getByTestId('prune-item').first()).toBeVisible();
    await expect(dialog).toContainText(smallStore.repositories[1]!.split('/').at(-1)!);
    expect(await clippedTexts(dialog), 'the prune dialog').toEqual([]);
    await screenshot(page, `sizes-prune-${width}`);
  });
}
