import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { ImageEfficiency } from '../../../src-shared/ipc/contract.ts';
import { analysisKeys } from '../../data/analyses.ts';
import { createQueryClient, renderWithData } from '../../data/testing.tsx';
import { useDeckhand } from '../../store/index.ts';
import { compareEfficiency, efficiencyTitle, efficiencyValue, scoreText } from './efficiency-column.tsx';
import { imagesInSight } from './efficiency-requests.ts';
import { hex, image } from './fixtures.ts';
import { ImagesTable } from './ImagesTable.tsx';
import { buildTree } from './rows.ts';

const a = image({ repository: 'example.com/alpha', tag: '1', digest: `sha256:${hex('a')}` });
const b = image({ repository: 'example.com/bravo', tag: '1', digest: `sha256:${hex('b')}` });
const c = image({ repository: 'example.com/charlie', tag: '1', digest: `sha256:${hex('c')}` });
const d = image({ repository: 'example.com/delta', tag: '1', digest: `sha256:${hex('d')}` });

const figures = (name: string, score: number, wastedBytes: number): ImageEfficiency => ({
  image: name,
  manifest: 'sha256:m',
  platform: 'linux/amd64',
  score,
  wastedBytes,
  userWastedPercent: 0.1,
  userBytes: 1000,
});

afterEach(() => vi.useRealTimers());

describe('sort values', () => {
  test('unknown values sort last in both directions; ascending is least efficient first', () => {
    const values = [0.9, undefined, 0.5, undefined, 1];
    const asc = [...values].sort((x, y) => compareEfficiency(x, y, false));
    expect(asc).toEqual([0.5, 0.9, 1, undefined, undefined]);
    // TanStack negates the comparator for a descending sort.
    const desc = [...values].sort((x, y) => -compareEfficiency(x, y, true));
    expect(desc).toEqual([1, 0.9, 0.5, undefined, undefined]);
  });

  test("an image's score, a group's lowest known one, nothing for a failure or a platform row", () => {
    const [group] = buildTree([
      image({ repository: 'example.com/x', tag: '1', digest: `sha256:${hex('1')}` }),
      image({ repository: 'example.com/x', tag: '2', digest: `sha256:${hex('2')}` }),
      image({ repository: 'example.com/x', tag: '3', digest: `sha256:${hex('3')}` }),
    ]);
    const of = (i: { tag: string | null }) =>
      i.tag === '1' ? { value: figures('x:1', 0.8, 10) } : i.tag === '2' ? { value: figures('x:2', 0.6, 10) } : { error: 'unreadable' };
    expect(efficiencyValue(group!, of)).toBe(0.6);
    expect(efficiencyValue(group!.children[2]!, of)).toBeUndefined();
    expect(efficiencyValue(group!, () => undefined)).toBeUndefined();
  });

  test('formatting: a percentage with one decimal, wasted bytes human-readable', () => {
    expect(scoreText(0.93149)).toBe('93.1 %');
    expect(scoreText(1)).toBe('100.0 %');
    expect(efficiencyTitle(0.5, 1_234_567)).toBe('Efficiency 50.0 %: 1.23 MB wasted (files a later layer overwrote or removed)');
  });
});

describe('the column', () => {
  test('rows in sight ask for their figures once the table settles; a failure shows — with the reason; sorted, unknown last; unmounting cancels', async () => {
    const answers: Record<string, () => Promise<ImageEfficiency>> = {
      [a.name]: async () => figures(a.name, 0.9, 2_500_000),
      [b.name]: async () => {
        throw new Error('Layer sha256:0 is not in the store; pull the image again to analyse it.');
      },
      [c.name]: async () => figures(c.name, 0.5, 40_000_000),
      // Never answers: stays unknown.
      [d.name]: () => new Promise(() => {}),
    };
    const imageEfficiency = vi.fn((input: { ref: string; requestId?: string }) => answers[input.ref]!());
    const cancelAnalysis = vi.fn(async () => ({ cancelled: true }));
    const client = createQueryClient();
    const { unmount } = renderWithData(<ImagesTable nodes={buildTree([a, b, c, d])} fallbackRect={{ width: 1400, height: 600 }} />, {
      api: { imageEfficiency, cancelAnalysis },
      client,
    });
    // Nothing is asked for before the table has been still a moment.
    expect(imageEfficiency).not.toHaveBeenCalled();
    await waitFor(() => expect(screen.getAllByTestId('efficiency')).toHaveLength(2), { timeout: 2000 });
    const cells = screen.getAllByTestId('efficiency');
    expect(cells.map((e) => e.textContent)).toEqual(['90.0 %2.5 MB', '50.0 %40 MB']);
    expect(cells[0]!.title).toMatch(/2\.5 MB wasted/);
    const failed = screen.getByTestId('efficiency-failed');
    expect(failed.textContent).toBe('—');
    expect(failed.title).toMatch(/pull the image again/);
    expect(imageEfficiency.mock.calls.every(([i]) => typeof i.requestId === 'string')).toBe(true);

    const names = () => screen.getAllByTestId('image-row').map((r) => r.dataset.name);
    fireEvent.click(screen.getByTestId('sort-efficiency'));
    // Least efficient first; the failed and the unknown after every known one.
    await waitFor(() => expect(names().slice(0, 2)).toEqual([c.name, a.name]));
    expect(names().slice(2).sort()).toEqual([b.name, d.name].sort());
    expect(screen.getByTestId('efficiency-progress').textContent).toMatch(/analysing 4 of 4 images/);
    fireEvent.click(screen.getByTestId('sort-efficiency'));
    await waitFor(() => expect(names().slice(0, 2)).toEqual([a.name, c.name]));
    expect(names().slice(2).sort()).toEqual([b.name, d.name].sort());
    expect(client.getQueryData(analysisKeys.efficiency('store', a.digest, null))).toMatchObject({ score: 0.9 });
    // The table goes while d's analysis is still on its way: the host is told to stop it.
    expect(cancelAnalysis).not.toHaveBeenCalled();
    unmount();
    const asked = imageEfficiency.mock.calls.find(([i]) => i.ref === d.name)![0];
    await waitFor(() => expect(cancelAnalysis).toHaveBeenCalledWith({ requestId: asked.requestId }));
  });

  test('sorting by Efficiency asks for images not on screen too, with progress', async () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      image({ repository: `example.com/r${String(i).padStart(2, '0')}`, tag: '1', digest: `sha256:${String(i).padStart(64, '0')}` }),
    );
    const imageEfficiency = vi.fn(async (input: { ref: string }) => figures(input.ref, 1 - Number(input.ref.slice(13, 15)) / 100, 0));
    const cancelAnalysis = vi.fn(async () => ({ cancelled: true }));
    const { unmount } = renderWithData(<ImagesTable nodes={buildTree(many)} fallbackRect={{ width: 1400, height: 300 }} />, {
      api: { imageEfficiency, cancelAnalysis },
    });
    fireEvent.click(screen.getByTestId('sort-efficiency'));
    await waitFor(() => expect(imageEfficiency).toHaveBeenCalledTimes(60), { timeout: 3000 });
    // All known: the progress line goes; the least efficient (r59) first.
    await waitFor(() => expect(screen.queryByTestId('efficiency-progress')).toBeNull());
    await waitFor(() => expect(screen.getAllByTestId('image-row')[0]!.dataset.name).toBe('example.com/r59:1'));
    unmount();
  });
});

describe("an engine's images", () => {
  test('nothing is exported on its own: a row is analysed when its Analyse is pressed, and a sort orders only what is known', async () => {
    const withIds = [a, b].map((i, n) => ({ ...i, id: `sha256:${hex(String(n + 5))}` }));
    const imageEfficiency = vi.fn(async (input: { ref: string; source?: string }) => figures(input.ref, 0.75, 1_000_000));
    const cancelAnalysis = vi.fn(async () => ({ cancelled: true }));
    useDeckhand.setState({ source: 'docker' });
    try {
      const { unmount } = renderWithData(<ImagesTable nodes={buildTree(withIds)} fallbackRect={{ width: 1400, height: 600 }} />, {
        api: { imageEfficiency, cancelAnalysis },
      });
      fireEvent.click(screen.getByTestId('sort-efficiency'));
      // Rows in sight settle after 400 ms and a sort asks for everything, on the store: not here.
      await new Promise((r) => setTimeout(r, 700));
      expect(imageEfficiency).not.toHaveBeenCalled();
      expect(screen.queryByTestId('efficiency-progress')).toBeNull();
      const asks = screen.getAllByTestId('efficiency-ask');
      expect(asks).toHaveLength(2);
      fireEvent.click(asks[0]!);
      await waitFor(() => expect(screen.getAllByTestId('efficiency')).toHaveLength(1));
      expect(imageEfficiency).toHaveBeenCalledTimes(1);
      expect(imageEfficiency.mock.calls[0]![0]).toMatchObject({ source: 'docker' });
      unmount();
    } finally {
      useDeckhand.setState({ source: 'store' });
    }
  });
});

describe('rows in sight', () => {
  test('only image rows within the viewport, unreadable ones left out', () => {
    const nodes = buildTree([
      ...Array.from({ length: 10 }, (_, i) =>
        image({ repository: `example.com/r${i}`, tag: '1', digest: `sha256:${String(i).padStart(64, '0')}` }),
      ),
      image({ repository: 'example.com/zz', tag: '1', digest: `sha256:${hex('e')}`, error: 'unreadable' }),
    ]);
    expect(imagesInSight(nodes, 60, 90, 30).map((i) => i.repository)).toEqual(['example.com/r2', 'example.com/r3', 'example.com/r4']);
    expect(imagesInSight(nodes, 270, 300, 30).map((i) => i.repository)).toEqual(['example.com/r9']);
  });
});
