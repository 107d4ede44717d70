import { useEffect, useState } from 'react';
import type { ImageRow } from '../../../src-shared/ipc/contract.ts';
import { api } from '../../api/client.ts';

/** The stored images, refetched whenever the store changes (here or in another process). */
export function useImages(): { rows: ImageRow[] | null; error: string | null } {
  const [rows, setRows] = useState<ImageRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      api()
        .listImages()
        .then((r) => live && (setRows(r), setError(null)))
        .catch((e: Error) => live && setError(e.message));
    const off = api().on('storeChanged', () => void load());
    void load();
    return () => {
      live = false;
      off();
    };
  }, []);
  return { rows, error };
}
