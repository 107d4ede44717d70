import { fireEvent, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, expect, test, vi } from 'vitest';

import type { ReactElement } from 'react';
import type { DiskUsage } from '../../../src-shared/ipc/contract.ts';
import { analysisKeys } from '../../data/analyses.ts';
import { keys, STORE } from '../../data/keys.ts';
import { image } from '../images/fixtures.ts';
import { createQueryClient, renderWithData } from '../../data/testing.tsx';
import { useDeckhand } from '../../store/index.ts';
import { digest, sampleUsage } from './fixtures.ts';
import { UsageView } from './UsageView.tsx';

const mockApi = { diskUsage: vi.fn() };
let client = createQueryClient();
const render = (ui: ReactElement) => renderWithData(ui, { api: mockApi, client });
/** df as already loaded (null: not yet, so the view loads it). */
const loaded = (usage: DiskUsage | null) => {
  client = createQueryClient();
  if (usage) client.setQueryData(keys.diskUsage(STORE), usage);
};

const A1 = 'example.com/a:1';
const A2 = 'example.com/a:2';
const DANGLING = `example.com/b@sha256:${'f'.repeat(64)}`;
const figure = () => screen.getByTestId('selection-reclaimable');
const cell = (name: string) => screen.getAllByTestId('usage-cell').find((c) => c.getAttribute('data-name') === name)!;

beforeEach(() => {
  mockApi.diskUsage.mockReset();
  loaded(null);
  useDeckhand.setState({ selection: [], cleanup: [], dialog: null });
});

test('loads when stale and shows the store totals and the map', async () => {
  mockApi.diskUsage.mockResolvedValue(sampleUsage());
  render(<UsageView />);
  const map = await screen.findByRole('group', { name: /Disk usage map/ });
  expect(mockApi.diskUsage).toHaveBeenCalledTimes(1);
  expect(screen.getByTestId('usage-reclaimable').getAttribute('data-bytes')).toBe('13');
  expect(screen.getByTestId('usage-shared').getAttribute('data-bytes')).toBe('1070');
  expect(
    within(map)
      .getAllByTestId('usage-cell')
      .map((c) => c.getAttribute('data-name')),
  ).toEqual(expect.arrayContaining(['example.com/a', 'example.com/b', A1, A2, 'example.com/b:1']));
  // The dangling image owns 3 bytes: too small to draw beside kilobytes, it is in the list beside the map.
  expect(screen.getByRole('checkbox', { name: `Select ${DANGLING}` })).toBeTruthy();
  expect(within(map).getAllByTestId('usage-shared-blob')).toHaveLength(2);
});

test('clicking images and repositories toggles the cleanup selection, with the exact saving', async () => {
  loaded(sampleUsage());
  render(<UsageView />);
  expect(figure().getAttribute('data-bytes')).toBe('0');
  await userEvent.click(cell(A1));
  expect(useDeckhand.getState().cleanup).toEqual([A1]);
  expect(figure().getAttribute('data-bytes')).toBe('303');
  expect(cell(A1).getAttribute('aria-pressed')).toBe('true');
  // The repository toggles both its images on; base is still needed by b:1.
  await userEvent.click(cell('example.com/a'));
  expect(useDeckhand.getState().cleanup).toEqual([A1, A2]);
  expect(figure().getAttribute('data-bytes')).toBe('456');
  fireEvent.keyDown(cell('example.com/b:1'), { key: 'Enter' });
  expect(figure().getAttribute('data-bytes')).toBe(String(456 + 503 + 1000));
  expect(screen.getByLabelText('Cleanup selection').textContent).toContain('3 images selected');
  expect(screen.getByLabelText('Cleanup selection').textContent).toContain('Includes 1 shared blob (1 kB)');
  await userEvent.click(cell('example.com/a'));
  expect(useDeckhand.getState().cleanup).toEqual(['example.com/b:1']);

  await userEvent.click(screen.getByRole('button', { name: 'Select dangling (1)' }));
  expect(useDeckhand.getState().cleanup).toEqual(['example.com/b:1', DANGLING]);
  expect(figure().getAttribute('data-bytes')).toBe(String(503 + 3 + 70));
  await userEvent.click(screen.getByRole('button', { name: 'Remove selected…' }));
  expect(useDeckhand.getState().dialog).toEqual({ kind: 'remove', refs: ['example.com/b:1', DANGLING] });
  await userEvent.click(screen.getByRole('button', { name: 'Clear selection' }));
  expect(useDeckhand.getState().cleanup).toEqual([]);
  expect((screen.getByRole('button', { name: 'Remove selected…' }) as HTMLButtonElement).disabled).toBe(true);
});

test('the image list toggles too, including images with no bytes of their own', async () => {
  const usage = sampleUsage();
  usage.images.push({ ...usage.images[0]!, name: 'example.com/a:also', tag: 'also' });
  loaded(usage);
  render(<UsageView />);
  await userEvent.click(screen.getByRole('checkbox', { name: 'Select example.com/a:also' }));
  expect(figure().getAttribute('data-bytes')).toBe('0');
  await userEvent.click(screen.getByRole('checkbox', { name: `Select ${A1}` }));
  expect(figure().getAttribute('data-bytes')).toBe('303');
});

test('an empty store and a failed load', async () => {
  loaded({ ...sampleUsage(), images: [], blobDigests: [], blobSizes: [] });
  const { unmount } = render(<UsageView />);
  expect(screen.getByTestId('usage-empty').textContent).toContain('No images in the store');
  unmount();
  mockApi.diskUsage.mockRejectedValue(new Error('permission denied'));
  loaded(null);
  render(<UsageView />);
  expect((await screen.findByRole('alert')).textContent).toContain('permission denied');
});

test('the image list beside the map holds the rows in sight, and follows its scroll', () => {
  const usage = sampleUsage();
  const one = usage.images[0]!;
  usage.images = Array.from({ length: 400 }, (_, i) => ({
    ...one,
    name: `example.com/many:${String(i).padStart(3, '0')}`,
    tag: String(i),
  }));
  loaded(usage);
  render(<UsageView />);
  const boxes = () => screen.getAllByRole('checkbox', { name: /^Select example.com\/many:/ });
  expect(boxes().length).toBeGreaterThan(20);
  expect(boxes().length).toBeLessThan(120);
  expect(screen.getByRole('checkbox', { name: 'Select example.com/many:000' })).toBeTruthy();
  expect(screen.queryByRole('checkbox', { name: 'Select example.com/many:350' })).toBeNull();

  const list = document.querySelector<HTMLElement>('.usage-list')!;
  list.scrollTop = 350 * 21;
  fireEvent.scroll(list);
  expect(screen.getByRole('checkbox', { name: 'Select example.com/many:350' })).toBeTruthy();
  expect(screen.getByRole('checkbox', { name: 'Select example.com/many:370' })).toBeTruthy();
  expect(screen.queryByRole('checkbox', { name: 'Select example.com/many:000' })).toBeNull();
  // The rows not drawn keep their place: the spacers hold the list's full height.
  const spacers = [...list.querySelectorAll<HTMLElement>('tr[aria-hidden="true"]')];
  const drawn = list.querySelectorAll('tr[data-row]').length;
  expect(spacers.reduce((s, tr) => s + parseFloat(tr.style.height), 0) + drawn * 21).toBe(400 * 21);
});

test('what is selected in Images (a row clicked or right-clicked there) is not a cleanup selection here', async () => {
  loaded(sampleUsage());
  useDeckhand.setState({ selection: [A1, 'example.com/b:1'] });
  render(<UsageView />);
  expect(figure().getAttribute('data-bytes')).toBe('0');
  expect(screen.getByLabelText('Cleanup selection').textContent).toContain('0 images selected');
  expect((screen.getByRole('button', { name: 'Remove selected…' }) as HTMLButtonElement).disabled).toBe(true);
  expect(cell(A1).getAttribute('aria-pressed')).toBe('false');
  expect((screen.getByRole('checkbox', { name: `Select ${A1}` }) as HTMLInputElement).checked).toBe(false);
  // Choosing here does not change the table's selection either.
  await userEvent.click(cell(A2));
  expect(useDeckhand.getState().cleanup).toEqual([A2]);
  expect(useDeckhand.getState().selection).toEqual([A1, 'example.com/b:1']);
  await userEvent.click(screen.getByRole('button', { name: 'Remove selected…' }));
  expect(useDeckhand.getState().dialog).toEqual({ kind: 'remove', refs: [A2] });
});

test('a removed image leaves the cleanup selection', () => {
  const usage = sampleUsage();
  loaded({ ...usage, images: usage.images.filter((i) => i.name !== A1) });
  useDeckhand.setState({ cleanup: [A1, A2] });
  render(<UsageView />);
  expect(useDeckhand.getState().cleanup).toEqual([A2]);
});

test('the image list cuts long names in the middle, keeping the repository and tag apart, the full name on hover', () => {
  const usage = sampleUsage();
  const one = usage.images[0]!;
  const names = ['127.0.0.1:56067/demo/frontend:1.0', '127.0.0.1:56067/demo/backend:1.0'];
  usage.images = names.map((name) => ({ ...one, name, repository: name.replace(/:1\.0$/, ''), tag: '1.0' }));
  loaded(usage);
  render(<UsageView />);
  const cells = [...document.querySelectorAll<HTMLElement>('.usage-list-name')];
  expect(cells.map((c) => c.querySelector<HTMLElement>('.usage-list-text')!.title).sort()).toEqual([...names].sort());
  for (const cellEl of cells) {
    const c = cellEl.querySelector<HTMLElement>('.usage-list-text')!;
    const text = c.textContent!;
    expect(text).toContain('…');
    expect(text.length).toBeLessThan(c.title.length);
    expect(c.title.endsWith(text.slice(text.indexOf('…') + 1))).toBe(true);
    expect(text.startsWith('127.')).toBe(true);
  }
  const texts = cells.map((c) => c.querySelector('.usage-list-text')!.textContent);
  expect(texts.some((t) => t!.endsWith('/frontend:1.0'))).toBe(true);
  expect(texts.some((t) => t!.endsWith('/backend:1.0'))).toBe(true);
});

test("a layer's cell is labelled by its build step, with the digest and size on hover", () => {
  loaded(sampleUsage());
  render(<UsageView />);
  const layer = screen.getAllByTestId('usage-blob').find((c) => c.getAttribute('data-digest') === digest('la'))!;
  expect(layer.querySelector('text')?.textContent).toMatch(/^RUN apk/);
  const title = layer.querySelector('title')!.textContent!;
  expect(title.split('\n')[0]).toBe('RUN apk add curl');
  expect(title).toContain(digest('la'));
  expect(title).toContain('300 B (300 bytes)');
});

test("an analysed image's wasted bytes are drawn in its cell as a hatched band with its title; the largest cells ask", async () => {
  const usage = sampleUsage();
  loaded(usage);
  const rows = usage.images.map((i) => image({ name: i.name, repository: i.repository, tag: i.tag, digest: i.digest }));
  client.setQueryData(keys.images(STORE), rows);
  const a1 = rows.find((r) => r.name === A1)!;
  // a:1 analysed already (the table's column); the others asked for by the map's largest cells.
  client.setQueryData(analysisKeys.efficiency(STORE, a1.digest, null), {
    image: A1,
    manifest: a1.digest,
    platform: 'linux/amd64',
    score: 0.6,
    wastedBytes: 4_000_000,
    userWastedPercent: 0.5,
    userBytes: 8_000_000,
  });
  const imageEfficiency = vi.fn(() => new Promise(() => {}));
  renderWithData(<UsageView />, { api: { ...mockApi, imageEfficiency, cancelAnalysis: vi.fn(async () => ({ cancelled: true })) }, client });
  const band = await screen.findByTestId('usage-wasted');
  expect(band.getAttribute('data-name')).toBe(A1);
  expect(band.querySelector('title')!.textContent).toMatch(/4 MB wasted \(40\.0 %/);
  expect(band.querySelector('rect')!.getAttribute('fill')).toBe('url(#wasted-hatch)');
  // The band is inside a:1's cell, so a click on it selects a:1.
  expect(cell(A1).contains(band)).toBe(true);
  await vi.waitFor(() => expect(imageEfficiency).toHaveBeenCalled());
  expect(imageEfficiency.mock.calls.map((c) => (c as unknown as [{ ref: string }])[0].ref)).not.toContain(A1);
});
