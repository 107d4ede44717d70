import { act, fireEvent, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { DiskUsage, ImageRow } from '../../../src-shared/ipc/contract.ts';
import { keys, STORE } from '../../data/keys.ts';
import { createQueryClient, renderWithData } from '../../data/testing.tsx';
import { useDeckhand } from '../../store/index.ts';
import { hex, image } from './fixtures.ts';
import { ImagesView } from './ImagesView.tsx';
import { ImagesTable } from './ImagesTable.tsx';
import { buildTree } from './rows.ts';

const apiMock = {
  removeImages: vi.fn(),
  diskUsage: vi.fn(() => new Promise(() => {})),
  listRegistries: vi.fn(async () => [{ host: 'registry.example.com', sources: ['added'], insecure: false }]),
  inspectImage: vi.fn(),
  imageTree: vi.fn(async () => []),
  listImages: vi.fn(async () => []),
  checkFreshness: vi.fn(async () => ({ results: [], pending: [] })),
  // Efficiency cells ask once their row has stayed on screen; the table's own tests are in efficiency-column.test.tsx.
  imageEfficiency: vi.fn(() => new Promise(() => {})),
  cancelAnalysis: vi.fn(async () => ({ cancelled: true })),
};

const initial = useDeckhand.getState();
const host = { host: 'web' as const, storeDir: '/s', platform: 'linux/arm64', downloadsDir: '/home/me/Downloads' };
let client = createQueryClient();

/** A store listing `rows` (null: the listing fails with `imagesError`), and df when given. */
function setRows(rows: ImageRow[] | null, extra: { imagesError?: string; usage?: DiskUsage } = {}) {
  useDeckhand.setState(initial, true);
  client = createQueryClient();
  client.setQueryData(keys.hostInfo(), host);
  if (rows) client.setQueryData(keys.images(STORE), rows);
  else apiMock.listImages.mockRejectedValueOnce(new Error(extra.imagesError));
  if (extra.usage) client.setQueryData(keys.diskUsage(STORE), extra.usage);
}

const render = (ui: ReactElement) => renderWithData(ui, { api: apiMock, client });

const names = () => screen.getAllByTestId('image-row').map((r) => r.dataset.name);
const header = (label: string) => screen.getByRole('columnheader', { name: new RegExp(`^${label}`) });

// Three repositories with one image each: single rows, so the order is the order of images.
const a = image({ repository: 'example.com/alpha', tag: '1', digest: `sha256:${hex('a')}`, size: 3000, created: '2024-06-01T00:00:00Z' });
const b = image({
  repository: 'example.com/bravo',
  tag: '2',
  digest: `sha256:${hex('b')}`,
  size: 1000,
  created: '2025-06-01T00:00:00Z',
  platforms: ['linux/arm64'],
});
const c = image({ repository: 'example.com/charlie', tag: '3', digest: `sha256:${hex('c')}`, size: 2000, created: '2023-06-01T00:00:00Z' });

beforeEach(() => {
  vi.clearAllMocks();
  setRows([b, c, a]);
});
afterEach(() => vi.useRealTimers());

describe('the table', () => {
  test('sorts by repository first, and clicking a header sorts by it (aria-sort follows)', async () => {
    const user = userEvent.setup();
    render(<ImagesView />);
    expect(names()).toEqual([a.name, b.name, c.name]);
    expect(header('Repository').getAttribute('aria-sort')).toBe('ascending');

    await user.click(screen.getByTestId('sort-repository'));
    expect(names()).toEqual([c.name, b.name, a.name]);
    expect(header('Repository').getAttribute('aria-sort')).toBe('descending');

    await user.click(screen.getByTestId('sort-size'));
    expect(names()).toEqual([a.name, c.name, b.name]); // largest first
    expect(header('Stored').getAttribute('aria-sort')).toBe('descending');
    expect(header('Repository').getAttribute('aria-sort')).toBe('none');
    await user.click(screen.getByTestId('sort-size'));
    expect(names()).toEqual([b.name, c.name, a.name]);
    expect(header('Stored').getAttribute('aria-sort')).toBe('ascending');

    await user.click(screen.getByTestId('sort-created'));
    expect(names()).toEqual([b.name, a.name, c.name]); // newest first
    expect(header('Created').getAttribute('aria-sort')).toBe('descending');
    await user.click(screen.getByTestId('sort-created'));
    expect(names()).toEqual([c.name, a.name, b.name]);
  });

  test('the rendered repository and tag cells follow the sort', async () => {
    const user = userEvent.setup();
    render(<ImagesView />);
    const tags = () => screen.getAllByTestId('cell-tag').map((t) => t.textContent);
    expect(tags()).toEqual(['1', '2', '3']);
    await user.click(screen.getByTestId('sort-size'));
    expect(tags()).toEqual(['1', '3', '2']);
    expect(screen.getAllByTestId('cell-repository').map((t) => t.textContent)).toEqual([
      'example.com/alpha',
      'example.com/charlie',
      'example.com/bravo',
    ]);
  });

  test('an image whose pull verified its signature has a "signed" badge saying by which key, under which policy and when', () => {
    const signature = {
      verifiedBy: '/keys/team.pub',
      policy: '/home/me/.config/containers/policy.json transports.docker["example.com/bravo"]',
      at: '2025-06-02T10:00:00Z',
    };
    setRows([a, { ...b, signature }, c]);
    render(<ImagesView />);
    const badges = screen.getAllByTestId('signed-badge');
    expect(badges).toHaveLength(1);
    expect(badges[0]!.textContent).toBe('signed');
    expect(badges[0]!.closest('[data-testid="image-row"]')?.getAttribute('data-name')).toBe(b.name);
    expect(badges[0]!.getAttribute('title')).toMatch(
      /^Signature verified by \/keys\/team\.pub under \/home\/me\/\.config\/containers\/policy\.json transports\.docker\["example\.com\/bravo"\] at .*2025/,
    );
  });

  test('typing in "Filter images" narrows the rows and the count', async () => {
    const user = userEvent.setup();
    render(<ImagesView />);
    expect(screen.getByTestId('images-count').textContent).toMatch(/^3 images, at least/);
    await user.type(screen.getByRole('textbox', { name: 'Filter images' }), 'BRAVO');
    expect(useDeckhand.getState().filter).toBe('BRAVO');
    expect(names()).toEqual([b.name]);
    expect(screen.getByTestId('images-count').textContent).toBe('1 image of 3, 1 kB');
    await user.clear(screen.getByRole('textbox', { name: 'Filter images' }));
    await user.type(screen.getByRole('textbox', { name: 'Filter images' }), 'linux/arm64');
    expect(names()).toEqual([b.name]);
    await user.type(screen.getByRole('textbox', { name: 'Filter images' }), 'nothing-like-this');
    expect(screen.getByTestId('images-no-match')).toBeTruthy();
  });

  test('groups a repository with several tags; the group shows when a tag matches; dangling images say what they were', async () => {
    const user = userEvent.setup();
    const old = image({
      repository: null,
      tag: null,
      name: `sha256:${hex('d')}`,
      digest: `sha256:${hex('d')}`,
      dangling: true,
      previousRef: 'example.com/alpha:0',
    });
    const a2 = image({ repository: 'example.com/alpha', tag: '2', digest: `sha256:${hex('e')}` });
    setRows([a, a2, old, b]);
    render(<ImagesView />);
    const group = screen.getByTestId('group-row');
    expect(group.dataset.repository).toBe('example.com/alpha');
    expect(names()).toEqual([a.name, a2.name, old.name, b.name]);
    const dangling = screen.getAllByTestId('image-row')[2]!;
    expect(within(dangling).getByText('dangling')).toBeTruthy();
    expect(within(dangling).getByText('was alpha:0')).toBeTruthy();

    await user.click(within(group).getByRole('button', { name: 'Collapse example.com/alpha' }));
    expect(names()).toEqual([b.name]);
    await user.click(within(screen.getByTestId('group-row')).getByRole('button', { name: 'Expand example.com/alpha' }));

    await user.type(screen.getByRole('textbox', { name: 'Filter images' }), 'alpha:0');
    expect(screen.queryByTestId('group-row')).toBeNull(); // one match: a single row
    expect(names()).toEqual([old.name]);
  });

  test('an index row expands to its platforms; images without a platform for this machine are marked', async () => {
    const user = userEvent.setup();
    const idx = image({
      repository: 'example.com/multi',
      digest: `sha256:${hex('f')}`,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      platforms: ['linux/amd64', 'linux/arm64'],
      manifests: [
        { platform: 'linux/amd64', digest: `sha256:${hex('1')}`, size: 10 },
        { platform: 'linux/arm64', digest: `sha256:${hex('2')}`, size: 11 },
      ],
    });
    setRows([a, idx]);
    render(<ImagesView />);
    expect(screen.queryAllByTestId('platform-row')).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: `Expand platforms of ${idx.name}` }));
    expect(screen.getAllByTestId('platform-row').map((r) => r.textContent)).toEqual([
      expect.stringContaining('linux/amd64'),
      expect.stringContaining('linux/arm64'),
    ]);
    const warnings = screen.getAllByTestId('emulation-warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.getAttribute('title')).toBe('linux/amd64 only: runs under emulation on linux/arm64');
    const arm = screen.getAllByText('linux/arm64')[0]!;
    expect(arm.className).toContain('arm');
  });

  test('a row whose entry cannot be read shows its error', () => {
    setRows([image({ error: 'manifest blob is missing' })]);
    render(<ImagesView />);
    expect(screen.getByTestId('row-error').textContent).toContain('manifest blob is missing');
  });

  test('only the visible rows are in the DOM', () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      image({ repository: `example.com/r${String(i).padStart(4, '0')}`, digest: `sha256:${hex(String(i % 10))}` }),
    );
    setRows(many);
    render(<ImagesView />);
    const rendered = screen.getAllByTestId('image-row').length;
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(100);
    expect(screen.getByRole('treegrid').getAttribute('aria-rowcount')).toBe('2001');
  });
});

describe('selection and keys', () => {
  test('click, Cmd/Ctrl-click and Shift-click select names', async () => {
    const user = userEvent.setup();
    render(<ImagesView />);
    const rows = () => screen.getAllByTestId('image-row');
    await user.click(rows()[0]!);
    expect(useDeckhand.getState().selection).toEqual([a.name]);
    await user.keyboard('{Control>}');
    await user.click(rows()[2]!);
    await user.keyboard('{/Control}');
    expect(useDeckhand.getState().selection).toEqual([a.name, c.name]);
    await user.click(rows()[0]!);
    await user.keyboard('{Shift>}');
    await user.click(rows()[1]!);
    await user.keyboard('{/Shift}');
    expect(useDeckhand.getState().selection).toEqual([a.name, b.name]);
    expect(rows()[1]!.getAttribute('aria-selected')).toBe('true');
    expect(rows()[2]!.getAttribute('aria-selected')).toBe('false');
  });

  test('arrows move and extend, Space toggles, Enter opens details, Delete asks to remove, Escape clears', async () => {
    const user = userEvent.setup();
    apiMock.inspectImage.mockReturnValue(new Promise(() => {}));
    render(<ImagesView />);
    screen.getByRole('treegrid').focus();
    await user.keyboard('{ArrowDown}');
    expect(useDeckhand.getState().selection).toEqual([a.name]);
    await user.keyboard('{Shift>}{ArrowDown}{/Shift}');
    expect(useDeckhand.getState().selection).toEqual([a.name, b.name]);
    await user.keyboard(' ');
    expect(useDeckhand.getState().selection).toEqual([a.name]);
    await user.keyboard('{Escape}');
    expect(useDeckhand.getState().selection).toEqual([]);
    await user.keyboard('{ArrowUp}');
    expect(useDeckhand.getState().selection).toEqual([a.name]);
    await user.keyboard('{Enter}');
    expect(useDeckhand.getState().detailsName).toBe(a.name);
    expect(screen.getByTestId('image-details')).toBeTruthy();
    screen.getByRole('treegrid').focus();
    await user.keyboard('{Delete}');
    expect(useDeckhand.getState().dialog).toEqual({ kind: 'remove', refs: [a.name] });
  });

  test('double-click opens details', async () => {
    const user = userEvent.setup();
    apiMock.inspectImage.mockReturnValue(new Promise(() => {}));
    render(<ImagesView />);
    await user.dblClick(screen.getAllByTestId('image-row')[2]!);
    expect(useDeckhand.getState().detailsName).toBe(c.name);
  });

  test('rows drag their name, their source and reference', () => {
    render(<ImagesView />);
    const data: Record<string, string> = {};
    const row = screen.getAllByTestId('image-row')[0]!;
    expect(row.getAttribute('draggable')).toBe('true');
    const event = new Event('dragstart', { bubbles: true }) as Event & { dataTransfer: unknown };
    event.dataTransfer = { setData: (k: string, v: string) => (data[k] = v), effectAllowed: '' };
    act(() => void row.dispatchEvent(event));
    expect(data).toEqual({
      'application/x-deckhand-image': a.name,
      'application/x-deckhand-image-source': 'store',
      'text/plain': 'example.com/alpha:1',
    });
  });
});

describe('the digest cell', () => {
  test('a click on the digest text selects the row and copies nothing; a double-click opens details', async () => {
    const user = userEvent.setup();
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(<ImagesView />);
    const row = screen.getAllByTestId('image-row')[1]!;
    const digestText = within(row).getByTestId('cell-digest').querySelector('.mono')!;
    expect(digestText.getAttribute('title')).toBe(b.digest);
    await user.click(digestText);
    expect(useDeckhand.getState().selection).toEqual([b.name]);
    expect(writeText).not.toHaveBeenCalled();
    expect(useDeckhand.getState().notices).toEqual([]);
    await user.dblClick(digestText);
    expect(useDeckhand.getState().detailsName).toBe(b.name);
    expect(writeText).not.toHaveBeenCalled();
  });

  test('only the copy icon copies, once even on a double-click, and it neither selects nor opens details', async () => {
    const user = userEvent.setup();
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(<ImagesView />);
    const row = screen.getAllByTestId('image-row')[1]!;
    const copy = within(row).getByRole('button', { name: `Copy example.com/bravo@${b.digest}` });
    await user.click(copy);
    expect(writeText).toHaveBeenCalledTimes(1);
    expect(writeText).toHaveBeenCalledWith(`example.com/bravo@${b.digest}`);
    expect(useDeckhand.getState().selection).toEqual([]);
    await user.dblClick(copy);
    expect(writeText).toHaveBeenCalledTimes(2); // one more copy for the double-click, not two
    expect(useDeckhand.getState().notices.filter((n) => n.text.startsWith('Copied'))).toHaveLength(2);
    expect(useDeckhand.getState().detailsName).toBeNull();
  });
});

describe('narrow tables', () => {
  test('columns hide in the chosen order as the table narrows, and long names keep their ends with the whole name on hover', () => {
    const long = image({
      repository: '127.0.0.1:56067/deckhand-e2e/platform-team/services/hello',
      tag: '1',
      digest: `sha256:${hex('d')}`,
    });
    setRows([long]);
    render(<ImagesTable nodes={buildTree([long])} fallbackRect={{ width: 600, height: 400 }} />);
    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent?.replace(/[▲▼]/g, ''));
    expect(headers).toEqual(['Repository', 'Tag', 'Digest', 'Stored']);
    const name = screen.getByTestId('cell-repository').querySelector('.mid-name')!;
    expect(name.getAttribute('title')).toBe(long.repository);
    expect([...name.children].map((c) => c.textContent)).toEqual(['127.0.0.1:56067/', 'deckhand-e2e/platform-team/services/', 'hello']);
  });
});

describe('the context menu', () => {
  test('right-click opens a menu; Copy reference copies and says so', async () => {
    const user = userEvent.setup();
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(<ImagesView />);
    await user.pointer({ keys: '[MouseRight]', target: screen.getAllByTestId('image-row')[1]! });
    const menu = screen.getByRole('menu', { name: `Actions for ${b.name}` });
    expect(
      within(menu)
        .getAllByRole('menuitem')
        .map((m) => m.textContent),
    ).toEqual([
      'Copy reference',
      'Copy digest reference',
      'Tag…',
      'Untag',
      'Push to…▸',
      'Update from registry',
      'Check registry again',
      'Save to file…',
      'Remove…',
    ]);
    await user.click(within(menu).getByRole('menuitem', { name: 'Copy reference' }));
    expect(writeText).toHaveBeenCalledWith('example.com/bravo:2');
    expect(useDeckhand.getState().notices.at(-1)?.text).toBe('Copied example.com/bravo:2');
    expect(screen.queryByRole('menu')).toBeNull();
  });

  test('Push to… lists the registries and opens the push dialog', async () => {
    const user = userEvent.setup();
    render(<ImagesView />);
    await user.pointer({ keys: '[MouseRight]', target: screen.getAllByTestId('image-row')[0]! });
    await user.click(screen.getByRole('menuitem', { name: /Push to/ }));
    expect(apiMock.listRegistries).toHaveBeenCalled();
    // A click without the pointer's travel: jsdom has no layout, so Radix's safe area between the
    // item and its submenu is empty there and any pointer move closes the submenu (e2e covers the move).
    fireEvent.click(await screen.findByRole('menuitem', { name: 'registry.example.com' }));
    expect(useDeckhand.getState().dialog).toEqual({ kind: 'push', source: a.name, registry: 'registry.example.com' });
  });

  test('the Menu key opens it on the current row; Untag of an only name goes to the Remove dialog', async () => {
    const user = userEvent.setup();
    render(<ImagesView />);
    screen.getByRole('treegrid').focus();
    await user.keyboard('{ArrowDown}{ContextMenu}');
    const menu = screen.getByRole('menu');
    expect(document.activeElement?.textContent).toBe('Copy reference');
    await user.click(within(menu).getByRole('menuitem', { name: 'Untag' }));
    expect(apiMock.removeImages).not.toHaveBeenCalled();
    expect(useDeckhand.getState().dialog).toEqual({ kind: 'remove', refs: [a.name] });
  });

  test('Untag removes only the name when another name holds the image', async () => {
    const user = userEvent.setup();
    const alias = image({ repository: 'example.com/other', tag: 'x', digest: a.digest });
    setRows([a, alias]);
    apiMock.removeImages.mockResolvedValue({ removed: [a.name], deleted: [], freedBytes: 0 });
    render(<ImagesView />);
    await user.pointer({ keys: '[MouseRight]', target: screen.getAllByTestId('image-row')[0]! });
    await user.click(screen.getByRole('menuitem', { name: 'Untag' }));
    expect(apiMock.removeImages).toHaveBeenCalledWith({ refs: [a.name] });
    expect(useDeckhand.getState().notices.at(-1)?.text).toContain('Untagged example.com/alpha:1');
  });
});

describe('states', () => {
  test('an empty store explains what to do', () => {
    setRows([]);
    render(<ImagesView />);
    expect(screen.getByTestId('images-empty').textContent).toContain('Pull');
  });

  test('a listing error is an alert', async () => {
    setRows(null, { imagesError: 'the store is locked' });
    render(<ImagesView />);
    expect((await screen.findByRole('alert')).textContent).toContain('the store is locked');
  });

  test('with df loaded the count is exact, each shared blob once', () => {
    const usage = {
      images: [
        { name: a.name, blobs: [0, 3] },
        { name: b.name, blobs: [1, 3] },
        { name: c.name, blobs: [2] },
      ],
      blobDigests: ['x', 'y', 'z', 's'],
      blobSizes: [1, 2, 3, 1_000_000],
    } as unknown as DiskUsage;
    setRows([a, b, c], { usage });
    render(<ImagesView />);
    expect(screen.getByTestId('images-count').textContent).toBe('3 images, 1 MB');
    expect(screen.getByTestId('images-count').dataset.exact).toBe('true');
  });
});
