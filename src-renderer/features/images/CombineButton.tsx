/** The selection's "Combine into a multi-platform image…": two or more stored images that can be listed. */
import type { ImageRow } from '../../../src-shared/ipc/contract.ts';
import { useDeckhand } from '../../store/index.ts';
import { combinable } from './combine.ts';

export function CombineButton({ rows, selection }: { rows: readonly ImageRow[]; selection: readonly string[] }) {
  const openDialog = useDeckhand((s) => s.openDialog);
  const refs = combinable(rows, selection);
  if (refs.length < 2) return null;
  return (
    <button
      type="button"
      title="One name for these images' platforms: a manifest list, pushed with its images"
      onClick={() => openDialog({ kind: 'combine', refs })}
    >
      Combine into a multi-platform image…
    </button>
  );
}
