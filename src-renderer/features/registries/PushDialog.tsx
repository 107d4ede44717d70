/**
 * Push an image to a registry, opened by dropping an image row on a registry or repository in the
 * sidebar: a stored image is pushed; an engine's image is copied from the engine
 * (`docker-daemon:REF` in that engine) to the registry. The target is proposed from the drop (the repository dropped on, or the source's
 * own repository path, and the source's tag) and stays editable. The push runs in the background
 * and shows in Transfers; only layers the registry lacks are uploaded.
 */
import { useState, type FormEvent } from 'react';
import { isDigest } from '../../../src-shared/oci/digest.ts';
import { parseReference, parseTaggedName } from '../../../src-shared/oci/reference.ts';
import { STORE } from '../../data/keys.ts';
import { useImages, useRegistries } from '../../data/queries.ts';
import { useTransferActions } from '../../data/transfers.ts';
import { useDeckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { Dialog, FormFooter } from '../../ui/Dialog.tsx';
import './registries.css';

/** The target proposed for pushing `source` to `registry` (into `repository` when dropped on one). */
export function proposeTarget(source: string, registry: string, repository: string | null): { name: string; tag: string } {
  let path = '';
  let tag = 'latest';
  // An engine's short name (`app:1`) reads as docker.io/library/app; pushed elsewhere it is `app`.
  const short = !source.includes('/');
  // A stored name is a reference, a bare tag (from an OCI layout) or, for a dangling image, its digest.
  if (!isDigest(source)) {
    try {
      const ref = parseTaggedName(source);
      if ('bareTag' in ref) tag = ref.bareTag;
      else {
        path = short ? ref.path.replace(/^library\//, '') : ref.path;
        tag = ref.tag ?? 'latest';
      }
    } catch {
      // Not a name Deckhand can read: the user types the target.
    }
  }
  const repo = repository ?? path;
  return { name: repo ? `${registry}/${repo}` : `${registry}/`, tag };
}

function domainOf(name: string): string | null {
  try {
    return parseReference(name, { defaultTag: false }).domain;
  } catch {
    return null;
  }
}

interface PushDialogProps {
  source: string;
  registry: string;
  repository: string | null;
  /** The engine the image is in (a drag from an engine's images); null: the store. */
  sourceEngine?: string | null;
}

export function PushDialog({ source, registry, repository, sourceEngine = null }: PushDialogProps) {
  const registries = useRegistries().data ?? null;
  const row = useImages(sourceEngine ?? STORE).data?.find((r) => r.name === source) ?? null;
  const { startTransfer } = useTransferActions();
  const closeDialog = useDeckhand((s) => s.closeDialog);
  const proposed = proposeTarget(source, registry, repository);
  const [name, setName] = useState(proposed.name);
  const [tag, setTag] = useState(proposed.tag);
  const [onlyPresent, setOnlyPresent] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const destination = `${name.trim()}:${tag.trim()}`;
  const host = domainOf(name.trim()) ?? registry;
  const insecure = (registries ?? []).some((r) => r.host === host && r.insecure);
  const sparse = sourceEngine === null && (row?.sparse ?? false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await startTransfer(
        sourceEngine === null
          ? {
              call: 'push',
              input: {
                source,
                destination,
                ...(insecure ? { tlsVerify: false } : {}),
                ...(sparse && onlyPresent ? { presentPlatforms: true } : {}),
              },
            }
          : {
              // An engine's image goes straight from the engine to the registry.
              call: 'copy',
              input: {
                source: `docker-daemon:${source}`,
                destination: `docker://${destination}`,
                sourceEngine,
                ...(insecure ? { tlsVerify: false } : {}),
              },
            },
      );
      closeDialog();
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Push to ${registry}`} onClose={closeDialog} testId="push-dialog">
      <form onSubmit={(e) => void submit(e)} aria-label={`Push ${source}`}>
        <p className="push-source">
          Image <code data-testid="push-source">{source}</code>
          {sourceEngine ? (
            <>
              {' '}
              in <span data-testid="push-source-engine">{sourceEngine}</span>
            </>
          ) : null}
        </p>
        <div className="push-target-fields">
          <label className="push-name">
            Repository
            <input
              data-testid="push-target"
              autoFocus
              value={name}
              onChange={(e) => setName(e.target.value)}
              spellCheck={false}
              autoCapitalize="off"
              autoComplete="off"
            />
          </label>
          <label className="push-tag">
            Tag
            <input
              data-testid="push-tag"
              value={tag}
              onChange={(e) => setTag(e.target.value)}
              spellCheck={false}
              autoCapitalize="off"
              autoComplete="off"
            />
          </label>
        </div>
        <p className="form-hint muted">
          Pushes to <code data-testid="push-destination">{destination}</code>. Deckhand uploads only the layers the registry does not have
          yet; layers it already holds in another repository are mounted rather than uploaded. The push runs in the background and shows in
          Transfers.
        </p>
        {insecure ? <p className="form-hint muted">{host} was added as insecure: plain HTTP, TLS not verified.</p> : null}
        {sparse ? (
          <label className="check">
            <input type="checkbox" checked={onlyPresent} onChange={(e) => setOnlyPresent(e.target.checked)} />
            Push only the platforms stored here (this multi-platform image is stored in part)
          </label>
        ) : null}
        <FormFooter
          error={error}
          errorTestId="push-error"
          submitLabel="Push"
          submitTestId="push-submit"
          busy={busy}
          disabled={name.trim() === '' || name.trim().endsWith('/') || tag.trim() === ''}
          onCancel={closeDialog}
        />
      </form>
    </Dialog>
  );
}
