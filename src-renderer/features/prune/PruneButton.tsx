/**
 * The header's prune button: it says what a default prune frees before it is pressed (the df
 * figure, which is exactly what the default plan removes), and opens the prune dialog. The figure
 * reloads whenever the store changes (the usage is marked stale then). The first load waits for
 * the image list and an idle moment: df is the larger answer, and the table comes first.
 */
import { groupDigits } from '../../ui/format.tsx';
import { useEffect } from 'react';
import { formatBytes } from '../../../src-shared/format.ts';
import { useDeckhand } from '../../store/index.ts';
import { whenIdle } from '../../ui/idle.ts';
import './prune.css';

export function PruneButton() {
  const bytes = useDeckhand((s) => s.usage.data?.reclaimableBytes ?? null);
  const stale = useDeckhand((s) => s.usage.stale);
  const listed = useDeckhand((s) => s.rows !== null);
  const openDialog = useDeckhand((s) => s.openDialog);

  useEffect(() => {
    if (!listed || !stale) return;
    // Read the flag when it runs: another view may have started the same load meanwhile.
    return whenIdle(() => {
      if (useDeckhand.getState().usage.stale) void useDeckhand.getState().loadUsage();
    });
  }, [stale, listed]);

  const title =
    bytes === null
      ? 'Remove dangling images, unreferenced blobs and interrupted downloads, with a preview first'
      : `A default prune removes dangling images, unreferenced blobs and interrupted downloads: ${groupDigits(bytes)} bytes. A preview comes first.`;
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
