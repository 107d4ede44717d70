/**
 * The small store fixture and the clipped-text check themselves: the store holds what it promises,
 * and the check tells a cut cell from an ellipsized one with its whole text on hover.
 */
import { clippedTexts } from './overflow.ts';
import { expect, test } from './small-store.ts';

test('the small store holds three repositories, four images and one dangling', async ({ smallApp, smallStore }) => {
  const { page } = smallApp;
  const rows = page.getByTestId('image-row');
  await expect(rows).toHaveCount(5);
  for (const repo of smallStore.repositories) await expect(rows.filter({ hasText: repo }).first()).toBeAttached();
  await expect(page.locator(`[data-testid=group-row][data-repository="${smallStore.repositories[1]}"]`)).toHaveCount(1);
  await expect(page.locator('[data-testid=image-row].dangling')).toHaveCount(1);
});

test('the clipped-text check finds cut text and accepts an ellipsis with a title', async ({ smallApp }) => {
  const { page } = smallApp;
  // Built with the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
  await page.evaluate(() => {
    const long = '127.0.0.1:5000/a/rather/long/repository/name/that/does/not/fit';
    const clip = { overflow: 'hidden', whiteSpace: 'nowrap' };
    const make = (tag: string, style: Partial<CSSStyleDeclaration>, text: string, attrs: Record<string, string> = {}) => {
      const e = document.createElement(tag);
      Object.assign(e.style, style);
      e.textContent = text;
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      return e;
    };
    const box = make('div', {}, '', { id: 'clip-probe' });
    const table = make('table', { tableLayout: 'fixed', width: '300px' }, '');
    const tr = document.createElement('tr');
    tr.append(
      make('td', { width: '100px', ...clip }, long),
      make('td', { width: '100px', ...clip, textOverflow: 'ellipsis' }, long),
      make('td', { width: '100px' }, ''),
    );
    tr.lastElementChild!.append(make('span', { display: 'block', ...clip, textOverflow: 'ellipsis' }, long, { title: long }));
    table.append(tr);
    const figure = make('td', { width: '30px' }, '');
    figure.append(
      make('span', { display: 'block', width: '30px', ...clip, textOverflow: 'ellipsis' }, '1.09 MB', {
        class: 'figure',
        title: '1.09 MB',
      }),
    );
    const tr2 = document.createElement('tr');
    tr2.append(figure);
    table.append(tr2);
    box.append(
      table,
      make('span', {}, '127.0.0.1:5000/…/fit', { 'data-truncates': '', title: long }),
      make('span', {}, '127.0.0.1:5000/…/fit', { 'data-truncates': '' }),
    );
    document.body.prepend(box);
  });
  const found = await clippedTexts(page.locator('#clip-probe'), { neverCut: '.figure' });
  expect(found.map((f) => `${f.problem}:${f.text.slice(0, 21)}`)).toEqual([
    'cut:127.0.0.1:5000/a/rath',
    'no-title:127.0.0.1:5000/a/rath',
    'figure:1.09 MB',
    'no-title:127.0.0.1:5000/…/fit',
  ]);
  await page.evaluate(() => document.getElementById('clip-probe')?.remove());
});
