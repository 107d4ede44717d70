/** Tag…: gives a stored image another name. A name already in use moves; its old image stays as a dangling entry. */
import { useState, type FormEvent } from 'react';
import { useApi } from '../../api/provider.tsx';
import { messageOf } from '../../store/slice.ts';
import { useDeckhand } from '../../store/index.ts';
import { Dialog, FormFooter } from '../../ui/Dialog.tsx';
import { shortDigest } from './rows.ts';

export function TagDialog({ source }: { source: string }) {
  const api = useApi();
  const closeDialog = useDeckhand((s) => s.closeDialog);
  const notify = useDeckhand((s) => s.notify);
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const name = target.trim();
    if (!name) {
      setError('Enter the new name, for example registry.example.com/team/app:1.0');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api.tag({ source, target: name });
      closeDialog();
      notify(
        'info',
        r.previous
          ? `Tagged ${source} as ${r.ref}; the image it named before (${shortDigest(r.previous)}) is kept as dangling.`
          : `Tagged ${source} as ${r.ref}.`,
      );
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Tag ${source}`} onClose={closeDialog} testId="tag-dialog">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label>
          New name
          <input
            autoFocus
            value={target}
            placeholder="registry.example.com/team/app:1.0"
            aria-invalid={error !== null}
            aria-describedby={error ? 'tag-error' : undefined}
            onChange={(e) => {
              setTarget(e.target.value);
              if (error) setError(null);
            }}
            spellCheck={false}
          />
        </label>
        <FormFooter error={error} errorId="tag-error" submitLabel="Tag" busyLabel="Tagging…" busy={busy} onCancel={closeDialog} />
      </form>
    </Dialog>
  );
}
