/** Save to file…: writes stored images to an oci-archive or docker-archive tarball, as a background transfer. */
import { useState, type FormEvent } from 'react';
import { messageOf } from '../../store/slice.ts';
import { useHostInfo, useImages } from '../../data/queries.ts';
import { useTransferActions } from '../../data/transfers.ts';
import { useDeckhand } from '../../store/index.ts';
import { Dialog, FormFooter } from '../../ui/Dialog.tsx';
import { safeFileName } from './actions.ts';

type Format = 'oci-archive' | 'docker-archive';

export function defaultSavePath(downloadsDir: string | null | undefined, refs: string[]): string {
  const base = refs.length === 1 ? safeFileName(refs[0]!) : `${refs.length}-images`;
  const dir = (downloadsDir ?? '').replace(/[\\/]+$/, '');
  return dir ? `${dir}/${base}.tar` : `${base}.tar`;
}

export function SaveDialog({ refs }: { refs: string[] }) {
  const closeDialog = useDeckhand((s) => s.closeDialog);
  const notify = useDeckhand((s) => s.notify);
  const { startTransfer } = useTransferActions();
  const downloadsDir = useHostInfo()?.downloadsDir ?? null;
  // Images pulled for one platform of several are stored in part: an oci-archive of them needs a choice.
  const sparse = (useImages().data ?? []).some((r) => r.sparse && refs.includes(r.name));
  const [path, setPath] = useState(() => defaultSavePath(downloadsDir, refs));
  const [format, setFormat] = useState<Format>('oci-archive');
  const [onlyPresent, setOnlyPresent] = useState(true);
  const cutIndex = sparse && format === 'oci-archive' && onlyPresent;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const p = path.trim();
    if (!p) return setError('Enter the path of the archive to write.');
    if (!p.startsWith('/') && !/^[a-z]:[\\/]/i.test(p)) return setError('Enter an absolute path, for example /Users/you/Downloads/app.tar');
    setBusy(true);
    setError(null);
    try {
      await startTransfer({ call: 'save', input: { refs, path: p, format, ...(cutIndex ? { presentPlatforms: true } : {}) } });
      closeDialog();
      notify('info', `Saving ${refs.length === 1 ? refs[0] : `${refs.length} images`} to ${p}`);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={refs.length === 1 ? `Save ${refs[0]}` : `Save ${refs.length} images`} onClose={closeDialog} testId="save-dialog">
      <form onSubmit={(e) => void submit(e)} noValidate>
        {refs.length > 1 ? (
          <ul className="dialog-list mono">
            {refs.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        ) : null}
        <label>
          Archive path
          <input value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} aria-invalid={error !== null} />
        </label>
        <label>
          Format
          <select value={format} onChange={(e) => setFormat(e.target.value as Format)}>
            <option value="oci-archive">oci-archive (OCI image layout)</option>
            <option value="docker-archive">docker-archive (docker load)</option>
          </select>
        </label>
        {sparse && format === 'oci-archive' ? (
          <label className="check">
            <input type="checkbox" checked={onlyPresent} onChange={(e) => setOnlyPresent(e.target.checked)} />
            Save only the platforms stored here, as a new index (a multi-platform image here is stored in part; the archive's digest will
            differ from the registry's)
          </label>
        ) : null}
        <FormFooter error={error} submitLabel="Save" busyLabel="Starting…" busy={busy} onCancel={closeDialog} />
      </form>
    </Dialog>
  );
}
