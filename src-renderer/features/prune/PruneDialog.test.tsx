import { act, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, expect, test, vi } from 'vitest';
import type { PlannedPrune, PruneResult } from '../../../src-shared/ipc/contract.ts';

import type { ReactElement } from 'react';
import { keys, STORE } from '../../data/keys.ts';
import { createQueryClient, renderWithData } from '../../data/testing.tsx';
import { useDeckhand } from '../../store/index.ts';
import { planInput, PruneDialog } from './PruneDialog.tsx';
import { sampleUsage } from '../usage/fixtures.ts';

const mockApi = { planPrune: vi.fn(), runPrune: vi.fn(), listImages: vi.fn(), diskUsage: vi.fn() };
let client = createQueryClient();
const render = (ui: ReactElement) => renderWithData(ui, { api: mockApi, client });

const PLAN_ID = '0f8e2a4c-3b1d-4e5f-9a6b-7c8d9e0f1a2b';
const blob = (c: string) => `sha256:${c.repeat(64)}`;

const plan: PlannedPrune = {
  planId: PLAN_ID,
  images: [
    { name: 'example.com/app@sha256:' + 'a'.repeat(64), digest: blob('a'), reason: 'dangling: untagged since example.com/app:1 moved' },
  ],
  blobs: [
    { digest: blob('b'), size: 1_200_000, reason: 'only used by removed images' },
    { digest: blob('c'), size: 34_567, reason: 'unreferenced' },
  ],
  ingests: [{ name: 'ingest-7f3a', size: 1000, reason: 'interrupted download, untouched for 3 hours' }],
  reclaimedBytes: 1_235_567,
  leasedBlobs: 2,
};

const result: PruneResult = {
  removedImages: [plan.images[0]!.name],
  deletedBlobs: 1,
  deletedIngests: 1,
  freedBytes: 1_201_000,
  skipped: [{ item: blob('c'), reason: 'needed again: example.com/new:1 references it' }],
};

beforeEach(() => {
  for (const f of Object.values(mockApi)) f.mockReset();
  mockApi.listImages.mockResolvedValue([]);
  useDeckhand.setState({ dialog: { kind: 'prune' } });
  client = createQueryClient();
  client.setQueryData(keys.diskUsage(STORE), sampleUsage());
});

test('plans on open, lists what goes with reasons and the exact total, then shows what was freed', async () => {
  mockApi.planPrune.mockResolvedValue(plan);
  mockApi.runPrune.mockResolvedValue(result);
  render(<PruneDialog />);
  const dialog = screen.getByTestId('prune-dialog');
  const planned = await within(dialog).findByTestId('prune-planned');
  expect(mockApi.planPrune).toHaveBeenCalledWith({ all: false });
  expect(planned.getAttribute('data-bytes')).toBe('1235567');
  expect(planned.textContent).toBe('1.24 MB');

  const items = within(dialog)
    .getAllByTestId('prune-item')
    .map((li) => li.textContent);
  expect(items).toHaveLength(4);
  expect(items[0]).toContain('dangling: untagged since example.com/app:1 moved');
  expect(items[1]).toContain('bbbbbbbbbbbb');
  expect(items[1]).toContain('1.2 MB');
  expect(items[1]).toContain('only used by removed images');
  expect(items[2]).toContain('34.6 kB');
  expect(items[2]).toContain('unreferenced');
  expect(items[3]).toContain('ingest-7f3a');
  expect(items[3]).toContain('interrupted download');
  // A long reason wraps; its whole text is on hover too.
  const reasons = within(dialog)
    .getAllByTestId('prune-item')
    .map((li) => li.querySelector('.prune-why')?.getAttribute('title'));
  expect(reasons).toEqual([plan.images[0]!.reason, plan.blobs[0]!.reason, plan.blobs[1]!.reason, plan.ingests[0]!.reason]);
  expect(dialog.textContent).toContain('2 blobs are held by transfers still running');

  const prune = within(dialog).getByRole('button', { name: /^Prune/ });
  expect(prune.textContent).toBe('Prune · free 1.24 MB');
  await userEvent.click(prune);
  expect(mockApi.runPrune).toHaveBeenCalledWith({ planId: PLAN_ID });
  const freed = await within(dialog).findByTestId('prune-freed');
  expect(freed.getAttribute('data-bytes')).toBe('1201000');
  expect(freed.textContent).toBe('1.2 MB');
  expect(within(dialog).getByTestId('prune-skip').textContent).toContain('needed again: example.com/new:1 references it');
  expect(dialog.textContent).toContain('Removed 1 image, 1 blob and 1 interrupted download');
  // The dialog stays open with the result; the other figures are marked out of date.
  expect(useDeckhand.getState().dialog).toEqual({ kind: 'prune' });
  await waitFor(() => expect(client.getQueryState(keys.diskUsage(STORE))?.isInvalidated).toBe(true));
  // …and the plan the result is compared with is the one that ran, not a new one.
  expect(mockApi.planPrune).toHaveBeenCalledTimes(1);
  expect(within(dialog).queryByRole('button', { name: /^Prune/ })).toBeNull();
  // The header's × and the footer's Close both close it.
  await userEvent.click(within(dialog).getAllByRole('button', { name: 'Close' }).at(-1)!);
  expect(useDeckhand.getState().dialog).toBeNull();
});

test('options re-plan: all images, older than, keep last, labels', async () => {
  mockApi.planPrune.mockResolvedValue(plan);
  render(<PruneDialog />);
  await screen.findByTestId('prune-planned');
  await userEvent.click(screen.getByRole('radio', { name: /All images/ }));
  await userEvent.type(screen.getByRole('spinbutton', { name: 'Older than' }), '2');
  await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Unit of age' }), 'days');
  await userEvent.type(screen.getByRole('spinbutton', { name: /Keep the newest/ }), '3');
  await userEvent.type(screen.getByRole('textbox', { name: /With labels/ }), 'stage=ci, temp');
  await waitFor(() =>
    expect(mockApi.planPrune).toHaveBeenLastCalledWith({
      all: true,
      olderThanMs: 2 * 86_400_000,
      keepLast: 3,
      labels: [{ key: 'stage', value: 'ci' }, { key: 'temp' }],
    }),
  );
  // Typing waits for a pause: far fewer plans than keystrokes.
  expect(mockApi.planPrune.mock.calls.length).toBeLessThan(6);
});

test('a plan that fails is reported, and Prune stays off; a run that fails is reported', async () => {
  mockApi.planPrune.mockRejectedValueOnce(new Error('store is busy'));
  const { unmount } = render(<PruneDialog />);
  expect((await screen.findByRole('alert')).textContent).toContain('store is busy');
  expect((screen.getByRole('button', { name: /^Prune/ }) as HTMLButtonElement).disabled).toBe(true);
  unmount();

  mockApi.planPrune.mockResolvedValue(plan);
  let fail: (e: Error) => void = () => {};
  mockApi.runPrune.mockReturnValue(new Promise((_, reject) => (fail = reject)));
  render(<PruneDialog />);
  await screen.findByTestId('prune-planned');
  await userEvent.click(screen.getByRole('button', { name: /^Prune/ }));
  const running = screen.getByRole('button', { name: /^Pruning/ }) as HTMLButtonElement;
  expect(running.disabled).toBe(true);
  await act(async () => fail(new Error('disk is read-only')));
  expect((await screen.findByRole('alert')).textContent).toContain('disk is read-only');
  expect(screen.queryByTestId('prune-freed')).toBeNull();
});

test('nothing to prune: the total is zero and Prune is off', async () => {
  mockApi.planPrune.mockResolvedValue({ ...plan, images: [], blobs: [], ingests: [], reclaimedBytes: 0, leasedBlobs: 0 });
  render(<PruneDialog />);
  expect((await screen.findByTestId('prune-planned')).getAttribute('data-bytes')).toBe('0');
  expect(screen.getByTestId('prune-dialog').textContent).toContain('Nothing to remove');
  expect((screen.getByRole('button', { name: /^Prune/ }) as HTMLButtonElement).disabled).toBe(true);
});

test('a long plan renders in steps', async () => {
  const many = Array.from({ length: 450 }, (_, i) => ({
    digest: `sha256:${i.toString(16).padStart(64, '0')}`,
    size: 10,
    reason: 'unreferenced',
  }));
  mockApi.planPrune.mockResolvedValue({ ...plan, images: [], ingests: [], blobs: many, reclaimedBytes: 4500 });
  render(<PruneDialog />);
  await screen.findByTestId('prune-planned');
  expect(screen.getAllByTestId('prune-item')).toHaveLength(200);
  await userEvent.click(screen.getByRole('button', { name: /Show 250 more/ }));
  expect(screen.getAllByTestId('prune-item')).toHaveLength(450);
});

test('planInput rejects what the contract would', () => {
  const base = { all: false, olderThan: '', olderUnit: 'hours' as const, keepLast: '', labels: '' };
  expect(planInput(base)).toEqual({ input: { all: false } });
  expect(planInput({ ...base, olderThan: '1.5' })).toEqual({ input: { all: false, olderThanMs: 5_400_000 } });
  expect(planInput({ ...base, keepLast: '2.5' })).toHaveProperty('problem');
  expect(planInput({ ...base, olderThan: '-1' })).toHaveProperty('problem');
  expect(planInput({ ...base, labels: 'bad key=1' })).toHaveProperty('problem');
  expect(planInput({ ...base, labels: ' a=b=c ,\n d ' })).toEqual({
    input: { all: false, labels: [{ key: 'a', value: 'b=c' }, { key: 'd' }] },
  });
});
