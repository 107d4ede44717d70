import { fireEvent, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, expect, test, vi } from 'vitest';

import type { ReactElement } from 'react';
import type { LayerNode } from '../../../src-shared/ipc/contract.ts';
import { keys, STORE } from '../../data/keys.ts';
import { createQueryClient, renderWithData } from '../../data/testing.tsx';
import { useDeckhand } from '../../store/index.ts';
import { image } from '../images/fixtures.ts';
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
    .find((n) => n.querySelector('.tree-image text')?.textContent === 'app:1')!;
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

test('each layer is labelled by its size, and hovering it shows the build step that made it', () => {
  const forest = sampleForest();
  forest.children[0]!.createdBy = '/bin/sh -c #(nop) ADD file:0a1b2c in / ';
  forest.children[1]!.createdBy = 'RUN /bin/sh -c apk add --no-cache curl # buildkit';
  loaded(forest);
  render(<LayerTreeView />);
  const node = (id: string) => screen.getAllByTestId('tree-node').find((n) => n.getAttribute('data-id') === id)!;
  expect(node('a1').querySelector('[data-testid=tree-size]')?.textContent).toBe('100 B');
  expect(node('b1').querySelector('[data-testid=tree-size]')?.textContent).toBe('200 B');
  expect(screen.getAllByTestId('tree-size')).toHaveLength(7);
  fireEvent.mouseEnter(node('b1'));
  const tip = screen.getByRole('tooltip');
  expect(screen.getByTestId('tree-step').textContent).toBe('RUN apk add --no-cache curl');
  expect(tip.textContent).toContain(forest.children[1]!.digest);
  expect(tip.textContent).toContain('200 B (200 bytes) compressed');
  expect(node('b1').getAttribute('aria-label')).toContain('RUN apk add --no-cache curl');
  fireEvent.mouseLeave(node('b1'));
  fireEvent.mouseEnter(node('a1'));
  expect(screen.getByTestId('tree-step').textContent).toBe('ADD file:0a1b2c in /');
});

test('a dangling image reads as the Images view words it, not as its digest', () => {
  const digestName = `sha256:77803b1270${'0'.repeat(54)}`;
  loaded(layer('root', 0, [layer('base', 100, [layer('old', 10, [], [digestName])]), layer('x', 5, [], ['hello:2.0'])]));
  client.setQueryData(keys.images(STORE), [
    image({ name: digestName, dangling: true, previousRef: 'docker.io/library/hello:1.0', repository: null, tag: null }),
    image({ name: 'hello:2.0' }),
  ]);
  render(<LayerTreeView />);
  const tree = screen.getByTestId('layer-tree');
  expect(tree.textContent).toContain('dangling (was hello:1.0)');
  expect(tree.textContent).not.toContain('sha256:77803b1270');
  expect(tree.textContent).toContain('hello:2.0');
  // A click still selects the stored name.
  fireEvent.click(screen.getAllByTestId('tree-node').find((n) => n.getAttribute('data-id') === 'old')!);
  expect(useDeckhand.getState().selection).toEqual([digestName]);
});

test('a small store is fitted to the view: scaled up (within bounds) and centred', () => {
  loaded(sampleForest());
  render(<LayerTreeView />);
  const fit = screen.getByTestId('tree-fit');
  const scale = Number(fit.getAttribute('data-scale'));
  expect(scale).toBeGreaterThan(1);
  expect(scale).toBeLessThanOrEqual(1.6);
  const [, x, y] = /translate\(([\d.]+),([\d.]+)\)/.exec(fit.getAttribute('transform')!)!.map(Number);
  expect(x).toBeGreaterThanOrEqual(0);
  expect(y).toBeGreaterThan(0);
});
