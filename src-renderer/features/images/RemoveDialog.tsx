/**
 * Remove…: lists the names and what removing them frees. The sum of the images' unique bytes is
 * not that figure when they share blobs among themselves, so the exact one comes from df's blob
 * lists (loaded here when stale); until it arrives the dialog says "at least". After removal the
 * notice reports the bytes the store actually freed.
 */
import { useMemo, useState, type FormEvent } from 'react';
import { formatBytes } from '../../../src-shared/format.ts';
import { useApi } from '../../api/provider.tsx';
import { freshData, useDiskUsage, useImages } from '../../data/queries.ts';
import { messageOf } from '../../store/slice.ts';
import { useDeckhand } from '../../store/index.ts';
import { Dialog, FormFooter } from '../../ui/Dialog.tsx';
import { freedByRemoving } from './rows.ts';

const EMPTY: never[] = [];

export function RemoveDialog({ refs }: { refs: string[] }) {
  const closeDialog = useDeckhand((s) => s.closeDialog);
  const notify = useDeckhand((s) => s.notify);
  const api = useApi();
  const rows = useImages().data ?? EMPTY;
  const usage = useDiskUsage();
  const [error, setError] = useState<{ code: string | null; message: string } | null>(null);
  const [force, setForce] = useState(false);
  const [busy, setBusy] = useState(false);

  const fresh = freshData(usage);
  const freed = useMemo(() => freedByRemoving(refs, rows, fresh), [refs, rows, fresh]);
  const heldElsewhere = useMemo(() => {
    const removing = new Set(refs);
    const keptByDigest = new Map<string, string>();
    for (const r of rows) if (!removing.has(r.name) && !keptByDigest.has(r.digest)) keptByDigest.set(r.digest, r.name);
    const out: string[] = [];
    for (const r of rows) {
      const other = removing.has(r.name) ? keptByDigest.get(r.digest) : undefined;
      if (other) out.push(`${r.name} (still stored as ${other})`);
    }
    return out;
  }, [refs, rows]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await api.removeImages({ refs, ...(force ? { force: true } : {}) });
      closeDialog();
      const s = useDeckhand.getState();
      const removed = new Set(refs);
      if (s.selection.some((n) => removed.has(n))) s.select(s.selection.filter((n) => !removed.has(n)));
      if (s.detailsName && removed.has(s.detailsName)) s.showDetails(null);
      const what = result.removed.length === 1 ? result.removed[0] : `${result.removed.length} images`;
      notify('info', `Removed ${what}; freed ${formatBytes(result.freedBytes)} (${result.deleted.length} blobs).`);
    } catch (err) {
      const code = err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? err.code : null;
      setError({ code, message: messageOf(err) });
      setBusy(false);
    }
  };

  const title = refs.length === 1 ? `Remove ${refs[0]}` : `Remove ${refs.length} images`;
  return (
    <Dialog title={title} onClose={closeDialog} testId="remove-dialog">
      <form onSubmit={(e) => void submit(e)}>
        <ul className="dialog-list mono" aria-label="Images to remove">
          {refs.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
        <p data-testid="remove-freed" data-exact={freed.exact} data-bytes={freed.bytes}>
          {freed.exact ? (
            <>
              Frees <strong>{formatBytes(freed.bytes)}</strong>: the blobs only these images use.
            </>
          ) : (
            <>
              Frees <strong>at least {formatBytes(freed.bytes)}</strong>
              <span className="muted">
                {' '}
                (images can share blobs among themselves;{' '}
                {usage.error ? `the exact figure is not available: ${messageOf(usage.error)}` : 'working out the exact figure…'})
              </span>
            </>
          )}
        </p>
        {heldElsewhere.length ? <p className="muted">Only the name goes for: {heldElsewhere.join(', ')}.</p> : null}
        {error ? (
          <p className="error" role="alert">
            {error.message}
          </p>
        ) : null}
        {error?.code === 'EUSAGE' ? (
          <label className="inline">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Remove every image a name matches
          </label>
        ) : null}
        <FormFooter submitLabel="Remove" busyLabel="Removing…" busy={busy} variant="danger" onCancel={closeDialog} />
      </form>
    </Dialog>
  );
}
