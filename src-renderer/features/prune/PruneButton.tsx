/**
 * The header's prune button: it says what a default prune frees before it is pressed (the df
 * figure, which is exactly what the default plan removes), and opens the prune dialog. The figure
 * reloads whenever the store changes (the usage is marked stale then).
 */
import { useEffect } from 'react';
import { formatBytes } from '../../../src-shared/format.ts';
import { useDeckhand } from '../../store/index.ts';
import './prune.css';

export function PruneButton() {
  const bytes = useDeckhand((s) => s.usage.data?.reclaimableBytes ?? null);
  const stale = useDeckhand((s) => s.usage.stale);
  const openDialog = useDeckhand((s) => s.openDialog);

  useEffect(() => {
    // Read the flag now: the disk-usage view may have started the same load in this commit.
    if (useDeckhand.getState().usage.stale) void useDeckhand.getState().loadUsage();
  }, [stale]);

  const title =
    bytes === null
      ? 'Remove dangling images, unreferenced blobs and interrupted downloads, with a preview first'
      : `A default prune removes dangling images, unreferenced blobs and interrupted downloads: ${bytes.toLocaleString('en-US')} bytes. A preview comes first.`;
  return (
    <button
      type="button"
      className="prune-button"
      data-testid="prune-button"
      data-bytes={bytes ?? undefined}
      title={title}
      onClick={() => openDialog({ kind: 'prune' })}
    >
      {bytes === null ? 'Prune…' : `Prune · frees ${formatBytes(bytes)}`}
    </button>
  );
}
