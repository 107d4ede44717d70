/**
 * Combine into a multi-platform image…: the selected stored images as one manifest list. Each entry
 * shows its platform (editable; what its image's config says beside it) and features; the main side
 * computes the list's kind, document and digest from them before anything is written, and creating
 * it writes exactly the digest shown (or nothing, if the images changed meanwhile).
 */
import { useMemo, useState, type FormEvent, type KeyboardEvent } from 'react';
import { formatBytes } from '../../../src-shared/format.ts';
import { useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../api/provider.tsx';
import { keys, STORE } from '../../data/keys.ts';
import { useImages, useManifestPreview } from '../../data/queries.ts';
import { messageOf } from '../../store/slice.ts';
import { useDeckhand } from '../../store/index.ts';
import { Dialog, FormFooter } from '../../ui/Dialog.tsx';
import { middleEllipsis } from '../../ui/truncate.ts';
import { changesOf, listKind, proposedName, type Change, type Draft } from './combine.ts';
import { shortDigest } from './rows.ts';

const NO_ROWS: never[] = [];
/** About what the Image column holds at the dialog's width. */
const IMAGE_CHARS = 44;

export function CombineDialog({ refs }: { refs: string[] }) {
  const api = useApi();
  const client = useQueryClient();
  const closeDialog = useDeckhand((s) => s.closeDialog);
  const notify = useDeckhand((s) => s.notify);
  const rows = useImages().data ?? NO_ROWS;
  const [name, setName] = useState(() => proposedName(rows, refs));
  const [drafts, setDrafts] = useState<ReadonlyMap<string, Draft>>(() => new Map());
  const [changes, setChanges] = useState<Change[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** Create was pressed with an edit not yet previewed: it is previewed, and nothing is written unseen. */
  const [recheck, setRecheck] = useState(false);
  const input = useMemo(() => ({ images: refs, ...(changes.length > 0 ? { changes } : {}) }), [refs, changes]);
  const preview = useManifestPreview(input);
  const shown = preview.data;
  const stale = preview.isPlaceholderData || preview.isFetching;
  const previewError = preview.error ? messageOf(preview.error) : null;

  const draftOf = (digest: string, platform: string, features: string[]): Draft =>
    drafts.get(digest) ?? { platform, features: features.join(', ') };
  const edit = (digest: string, next: Draft) => {
    setDrafts((m) => new Map(m).set(digest, next));
    setRecheck(false);
  };
  /** Previews again with what is typed (on leaving a field, or Enter in it). */
  const apply = () => {
    if (!shown) return;
    const next = changesOf(shown.entries, drafts);
    if (JSON.stringify(next) !== JSON.stringify(changes)) setChanges(next);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      apply();
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!shown) return;
    // Leaving a field previews its edit; Create waits for that preview to be seen, never writes past it.
    const edited = JSON.stringify(changesOf(shown.entries, drafts)) !== JSON.stringify(changes);
    if (stale || edited) {
      apply();
      setRecheck(true);
      return;
    }
    setRecheck(false);
    const target = name.trim();
    if (!target) {
      setError('Enter the name of the list, for example registry.example.com/team/app:1.0');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const made = await api.createManifestList({ ...input, name: target, digest: shown.digest });
      // The new list is selected once the table has it (a selection of names it lacks is dropped).
      await client.invalidateQueries({ queryKey: keys.images(STORE) });
      closeDialog();
      useDeckhand.getState().select([made.name]);
      notify(
        'info',
        `Created ${made.name}: ${listKind(made.mediaType).label} of ${made.platforms.join(', ')}. Drag it onto a registry to push it with its images.`,
      );
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  const kind = shown ? listKind(shown.mediaType) : null;
  return (
    <Dialog title="Combine into a multi-platform image" onClose={closeDialog} testId="combine-dialog" wide>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label>
          Name of the multi-platform image
          <input
            autoFocus
            value={name}
            placeholder="registry.example.com/team/app:1.0"
            spellCheck={false}
            aria-invalid={error !== null}
            onChange={(e) => {
              setName(e.target.value);
              if (error) setError(null);
            }}
          />
        </label>
        {shown ? (
          <table className="combine-entries" aria-label="Entries" data-stale={stale}>
            <thead>
              <tr>
                <th>Image</th>
                <th>Manifest</th>
                <th>Platform</th>
                <th>Features</th>
              </tr>
            </thead>
            <tbody>
              {shown.entries.map((entry) => {
                const draft = draftOf(entry.digest, entry.platform, entry.features);
                return (
                  <tr key={entry.digest} data-testid="combine-entry" data-digest={entry.digest}>
                    <td className="combine-image">
                      {/* Cut in the middle: the end (repository and tag) tells the entries apart. */}
                      <span title={entry.image} data-truncates>
                        {middleEllipsis(entry.image, IMAGE_CHARS)}
                      </span>
                    </td>
                    <td className="mono" title={`${entry.digest} (${formatBytes(entry.size)})`}>
                      {shortDigest(entry.digest)}
                    </td>
                    <td>
                      <input
                        className="mono"
                        aria-label={`Platform of ${entry.image} (${shortDigest(entry.digest)})`}
                        value={draft.platform}
                        spellCheck={false}
                        onChange={(e) => edit(entry.digest, { ...draft, platform: e.target.value })}
                        onBlur={apply}
                        onKeyDown={onKey}
                      />
                      <span className="muted combine-config">
                        {entry.platform === entry.configPlatform ? 'as its config says' : `its config says ${entry.configPlatform}`}
                      </span>
                    </td>
                    <td>
                      <input
                        className="mono"
                        aria-label={`Features of ${entry.image} (${shortDigest(entry.digest)})`}
                        value={draft.features}
                        placeholder="none"
                        spellCheck={false}
                        onChange={(e) => edit(entry.digest, { ...draft, features: e.target.value })}
                        onBlur={apply}
                        onKeyDown={onKey}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : previewError ? null : (
          <p className="muted" role="status">
            Reading the images…
          </p>
        )}
        {previewError ? (
          <p className="error" role="alert" data-testid="combine-preview-error">
            {previewError}
          </p>
        ) : null}
        {shown && kind ? (
          <section className="combine-preview" aria-label="The list to be written" data-testid="combine-preview">
            <p>
              <strong data-testid="combine-kind">{kind.label}</strong> <span className="muted">{kind.why}</span>
            </p>
            <p className="mono combine-digest" data-testid="combine-digest">
              {shown.digest} <span className="muted">({formatBytes(shown.size)})</span>
            </p>
            <pre className="combine-json" data-testid="combine-json" tabIndex={0} aria-label="The index document">
              {shown.json}
            </pre>
          </section>
        ) : null}
        {recheck ? (
          <p className="muted" role="status" data-testid="combine-recheck">
            {stale ? 'Previewing your edit…' : 'The preview now shows your edit: check the digest, then press Create again.'}
          </p>
        ) : null}
        <FormFooter
          error={error}
          errorId="combine-error"
          submitLabel="Create"
          busyLabel="Creating…"
          busy={busy}
          disabled={!shown || previewError !== null}
          submitTestId="combine-create"
          onCancel={closeDialog}
        />
      </form>
    </Dialog>
  );
}
