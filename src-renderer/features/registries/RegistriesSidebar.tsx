/**
 * The registries sidebar: registries Deckhand knows of, each opening to its repositories (from the
 * catalog where the registry allows listing; otherwise its refusal, and a box to type a
 * repository), each opening to its tags. Registry and repository rows take image rows dropped on
 * them (from the store or an engine) and open the push dialog with the target proposed from the drop. Registries can be added
 * (host[:port], optionally plain HTTP) and the added ones removed.
 */
import { useState, type FormEvent } from 'react';
import type { RegistryInfo } from '../../../src-shared/ipc/contract.ts';
import { useIsFetching } from '@tanstack/react-query';
import { useApi } from '../../api/provider.tsx';
import { isStore, keys } from '../../data/keys.ts';
import { useRegistries, useRepositories, useTags } from '../../data/queries.ts';
import { useRegistryActions } from '../../data/registries.ts';
import { useDeckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { logoutNotice } from './LoginDialog.tsx';
import { useImageDrop } from './useImageDrop.ts';
import './registries.css';

const SOURCE_LABEL: Record<RegistryInfo['sources'][number], [string, string]> = {
  auth: ['login', 'A credentials file has a login for this registry'],
  images: ['images', 'Stored images came from this registry'],
  added: ['added', 'Added here'],
};

/** The push dialog's `sourceEngine` for an image dragged from `from` (nothing for the store's). */
const engineOf = (from: string): { sourceEngine?: string } => (isStore(from) ? {} : { sourceEngine: from });

function Chevron({ open }: { open: boolean }) {
  return (
    <span className="chevron" aria-hidden="true">
      {open ? '▾' : '▸'}
    </span>
  );
}

/** A listing as the sidebar shows it: an error replaces the items until a new attempt. */
function listingOf<T, I>(q: { data: T | undefined; error: unknown; isFetching: boolean }, items: (data: T) => I[]) {
  const error = q.error && !q.isFetching ? messageOf(q.error) : null;
  return { items: error || q.data === undefined ? null : items(q.data), error, loading: q.isFetching };
}

function Tags({ host, repository }: { host: string; repository: string }) {
  const listing = listingOf(useTags(host, repository, true), (d) => d.tags);
  const openDialog = useDeckhand((s) => s.openDialog);
  if (!listing.items && !listing.error) return <p className="reg-note muted">Loading tags…</p>;
  if (listing.error) {
    return (
      <p className="reg-note error" role="alert">
        {listing.error}
      </p>
    );
  }
  const tags = listing.items ?? [];
  if (tags.length === 0) return <p className="reg-note muted">No tags.</p>;
  return (
    <ul className="reg-tags" aria-label={`Tags of ${host}/${repository}`}>
      {tags.map((tag) => (
        <li key={tag} data-testid="registry-tag" data-tag={tag}>
          <code>{tag}</code>
          <button
            type="button"
            className="link"
            aria-label={`Pull ${host}/${repository}:${tag}`}
            onClick={() => openDialog({ kind: 'pull', ref: `${host}/${repository}:${tag}` })}
          >
            Pull…
          </button>
        </li>
      ))}
    </ul>
  );
}

function Repository({ host, repository }: { host: string; repository: string }) {
  const openDialog = useDeckhand((s) => s.openDialog);
  const [open, setOpen] = useState(false);
  const drop = useImageDrop((source, from) => openDialog({ kind: 'push', source, registry: host, repository, ...engineOf(from) }));
  return (
    <li data-testid="registry-repo" data-repo={repository}>
      <div
        className={drop.over ? 'reg-row repo drop-over' : 'reg-row repo'}
        {...drop.handlers}
        title={`Drop an image here to push it to ${host}/${repository}`}
      >
        <button type="button" className="reg-open" aria-expanded={open} onClick={() => setOpen(!open)}>
          <Chevron open={open} />
          <span className="reg-name">{repository}</span>
        </button>
      </div>
      {open ? <Tags host={host} repository={repository} /> : null}
    </li>
  );
}

/** For registries that refuse listing (and new repositories): open one by name. */
function TypeRepository({ host, onOpen }: { host: string; onOpen: (repository: string) => void }) {
  const [name, setName] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const repository = name.trim().replace(/^\/+|\/+$/g, '');
    if (!repository) return;
    onOpen(repository);
    setName('');
  };
  return (
    <form className="reg-type" onSubmit={submit} aria-label={`Open a repository of ${host}`}>
      <input
        value={name}
        onChange={(e) => setName(e.target.value)}
        placeholder="Type a repository"
        aria-label={`Repository of ${host}`}
        spellCheck={false}
        autoCapitalize="off"
      />
      <button type="submit" disabled={name.trim() === ''}>
        Open
      </button>
    </form>
  );
}

function Repositories({ host, typed, onType }: { host: string; typed: string[]; onType: (repository: string) => void }) {
  const query = useRepositories(host, true);
  const listing = { ...listingOf(query, (d) => d.repositories), complete: query.data?.complete ?? false };
  const listed = listing.items ?? [];
  const extra = typed.filter((r) => !listed.includes(r));
  return (
    <div className="reg-repos">
      {listing.loading && !listing.items ? <p className="reg-note muted">Loading repositories…</p> : null}
      {listing.error ? (
        <p className="reg-note refusal" data-testid="registry-refusal">
          {listing.error}
        </p>
      ) : null}
      {listing.items && listing.items.length === 0 && extra.length === 0 ? <p className="reg-note muted">No repositories yet.</p> : null}
      {listed.length + extra.length > 0 ? (
        <ul className="reg-list" aria-label={`Repositories of ${host}`}>
          {[...listed, ...extra].map((r) => (
            <Repository key={r} host={host} repository={r} />
          ))}
        </ul>
      ) : null}
      {!listing.loading && !listing.error && !listing.complete && listing.items ? (
        <p className="reg-note muted">Only the first {listed.length} repositories are listed.</p>
      ) : null}
      <TypeRepository host={host} onOpen={onType} />
    </div>
  );
}

/** Log in, log out (when a login is known) and the registry's settings. */
function RegistryActions({ registry }: { registry: RegistryInfo }) {
  const { host } = registry;
  const openDialog = useDeckhand((s) => s.openDialog);
  const notify = useDeckhand((s) => s.notify);
  const api = useApi();
  const { reloadRegistries } = useRegistryActions();
  const [busy, setBusy] = useState(false);
  const logout = () => {
    setBusy(true);
    api
      .logout({ registry: host })
      .then((r) => {
        notify('info', logoutNotice(r));
        return reloadRegistries();
      })
      .catch((e: unknown) => notify('error', `Could not log out of ${host}: ${messageOf(e)}`))
      .finally(() => setBusy(false));
  };
  return (
    <span className="reg-actions">
      <button type="button" className="link" aria-label={`Log in to ${host}`} onClick={() => openDialog({ kind: 'login', registry: host })}>
        Log in…
      </button>
      {registry.sources.includes('auth') ? (
        <button type="button" className="link" aria-label={`Log out of ${host}`} disabled={busy} onClick={logout}>
          Log out
        </button>
      ) : null}
      <button type="button" className="link" aria-label={`Settings of ${host}`} onClick={() => openDialog({ kind: 'registry', host })}>
        Settings
      </button>
    </span>
  );
}

function Registry({ registry }: { registry: RegistryInfo }) {
  const { host } = registry;
  const loadingNow = useIsFetching({ queryKey: keys.repositories(host) }) > 0;
  const { reloadRepositories, removeRegistry } = useRegistryActions();
  const openDialog = useDeckhand((s) => s.openDialog);
  const notify = useDeckhand((s) => s.notify);
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState<string[]>([]);
  const drop = useImageDrop((source, from) => openDialog({ kind: 'push', source, registry: host, ...engineOf(from) }));
  const toggle = () => setOpen(!open);
  return (
    <li data-testid="registry" data-host={host}>
      <div
        className={drop.over ? 'reg-row registry drop-over' : 'reg-row registry'}
        {...drop.handlers}
        title={`Drop an image here to push it to ${host}`}
      >
        <button type="button" className="reg-open" aria-expanded={open} onClick={toggle}>
          <Chevron open={open} />
          <span className="reg-name">{host}</span>
        </button>
        {open ? (
          <button
            type="button"
            className="icon"
            aria-label={`Refresh repositories of ${host}`}
            title="Refresh"
            disabled={loadingNow}
            onClick={() => void reloadRepositories(host)}
          >
            ↻
          </button>
        ) : null}
        {registry.sources.includes('added') ? (
          <button
            type="button"
            className="icon"
            aria-label={`Remove ${host}`}
            title="Remove"
            onClick={() => removeRegistry(host).catch((e: unknown) => notify('error', `Could not remove ${host}: ${messageOf(e)}`))}
          >
            ×
          </button>
        ) : null}
        <span className="reg-badges">
          {registry.insecure ? (
            <span className="badge warn" title="Plain HTTP or unverified TLS">
              insecure
            </span>
          ) : null}
          {registry.sources.map((src) => (
            <span key={src} className="badge" title={SOURCE_LABEL[src][1]}>
              {SOURCE_LABEL[src][0]}
            </span>
          ))}
        </span>
        <RegistryActions registry={registry} />
      </div>
      {open ? <Repositories host={host} typed={typed} onType={(r) => setTyped((t) => (t.includes(r) ? t : [...t, r]))} /> : null}
    </li>
  );
}

function AddRegistry() {
  const { addRegistry } = useRegistryActions();
  const [host, setHost] = useState('');
  const [insecure, setInsecure] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = host
      .trim()
      .replace(/^https?:\/\//i, '')
      .replace(/\/+$/, '');
    if (!value) return;
    setBusy(true);
    setError(null);
    addRegistry(value, insecure)
      .then(() => {
        setHost('');
        setInsecure(false);
      })
      .catch((err: unknown) => setError(messageOf(err)))
      .finally(() => setBusy(false));
  };
  return (
    <form className="reg-add" onSubmit={submit} aria-label="Add registry">
      <input
        value={host}
        onChange={(e) => setHost(e.target.value)}
        placeholder="host[:port]"
        aria-label="Registry host"
        spellCheck={false}
        autoCapitalize="off"
        data-testid="registry-add-host"
      />
      <label className="check">
        <input type="checkbox" checked={insecure} onChange={(e) => setInsecure(e.target.checked)} />
        insecure (plain HTTP)
      </label>
      <button type="submit" disabled={busy || host.trim() === ''} data-testid="registry-add">
        Add registry
      </button>
      {error ? (
        <p className="reg-note error" role="alert" data-testid="registry-add-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}

export function RegistriesSidebar() {
  const query = useRegistries();
  const registries = query.data ?? null;
  const error = query.error && !query.isFetching ? messageOf(query.error) : null;
  return (
    <aside className="registries" aria-labelledby="registries-heading" data-testid="registries">
      <h2 id="registries-heading">Registries</h2>
      {error ? (
        <div className="reg-note error" role="alert">
          {error}{' '}
          <button type="button" className="link" onClick={() => void query.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {registries === null && !error ? <p className="reg-note muted">Loading…</p> : null}
      {registries && registries.length === 0 ? <p className="reg-note muted">None yet: add one below, or pull an image.</p> : null}
      {registries && registries.length > 0 ? (
        <ul className="reg-list">
          {registries.map((r) => (
            <Registry key={r.host} registry={r} />
          ))}
        </ul>
      ) : null}
      <p className="reg-hint muted">Drag an image onto a registry or repository to push it.</p>
      <AddRegistry />
    </aside>
  );
}
