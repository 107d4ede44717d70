import { act, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, expect, test, vi } from 'vitest';

import type { ImageLayers, LayerFileChange } from '../../../src-shared/ipc/contract.ts';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { createQueryClient, fakeEvents, renderWithData } from '../../data/testing.tsx';
import { FilesTab, MAX_ENTRIES } from './FilesTab.tsx';
import { directorySizes, stackedFiles } from './stacked.ts';

const entry = (path: string, size: number): NonNullable<LayerFileChange['entry']> => ({
  path,
  type: 'file',
  mode: 0o644,
  uid: 0,
  gid: 0,
  size,
  linkTarget: null,
  hash: null,
});
const change = (path: string, status: LayerFileChange['status'], size: number): LayerFileChange => ({
  path,
  status,
  size,
  entry: status === 'removed' ? null : entry(path, size),
});
const count = (n: number, bytes: number) => ({ count: n, bytes });

function report(extraTop: LayerFileChange[] = []): ImageLayers {
  return {
    image: 'example.com/app:1',
    manifest: 'sha256:m',
    platform: 'linux/amd64',
    layers: [
      {
        digest: 'sha256:base',
        size: 500,
        contentBytes: 400,
        createdBy: 'ADD rootfs.tar /',
        added: count(2, 400),
        modified: count(0, 0),
        removed: count(0, 0),
        files: [change('/etc/conf', 'added', 100), change('/tmp/cache', 'added', 300)],
      },
      {
        digest: 'sha256:top',
        size: 200,
        contentBytes: 125,
        createdBy: '/bin/sh -c apt-get install -y curl',
        added: count(1, 5),
        modified: count(1, 120),
        removed: count(1, 300),
        files: [
          change('/etc/conf', 'modified', 120),
          change('/usr/bin/curl', 'added', 5),
          change('/etc/same', 'unchanged', 7),
          change('/tmp/cache', 'removed', 300),
          ...extraTop,
        ],
      },
    ],
    efficiency: {
      score: 0.4567,
      wastedBytes: 400,
      userWastedPercent: 0.32,
      userBytes: 125,
      inefficiencies: [
        { path: '/tmp/cache', cumulativeSize: 300, count: 2, layers: [] },
        { path: '/etc/conf', cumulativeSize: 220, count: 2, layers: [] },
      ],
    },
  };
}

const events = fakeEvents();
const mockApi = { imageLayers: vi.fn(), cancelAnalysis: vi.fn(async () => ({ cancelled: true })), on: events.on };
const render = () => renderWithData(<FilesTab name="example.com/app:1" platform={null} />, { api: mockApi, client: createQueryClient() });
const paths = () =>
  within(screen.getByTestId('files-entries'))
    .getAllByRole('row')
    .slice(1)
    .map((r) => r.textContent);

beforeEach(() => {
  mockApi.imageLayers.mockReset();
  mockApi.cancelAnalysis.mockClear();
});

test("shows the efficiency, the layers, the top layer's changes with their statuses as text, and the worst paths", async () => {
  mockApi.imageLayers.mockResolvedValue(report());
  render();
  expect(screen.getByRole('status').textContent).toMatch(/Analysing layers/);
  await screen.findByTestId('files-tab');
  expect(mockApi.imageLayers).toHaveBeenCalledWith({ ref: 'example.com/app:1', requestId: expect.any(String) });
  expect(screen.getByTestId('files-score').textContent).toBe('45.7 %');
  expect(screen.getByTestId('files-wasted').textContent).toBe('400 B');
  expect(screen.getByTestId('files-user-wasted').textContent).toBe('32.0 %');

  expect(screen.getByRole('button', { name: 'Layer 2' }).getAttribute('aria-pressed')).toBe('true');
  expect(screen.getByRole('button', { name: 'Layer 1' }).textContent).toContain('ADD rootfs.tar /');
  // Layer-only: the unchanged rewrite is counted, not listed; each status is a word and a class.
  expect(paths()).toEqual(['modified/etc/conf120 B', 'added/usr/bin/curl5 B', 'removed/tmp/cache300 B']);
  const badge = within(screen.getByTestId('files-entries')).getByText('removed');
  expect(badge.className).toBe('badge change removed');
  expect(screen.getByText(/1 rewritten unchanged/)).toBeTruthy();

  const worst = within(screen.getByTestId('files-worst')).getAllByRole('row').slice(1);
  expect(worst.map((r) => r.textContent)).toEqual(['/tmp/cache300 B2', '/etc/conf220 B2']);
});

test('choosing a layer shows its entries; the path filter and "only wasted" narrow them', async () => {
  mockApi.imageLayers.mockResolvedValue(report());
  render();
  await userEvent.click(await screen.findByRole('button', { name: 'Layer 1' }));
  expect(screen.getByRole('button', { name: 'Layer 1' }).getAttribute('aria-pressed')).toBe('true');
  expect(paths()).toEqual(['added/etc/conf100 B', 'added/tmp/cache300 B']);

  await userEvent.click(screen.getByRole('button', { name: 'Layer 2' }));
  await userEvent.click(screen.getByRole('checkbox', { name: 'Only wasted' }));
  expect(paths()).toEqual(['modified/etc/conf120 B', 'removed/tmp/cache300 B']);
  await userEvent.type(screen.getByLabelText('Filter paths'), 'TMP');
  expect(paths()).toEqual(['removed/tmp/cache300 B']);
  await userEvent.type(screen.getByLabelText('Filter paths'), '/nothing');
  expect(screen.getByTestId('files-none').textContent).toBe('No path matches.');
});

test('a layer with more entries than the cap renders the cap and says how many more', async () => {
  const many = Array.from({ length: MAX_ENTRIES + 20 }, (_, i) => change(`/many/f${String(i).padStart(4, '0')}`, 'added', 1));
  mockApi.imageLayers.mockResolvedValue(report(many));
  render();
  await screen.findByTestId('files-tab');
  expect(paths()).toHaveLength(MAX_ENTRIES);
  expect(screen.getByTestId('files-more').textContent).toBe('23 more — filter to narrow');
  await userEvent.type(screen.getByLabelText('Filter paths'), 'f031');
  expect(paths()).toEqual(Array.from({ length: 10 }, (_, i) => `added/many/f031${i}1 B`));
  expect(screen.queryByTestId('files-more')).toBeNull();
});

test('a failed analysis shows its message in place, and Retry asks again', async () => {
  mockApi.imageLayers.mockRejectedValueOnce(new DeckhandError('ENOT_FOUND', 'No image example.com/app:1 in the store.'));
  render();
  const alert = await screen.findByTestId('files-error');
  expect(alert.textContent).toContain('No image example.com/app:1 in the store.');
  mockApi.imageLayers.mockResolvedValue(report());
  await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
  await screen.findByTestId('files-tab');
  expect(mockApi.imageLayers).toHaveBeenCalledTimes(2);
});

test('while analysing: which layer is read, from the cache or the blob; Cancel stops it and offers to analyse again', async () => {
  let resolve!: (r: ImageLayers) => void;
  mockApi.imageLayers.mockImplementationOnce(() => new Promise<ImageLayers>((r) => (resolve = r)));
  render();
  await vi.waitFor(() => expect(mockApi.imageLayers).toHaveBeenCalledTimes(1));
  const { requestId } = mockApi.imageLayers.mock.calls[0]![0] as { requestId: string };
  // Another request's progress is not this tab's.
  act(() => events.emit('layersProgress', { requestId: crypto.randomUUID(), ref: 'x', index: 4, layers: 9, cached: false }));
  expect(screen.getByTestId('files-progress').textContent).toMatch(/Analysing layers…/);
  act(() => events.emit('layersProgress', { requestId, ref: 'example.com/app:1', index: 0, layers: 2, cached: true }));
  expect(screen.getByTestId('files-progress').textContent).toMatch(/layer 1 of 2, from the cache/);
  act(() => events.emit('layersProgress', { requestId, ref: 'example.com/app:1', index: 1, layers: 2, cached: false }));
  expect(screen.getByTestId('files-progress').textContent).toMatch(/layer 2 of 2, reading the blob…/);
  act(() =>
    events.emit('layersProgress', {
      requestId,
      ref: 'example.com/app:1',
      index: 1,
      layers: 2,
      cached: false,
      bytesDone: 3_500_000,
      bytesTotal: 10_000_000,
    }),
  );
  expect(screen.getByTestId('files-progress').textContent).toMatch(/layer 2 of 2, reading the blob \(3\.5 MB of 10 MB read\)/);

  await userEvent.click(within(screen.getByTestId('files-progress')).getByRole('button', { name: 'Cancel' }));
  await vi.waitFor(() => expect(mockApi.cancelAnalysis).toHaveBeenCalledWith({ requestId }));
  expect(screen.getByTestId('files-cancelled').textContent).toMatch(/Cancelled/);
  // The answer of the cancelled request, should it still come, is not shown.
  resolve(report());
  expect(screen.queryByTestId('files-tab')).toBeNull();

  mockApi.imageLayers.mockResolvedValue(report());
  await userEvent.click(screen.getByRole('button', { name: 'Analyse again' }));
  await screen.findByTestId('files-tab');
  expect(mockApi.imageLayers).toHaveBeenCalledTimes(2);
  expect((mockApi.imageLayers.mock.calls[1]![0] as { requestId: string }).requestId).not.toBe(requestId);
});

test('leaving the tab while it analyses tells the host to stop', async () => {
  mockApi.imageLayers.mockImplementationOnce(() => new Promise(() => {}));
  const { unmount } = render();
  await vi.waitFor(() => expect(mockApi.imageLayers).toHaveBeenCalledTimes(1));
  const { requestId } = mockApi.imageLayers.mock.calls[0]![0] as { requestId: string };
  unmount();
  await vi.waitFor(() => expect(mockApi.cancelAnalysis).toHaveBeenCalledWith({ requestId }));
});

test('stacked: the file system as of the chosen layer, its own changes marked, earlier entries with their layer', async () => {
  mockApi.imageLayers.mockResolvedValue(report());
  render();
  await screen.findByTestId('files-tab');
  await userEvent.click(screen.getByRole('button', { name: 'Stacked' }));
  expect(screen.getByRole('button', { name: 'Stacked' }).getAttribute('aria-pressed')).toBe('true');
  // /tmp/cache was removed by layer 2: gone; /etc/same rewritten unchanged by it.
  expect(paths()).toEqual(['modified/etc/conf120 B', 'unchanged/etc/same7 B', 'added/usr/bin/curl5 B']);
  await userEvent.click(screen.getByRole('button', { name: 'Layer 1' }));
  expect(paths()).toEqual(['added/etc/conf100 B', 'added/tmp/cache300 B']);
  expect(screen.getByTestId('files-entries').dataset.mode).toBe('stacked');
});

test('stackedFiles: removals of a directory take what is under it; a later layer writes the path again', () => {
  const r = report();
  r.layers.push({
    digest: 'sha256:third',
    size: 10,
    contentBytes: 10,
    createdBy: 'RUN rm -rf /etc && echo > /tmp/cache',
    added: count(1, 9),
    modified: count(0, 0),
    removed: count(1, 127),
    files: [change('/etc', 'removed', 127), change('/tmp/cache', 'added', 9)],
  });
  expect(stackedFiles(r, 2).map((e) => [e.path, e.layer, e.status])).toEqual([
    ['/tmp/cache', 2, 'added'],
    ['/usr/bin/curl', 1, 'added'],
  ]);
  expect(stackedFiles(r, 0).map((e) => e.path)).toEqual(['/etc/conf', '/tmp/cache']);
});

test('directorySizes: a directory holds the bytes of the files listed under it at any depth; removals and links add nothing', () => {
  const dir = (path: string) => ({ path, size: 0, entry: { ...entry(path, 0), type: 'dir' as const }, status: 'added' });
  const rows = [
    dir('/usr'),
    dir('/usr/lib'),
    { path: '/usr/lib/a.so', size: 1000, entry: entry('/usr/lib/a.so', 1000), status: 'added' },
    { path: '/usr/lib/b.so', size: 24, entry: entry('/usr/lib/b.so', 24), status: 'modified' },
    { path: '/usr/bin', size: 0, entry: { ...entry('/usr/bin', 0), type: 'symlink' as const, linkTarget: 'lib' }, status: 'added' },
    { path: '/usr/old', size: 500, entry: null, status: 'removed' },
    dir('/tmp'),
    { path: '/top', size: 9, entry: entry('/top', 9), status: 'added' },
  ];
  expect(Object.fromEntries(directorySizes(rows))).toEqual({ '/usr': 1024, '/usr/lib': 1024, '/tmp': 0 });
});

test('a directory row shows the bytes under it in the view', async () => {
  const withDir = report([
    { path: '/usr', status: 'added', size: 0, entry: { ...entry('/usr', 0), type: 'dir' } },
    { path: '/usr/bin', status: 'added', size: 0, entry: { ...entry('/usr/bin', 0), type: 'dir' } },
  ]);
  mockApi.imageLayers.mockResolvedValue(withDir);
  render();
  await screen.findByTestId('files-tab');
  expect(paths()).toContain('added/usr/5 B');
  expect(paths()).toContain('added/usr/bin/5 B');
});
