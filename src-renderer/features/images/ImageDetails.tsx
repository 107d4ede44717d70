/**
 * The details panel of one stored image: where it came from and where its tag pointed before, and
 * per platform its config, history (each step as docker history shows it, the recorded command on
 * hover), layers (stored, i.e. compressed, and unpacked where the layer tree knows it), manifest and
 * index as JSON. Sizes use the CLI's words: stored (compressed) and unpacked.
 */
import { Fragment, useId, useMemo, useState, type ReactNode } from 'react';
import type { ImageDetails as Details, PlatformDetails } from '../../../src-shared/ipc/contract.ts';
import { isStore } from '../../data/keys.ts';
import { useHostInfo, useImageDetails, useImageTree, useSource } from '../../data/queries.ts';
import { useChosenEngine } from '../sources/SourceBar.tsx';
import { useDeckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { CopyIcon } from '../../ui/icons.tsx';
import { Bytes, exactTime, RelativeTime } from '../../ui/format.tsx';
import { ENGINE_SIZE_TITLE, MiddleName, PlatformBadge, SignedBadge, STORED_TITLE } from './columns.tsx';
import { buildStep } from '../../../src-shared/oci/history.ts';
import { copyWithNotice } from './actions.ts';
import { FilesTab } from './FilesTab.tsx';
import { digestReferenceOf, emulationWarning, shortDigest } from './rows.ts';

function Row({ label, title, children }: { label: string; title?: string; children: ReactNode }) {
  return (
    <>
      <dt title={title}>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

const none = <span className="muted">none</span>;

function Words({ list }: { list: string[] | null | undefined }) {
  if (!list || list.length === 0) return none;
  return <code className="wrap">{list.map((w) => (/[\s"'\\]/.test(w) || w === '' ? JSON.stringify(w) : w)).join(' ')}</code>;
}

function Json({ summary, value }: { summary: string; value: unknown }) {
  return (
    <details className="json">
      <summary>{summary}</summary>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}

function ConfigSection({ p }: { p: PlatformDetails }) {
  const c = p.config.config ?? {};
  const labels = Object.entries(c.Labels ?? {});
  const ports = Object.keys(c.ExposedPorts ?? {});
  const volumes = Object.keys(c.Volumes ?? {});
  return (
    <section>
      <h3>Config</h3>
      <dl className="kv">
        <Row label="Entrypoint">
          <Words list={c.Entrypoint} />
        </Row>
        <Row label="Cmd">
          <Words list={c.Cmd} />
        </Row>
        <Row label="Working dir">{c.WorkingDir ? <code>{c.WorkingDir}</code> : none}</Row>
        <Row label="User">{c.User ? <code>{c.User}</code> : <span className="muted">root (not set)</span>}</Row>
        <Row label="Exposed ports">{ports.length ? <code>{ports.join(', ')}</code> : none}</Row>
        {volumes.length ? (
          <Row label="Volumes">
            <code>{volumes.join(', ')}</code>
          </Row>
        ) : null}
        {c.StopSignal ? (
          <Row label="Stop signal">
            <code>{c.StopSignal}</code>
          </Row>
        ) : null}
        <Row label="Env">
          {c.Env && c.Env.length ? (
            <ul className="plain mono">
              {c.Env.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          ) : (
            none
          )}
        </Row>
        <Row label="Labels">
          {labels.length ? (
            <ul className="plain mono">
              {labels.map(([k, v]) => (
                <li key={k}>
                  {k}={v}
                </li>
              ))}
            </ul>
          ) : (
            none
          )}
        </Row>
        {p.config.author ? <Row label="Author">{p.config.author}</Row> : null}
        <Row label="Config digest">
          <code title={p.configDigest}>{shortDigest(p.configDigest)}</code>
        </Row>
      </dl>
    </section>
  );
}

function LayersSection({ p, uncompressed }: { p: PlatformDetails; uncompressed: Map<string, number | null> }) {
  // An engine keeps layers unpacked: its one size is the unpacked one, so there is no second column.
  const engine = !isStore(useSource());
  const total = p.layers.reduce((n, l) => n + l.size, 0);
  const known = p.layers.every((l) => typeof uncompressed.get(l.digest) === 'number');
  const totalUncompressed = known ? p.layers.reduce((n, l) => n + (uncompressed.get(l.digest) ?? 0), 0) : null;
  return (
    <section>
      <h3>Layers ({p.layers.length})</h3>
      <table className="layers" data-testid="layers">
        <thead>
          <tr>
            <th>#</th>
            <th>Digest</th>
            {engine ? (
              <th className="num" title="Unpacked: the layer as the engine counts it (an engine keeps layers unpacked)">
                Size
              </th>
            ) : (
              <>
                <th className="num" title="Stored (compressed): the layer as the store holds it">
                  Stored
                </th>
                <th className="num" title="Unpacked: the layer uncompressed, as docker and podman count an image's size">
                  Unpacked
                </th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {p.layers.map((l, i) => {
            const u = uncompressed.get(l.digest);
            return (
              <Fragment key={`${l.digest}-${i}`}>
                <tr className={l.stored ? undefined : 'absent'}>
                  <td className="num">{i + 1}</td>
                  <td>
                    <code title={`${l.digest}\n${l.mediaType}${l.diffId ? `\ndiff ID ${l.diffId}` : ''}`}>{shortDigest(l.digest)}</code>
                    {l.stored ? null : (
                      <span className="badge" title="Not in the store">
                        absent
                      </span>
                    )}
                  </td>
                  <td className="num">
                    <Bytes value={l.size} />
                  </td>
                  {engine ? null : (
                    <td className="num">
                      {typeof u === 'number' ? (
                        <Bytes value={u} />
                      ) : (
                        <span className="muted" title="Not known until the layer is unpacked">
                          —
                        </span>
                      )}
                    </td>
                  )}
                </tr>
                {/* The step that made the layer on its own line, the panel's whole width: it is the longest text. */}
                <tr className={l.stored ? 'step' : 'step absent'}>
                  <td />
                  <td className="created-by" colSpan={engine ? 2 : 3}>
                    {l.createdBy ? <BuildStep createdBy={l.createdBy} /> : <span className="muted">created by an unknown step</span>}
                  </td>
                </tr>
              </Fragment>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <td />
            <td>Total</td>
            <td className="num">
              <Bytes value={total} />
            </td>
            {engine ? null : <td className="num">{totalUncompressed !== null ? <Bytes value={totalUncompressed} /> : null}</td>}
          </tr>
        </tfoot>
      </table>
    </section>
  );
}

/** A build step as `docker history` shows it (`COPY … /`, `RUN …`); the whole step and the command as recorded on hover. */
export function BuildStep({ createdBy }: { createdBy: string }) {
  const step = buildStep(createdBy);
  return (
    <code className="build-step" title={step === createdBy ? createdBy : `${step}\n\nRecorded as: ${createdBy}`}>
      {step}
    </code>
  );
}

function HistorySection({ p }: { p: PlatformDetails }) {
  const history = p.config.history ?? [];
  if (history.length === 0) return null;
  return (
    <section>
      <h3>History ({history.length} steps)</h3>
      <ol className="history">
        {history.map((h, i) => (
          <li key={i} className={h.empty_layer ? 'empty' : undefined}>
            {h.created_by ? <BuildStep createdBy={h.created_by} /> : <code>{h.comment ?? '(no command)'}</code>}
            <span className="muted">
              {' '}
              <RelativeTime iso={h.created ?? null} />
              {h.empty_layer ? ' · no layer' : ''}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

interface PanelProps {
  p: PlatformDetails;
  uncompressed: Map<string, number | null>;
  /** The image's name and the platform to analyse (null: its only one): the Files tab (an engine's image too: exported for it). */
  files: { name: string; platform: string | null } | null;
  /** Details or Files: kept by Platforms, so choosing another platform stays in the same view. */
  view: PanelView;
  onView: (view: PanelView) => void;
}

type PanelView = 'details' | 'files';

function PlatformPanel({ p, uncompressed, files, view, onView }: PanelProps) {
  const viewsId = useId();
  const details = (
    <>
      <ConfigSection p={p} />
      <LayersSection p={p} uncompressed={uncompressed} />
      <HistorySection p={p} />
      <Json summary={`Manifest ${shortDigest(p.digest)}`} value={p.manifest} />
      <Json summary={`Config ${shortDigest(p.configDigest)}`} value={p.config} />
    </>
  );
  if (!files) {
    return (
      <div className="platform-panel" data-platform={p.platform}>
        {details}
      </div>
    );
  }
  return (
    <div className="platform-panel" data-platform={p.platform}>
      <div className="platform-tabs panel-views" role="tablist" aria-label="Views">
        {(['details', 'files'] as const).map((v) => (
          <button
            key={v}
            type="button"
            role="tab"
            id={`${viewsId}-${v}`}
            aria-selected={view === v}
            aria-controls={`${viewsId}-panel`}
            onClick={() => onView(v)}
          >
            {v === 'details' ? 'Details' : 'Files'}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${viewsId}-panel`} aria-labelledby={`${viewsId}-${view}`}>
        {view === 'files' ? <FilesTab name={files.name} platform={files.platform} /> : details}
      </div>
    </div>
  );
}

function Platforms({ d, uncompressed, name }: { d: Details; uncompressed: Map<string, number | null>; name: string | null }) {
  const [chosen, setChosen] = useState<number | null>(null);
  const [view, setView] = useState<PanelView>('details');
  const host = useHostInfo()?.platform ?? null;
  const tabsId = useId();
  if (d.images.length === 0) return <p className="muted">No platform image of this index is stored.</p>;
  const files = (p: PlatformDetails) => (name === null ? null : { name, platform: d.images.length > 1 ? p.platform : null });
  const panel = (p: PlatformDetails) => (
    <PlatformPanel key={p.digest} p={p} uncompressed={uncompressed} files={files(p)} view={view} onView={setView} />
  );
  if (d.images.length === 1) return panel(d.images[0]!);
  // This machine's platform first, as a pull would choose it.
  const preferred = d.images.findIndex((p) => host !== null && (p.platform === host || p.platform.startsWith(`${host}/`)));
  const index = chosen !== null && chosen < d.images.length ? chosen : Math.max(0, preferred);
  const current = d.images[index]!;
  return (
    <>
      <div className="platform-tabs" role="tablist" aria-label="Platforms">
        {d.images.map((p, i) => (
          <button
            key={p.digest}
            type="button"
            role="tab"
            id={`${tabsId}-${i}`}
            aria-selected={i === index}
            aria-controls={`${tabsId}-panel`}
            onClick={() => setChosen(i)}
            title={i === preferred ? 'Runs natively on this machine' : undefined}
          >
            <PlatformBadge platform={p.platform} />
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${tabsId}-panel`} aria-labelledby={`${tabsId}-${index}`}>
        {panel(current)}
      </div>
    </>
  );
}

function TagHistory({ d }: { d: Details }) {
  if (d.tagHistory.length === 0) return null;
  return (
    <section>
      <h3>Tag history</h3>
      <table className="tag-history" data-testid="tag-history">
        <thead>
          <tr>
            <th>When</th>
            <th>Action</th>
            <th>Pointed to</th>
            <th>Before</th>
          </tr>
        </thead>
        <tbody>
          {d.tagHistory.map((h, i) => (
            <tr key={`${h.at}-${i}`}>
              <td>
                <RelativeTime iso={h.at} />
              </td>
              <td>{h.action}</td>
              <td>
                <code title={h.digest}>{shortDigest(h.digest)}</code>
                {h.digest === d.digest ? <span className="badge">current</span> : null}
              </td>
              <td>{h.previous ? <code title={h.previous}>{shortDigest(h.previous)}</code> : <span className="muted">new tag</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** An engine's image: its size as the engine counts it, the containers using it, and where the engine keeps it. */
function EngineOverview({ d, source }: { d: Details; source: string }) {
  const engine = useChosenEngine();
  const names = d.containerNames ?? [];
  return (
    <dl className="kv" data-testid="engine-details">
      <Row label="Engine">
        {source}
        {engine?.version ? <span className="muted"> · {engine.version}</span> : null}
      </Row>
      {d.id ? (
        <Row label="Image ID">
          <code className="wrap">{d.id}</code>{' '}
          <button
            type="button"
            className="icon copy"
            aria-label={`Copy ${d.id}`}
            title={`Copy ${d.id}`}
            onClick={() => void copyWithNotice(d.id!)}
          >
            <CopyIcon />
          </button>
        </Row>
      ) : null}
      <Row label="Size" title={ENGINE_SIZE_TITLE}>
        <Bytes value={d.size} /> <span className="muted">(unique </span>
        <Bytes value={d.uniqueBytes} />
        <span className="muted">, shared </span>
        <Bytes value={d.sharedBytes} />
        <span className="muted">)</span>
      </Row>
      <Row label="Containers">
        {d.containers === undefined || d.containers < 0 ? (
          <span className="muted">unknown</span>
        ) : d.containers === 0 ? (
          <span className="muted">none: the engine can remove it</span>
        ) : (
          <span data-testid="details-containers">
            {names.length ? names.join(', ') : `${d.containers}`}
            <span className="muted">
              {' '}
              (the engine refuses to remove it while {d.containers === 1 ? 'this container exists' : 'these exist'})
            </span>
          </span>
        )}
      </Row>
      {engine?.rootDir ? (
        <Row label="Stored in">
          <code className="wrap">{engine.rootDir}</code>
        </Row>
      ) : null}
      <Row label="Created">
        <RelativeTime iso={d.created} />
      </Row>
      <Row label="Platforms">
        {d.platforms.map((p) => (
          <PlatformBadge key={p} platform={p} />
        ))}
      </Row>
    </dl>
  );
}

function Overview({ d }: { d: Details }) {
  const host = useHostInfo()?.platform ?? null;
  const warning = emulationWarning(d.platforms, host);
  const digestRef = digestReferenceOf(d);
  return (
    <dl className="kv">
      <Row label="Digest">
        <code className="wrap">{d.digest}</code>{' '}
        <button
          type="button"
          className="icon copy"
          aria-label={`Copy ${digestRef}`}
          title={`Copy ${digestRef}`}
          onClick={() => void copyWithNotice(digestRef)}
        >
          <CopyIcon />
        </button>
      </Row>
      {d.id ? (
        <Row label="Image ID">
          <code title={d.id}>{shortDigest(d.id)}</code>
        </Row>
      ) : null}
      <Row label="Media type">
        <code className="wrap">{d.mediaType}</code>
      </Row>
      <Row label="Platforms">
        {d.platforms.map((p) => (
          <PlatformBadge key={p} platform={p} />
        ))}
        {warning ? <div className="warn">⚠ {warning}</div> : null}
        {d.absentPlatforms.length ? <div className="muted">Not stored: {d.absentPlatforms.join(', ')}</div> : null}
      </Row>
      <Row label="Stored" title={STORED_TITLE}>
        <Bytes value={d.size} /> <span className="muted">(unique </span>
        <Bytes value={d.uniqueBytes} />
        <span className="muted">, shared </span>
        <Bytes value={d.sharedBytes} />
        <span className="muted">)</span>
      </Row>
      <Row label="Created">
        <RelativeTime iso={d.created} />
      </Row>
      <Row label="Pulled from">
        {d.source ? <code className="wrap">{d.source}</code> : <span className="muted">unknown (built, loaded or copied here)</span>}
      </Row>
      <Row label="Pulled">
        <RelativeTime iso={d.pulled} />
      </Row>
      <Row label="Signature">
        {d.signature ? (
          <span data-testid="details-signature">
            <SignedBadge signature={d.signature} /> Verified by <code className="wrap">{d.signature.verifiedBy}</code> at{' '}
            <time dateTime={d.signature.at}>{exactTime(d.signature.at)}</time>
            <div className="muted">
              under <code className="wrap">{d.signature.policy}</code>
            </div>
          </span>
        ) : (
          <span className="muted" data-testid="details-signature">
            Not verified: {d.source ? 'pulled without a signature requirement' : 'not pulled from a registry'}
          </span>
        )}
      </Row>
      {d.previousRef ? (
        <Row label="Was">
          <code>{d.previousRef}</code>
        </Row>
      ) : null}
    </dl>
  );
}

/** Unpacked (uncompressed) layer sizes from the layer tree, where it knows them (best effort: the panel works without). */
function useUncompressed(name: string, digest: string | undefined): Map<string, number | null> {
  // On an error the column stays unknown: the compressed sizes and everything else still show.
  const trees = useImageTree(name, digest !== undefined).data;
  return useMemo(() => {
    const m = new Map<string, number | null>();
    for (const t of trees ?? []) for (const l of t.layers) m.set(l.digest, l.uncompressed);
    return m;
  }, [trees]);
}

export function ImageDetails({ name }: { name: string }) {
  const details = useImageDetails(name);
  const source = useSource();
  const showDetails = useDeckhand((s) => s.showDetails);
  const d = details.data ?? null;
  const error = details.error && !details.isFetching ? messageOf(details.error) : null;
  const uncompressed = useUncompressed(name, d?.digest);

  return (
    <aside className="image-details" data-testid="image-details" aria-label={`Details of ${name}`}>
      <header className="image-details-head">
        <h2>
          <MiddleName name={name} />
        </h2>
        <button type="button" className="icon" aria-label="Close details" onClick={() => showDetails(null)}>
          ×
        </button>
      </header>
      <div className="image-details-body">
        {error ? (
          <div role="alert" className="error">
            Could not inspect {name}: {error}{' '}
            <button type="button" onClick={() => void details.refetch()}>
              Retry
            </button>
          </div>
        ) : !d ? (
          <p className="muted" role="status">
            Loading…
          </p>
        ) : (
          <>
            {d.error ? (
              <div role="alert" className="error">
                {d.error}
              </div>
            ) : null}
            {isStore(source) ? <Overview d={d} /> : <EngineOverview d={d} source={source} />}
            {isStore(source) ? <TagHistory d={d} /> : null}
            <Platforms key={d.digest} d={d} uncompressed={uncompressed} name={name} />
            {d.index ? <Json summary="Index" value={d.index} /> : null}
          </>
        )}
      </div>
    </aside>
  );
}
