import { act, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, expect, test, vi } from 'vitest';
import { deckhand } from '../../store/index.ts';
import { TransfersPanel } from './TransfersPanel.tsx';
import type { ReactElement } from 'react';
import { fakeApi, renderWithData } from '../../data/testing.tsx';
import { startTransfer } from '../../data/transfers.ts';

const mockApi = {
  pull: vi.fn(),
  cancelTransfer: vi.fn(),
};
const render = (ui: ReactElement) => renderWithData(ui, { api: mockApi });

const running = '6f1c7a53-5d2c-4c43-9d1e-0a1b2c3d4e5f';
const failed = '0d1c7a53-5d2c-4c43-9d1e-0a1b2c3d4e5f';
const again = '1e1c7a53-5d2c-4c43-9d1e-0a1b2c3d4e5f';

beforeEach(() => {
  deckhand.setState(deckhand.getInitialState(), true);
  vi.clearAllMocks();
});

function startRunning() {
  const s = deckhand.getState();
  s.applyTransferEvent({ event: 'transferStarted', payload: { transferId: running, kind: 'pull', ref: 'example.com/app:1' }, now: 1000 });
  s.applyTransferEvent({
    event: 'transferProgress',
    now: 1000,
    payload: {
      transferId: running,
      events: [
        { type: 'blob', digest: `sha256:${'a'.repeat(64)}`, kind: 'layer', state: 'downloading', done: 1_000_000, total: 4_000_000 },
        { type: 'blob', digest: `sha256:${'b'.repeat(64)}`, kind: 'layer', state: 'exists', done: 0, total: 2_000_000 },
        { type: 'blob', digest: `sha256:${'c'.repeat(64)}`, kind: 'layer', state: 'mounted', done: 0, total: 1_000_000 },
      ],
    },
  });
}

test('a running transfer shows its progress, blobs in words and a Cancel that cancels it', async () => {
  mockApi.cancelTransfer.mockResolvedValue({ cancelled: true });
  startRunning();
  render(<TransfersPanel />);
  const row = screen.getByTestId('transfer');
  expect(row.dataset.state).toBe('running');
  expect(row.dataset.kind).toBe('pull');
  expect(row).toHaveProperty('textContent', expect.stringContaining('example.com/app:1'));
  const bar = within(row).getByTestId('transfer-progress') as HTMLProgressElement;
  expect(bar.value).toBe(4_000_000);
  expect(bar.max).toBe(7_000_000);
  expect(within(row).getByTestId('transfer-status').textContent).toBe('4 MB / 7 MB · 2/3 blobs');

  const user = userEvent.setup();
  await user.click(within(row).getByRole('button', { name: /Show 3 blobs/ }));
  const states = within(row)
    .getAllByTestId('transfer-blob')
    .map((b) => b.textContent);
  expect(states[0]).toContain('downloading');
  expect(states[1]).toContain('already there');
  expect(states[2]).toContain('mounted from another repository');

  await user.click(within(row).getByRole('button', { name: 'Cancel Pull example.com/app:1' }));
  expect(mockApi.cancelTransfer).toHaveBeenCalledWith({ transferId: running });
  expect(within(row).queryByRole('button', { name: /Retry/ })).toBeNull();
});

test('throughput and time left come from arrival times; collapsed, the dock is one line of summary', async () => {
  vi.useFakeTimers({ now: 3000, toFake: ['Date'] });
  try {
    startRunning();
    const s = deckhand.getState();
    s.applyTransferEvent({
      event: 'transferProgress',
      now: 3000,
      payload: {
        transferId: running,
        events: [
          { type: 'blob', digest: `sha256:${'a'.repeat(64)}`, kind: 'layer', state: 'downloading', done: 3_000_000, total: 4_000_000 },
        ],
      },
    });
    render(<TransfersPanel />);
    // 2 MB in 2 s, 1 MB to go.
    expect(screen.getByTestId('transfer-rate').textContent).toBe('1 MB/s · 1 s left');
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await user.click(screen.getByRole('button', { name: 'Transfers' }));
    expect(screen.queryByTestId('transfer')).toBeNull();
    expect(screen.getByTestId('transfers-summary').textContent).toBe('1 running · 1 MB/s');
  } finally {
    vi.useRealTimers();
  }
});

test('a failed transfer started here offers Retry, which starts the same request again', async () => {
  const request = { call: 'pull' as const, input: { ref: 'example.com/app:1', platform: 'linux/arm64' } };
  mockApi.pull.mockResolvedValueOnce({ transferId: failed }).mockResolvedValueOnce({ transferId: again });
  await startTransfer(fakeApi(mockApi), request);
  expect(mockApi.pull).toHaveBeenLastCalledWith(request.input);
  act(() => {
    const s = deckhand.getState();
    s.applyTransferEvent({ event: 'transferStarted', payload: { transferId: failed, kind: 'pull', ref: 'example.com/app:1' } });
    s.applyTransferEvent({
      event: 'transferEnded',
      payload: {
        transferId: failed,
        kind: 'pull',
        ref: 'example.com/app:1',
        digest: null,
        error: { code: 'ENETWORK', message: 'example.com refused the connection', detail: null },
      },
    });
    // One this window did not start: no Retry.
    s.applyTransferEvent({
      event: 'transferEnded',
      payload: {
        transferId: running,
        kind: 'push',
        ref: 'example.com/other:1',
        digest: null,
        error: { code: 'ECANCELLED', message: 'Cancelled.', detail: null },
      },
    });
  });
  render(<TransfersPanel />);
  const [other, row] = screen.getAllByTestId('transfer');
  expect(other!.dataset.state).toBe('failed');
  expect(within(other!).getByTestId('transfer-status').textContent).toBe('Cancelled');
  expect(within(other!).queryByRole('button', { name: /Retry/ })).toBeNull();
  expect(row!.dataset.state).toBe('failed');
  expect(within(row!).getByTestId('transfer-status').textContent).toBe('example.com refused the connection');
  expect(within(row!).queryByRole('button', { name: /Cancel/ })).toBeNull();

  const user = userEvent.setup();
  await user.click(within(row!).getByRole('button', { name: 'Retry Pull example.com/app:1' }));
  expect(mockApi.pull).toHaveBeenCalledTimes(2);
  expect(mockApi.pull).toHaveBeenLastCalledWith(request.input);
  // The retried row gives way to the new transfer's.
  expect(deckhand.getState().transfers.map((t) => t.id)).toEqual([running]);
  expect(Object.keys(deckhand.getState().requests)).toEqual([again]);
});

test('a finished pull shows the final figures; Clear finished removes it', async () => {
  const s = deckhand.getState();
  s.applyTransferEvent({ event: 'transferStarted', payload: { transferId: running, kind: 'pull', ref: 'example.com/app:1' }, now: 1000 });
  s.applyTransferEvent({
    event: 'transferProgress',
    now: 1500,
    payload: {
      transferId: running,
      events: [
        { type: 'blob', digest: 'sha256:1', kind: 'layer', state: 'done', done: 12_600_000, total: 12_600_000 },
        { type: 'retry', digest: 'sha256:1', attempt: 1, reason: 'connection broke (ECONNRESET); resuming' },
        { type: 'done', ref: 'example.com/app:1', digest: 'sha256:f', fetchedBytes: 12_600_000, fetchedBlobs: 1, skippedBlobs: 2 },
      ],
    },
  });
  s.applyTransferEvent({
    event: 'transferEnded',
    payload: { transferId: running, kind: 'pull', ref: 'example.com/app:1', digest: 'sha256:f', error: null },
    now: 3500,
  });
  render(<TransfersPanel />);
  expect(screen.getByTestId('transfer').dataset.state).toBe('done');
  expect(screen.getByTestId('transfer-status').textContent).toBe('Done: 12.6 MB');
  expect(screen.getByTestId('transfer-figures').textContent).toBe('Fetched 1 blob (12.6 MB) · 2 already stored · took 2.5 s');
  expect(screen.getByTestId('transfer-retries').textContent).toContain('Retried 1 time; last: connection broke');
  await userEvent.setup().click(screen.getByRole('button', { name: 'Clear finished' }));
  expect(screen.queryByTestId('transfer')).toBeNull();
  expect(screen.getByTestId('transfers-summary').textContent).toBe('No transfers');
});

test('a pull served by a registries.conf mirror says which one; one from the primary says nothing', () => {
  const s = deckhand.getState();
  const resolved = (transferId: string, mirror?: string) => ({
    event: 'transferProgress' as const,
    payload: {
      transferId,
      events: [
        {
          type: 'resolved' as const,
          ref: 'example.com/app:1',
          digest: 'sha256:f',
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          platforms: [],
          sparse: false,
          endpoint: 'https://x',
          ...(mirror ? { mirror } : {}),
        },
      ],
    },
  });
  s.applyTransferEvent({ event: 'transferStarted', payload: { transferId: running, kind: 'pull', ref: 'example.com/app:1' } });
  s.applyTransferEvent(resolved(running, 'mirror.example.net:5000/cache'));
  s.applyTransferEvent({ event: 'transferStarted', payload: { transferId: again, kind: 'pull', ref: 'example.com/app:2' } });
  s.applyTransferEvent(resolved(again));
  render(<TransfersPanel />);
  const [primary, mirrored] = screen.getAllByTestId('transfer');
  expect(within(mirrored!).getByTestId('transfer-mirror').textContent).toBe('from mirror mirror.example.net:5000/cache');
  expect(within(primary!).queryByTestId('transfer-mirror')).toBeNull();
  s.applyTransferEvent({
    event: 'transferEnded',
    payload: { transferId: running, kind: 'pull', ref: 'example.com/app:1', digest: 'sha256:f', error: null },
  });
  expect(within(screen.getAllByTestId('transfer')[1]!).getByTestId('transfer-mirror').textContent).toBe(
    'from mirror mirror.example.net:5000/cache',
  );
});
