import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';

/** A reference box and a Pull button; the pull itself runs in the background as a transfer. */
export function PullForm() {
  const [ref, setRef] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    api()
      .pull({ ref: ref.trim() })
      .then(() => setRef(''))
      .catch((err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };
  return (
    <form className="pull" onSubmit={submit}>
      <input data-testid="pull-ref" aria-label="Image reference" placeholder="Image to pull, e.g. alpine:3.20" value={ref} onChange={(e) => setRef(e.target.value)} spellCheck={false} />
      <button data-testid="pull-submit" type="submit" disabled={busy || ref.trim() === ''}>
        Pull
      </button>
      {error ? (
        <span data-testid="pull-error" className="error" role="alert">
          {error}
        </span>
      ) : null}
    </form>
  );
}
