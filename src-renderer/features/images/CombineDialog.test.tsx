import { screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { ManifestListPreview } from '../../../src-shared/ipc/contract.ts';
import { keys, STORE } from '../../data/keys.ts';
import { createQueryClient, renderWithData } from '../../data/testing.tsx';
import { useDeckhand } from '../../store/index.ts';
import { CombineButton } from './CombineButton.tsx';
import { CombineDialog } from './CombineDialog.tsx';
import { changesOf, combinable, proposedName } from './combine.ts';
import { hex, image } from './fixtures.ts';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const arm = image({ name: 'example.com/app:arm64', repository: 'example.com/app', tag: 'arm64', digest: `sha256:${hex('a')}` });
const amd = image({ name: 'example.com/app:amd64', repository: 'example.com/app', tag: 'amd64', digest: `sha256:${hex('b')}` });
const other = image({ name: 'example.com/other:1', repository: 'example.com/other', tag: '1', digest: `sha256:${hex('c')}` });

const entry = (img: typeof arm, platform: string, configPlatform = platform, features: string[] = []) => ({
  image: img.name,
  digest: img.digest,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: 500,
  platform,
  configPlatform,
  features,
});
const previewOf = (mediaType: string, digit: string, entries: ManifestListPreview['entries']): ManifestListPreview => ({
  mediaType,
  digest: `sha256:${hex(digit)}`,
  size: 321,
  json: JSON.stringify(
    { schemaVersion: 2, mediaType, manifests: entries.map((e) => ({ digest: e.digest, platform: e.platform })) },
    null,
    2,
  ),
  entries,
});

const apiMock = { previewManifestList: vi.fn(), createManifestList: vi.fn(), listImages: vi.fn(async () => [arm, amd, other]) };
const initial = useDeckhand.getState();
let client = createQueryClient();

beforeEach(() => {
  vi.clearAllMocks();
  useDeckhand.setState(initial, true);
  client = createQueryClient();
  client.setQueryData(keys.images(STORE), [arm, amd, other]);
});

describe('combine helpers', () => {
  test('a name in the images shared repository, free; none when they differ', () => {
    expect(proposedName([arm, amd], [arm.name, amd.name])).toBe('example.com/app:multi-platform');
    const taken = image({ name: 'example.com/app:multi-platform', repository: 'example.com/app', tag: 'multi-platform' });
    expect(proposedName([arm, amd, taken], [arm.name, amd.name])).toBe('example.com/app:multi-platform-2');
    expect(proposedName([arm, other], [arm.name, other.name])).toBe('');
  });

  test('only readable, whole stored images are combined', () => {
    const broken = image({ name: 'example.com/broken:1', error: 'missing' });
    const sparse = image({ name: 'example.com/sparse:1', sparse: true });
    expect(combinable([arm, broken, sparse], [arm.name, broken.name, sparse.name, 'gone:1'])).toEqual([arm.name]);
  });

  test('changes are what differs from the config, and features', () => {
    const entries = [entry(arm, 'linux/arm64'), entry(amd, 'linux/amd64')];
    const drafts = new Map([
      [arm.digest, { platform: 'linux/arm64', features: '' }],
      [amd.digest, { platform: 'linux/amd64/v3', features: 'sse4, avx2' }],
    ]);
    expect(changesOf(entries, drafts)).toEqual([{ digest: amd.digest, platform: 'linux/amd64/v3', features: ['sse4', 'avx2'] }]);
  });
});

describe('CombineButton', () => {
  test('shows for two or more stored images and opens the dialog with them', async () => {
    const user = userEvent.setup();
    const { rerender } = renderWithData(<CombineButton rows={[arm, amd]} selection={[arm.name]} />, { api: apiMock, client });
    expect(screen.queryByRole('button', { name: /Combine/ })).toBeNull();
    rerender(<CombineButton rows={[arm, amd]} selection={[arm.name, amd.name]} />);
    await user.click(screen.getByRole('button', { name: 'Combine into a multi-platform image…' }));
    expect(useDeckhand.getState().dialog).toEqual({ kind: 'combine', refs: [arm.name, amd.name] });
  });
});

describe('CombineDialog', () => {
  test('Create pressed straight after an edit previews the edit first and writes only once it has been seen', async () => {
    const user = userEvent.setup();
    const first = previewOf(OCI_INDEX, '1', [entry(arm, 'linux/arm64'), entry(amd, 'linux/amd64')]);
    const second = previewOf(OCI_INDEX, '3', [entry(arm, 'linux/arm64'), entry(amd, 'linux/amd64/v3', 'linux/amd64')]);
    apiMock.previewManifestList.mockImplementation(async (input: { changes?: unknown[] }) => (input.changes ? second : first));
    apiMock.createManifestList.mockResolvedValue({
      name: 'example.com/app:multi-platform',
      digest: second.digest,
      mediaType: OCI_INDEX,
      platforms: ['linux/arm64', 'linux/amd64/v3'],
    });
    renderWithData(<CombineDialog refs={[arm.name, amd.name]} />, { api: apiMock, client });
    await screen.findByTestId('combine-kind');
    const platform = screen.getByLabelText(/^Platform of example.com\/app:amd64/);
    await user.clear(platform);
    await user.type(platform, 'linux/amd64/v3');
    // The click leaves the field (which previews the edit) and lands on Create: nothing is written yet.
    await user.click(screen.getByRole('button', { name: 'Create' }));
    expect(apiMock.createManifestList).not.toHaveBeenCalled();
    await waitFor(() => expect(screen.getByTestId('combine-digest').textContent).toContain(second.digest));
    expect(screen.getByTestId('combine-recheck').textContent).toContain('press Create again');
    await user.click(screen.getByRole('button', { name: 'Create' }));
    expect(apiMock.createManifestList).toHaveBeenCalledWith({
      images: [arm.name, amd.name],
      changes: [{ digest: amd.digest, platform: 'linux/amd64/v3' }],
      name: 'example.com/app:multi-platform',
      digest: second.digest,
    });
  });

  test('shows each entry, the kind, digest and document; an edited platform previews again; Create writes that digest', async () => {
    const user = userEvent.setup();
    const first = previewOf(OCI_INDEX, '1', [entry(arm, 'linux/arm64'), entry(amd, 'linux/amd64')]);
    const second = previewOf(DOCKER_LIST, '2', [entry(arm, 'linux/arm64'), entry(amd, 'linux/amd64/v2', 'linux/amd64', ['sse4'])]);
    apiMock.previewManifestList.mockImplementation(async (input: { changes?: unknown[] }) => (input.changes ? second : first));
    apiMock.createManifestList.mockResolvedValue({
      name: 'example.com/app:multi-platform',
      digest: second.digest,
      mediaType: DOCKER_LIST,
      platforms: ['linux/arm64', 'linux/amd64/v2'],
    });
    useDeckhand.setState({ dialog: { kind: 'combine', refs: [arm.name, amd.name] } });
    renderWithData(<CombineDialog refs={[arm.name, amd.name]} />, { api: apiMock, client });

    expect(await screen.findByTestId('combine-kind')).toHaveProperty('textContent', 'OCI image index');
    expect(apiMock.previewManifestList).toHaveBeenCalledWith({ images: [arm.name, amd.name] });
    expect(screen.getByTestId('combine-digest').textContent).toContain(first.digest);
    expect(screen.getByTestId('combine-json').textContent).toBe(first.json);
    expect(screen.getByLabelText('Name of the multi-platform image')).toHaveProperty('value', 'example.com/app:multi-platform');
    const rows = screen.getAllByTestId('combine-entry');
    expect(rows.map((r) => r.getAttribute('data-digest'))).toEqual([arm.digest, amd.digest]);
    expect(within(rows[0]!).getByText('as its config says')).toBeTruthy();

    const platform = screen.getByLabelText(/^Platform of example.com\/app:amd64/);
    await user.clear(platform);
    await user.type(platform, 'linux/amd64/v2');
    await user.type(screen.getByLabelText(/^Features of example.com\/app:amd64/), 'sse4{Enter}');
    await waitFor(() => expect(screen.getByTestId('combine-kind').textContent).toBe('Docker manifest list'));
    expect(apiMock.previewManifestList).toHaveBeenLastCalledWith({
      images: [arm.name, amd.name],
      changes: [{ digest: amd.digest, platform: 'linux/amd64/v2', features: ['sse4'] }],
    });
    expect(screen.getByText('its config says linux/amd64')).toBeTruthy();
    expect(screen.getByTestId('combine-digest').textContent).toContain(second.digest);

    await user.click(screen.getByRole('button', { name: 'Create' }));
    expect(apiMock.createManifestList).toHaveBeenCalledWith({
      images: [arm.name, amd.name],
      changes: [{ digest: amd.digest, platform: 'linux/amd64/v2', features: ['sse4'] }],
      name: 'example.com/app:multi-platform',
      digest: second.digest,
    });
    expect(useDeckhand.getState().dialog).toBeNull();
    expect(useDeckhand.getState().selection).toEqual(['example.com/app:multi-platform']);
    expect(useDeckhand.getState().notices.at(-1)?.text).toBe(
      'Created example.com/app:multi-platform: Docker manifest list of linux/arm64, linux/amd64/v2. Drag it onto a registry to push it with its images.',
    );
  });

  test('a refused platform is shown and Create stays off; a refused creation is shown', async () => {
    const user = userEvent.setup();
    const first = previewOf(OCI_INDEX, '1', [entry(arm, 'linux/arm64'), entry(amd, 'linux/amd64')]);
    apiMock.previewManifestList.mockImplementation(async (input: { changes?: unknown[] }) => {
      if (input.changes)
        throw Object.assign(new Error('"v9" is not a variant of amd64. Known variants: v1 (the default), v2, v3, v4.'), {
          code: 'EPLATFORM',
        });
      return first;
    });
    apiMock.createManifestList.mockRejectedValue(
      new Error('example.com/app:multi-platform already names a stored image. Pick another name.'),
    );
    renderWithData(<CombineDialog refs={[arm.name, amd.name]} />, { api: apiMock, client });
    await screen.findByTestId('combine-kind');
    await user.click(screen.getByRole('button', { name: 'Create' }));
    expect((await screen.findByRole('alert')).textContent).toContain('already names a stored image');
    const platform = screen.getByLabelText(/^Platform of example.com\/app:amd64/);
    await user.clear(platform);
    await user.type(platform, 'linux/amd64/v9{Enter}');
    expect((await screen.findByTestId('combine-preview-error')).textContent).toContain('"v9" is not a variant of amd64');
    expect(screen.getByRole('button', { name: 'Create' })).toHaveProperty('disabled', true);
  });
});
