import { fireEvent, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, expect, test, vi } from 'vitest';

import type { ReactElement } from 'react';
import type { LayerNode } from '../../../src-shared/ipc/contract.ts';
import { keys, STORE } from '../../data/keys.ts';
import { createQueryClient, renderWithData } from '../../data/testing.tsx';
import { useDeckhand } from '../../store/index.ts';
import { layer, sampleForest } from './fixtures.ts';
import { LayerTreeView } from './LayerTreeView.tsx';

const mockApi = { layerForest: vi.fn() };
let client = createQueryClient();
const render = (ui: ReactElement) => renderWithData(ui, { api: mockApi, client });
/** The forest as already loaded (null: not yet, so the view loads it). */
const loaded = (forest: LayerNode | null) => {
  client = createQueryClient();
  if (forest) client.setQueryData(keys.tree(STORE), forest);
};

beforeEach(() => {
  mockApi.layerForest.mockReset();
  loaded(null);
  useDeckhand.setState({ selection: [], view: 'tree', notices: [] });
});

test('loads the forest when stale, draws every layer, and a click selects the images on it', async () => {
  mockApi.layerForest.mockResolvedValue(sampleForest());
  render(<LayerTreeView />);
  const tree = screen.getByTestId('layer-tree');
  await within(tree).findAllByTestId('tree-node');
  expect(mockApi.layerForest).toHaveBeenCalledTimes(1);
  expect(within(tree).getAllByTestId('tree-node')).toHaveLength(7);
  expect(tree.textContent).toContain('app:1');
  // The base image's top layer has layers on it: its images get leaves of their own.
  expect(
    within(tree)
      .getAllByTestId('tree-image')
      .map((n) => n.textContent),
  ).toEqual(['base:1', 'base:copy']);

  const app = within(tree)
    .getAllByTestId('tree-node')
    .find((n) => n.textContent === 'app:1')!;
  expect(app.getAttribute('data-shared')).toBe('false');
  await userEvent.click(app);
  const s = useDeckhand.getState();
  expect(s.selection).toEqual(['app:1']);
  expect(s.view).toBe('images');
  expect(s.notices.at(-1)?.text).toBe('Selected 1 image built on this layer');
});

test('Enter on a shared layer selects every image built on it', async () => {
  loaded(sampleForest());
  render(<LayerTreeView />);
  const base = screen.getAllByTestId('tree-node').find((n) => n.getAttribute('data-id') === 'a1')!;
  expect(base.getAttribute('data-shared')).toBe('true');
  expect(base.getAttribute('aria-label')).toMatch(/shared by 4 images/);
  fireEvent.focus(base);
  expect(screen.getByRole('tooltip').textContent).toContain('RUN make a1');
  fireEvent.keyDown(base, { key: 'Enter' });
  expect(useDeckhand.getState().selection).toEqual(['app:1', 'base:1', 'base:copy', 'other:1']);
  expect(useDeckhand.getState().notices.at(-1)?.text).toBe('Selected 4 images built on this layer');
  expect(mockApi.layerForest).not.toHaveBeenCalled();
});

test('an empty store explains itself; a failed load offers another try', async () => {
  loaded(layer('root', 0));
  const { unmount } = render(<LayerTreeView />);
  expect(screen.getByTestId('tree-empty').textContent).toContain('No layers yet');
  unmount();
  mockApi.layerForest.mockRejectedValueOnce(new Error('store is locked')).mockResolvedValueOnce(sampleForest());
  loaded(null);
  render(<LayerTreeView />);
  expect((await screen.findByRole('alert')).textContent).toContain('store is locked');
  await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
  expect(await screen.findAllByTestId('tree-node')).toHaveLength(7);
});

test('a store too tall for the view draws the rows near the viewport, and follows the scroll', () => {
  const base = layer('base', 1000);
  // Sizes fall with i, so rows come in order of i.
  for (let i = 0; i < 500; i++) base.children.push(layer(`top${i}`, 1000 - i, [], [`img:${String(i).padStart(3, '0')}`]));
  loaded(layer('root', 0, [base]));
  render(<LayerTreeView />);
  const tree = screen.getByTestId('layer-tree');
  // The summary counts the whole store.
  expect(screen.getByTestId('tree-summary').textContent).toContain('501 layers · 500 images');
  const drawn = () =>
    within(tree)
      .getAllByTestId('tree-node')
      .map((n) => n.getAttribute('data-id'));
  const first = drawn();
  expect(first.length).toBeGreaterThan(20);
  expect(first.length).toBeLessThan(100);
  expect(tree.textContent).toContain('img:000');
  expect(tree.textContent).not.toContain('img:400');

  const scroller = tree.querySelector<HTMLElement>('.tree-scroll')!;
  scroller.scrollTop = 400 * 22;
  fireEvent.scroll(scroller);
  expect(tree.textContent).toContain('img:400');
  expect(tree.textContent).not.toContain('img:000');
  expect(drawn().length).toBeLessThan(100);
});
