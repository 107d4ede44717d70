/**
 * The Images view: a toolbar (filter, count and disk space of what is shown), the virtualized image
 * table, and the details panel of one image beside it.
 *
 * The space figure is honest: images share blobs, so their sizes do not add up. With df's blob
 * lists (loaded when the browser is idle) it is exact, each blob once; until then it is a lower
 * bound and says so.
 */
import { groupDigits } from '../../ui/format.tsx';
import { useDeferredValue, useEffect, useMemo } from 'react';
import { formatBytes } from '../../../src-shared/format.ts';
import { isStore } from '../../data/keys.ts';
import { freshData, useDiskUsageWhenIdle, useHostInfo, useImages, useSource } from '../../data/queries.ts';
import { SourceBar } from '../sources/SourceBar.tsx';
import { useDeckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { HostPlatform } from './host-platform.ts';
import { Freshness, updateImage } from './FreshnessCell.tsx';
import { useFreshness } from '../../data/freshness.ts';
import { useApi } from '../../api/provider.tsx';
import type { ImageRow } from '../../../src-shared/ipc/contract.ts';
import { ImageDetails } from './ImageDetails.tsx';
import { ImagesTable } from './ImagesTable.tsx';
import { CombineButton } from './CombineButton.tsx';
import { buildTree, bytesOf, filterImages } from './rows.ts';
import './images.css';

function Count({ shown, total, bytes, exact }: { shown: number; total: number; bytes: number; exact: boolean }) {
  const images = `${groupDigits(shown)} ${shown === 1 ? 'image' : 'images'}`;
  const of = shown !== total ? ` of ${groupDigits(total)}` : '';
  const size = exact ? formatBytes(bytes) : `at least ${formatBytes(bytes)}`;
  const title = exact
    ? `${groupDigits(bytes)} bytes on disk for these images, every shared blob counted once`
    : 'Images share blobs, so their sizes do not add up; the exact figure follows once disk usage is loaded';
  return (
    <span className="images-count muted" data-testid="images-count" data-exact={exact} title={title}>
      {images}
      {of}, {size}
    </span>
  );
}

export function ImagesView() {
  const source = useSource();
  const engine = !isStore(source);
  const images = useImages();
  const rows = images.data ?? null;
  const imagesError = images.error ? messageOf(images.error) : null;
  const platform = useHostInfo()?.platform ?? null;
  const api = useApi();
  // The store's tags are checked against their registries while the table shows them (HEADs, in the background).
  const freshnessView = useFreshness(!engine && !!rows && rows.length > 0);
  const freshness = useMemo(
    () => (engine ? null : { view: freshnessView, update: (image: ImageRow) => void updateImage(api, image) }),
    [engine, freshnessView, api],
  );
  const filter = useDeckhand((s) => s.filter);
  const setFilter = useDeckhand((s) => s.setFilter);
  const detailsName = useDeckhand((s) => s.detailsName);
  const usage = useDiskUsageWhenIdle();
  const openDialog = useDeckhand((s) => s.openDialog);
  const selection = useDeckhand((s) => s.selection);
  const select = useDeckhand((s) => s.select);

  // Typing stays responsive with 10,000 rows: the table follows the filter at a lower priority.
  const query = useDeferredValue(filter);
  const shown = useMemo(() => (rows ? filterImages(rows, query) : []), [rows, query]);
  const nodes = useMemo(() => buildTree(shown), [shown]);
  const freshUsage = freshData(usage);
  const space = useMemo(() => bytesOf(shown, freshUsage), [shown, freshUsage]);

  // Names that left the store leave the selection.
  useEffect(() => {
    if (!rows || selection.length === 0) return;
    const names = new Set(rows.map((r) => r.name));
    if (selection.some((n) => !names.has(n))) select(selection.filter((n) => names.has(n)));
  }, [rows, selection, select]);

  let body;
  if (imagesError && !rows) body = null;
  else if (!rows) {
    body = (
      <p className="images-placeholder muted" role="status">
        Loading images…
      </p>
    );
  } else if (rows.length === 0 && engine) {
    body = (
      <div className="images-empty" data-testid="images-empty">
        <h2>No images in {source}</h2>
        <p className="muted">
          Images pulled or built with the engine show here. Drag an image from This store onto {source} to copy it in.
        </p>
      </div>
    );
  } else if (rows.length === 0) {
    body = (
      <div className="images-empty" data-testid="images-empty">
        <h2>No images yet</h2>
        <p className="muted">
          Pull an image from a registry (for example docker.io/library/alpine), or drop an oci-archive or docker-archive tarball on this
          window to load it.
        </p>
        <button type="button" className="primary" onClick={() => openDialog({ kind: 'pull' })}>
          Pull an image…
        </button>
      </div>
    );
  } else if (shown.length === 0) {
    body = (
      <div className="images-empty" data-testid="images-no-match">
        <p className="muted">No image matches “{query}”: the filter looks at repositories, tags, digests and platforms.</p>
        <button type="button" onClick={() => setFilter('')}>
          Clear the filter
        </button>
      </div>
    );
  } else
    body = (
      <HostPlatform.Provider value={platform}>
        <Freshness.Provider value={freshness}>
          <ImagesTable nodes={nodes} />
        </Freshness.Provider>
      </HostPlatform.Provider>
    );

  return (
    <section className={detailsName ? 'images-view with-details' : 'images-view'} aria-label="Images" data-testid="images-view">
      <SourceBar totalBytes={freshUsage?.totalBytes ?? null} />
      <div className="images-toolbar">
        <input
          type="text"
          className="images-filter"
          aria-label="Filter images"
          placeholder="Filter: repository, tag, digest, platform"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && filter) {
              e.preventDefault();
              setFilter('');
            }
          }}
        />
        {rows && rows.length > 0 ? <Count shown={shown.length} total={rows.length} bytes={space.bytes} exact={space.exact} /> : null}
        {selection.length > 0 ? (
          <span className="images-selection">
            <span className="muted">{selection.length} selected</span>
            {engine ? null : (
              <button type="button" onClick={() => openDialog({ kind: 'save', refs: selection })}>
                Save…
              </button>
            )}
            {engine ? null : <CombineButton rows={rows ?? []} selection={selection} />}
            <button type="button" onClick={() => openDialog({ kind: 'remove', refs: selection })}>
              Remove…
            </button>
          </span>
        ) : null}
      </div>
      {imagesError ? (
        <div className="images-error" role="alert">
          <span>
            Could not list the images{engine ? ` of ${source}` : ''}: {imagesError}
          </span>
          <button type="button" onClick={() => void images.refetch()}>
            Retry
          </button>
        </div>
      ) : null}
      <div className="images-body">
        <div className="images-main">{body}</div>
        {detailsName ? <ImageDetails name={detailsName} /> : null}
      </div>
    </section>
  );
}
