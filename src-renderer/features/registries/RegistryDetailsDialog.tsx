/**
 * A registry's settings as the main side reads them for every operation: the registries.conf
 * `[[registry]]` that applies (location, insecure, blocked, mirrors in the order they are tried),
 * the login (the user and where it is stored; never a secret) and the policy.json requirements for
 * `docker://HOST`. Read only: the files are edited where they live; logging in and out is here.
 */

import type { RegistryDetails, RegistryLoginDetails, RegistryRuleDetails } from '../../../src-shared/ipc/contract.ts';
import { useRegistryDetails } from '../../data/queries.ts';
import { useDeckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { isLoopbackRegistryHost } from '../../../src-shared/oci/loopback.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import './registries.css';

/** Where a login is stored, in words. */
export function loginWhere(login: RegistryLoginDetails): string {
  switch (login.storedIn) {
    case 'keychain':
      return `encrypted with the OS keychain by Deckhand (${login.file ?? 'registry-logins.json'})`;
    case 'credential-helper':
      return `in the credential helper docker-credential-${login.helper ?? '?'}${login.file ? ` (${login.file})` : ''}`;
    case 'auth-file':
      return `in ${login.file ?? 'an auth file'}`;
    default:
      return '';
  }
}

function Rule({ rule }: { rule: RegistryRuleDetails }) {
  return (
    <dl className="reg-details-dl" data-testid="registry-rule" data-prefix={rule.prefix}>
      <dt>Prefix</dt>
      <dd>
        <code>{rule.prefix}</code>
      </dd>
      <dt>Location</dt>
      <dd>{rule.location ? <code>{rule.location}</code> : <span className="muted">names are used as written</span>}</dd>
      <dt>Insecure</dt>
      <dd>{rule.insecure ? <strong className="warn">yes: plain HTTP allowed, TLS not verified</strong> : 'no'}</dd>
      <dt>Blocked</dt>
      <dd>{rule.blocked ? <strong className="error">yes: pulls and pushes are refused</strong> : 'no'}</dd>
      {rule.mirrors.length > 0 ? (
        <>
          <dt>Mirrors</dt>
          <dd>
            <ol className="reg-details-list" aria-label={`Mirrors of ${rule.prefix}`}>
              {rule.mirrors.map((m) => (
                <li key={m.location} data-testid="registry-mirror">
                  <code>{m.location}</code>
                  {m.insecure ? <span className="badge warn">insecure</span> : null}
                  {m.pullFromMirror !== 'all' ? <span className="muted"> pull-from-mirror: {m.pullFromMirror}</span> : null}
                </li>
              ))}
            </ol>
            {rule.mirrorByDigestOnly ? (
              <span className="muted">mirror-by-digest-only: mirrors are used for pulls by digest only</span>
            ) : null}
          </dd>
        </>
      ) : null}
      <dt>File</dt>
      <dd>
        <code>{rule.file}</code>
      </dd>
    </dl>
  );
}

function LoginSection({ host, login }: { host: string; login: RegistryLoginDetails }) {
  const openDialog = useDeckhand((s) => s.openDialog);
  let text: string;
  if (login.storedIn === null) text = 'Not logged in: pulls and pushes are anonymous.';
  else if (login.problem) text = `The login ${loginWhere(login)} could not be read: ${login.problem}`;
  else text = `Logged in ${login.identityToken ? 'with an identity token' : `as ${login.username ?? '?'}`}, ${loginWhere(login)}.`;
  return (
    <section aria-label="Login">
      <h3>Login</h3>
      <p data-testid="registry-login" className={login.problem ? 'error' : undefined}>
        {text}
      </p>
      <button type="button" onClick={() => openDialog({ kind: 'login', registry: host })}>
        {login.storedIn === null ? 'Log in…' : 'Log in again…'}
      </button>
    </section>
  );
}

/** How the engine reaches a registry with no registries.conf rule (src-shared/oci/loopback.ts, engine/registry/endpoint.ts). */
export function transportOf(host: string): string {
  return isLoopbackRegistryHost(host)
    ? 'over plain HTTP, as for every registry on this machine (loopback); HTTPS, with its certificate verified, only if it serves nothing else'
    : 'over HTTPS with the certificate verified';
}

function Details({ details }: { details: RegistryDetails }) {
  const { registriesConf: conf, policy } = details;
  return (
    <>
      <LoginSection host={details.host} login={details.login} />
      <section aria-label="registries.conf">
        <h3>registries.conf</h3>
        {conf.rule ? (
          <Rule rule={conf.rule} />
        ) : (
          <p data-testid="registry-no-rule" className="muted">
            {conf.files.length === 0 ? 'No registries.conf: ' : 'No [[registry]] matches this host: '}
            names are used as written, without mirrors, {transportOf(details.host)}.
          </p>
        )}
        {conf.narrower.length > 0 ? (
          <>
            <p className="muted">Rules for repositories under {details.host} (they apply to those names only):</p>
            {conf.narrower.map((r) => (
              <Rule key={r.prefix} rule={r} />
            ))}
          </>
        ) : null}
        <p className="muted" data-testid="registry-search">
          Short names:{' '}
          {conf.searchRegistries.length > 0
            ? `searched in ${conf.searchRegistries.join(', ')}`
            : 'Docker Hub (no unqualified-search-registries)'}
          ; short-name-mode {conf.shortNameMode}.
        </p>
      </section>
      <section aria-label="Signature policy">
        <h3>Signature policy</h3>
        {policy ? (
          <>
            <p>
              <code>{policy.scope}</code> in <code>{policy.file}</code>:
            </p>
            <ul className="reg-details-list" data-testid="registry-policy">
              {policy.requirements.map((r, i) => (
                <li key={i} data-type={r.type}>
                  {r.text}
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p data-testid="registry-policy" className="muted">
            No policy.json: images are accepted without signatures.
          </p>
        )}
      </section>
    </>
  );
}

export function RegistryDetailsDialog({ host }: { host: string }) {
  const closeDialog = useDeckhand((s) => s.closeDialog);
  const query = useRegistryDetails(host);
  const details = query.data ?? null;
  const error = query.error ? messageOf(query.error) : null;
  return (
    <Dialog title={`${host} settings`} onClose={closeDialog} testId="registry-details" wide>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : details ? (
        <Details details={details} />
      ) : (
        <p className="muted">Loading…</p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={closeDialog}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
