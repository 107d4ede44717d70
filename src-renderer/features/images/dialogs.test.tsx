import { screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { ImageDetails as Details } from '../../../src-shared/ipc/contract.ts';
import type { ReactElement } from 'react';
import { keys, STORE } from '../../data/keys.ts';
import { createQueryClient, renderWithData } from '../../data/testing.tsx';
import { useDeckhand } from '../../store/index.ts';
import { hex, image } from './fixtures.ts';
import { TagDialog } from './TagDialog.tsx';
import { SaveDialog } from './SaveDialog.tsx';
import { RemoveDialog } from './RemoveDialog.tsx';
import { ImageDetails } from './ImageDetails.tsx';

const apiMock = {
  tag: vi.fn(),
  save: vi.fn(),
  removeImages: vi.fn(),
  diskUsage: vi.fn(),
  inspectImage: vi.fn(),
  imageTree: vi.fn(),
  imageLayers: vi.fn(),
  cancelAnalysis: vi.fn(async () => ({ cancelled: true })),
  on: vi.fn(() => () => undefined),
};

const initial = useDeckhand.getState();
const host = { host: 'web' as const, storeDir: '/s', platform: 'linux/arm64', downloadsDir: '/home/me/Downloads' };
const a = image({
  name: 'example.com/a:1',
  repository: 'example.com/a',
  tag: '1',
  digest: `sha256:${hex('a')}`,
  uniqueBytes: 10,
  sharedBytes: 100,
});
const b = image({
  name: 'example.com/b:1',
  repository: 'example.com/b',
  tag: '1',
  digest: `sha256:${hex('b')}`,
  uniqueBytes: 20,
  sharedBytes: 100,
});

let client = createQueryClient();
const render = (ui: ReactElement) => renderWithData(ui, { api: apiMock, client });

beforeEach(() => {
  vi.clearAllMocks();
  useDeckhand.setState(initial, true);
  client = createQueryClient();
  client.setQueryData(keys.images(STORE), [a, b]);
  client.setQueryData(keys.hostInfo(), host);
});

const lastNotice = () => useDeckhand.getState().notices.at(-1)?.text;

describe('TagDialog', () => {
  test('asks for a name, tags, closes and says so', async () => {
    const user = userEvent.setup();
    useDeckhand.setState({ dialog: { kind: 'tag', source: a.name } });
    apiMock.tag.mockResolvedValue({ ref: 'example.com/a:2', digest: a.digest, previous: null });
    render(<TagDialog source={a.name} />);
    await user.click(screen.getByRole('button', { name: 'Tag' }));
    expect(screen.getByRole('alert').textContent).toContain('Enter the new name');
    expect(apiMock.tag).not.toHaveBeenCalled();
    await user.type(screen.getByLabelText('New name'), 'example.com/a:2{Enter}');
    expect(apiMock.tag).toHaveBeenCalledWith({ source: a.name, target: 'example.com/a:2' });
    expect(useDeckhand.getState().dialog).toBeNull();
    expect(lastNotice()).toBe('Tagged example.com/a:1 as example.com/a:2.');
  });

  test('shows the refusal of a bad name', async () => {
    const user = userEvent.setup();
    apiMock.tag.mockRejectedValue(new Error('repository names must be lowercase'));
    render(<TagDialog source={a.name} />);
    await user.type(screen.getByLabelText('New name'), 'Bad{Enter}');
    expect((await screen.findByRole('alert')).textContent).toContain('lowercase');
  });
});

describe('SaveDialog', () => {
  test('proposes a file in Downloads and starts a save transfer', async () => {
    const user = userEvent.setup();
    useDeckhand.setState({ dialog: { kind: 'save', refs: [a.name] } });
    apiMock.save.mockResolvedValue({ transferId: 't1' });
    render(<SaveDialog refs={[a.name]} />);
    expect((screen.getByLabelText('Archive path') as HTMLInputElement).value).toBe('/home/me/Downloads/a-1.tar');
    await user.selectOptions(screen.getByLabelText('Format'), 'docker-archive');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(apiMock.save).toHaveBeenCalledWith({ refs: [a.name], path: '/home/me/Downloads/a-1.tar', format: 'docker-archive' });
    expect(useDeckhand.getState().dialog).toBeNull();
    expect(useDeckhand.getState().requests.t1).toEqual({
      call: 'save',
      input: { refs: [a.name], path: '/home/me/Downloads/a-1.tar', format: 'docker-archive' },
    });
  });

  test('an image stored in part saves its stored platforms as a new index in an oci-archive, unless unticked', async () => {
    const user = userEvent.setup();
    const multi = image({
      name: 'example.com/m:1',
      repository: 'example.com/m',
      tag: '1',
      digest: `sha256:${hex('c')}`,
      sparse: true,
      platforms: ['linux/arm64'],
    });
    client.setQueryData(keys.images(STORE), [a, multi]);
    useDeckhand.setState({ dialog: { kind: 'save', refs: [multi.name] } });
    apiMock.save.mockResolvedValue({ transferId: 't2' });
    const { unmount } = render(<SaveDialog refs={[multi.name]} />);
    const only = screen.getByRole('checkbox', { name: /Save only the platforms stored here/ }) as HTMLInputElement;
    expect(only.checked).toBe(true);
    await user.selectOptions(screen.getByLabelText('Format'), 'docker-archive');
    expect(screen.queryByRole('checkbox')).toBeNull(); // one platform anyway
    await user.selectOptions(screen.getByLabelText('Format'), 'oci-archive');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(apiMock.save).toHaveBeenCalledWith({
      refs: [multi.name],
      path: '/home/me/Downloads/m-1.tar',
      format: 'oci-archive',
      presentPlatforms: true,
    });
    unmount();

    render(<SaveDialog refs={[multi.name]} />);
    await user.click(screen.getByRole('checkbox', { name: /Save only the platforms stored here/ }));
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(apiMock.save).toHaveBeenLastCalledWith({ refs: [multi.name], path: '/home/me/Downloads/m-1.tar', format: 'oci-archive' });
  });

  test('a complete image offers no such choice', () => {
    render(<SaveDialog refs={[a.name]} />);
    expect(screen.queryByRole('checkbox')).toBeNull();
  });
});

describe('RemoveDialog', () => {
  test('says "at least" until df arrives, then the exact figure; reports what was freed', async () => {
    const user = userEvent.setup();
    let resolveUsage!: (v: unknown) => void;
    apiMock.diskUsage.mockReturnValue(new Promise((r) => (resolveUsage = r)));
    useDeckhand.setState({ dialog: { kind: 'remove', refs: [a.name, b.name] } });
    render(<RemoveDialog refs={[a.name, b.name]} />);
    expect(screen.getByRole('list', { name: 'Images to remove' }).textContent).toContain(b.name);
    expect(screen.getByTestId('remove-freed').textContent).toContain('at least 30 B');
    resolveUsage({
      images: [
        { name: a.name, blobs: [0, 2] },
        { name: b.name, blobs: [1, 2] },
      ],
      blobDigests: ['x', 'y', 's'],
      blobSizes: [10, 20, 100],
    });
    expect(await screen.findByText('130 B')).toBeTruthy();
    expect(screen.getByTestId('remove-freed').dataset.exact).toBe('true');

    apiMock.removeImages.mockResolvedValue({ removed: [a.name, b.name], deleted: [{ digest: 'x', size: 10 }], freedBytes: 130 });
    await user.click(screen.getByRole('button', { name: 'Remove' }));
    expect(apiMock.removeImages).toHaveBeenCalledWith({ refs: [a.name, b.name] });
    expect(useDeckhand.getState().dialog).toBeNull();
    expect(lastNotice()).toBe('Removed 2 images; freed 130 B (1 blobs).');
  });

  test('offers force only when a name is ambiguous', async () => {
    const user = userEvent.setup();
    apiMock.diskUsage.mockReturnValue(new Promise(() => {}));
    render(<RemoveDialog refs={[a.name]} />);
    expect(screen.queryByRole('checkbox')).toBeNull();
    apiMock.removeImages.mockRejectedValueOnce(Object.assign(new Error('matches 2 images'), { code: 'EUSAGE' }));
    await user.click(screen.getByRole('button', { name: 'Remove' }));
    await user.click(await screen.findByRole('checkbox'));
    apiMock.removeImages.mockResolvedValue({ removed: [a.name], deleted: [], freedBytes: 0 });
    await user.click(screen.getByRole('button', { name: 'Remove' }));
    expect(apiMock.removeImages).toHaveBeenLastCalledWith({ refs: [a.name], force: true });
  });
});

describe('ImageDetails', () => {
  const platform = (p: string, d: string) => ({
    platform: p,
    digest: `sha256:${hex(d)}`,
    manifest: { schemaVersion: 2 as const, config: { mediaType: 'c', digest: `sha256:${hex('c')}`, size: 1 }, layers: [] },
    config: {
      architecture: p.split('/')[1]!,
      os: 'linux',
      config: {
        Entrypoint: ['/bin/app'],
        Cmd: ['--serve', 'a b'],
        Env: ['PATH=/usr/bin'],
        Labels: { team: 'core' },
        WorkingDir: '/srv',
        User: 'app',
        ExposedPorts: { '8080/tcp': {} },
      },
      rootfs: { type: 'layers', diff_ids: [] },
      history: [{ created_by: 'RUN make', created: '2025-01-01T00:00:00Z' }],
    },
    configDigest: `sha256:${hex('c')}`,
    layers: [
      {
        digest: `sha256:${hex('l')}`,
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        size: 2000,
        diffId: null,
        createdBy: 'RUN make',
        stored: true,
      },
    ],
  });
  const details: Details = {
    ...a,
    refName: a.name,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    platforms: ['linux/amd64', 'linux/arm64'],
    source: 'docker://example.com/a:1',
    pulled: '2025-02-01T00:00:00Z',
    index: { schemaVersion: 2, manifests: [] },
    images: [platform('linux/amd64', '1'), platform('linux/arm64', '2')],
    absentPlatforms: [],
    tagHistory: [{ digest: a.digest, previous: `sha256:${hex('9')}`, at: '2025-02-01T00:00:00Z', action: 'pull' }],
  };

  test('loads and shows config, layers, history, tag history and JSON, per platform (this machine first)', async () => {
    const user = userEvent.setup();
    apiMock.inspectImage.mockResolvedValue(details);
    apiMock.imageTree.mockResolvedValue([
      { name: a.name, platform: 'linux/arm64', id: 'x', tags: [], size: 1, layers: [{ digest: `sha256:${hex('l')}`, uncompressed: 5000 }] },
    ]);
    useDeckhand.setState({ detailsName: a.name });
    render(<ImageDetails name={a.name} />);
    expect(apiMock.inspectImage).toHaveBeenCalledWith({ ref: a.name });
    const panel = await screen.findByTestId('image-details');
    await screen.findByText('docker://example.com/a:1');
    expect(panel.textContent).toContain('/bin/app');
    expect(panel.textContent).toContain('--serve "a b"');
    expect(panel.textContent).toContain('PATH=/usr/bin');
    expect(panel.textContent).toContain('team=core');
    expect(panel.textContent).toContain('8080/tcp');
    expect(screen.getByTestId('tag-history').textContent).toContain('999999999999');
    const platforms = () => within(screen.getByRole('tablist', { name: 'Platforms' }));
    expect(platforms().getByRole('tab', { selected: true }).textContent).toBe('linux/arm64');
    await waitFor(() => expect(within(screen.getByTestId('layers')).getAllByText('5 kB')).toHaveLength(2)); // the layer and the total
    await user.click(platforms().getByRole('tab', { name: 'linux/amd64' }));
    expect(platforms().getByRole('tab', { selected: true }).textContent).toBe('linux/amd64');
    expect(screen.getByText('Index')).toBeTruthy();
    // The Files tab analyses the chosen platform of a multi-platform image (its content: FilesTab.test.tsx).
    apiMock.imageLayers.mockReturnValue(new Promise(() => undefined));
    await user.click(within(screen.getByRole('tablist', { name: 'Views' })).getByRole('tab', { name: 'Files' }));
    expect(screen.getByRole('status').textContent).toMatch(/Analysing layers/);
    expect(apiMock.imageLayers).toHaveBeenCalledWith({ ref: a.name, platform: 'linux/amd64', requestId: expect.any(String) });
    await user.click(platforms().getByRole('tab', { name: 'linux/arm64' })); // another platform: still its files
    expect(apiMock.imageLayers).toHaveBeenLastCalledWith({ ref: a.name, platform: 'linux/arm64', requestId: expect.any(String) });
    expect(within(screen.getByRole('tablist', { name: 'Views' })).getByRole('tab', { selected: true }).textContent).toBe('Files');
    await user.click(screen.getByRole('button', { name: 'Close details' }));
    expect(useDeckhand.getState().detailsName).toBeNull();
  });

  test("an engine's layers show the one size the engine has, the unpacked one, under Size (no Stored column)", async () => {
    apiMock.imageTree.mockResolvedValue([]);
    apiMock.inspectImage.mockResolvedValue({ ...details, images: [platform('linux/amd64', '1')], containers: 0 });
    useDeckhand.setState({ source: 'docker' }); // beforeEach puts the store back
    render(<ImageDetails name={a.name} />);
    const layers = await screen.findByTestId('layers');
    expect(
      within(layers)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['#', 'Digest', 'Size']);
    expect(within(layers).getByRole('columnheader', { name: 'Size' }).getAttribute('title')).toMatch(/as the engine counts it/);
    expect(within(layers).getAllByText('2 kB')).toHaveLength(2); // the layer and the total
  });

  test('the Signature line says who verified it, under which policy and when; otherwise that no signature was required', async () => {
    const signature = {
      verifiedBy: '/etc/pki/team.pub',
      policy: '/etc/containers/policy.json transports.docker["example.com"]',
      at: '2025-02-01T00:00:00Z',
    };
    apiMock.imageTree.mockResolvedValue([]);
    apiMock.inspectImage.mockResolvedValue({ ...details, signature });
    const { unmount } = render(<ImageDetails name={a.name} />);
    const line = await screen.findByTestId('details-signature');
    expect(line.textContent).toContain('Verified by /etc/pki/team.pub at ');
    expect(line.textContent).toContain('under /etc/containers/policy.json transports.docker["example.com"]');
    expect(within(line).getByTestId('signed-badge').getAttribute('title')).toMatch(
      /^Signature verified by \/etc\/pki\/team\.pub under \/etc\/containers\/policy\.json transports\.docker\["example\.com"\] at .*2025/,
    );
    expect(line.querySelector('time')?.getAttribute('datetime')).toBe('2025-02-01T00:00:00Z');
    unmount();

    client.removeQueries({ queryKey: keys.details(STORE, a.name) });
    apiMock.inspectImage.mockResolvedValue({ ...details, signature: null });
    render(<ImageDetails name={a.name} />);
    await waitFor(() =>
      expect(screen.getByTestId('details-signature').textContent).toBe('Not verified: pulled without a signature requirement'),
    );
    expect(screen.queryByTestId('signed-badge')).toBeNull();
  });

  test('an inspect error is an alert', async () => {
    apiMock.inspectImage.mockRejectedValue(new Error('No image named x'));
    apiMock.imageTree.mockResolvedValue([]);
    render(<ImageDetails name="x" />);
    expect((await screen.findByRole('alert')).textContent).toContain('No image named x');
  });
});
