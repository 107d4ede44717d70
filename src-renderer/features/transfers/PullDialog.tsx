/**
 * Pull an image: a reference, the platform (this machine's by default, a common one, or all of an
 * index's platforms) and TLS verification for plain-HTTP registries. The pull runs in the
 * background and shows in Transfers; a refused call (a malformed reference, say) is shown here.
 * A short name the registries configuration cannot settle comes back as ESHORTNAME with the
 * fully-qualified candidates, offered here as choices; the one chosen is remembered as an alias
 * (in the user's short-name-aliases.conf, where Podman records its prompt's choices) unless the
 * user unticks "Remember this choice".
 */
import { isLoopbackRegistryHost } from '../../../src-shared/oci/loopback.ts';
import { useState, type FormEvent } from 'react';
import { CallError } from '../../../src-shared/ipc/proxy.ts';
import { parseReference, repositoryName } from '../../../src-shared/oci/reference.ts';
import { useApi } from '../../api/provider.tsx';
import { useHostInfo, useRegistries } from '../../data/queries.ts';
import { useTransferActions } from '../../data/transfers.ts';
import { useDeckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import './transfers.css';

/** The value of the "all platforms" choice. */
const ALL = '*';
/** Offered besides this machine's platform. */
export const COMMON_PLATFORMS = ['linux/arm64', 'linux/amd64', 'linux/arm/v7'];

/** Fully-qualified names offered for a short name, when the error carries them. */
function shortNameCandidates(e: unknown): string[] | null {
  if (!(e instanceof CallError) || e.code !== 'ESHORTNAME') return null;
  const c = e.detail?.candidates;
  return Array.isArray(c) && c.length > 0 && c.every((x) => typeof x === 'string') ? (c as string[]) : null;
}

/** The short name (without tag or digest) an ESHORTNAME refusal was about. */
function shortNameOf(e: unknown, reference: string): string {
  const n = e instanceof CallError ? e.detail?.shortName : undefined;
  if (typeof n === 'string' && n !== '') return n;
  const noDigest = reference.split('@')[0]!;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

/** `docker.io/library/nginx:latest` → `docker.io/library/nginx`, the value an alias takes. */
function repositoryOf(candidate: string): string | null {
  try {
    return repositoryName(parseReference(candidate));
  } catch {
    return null;
  }
}

function domainOf(ref: string): string | null {
  try {
    return parseReference(ref.trim()).domain;
  } catch {
    return null;
  }
}

export function PullDialog({ initialRef }: { initialRef: string }) {
  const api = useApi();
  const hostPlatform = useHostInfo()?.platform ?? null;
  const registries = useRegistries().data ?? null;
  const { startTransfer } = useTransferActions();
  const closeDialog = useDeckhand((s) => s.closeDialog);
  const notify = useDeckhand((s) => s.notify);
  const [ref, setRef] = useState(initialRef);
  /** null: this machine's platform (decided when hostInfo has arrived). */
  const [platformChoice, setPlatformChoice] = useState<string | null>(null);
  /** null: follow the registry (off for one added as insecure). */
  const [tlsChoice, setTlsChoice] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [candidates, setCandidates] = useState<string[] | null>(null);
  /** The short name the candidates are for. */
  const [shortName, setShortName] = useState<string | null>(null);
  const [remember, setRemember] = useState(true);
  const [busy, setBusy] = useState(false);

  const platform = platformChoice ?? hostPlatform ?? '';
  const options = [...new Set([...(hostPlatform ? [hostPlatform] : []), ...COMMON_PLATFORMS])];
  const domain = domainOf(ref);
  const insecureRegistry = domain !== null && (registries ?? []).some((r) => r.host === domain && r.insecure);
  const tlsVerify = tlsChoice ?? !insecureRegistry;
  // A registry on this machine is reached over plain HTTP first whatever the box says (engine/registry/endpoint.ts).
  const loopback = domain !== null && isLoopbackRegistryHost(domain);

  const pull = async (reference: string) => {
    setBusy(true);
    setError(null);
    try {
      await startTransfer({
        call: 'pull',
        input: {
          ref: reference,
          ...(platform === ALL ? { allPlatforms: true } : platform ? { platform } : {}),
          ...(tlsVerify ? {} : { tlsVerify: false }),
        },
      });
      closeDialog();
    } catch (e) {
      setError(messageOf(e));
      const offered = shortNameCandidates(e);
      setCandidates(offered);
      setShortName(offered ? shortNameOf(e, reference) : null);
      setBusy(false);
    }
  };

  /** Records the choice as an alias (when asked to), then pulls it; a failed record is reported and the pull still runs. */
  const choose = async (candidate: string) => {
    setRef(candidate);
    const value = repositoryOf(candidate);
    if (remember && shortName && value) {
      setBusy(true);
      try {
        const recorded = await api.rememberAlias({ name: shortName, value });
        notify('info', `Remembered "${recorded.name}" as ${recorded.value} in ${recorded.file}`);
      } catch (e) {
        notify('error', `Could not remember "${shortName}" as ${value}: ${messageOf(e)}`);
      }
    }
    await pull(candidate);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const reference = ref.trim();
    if (reference !== '' && !busy) void pull(reference);
  };

  return (
    <Dialog title="Pull an image" onClose={closeDialog} testId="pull-dialog">
      <form onSubmit={submit} aria-label="Pull an image">
        <label>
          Image reference
          <input
            data-testid="pull-ref"
            autoFocus
            value={ref}
            placeholder="e.g. alpine:3.20 or ghcr.io/owner/app:v1"
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            onChange={(e) => {
              setRef(e.target.value);
              setCandidates(null);
              setShortName(null);
            }}
          />
        </label>
        <div className="pull-options">
          <label>
            Platform
            <select data-testid="pull-platform" value={platform} onChange={(e) => setPlatformChoice(e.target.value)}>
              {hostPlatform ? null : <option value="">This machine's</option>}
              {options.map((p) => (
                <option key={p} value={p}>
                  {p === hostPlatform ? `${p} (this machine)` : p}
                </option>
              ))}
              <option value={ALL}>All platforms</option>
            </select>
          </label>
          <label className="check">
            <input type="checkbox" data-testid="pull-tls" checked={tlsVerify} onChange={(e) => setTlsChoice(e.target.checked)} />
            {loopback ? 'Verify TLS if it answers over HTTPS' : 'Verify TLS (turn off for a plain-HTTP registry)'}
          </label>
        </div>
        {loopback ? (
          <p className="form-hint muted" data-testid="pull-loopback">
            {domain} is on this machine (loopback): it is reached over plain HTTP, where there is no TLS to verify; HTTPS is tried only if
            it does not answer over HTTP.
          </p>
        ) : null}
        {insecureRegistry && tlsChoice === null && !loopback ? (
          <p className="form-hint muted">{domain} was added as insecure, so TLS is not verified.</p>
        ) : null}
        {platform === ALL ? <p className="form-hint muted">Every platform of a multi-platform image is pulled.</p> : null}
        {error ? (
          <p className="form-error" role="alert" data-testid="pull-error">
            {error}
          </p>
        ) : null}
        {candidates ? (
          <div className="candidates" data-testid="pull-candidates">
            <p id="pull-candidates-label">Which image did you mean?</p>
            <label className="check">
              <input type="checkbox" data-testid="pull-remember" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
              Remember this choice
            </label>
            {remember && shortName ? (
              <p className="form-hint muted">
                "{shortName}" will mean the chosen repository from now on (an alias in short-name-aliases.conf, which Podman reads too).
              </p>
            ) : null}
            <ul aria-labelledby="pull-candidates-label">
              {candidates.map((c) => (
                <li key={c}>
                  <button type="button" disabled={busy} data-testid="pull-candidate" onClick={() => void choose(c)}>
                    {c}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        <div className="dialog-actions">
          <button type="button" onClick={closeDialog}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="pull-submit" disabled={busy || ref.trim() === ''}>
            Pull
          </button>
        </div>
      </form>
    </Dialog>
  );
}
