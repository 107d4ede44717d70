/**
 * The header's prune button: it says what a default prune frees before it is pressed (the df
 * figure, which is exactly what the default plan removes), and opens the prune dialog. The figure
 * reloads whenever the store changes (storeChanged invalidates df). The first load waits for the
 * image list and an idle moment: df is the larger answer, and the table comes first.
 */
import { groupDigits } from '../../ui/format.tsx';
import { formatBytes } from '../../../src-shared/format.ts';
import { isStore } from '../../data/keys.ts';
import { useDiskUsageWhenIdle, useSource } from '../../data/queries.ts';
import { useDeckhand } from '../../store/index.ts';
import './prune.css';

export function PruneButton() {
  const bytes = useDiskUsageWhenIdle().data?.reclaimableBytes ?? null;
  const openDialog = useDeckhand((s) => s.openDialog);
  const source = useSource();

  const title = !isStore(source)
    ? `Prune ${source}: what the engine would remove${bytes === null ? '' : ` (${groupDigits(bytes)} bytes reclaimable by its count)`}, with a preview first`
    : bytes === null
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
