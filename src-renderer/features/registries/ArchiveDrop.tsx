/**
 * Dropping image archives anywhere on the window loads them: an overlay shows while files are
 * dragged over it; each dropped .tar, .tar.gz or .tgz becomes a load transfer (its local path from
 * archivePathFor: the file itself in the app, an upload to the web host in a browser). Other files
 * get a notice. Drags of image rows (IMAGE_DRAG_TYPE) are left to their drop targets.
 */
import { useEffect, useState } from 'react';
import type { DeckhandApi } from '../../../src-shared/ipc/contract.ts';
import { archivePathFor } from '../../api/files.ts';
import { useApi } from '../../api/provider.tsx';
import { startTransfer } from '../../data/transfers.ts';
import { deckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { IMAGE_DRAG_TYPE } from '../../ui/dnd.ts';
import './registries.css';

export const ARCHIVE_NAME = /\.(tar|tar\.gz|tgz)$/i;

const carriesFiles = (e: DragEvent): boolean => {
  const types = Array.from(e.dataTransfer?.types ?? []);
  return types.includes('Files') && !types.includes(IMAGE_DRAG_TYPE);
};

/** Starts a load for each archive among `files`; everything else gets a notice. */
export async function loadArchives(api: DeckhandApi, files: File[]): Promise<void> {
  const { notify } = deckhand.getState();
  await Promise.all(
    files.map(async (file) => {
      if (!ARCHIVE_NAME.test(file.name)) {
        notify(
          'error',
          `${file.name} was not loaded: only image archives (.tar, .tar.gz or .tgz, as docker save, podman save or skopeo write them) can be loaded.`,
        );
        return;
      }
      try {
        const path = await archivePathFor(file);
        await startTransfer(api, { call: 'load', input: { path } });
      } catch (e) {
        notify('error', `Could not load ${file.name}: ${messageOf(e)}`);
      }
    }),
  );
}

export function ArchiveDrop() {
  const api = useApi();
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    // dragenter and dragleave fire for every element crossed; count them to know when the drag leaves the window.
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const over = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      void loadArchives(api, Array.from(e.dataTransfer?.files ?? []));
    };
    const reset = () => {
      depth = 0;
      setDragging(false);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    window.addEventListener('dragend', reset);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
      window.removeEventListener('dragend', reset);
    };
  }, [api]);
  if (!dragging) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay" role="status">
      <div className="drop-overlay-box">Drop a .tar archive to load it</div>
    </div>
  );
}
