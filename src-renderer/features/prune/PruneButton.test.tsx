import { render, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, expect, test, vi } from 'vitest';
import type { DiskUsage } from '../../../src-shared/ipc/contract.ts';

const mockApi = vi.hoisted(() => ({ diskUsage: vi.fn() }));
vi.mock('../../api/client.ts', () => ({ api: () => mockApi }));

import { useDeckhand } from '../../store/index.ts';
import { PruneButton } from './PruneButton.tsx';

const usage = (reclaimableBytes: number): DiskUsage => ({
  images: [],
  blobDigests: [],
  blobSizes: [],
  totalBytes: 0,
  reclaimableBytes,
  blobCount: 0,
  blobBytes: 0,
  sharedBytes: 0,
  unreferencedBlobs: 0,
  unreferencedBytes: 0,
  ingestCount: 0,
  ingestBytes: 0,
});

beforeEach(() => {
  mockApi.diskUsage.mockReset();
  useDeckhand.setState({ usage: { data: null, error: null, stale: true }, dialog: null, rows: [] });
});

test('shows what a default prune frees, and opens the prune dialog', async () => {
  useDeckhand.setState({ usage: { data: usage(1_234_567_890), error: null, stale: false } });
  render(<PruneButton />);
  const button = screen.getByTestId('prune-button');
  expect(button.textContent).toBe('Prune · frees 1.23 GB');
  expect(button.getAttribute('data-bytes')).toBe('1234567890');
  expect(mockApi.diskUsage).not.toHaveBeenCalled();
  await userEvent.click(button);
  expect(useDeckhand.getState().dialog).toEqual({ kind: 'prune' });
});

test('waits for the image list before loading df', async () => {
  mockApi.diskUsage.mockResolvedValueOnce(usage(5000));
  useDeckhand.setState({ rows: null });
  render(<PruneButton />);
  await new Promise((r) => setTimeout(r, 700));
  expect(mockApi.diskUsage).not.toHaveBeenCalled();
  useDeckhand.setState({ rows: [] });
  expect(await screen.findByText('Prune · frees 5 kB')).toBeTruthy();
});

test('loads the figure when stale, and again after the store changes', async () => {
  mockApi.diskUsage.mockResolvedValueOnce(usage(5000)).mockResolvedValueOnce(usage(0));
  render(<PruneButton />);
  expect(screen.getByTestId('prune-button').hasAttribute('data-bytes')).toBe(false);
  expect(await screen.findByText('Prune · frees 5 kB')).toBeTruthy();
  expect(mockApi.diskUsage).toHaveBeenCalledTimes(1);
  // A store change marks usage stale (and refetches the rows, which this test does not watch).
  useDeckhand.setState((s) => ({ usage: { ...s.usage, stale: true } }));
  expect(await screen.findByText('Prune · frees 0 B')).toBeTruthy();
  expect(screen.getByTestId('prune-button').getAttribute('data-bytes')).toBe('0');
  expect(mockApi.diskUsage).toHaveBeenCalledTimes(2);
});
