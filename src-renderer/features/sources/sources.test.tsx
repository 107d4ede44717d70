import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { DiskUsage, EngineStatus, ImageRow } from '../../../src-shared/ipc/contract.ts';
import { CallError } from '../../../src-shared/ipc/proxy.ts';
import { wireEvents } from '../../data/events.ts';
import { keys, STORE } from '../../data/keys.ts';
import { createQueryClient, fakeApi, fakeEvents, renderWithData } from '../../data/testing.tsx';
import { Dialogs } from '../../Dialogs.tsx';
import { deckhand } from '../../store/index.ts';
import { ENGINE_IMAGE_DRAG_TYPE, IMAGE_DRAG_TYPE, IMAGE_SOURCE_DRAG_TYPE } from '../../ui/dnd.ts';
import { hex, image } from '../images/fixtures.ts';
import { ImagesView } from '../images/ImagesView.tsx';
import { RemoveDialog } from '../images/RemoveDialog.tsx';
import { PruneDialog } from '../prune/PruneDialog.tsx';
import { RegistriesSidebar } from '../registries/RegistriesSidebar.tsx';
import { UsageView } from '../usage/UsageView.tsx';
import { layoutSources, sourceFigures } from '../usage/sources-layout.ts';
import { moveRequest } from './moves.ts';
import { SourcesSection } from './SourcesSection.tsx';

const DOCKER = 'docker (desktop-linux)';
const PODMAN = 'podman (podman-machine-default)';

function engine(name: string, kind: EngineStatus['kind'], over: Partial<EngineStatus> = {}): EngineStatus {
  return {
    name,
    kind,
    uri: `unix:///run/${kind}.sock`,
    origin: 'socket',
    isDefault: kind === 'docker',
    reachable: true,
    version: kind === 'docker' ? '20.10.24' : '4.3.1',
    apiVersion: '1.41',
    error: null,
    rootDir: kind === 'docker' ? '/var/lib/docker' : null,
    ...over,
  };
}

const docker = engine(DOCKER, 'docker');
const podmanDown = engine(PODMAN, 'podman', {
  reachable: false,
  version: null,
  error: 'unix:///run/podman.sock: nothing answers (is the Podman machine running? podman machine start)',
});

const app = image({ repository: 'app', tag: '1', name: 'app:1', digest: `sha256:${hex('a')}`, id: `sha256:${hex('1')}`, size: 5_000_000 });
const inUse: ImageRow = { ...app, containers: 1, containerNames: ['web'] };
const old = image({ repository: 'old', tag: '1', name: 'old:1', digest: `sha256:${hex('b')}`, id: `sha256:${hex('2')}`, containers: 0 });

function usage(images: Array<[string, number, number]>, total: number, shared = 0): DiskUsage {
  return {
    images: images.map(([name, unique, sharedBytes]) => ({
      name,
      repository: name.split(':')[0]!,
      tag: name.split(':')[1]!,
      digest: `sha256:${hex('c')}`,
      dangling: false,
      totalBytes: unique + sharedBytes,
      sharedBytes,
      uniqueBytes: unique,
      blobs: [],
    })),
    blobDigests: [],
    blobSizes: [],
    totalBytes: total,
    reclaimableBytes: 0,
    blobCount: 0,
    blobBytes: total,
    sharedBytes: shared,
    unreferencedBlobs: 0,
    unreferencedBytes: 0,
    ingestCount: 0,
    ingestBytes: 0,
  };
}

const api = {
  listEngines: vi.fn(),
  listImages: vi.fn(),
  diskUsage: vi.fn(),
  inspectImage: vi.fn(),
  imageTree: vi.fn(async () => []),
  removeImages: vi.fn(),
  planPrune: vi.fn(),
  runPrune: vi.fn(),
  copy: vi.fn(),
  listRegistries: vi.fn(),
  hostInfo: vi.fn(),
};
let client = createQueryClient();
const render = (ui: ReactElement) => renderWithData(ui, { api, client });

beforeEach(() => {
  deckhand.setState(deckhand.getInitialState(), true);
  vi.clearAllMocks();
  client = createQueryClient();
  client.setQueryData(keys.hostInfo(), {
    host: 'web',
    storeDir: '/home/me/.local/share/deckhand',
    platform: 'linux/amd64',
    downloadsDir: '/d',
  });
  api.listEngines.mockResolvedValue([docker, podmanDown]);
  api.listImages.mockImplementation(async (input?: { source?: string }) => (input?.source === DOCKER ? [inUse, old] : []));
  api.diskUsage.mockReturnValue(new Promise(() => {}));
  api.listRegistries.mockResolvedValue([{ host: 'localhost:5000', sources: ['added'], insecure: true }]);
  api.copy.mockResolvedValue({ transferId: '00000000-0000-4000-8000-000000000009' });
});

/** A drag of an image row from `source`, as jsdom has no DataTransfer. */
function drag(name: string, source: string) {
  const data: Record<string, string> = { [IMAGE_DRAG_TYPE]: name, [IMAGE_SOURCE_DRAG_TYPE]: source };
  if (source !== STORE) data[ENGINE_IMAGE_DRAG_TYPE] = '';
  return { types: Object.keys(data), getData: (t: string) => data[t] ?? '', files: [], dropEffect: 'none' };
}

describe('the sidebar', () => {
  test('lists the store and every engine; an unreachable one shows its reason, cannot be chosen, and hides nothing', async () => {
    render(<SourcesSection />);
    expect(screen.getByText('Looking for Docker and Podman…')).toBeTruthy();
    await waitFor(() => expect(screen.getAllByTestId('source')).toHaveLength(3));
    const [store, d, p] = screen.getAllByTestId('source');
    expect(store!.dataset.source).toBe(STORE);
    expect(within(store!).getByRole('button', { name: 'This store' }).getAttribute('aria-pressed')).toBe('true');
    expect(within(d!).getByText('Docker 20.10.24 · default')).toBeTruthy();
    expect(p!.dataset.reachable).toBe('false');
    expect(within(p!).getByTestId('source-unreachable').textContent).toBe(
      'Unreachable: unix:///run/podman.sock: nothing answers (is the Podman machine running? podman machine start)',
    );
    const podmanButton = within(p!).getByRole('button', { name: /podman \(podman-machine-default\)/ });
    expect((podmanButton as HTMLButtonElement).disabled).toBe(true);

    const user = userEvent.setup();
    await user.click(within(d!).getByRole('button', { name: /docker \(desktop-linux\)/ }));
    expect(deckhand.getState().source).toBe(DOCKER);
    expect(
      within(d!)
        .getByRole('button', { name: /docker \(desktop-linux\)/ })
        .getAttribute('aria-pressed'),
    ).toBe('true');
  });

  test('choosing another source clears the selection and details of the old one', () => {
    deckhand.setState({ selection: ['a:1'], detailsName: 'a:1', cleanup: ['a:1'] });
    deckhand.getState().setSource(DOCKER);
    expect(deckhand.getState()).toMatchObject({ source: DOCKER, selection: [], detailsName: null, cleanup: [] });
  });

  test("an engine's image dropped on This store is copied in; a store image dropped on an engine is copied there", async () => {
    render(<SourcesSection />);
    await waitFor(() => expect(screen.getAllByTestId('source')).toHaveLength(3));
    const [store, d, p] = screen.getAllByTestId('source').map((s) => s.firstElementChild!);

    // This store takes only engines' images.
    const fromStore = drag('docker.io/library/busybox:1', STORE);
    expect(fireEvent.dragOver(store!, { dataTransfer: fromStore })).toBe(true);
    const fromDocker = drag('app:1', DOCKER);
    fireEvent.dragEnter(store!, { dataTransfer: fromDocker });
    expect(store!.className).toContain('drop-over');
    await act(async () => void fireEvent.drop(store!, { dataTransfer: fromDocker }));
    expect(api.copy).toHaveBeenCalledWith({ source: 'docker-daemon:app:1', destination: 'app:1', sourceEngine: DOCKER });

    await act(async () => void fireEvent.drop(d!, { dataTransfer: fromStore }));
    expect(api.copy).toHaveBeenLastCalledWith({
      source: 'docker.io/library/busybox:1',
      destination: 'docker-daemon:docker.io/library/busybox:1',
      destinationEngine: DOCKER,
    });
    expect(deckhand.getState().notices.at(-1)?.text).toMatch(/Copying docker.io\/library\/busybox:1 from This store to docker/);
    // Each is a transfer of this window, retried with the same request.
    expect(Object.values(deckhand.getState().requests).map((r) => r.call)).toEqual(['copy']);

    // An unreachable engine takes nothing.
    expect(fireEvent.dragOver(p!, { dataTransfer: fromStore })).toBe(true);
  });

  test("a drop that cannot move says why: a dangling image, a bare tag, the image's own source", () => {
    expect(moveRequest(`sha256:${hex('d')}`, STORE, DOCKER)).toEqual({
      problem: `sha256:${hex('d')} has no name to copy it under: tag it first, then drag the tag.`,
    });
    expect(moveRequest('1.0', STORE, DOCKER)).toMatchObject({ problem: expect.stringMatching(/bare tag without a repository/) });
    expect(moveRequest('app:1', DOCKER, DOCKER)).toEqual({ problem: 'app:1 is already in docker (desktop-linux).' });
    expect(moveRequest('app:1', DOCKER, PODMAN)).toEqual({
      input: { source: 'docker-daemon:app:1', destination: 'docker-daemon:app:1', sourceEngine: DOCKER, destinationEngine: PODMAN },
    });
  });

  test("an engine's image dropped on a registry opens the push dialog, which copies from the engine to the registry", async () => {
    render(
      <>
        <RegistriesSidebar />
        <Dialogs />
      </>,
    );
    const row = (await screen.findByTestId('registry')).firstElementChild!;
    fireEvent.drop(row, { dataTransfer: drag('app:1', DOCKER) });
    expect(deckhand.getState().dialog).toEqual({ kind: 'push', source: 'app:1', registry: 'localhost:5000', sourceEngine: DOCKER });
    expect(screen.getByTestId('push-source-engine').textContent).toBe(DOCKER);
    await userEvent.setup().click(screen.getByTestId('push-submit'));
    expect(api.copy).toHaveBeenCalledWith({
      source: 'docker-daemon:app:1',
      destination: 'docker://localhost:5000/app:1',
      sourceEngine: DOCKER,
      tlsVerify: false,
    });
  });
});

describe("an engine's views", () => {
  test("the Images view lists the engine's images with their IDs, the engine's sizes and the containers using them", async () => {
    client.setQueryData(keys.engines(), [docker, podmanDown]);
    deckhand.getState().setSource(DOCKER);
    render(<ImagesView />);
    await waitFor(() => expect(screen.getAllByTestId('image-row')).toHaveLength(2));
    expect(api.listImages).toHaveBeenCalledWith({ source: DOCKER });
    expect(screen.getByRole('columnheader', { name: /^ID/ })).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: /^Size/ }).getAttribute('title')).toMatch(/unpacked bytes/);
    expect(screen.getByRole('columnheader', { name: /^Containers/ })).toBeTruthy();
    const appRow = screen.getAllByTestId('image-row').find((r) => r.dataset.name === 'app:1')!;
    expect(within(appRow).getByTestId('containers').textContent).toBe('1 web');
    expect(within(appRow).getByTestId('cell-digest').textContent).toContain(hex('1').slice(0, 12));
    const bar = screen.getByTestId('source-bar');
    expect(bar.textContent).toContain('Docker 20.10.24 (API 1.41)');
    expect(bar.textContent).toContain('images in /var/lib/docker');
  });

  test('a removal the engine refuses names the containers; nothing is forced', async () => {
    deckhand.getState().setSource(DOCKER);
    client.setQueryData(keys.images(DOCKER), [inUse, old]);
    api.removeImages.mockRejectedValue(
      new CallError({
        code: 'EIN_USE',
        message: 'conflict: unable to remove repository reference "app:1" (must force) - container 3f2a is using its referenced image',
        detail: { ref: 'app:1', containers: ['web'] },
      }),
    );
    render(<RemoveDialog refs={['app:1']} />);
    expect(screen.getByRole('heading', { name: 'Remove app:1 from docker (desktop-linux)' })).toBeTruthy();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Remove' }));
    expect(api.removeImages).toHaveBeenCalledWith({ refs: ['app:1'], source: DOCKER });
    const error = await screen.findByTestId('remove-error');
    expect(error.dataset.code).toBe('EIN_USE');
    // The engine's message says what to do (remove the container first); the line under it names the containers once more, as code.
    expect(screen.getByTestId('remove-in-use').textContent).toBe('Used by web. Deckhand never forces a removal.');
    expect(screen.queryByRole('checkbox')).toBeNull();
  });

  test("prune on an engine plans with the engine (no keep-newest rule) and shows the engine's result", async () => {
    deckhand.getState().setSource(DOCKER);
    api.planPrune.mockResolvedValue({
      planId: '6f1c7a53-5d2c-4c43-9d1e-0a1b2c3d4e5f',
      images: [{ name: 'old:1', digest: old.digest, reason: 'no container uses it' }],
      blobs: [],
      ingests: [],
      reclaimedBytes: 2_000_000,
      leasedBlobs: 0,
    });
    api.runPrune.mockResolvedValue({ removedImages: ['old:1'], deletedBlobs: 0, deletedIngests: 0, freedBytes: 1_999_000, skipped: [] });
    render(<PruneDialog />);
    expect(screen.getByRole('heading', { name: 'Prune docker (desktop-linux)' })).toBeTruthy();
    expect(screen.queryByText(/Keep the newest/)).toBeNull();
    expect(screen.getByTestId('prune-engine-note').textContent).toMatch(/what docker \(desktop-linux\) would remove/);
    const run = await screen.findByRole('button', { name: 'Prune · free 2 MB' });
    expect(api.planPrune).toHaveBeenCalledWith({ all: false, source: DOCKER });
    await userEvent.setup().click(run);
    expect(api.runPrune).toHaveBeenCalledWith({ planId: '6f1c7a53-5d2c-4c43-9d1e-0a1b2c3d4e5f' });
    await screen.findByRole('button', { name: 'Plan again' });
    expect(screen.getByTestId('prune-freed').dataset.bytes).toBe('1999000');
  });

  test("engineChanged refreshes that engine's queries only; enginesChanged the list and the engines' views, never the store's", async () => {
    const events = fakeEvents();
    const off = wireEvents(fakeApi({ ...api, on: events.on }), client);
    client.setQueryData(keys.images(DOCKER), [inUse]);
    client.setQueryData(keys.images(PODMAN), []);
    client.setQueryData(keys.images(STORE), []);
    client.setQueryData(keys.engines(), [docker]);
    events.emit('engineChanged', { source: DOCKER });
    await waitFor(() => expect(client.getQueryState(keys.images(DOCKER))?.isInvalidated).toBe(true));
    expect(client.getQueryState(keys.images(PODMAN))?.isInvalidated).toBe(false);
    expect(client.getQueryState(keys.images(STORE))?.isInvalidated).toBe(false);
    expect(client.getQueryState(keys.engines())?.isInvalidated).toBe(false);
    events.emit('enginesChanged', {});
    await waitFor(() => expect(client.getQueryState(keys.engines())?.isInvalidated).toBe(true));
    expect(client.getQueryState(keys.images(PODMAN))?.isInvalidated).toBe(true);
    expect(client.getQueryState(keys.images(STORE))?.isInvalidated).toBe(false);
    expect(keys.images(DOCKER)).toEqual(['engine', DOCKER, 'images']);
    off();
  });
});

describe('Disk usage, All sources', () => {
  test('each source has its row and its cell; the unreachable engine shows why; a click opens that source', async () => {
    api.diskUsage.mockImplementation(async (input?: { source?: string }) =>
      input?.source === DOCKER
        ? usage([['app:1', 3_000_000, 1_000_000]], 6_000_000, 2_000_000)
        : usage([['busybox:1', 1_000_000, 0]], 1_200_000),
    );
    deckhand.setState({ view: 'usage', usageAll: true });
    render(<UsageView />);
    await waitFor(() => expect(screen.getAllByTestId('source-usage-total')).toHaveLength(2));
    const rows = screen.getAllByTestId('source-usage');
    expect(rows.map((r) => r.dataset.source)).toEqual([STORE, DOCKER, PODMAN]);
    expect(within(rows[0]!).getByTestId('source-usage-total').textContent).toBe('1.2 MB');
    expect(within(rows[1]!).getByTestId('source-usage-total').textContent).toBe('6 MB');
    expect(within(rows[2]!).getByTestId('source-usage-error').textContent).toMatch(
      /^Unreachable: unix:\/\/\/run\/podman.sock: nothing answers/,
    );
    expect(api.diskUsage).toHaveBeenCalledWith(undefined);
    expect(api.diskUsage).toHaveBeenCalledWith({ source: DOCKER });
    expect(api.diskUsage).not.toHaveBeenCalledWith({ source: PODMAN });

    await userEvent.setup().click(within(rows[1]!).getByRole('button', { name: /docker \(desktop-linux\)/ }));
    expect(deckhand.getState()).toMatchObject({ source: DOCKER, usageAll: false });
  });

  test('the map gives each source one cell sized by its total, with its images, shared layers and the rest inside', () => {
    const store = usage([['busybox:1', 1_000_000, 0]], 1_200_000);
    const dock = usage([['app:1', 3_000_000, 1_000_000]], 6_000_000, 2_000_000);
    expect(sourceFigures(dock)).toEqual({
      totalBytes: 6_000_000,
      sharedBytes: 2_000_000,
      uniqueBytes: 3_000_000,
      reclaimableBytes: 0,
      otherBytes: 1_000_000,
      images: 1,
    });
    const cells = layoutSources(
      [
        { source: STORE, label: 'This store', usage: store },
        { source: DOCKER, label: DOCKER, usage: dock },
      ],
      700,
      400,
    );
    const tops = cells.filter((c) => c.kind === 'source');
    expect(tops.map((c) => [c.source, c.bytes])).toEqual([
      [DOCKER, 6_000_000],
      [STORE, 1_200_000],
    ]);
    const area = (c: { x0: number; x1: number; y0: number; y1: number }) => (c.x1 - c.x0) * (c.y1 - c.y0);
    expect(area(tops[0]!)).toBeGreaterThan(3 * area(tops[1]!));
    expect(cells.filter((c) => c.source === DOCKER && c.kind !== 'source').map((c) => [c.kind, c.bytes])).toEqual([
      ['image', 3_000_000],
      ['shared', 2_000_000],
      ['other', 1_000_000],
    ]);
    for (const c of cells.filter((c) => c.kind !== 'source')) {
      const top = tops.find((t) => t.source === c.source)!;
      expect(c.x0 >= top.x0 && c.x1 <= top.x1 && c.y0 >= top.y0 && c.y1 <= top.y1).toBe(true);
    }
  });
});

test("an engine's -1 (a figure it did not compute) reads as unknown, never as zero or a negative size", async () => {
  client.setQueryData(keys.engines(), [docker]);
  deckhand.getState().setSource(DOCKER);
  api.listImages.mockResolvedValue([{ ...old, size: -1, uniqueBytes: -1, sharedBytes: -1, containers: -1 }]);
  render(<ImagesView />);
  const r = await screen.findByTestId('image-row');
  expect(within(r).getByTestId('size').textContent).toBe('unknown');
  expect(within(r).getByTestId('unique').textContent).toBe('unknown');
  expect(within(r).getByTestId('cell-containers').textContent).toBe('unknown');
});
