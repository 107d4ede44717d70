/**
 * Remove…: lists the names and what removing them frees. The sum of the images' unique bytes is
 * not that figure when they share blobs among themselves, so the exact one comes from df's blob
 * lists (loaded here when stale); until it arrives the dialog says "at least". After removal the
 * notice reports the bytes the store actually freed.
 */
import { useMemo, useState, type FormEvent } from 'react';
import { formatBytes } from '../../../src-shared/format.ts';
import { useApi } from '../../api/provider.tsx';
import { useQueryClient } from '@tanstack/react-query';
import { isStore, sourceInput } from '../../data/keys.ts';
import { freshData, sourceChanged, useDiskUsage, useImages, useSource } from '../../data/queries.ts';
import { messageOf } from '../../store/slice.ts';
import { useDeckhand } from '../../store/index.ts';
import { Dialog, FormFooter } from '../../ui/Dialog.tsx';
import { freedByRemoving } from './rows.ts';

const EMPTY: never[] = [];

export function RemoveDialog({ refs }: { refs: string[] }) {
  const closeDialog = useDeckhand((s) => s.closeDialog);
  const client = useQueryClient();
  const notify = useDeckhand((s) => s.notify);
  const api = useApi();
  const source = useSource();
  const engine = !isStore(source);
  const rows = useImages().data ?? EMPTY;
  const usage = useDiskUsage();
  const [error, setError] = useState<{ code: string | null; message: string; containers: string[] } | null>(null);
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
      const result = await api.removeImages({ refs, ...(force && !engine ? { force: true } : {}), ...sourceInput(source) });
      closeDialog();
      const s = useDeckhand.getState();
      const removed = new Set(refs);
      if (s.selection.some((n) => removed.has(n))) s.select(s.selection.filter((n) => !removed.has(n)));
      if (s.detailsName && removed.has(s.detailsName)) s.showDetails(null);
      const what = result.removed.length === 1 ? result.removed[0] : `${result.removed.length} images`;
      notify(
        'info',
        engine
          ? `Removed ${what} from ${source}; the engine freed ${formatBytes(result.freedBytes)}.`
          : `Removed ${what}; freed ${formatBytes(result.freedBytes)} (${result.deleted.length} blobs).`,
      );
      // The engine's own event stream says so too; the views of this engine need not wait for it.
      if (engine) void sourceChanged(client, source);
    } catch (err) {
      const code = err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? err.code : null;
      const detail = err && typeof err === 'object' && 'detail' in err ? (err.detail as Record<string, unknown> | null) : null;
      const containers = Array.isArray(detail?.containers) ? detail.containers.filter((c): c is string => typeof c === 'string') : [];
      setError({ code, message: messageOf(err), containers });
      setBusy(false);
    }
  };

  const title = `${refs.length === 1 ? `Remove ${refs[0]}` : `Remove ${refs.length} images`}${engine ? ` from ${source}` : ''}`;
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
              Frees <strong>{formatBytes(freed.bytes)}</strong>:{' '}
              {engine ? "the layers only these images use, by the engine's count." : 'the blobs only these images use.'}
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
        {engine ? (
          <p className="muted">
            {source} removes them through its API, as <code>rmi</code> without force does: an image a container uses is refused.
          </p>
        ) : null}
        {error ? (
          <div className="error" role="alert" data-testid="remove-error" data-code={error.code ?? undefined}>
            <p>{error.message}</p>
            {error.code === 'EIN_USE' && error.containers.length > 0 ? (
              <p data-testid="remove-in-use">
                Used by{' '}
                {error.containers.map((c, i) => (
                  <span key={c}>
                    {i > 0 ? ', ' : ''}
                    <code>{c}</code>
                  </span>
                ))}
                . Deckhand never forces a removal.
              </p>
            ) : null}
          </div>
        ) : null}
        {error?.code === 'EUSAGE' && !engine ? (
          <label className="inline">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Remove every image a name matches
          </label>
        ) : null}
        <FormFooter submitLabel="Remove" busyLabel="Removing…" busy={busy} variant="danger" onCancel={closeDialog} />
      </form>
    </Dialog>
  );
}
