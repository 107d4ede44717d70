/**
 * The Files tab of an image's platform (the store's, or an engine's: exported for the analysis):
 * what is inside each layer (issue 18). While the analysis runs, which layer it reads and Cancel;
 * then the image's efficiency at the top (score, wasted bytes, the share of the user's layers
 * wasted), its layers with size and build step, one chosen; that layer's own changes (added,
 * modified, removed) or, stacked, the file system as of it, with a path filter and "only wasted"
 * (the paths in two or more layers); then the worst paths. An image
 * can hold tens of thousands of files: the lists are capped and say how many more a filter would show.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { EventPayload, ImageLayers, LayerFileChange } from '../../../src-shared/ipc/contract.ts';
import { useApi } from '../../api/provider.tsx';
import { keys } from '../../data/keys.ts';
import { useImageLayers, useSource } from '../../data/queries.ts';
import { messageOf } from '../../store/slice.ts';
import { Bytes } from '../../ui/format.tsx';
import { formatBytes } from '../../../src-shared/format.ts';
import { buildStep } from '../../../src-shared/oci/history.ts';
import { shortDigest } from './rows.ts';
import { directorySizes, stackedFiles } from './stacked.ts';

/** At most this many entries are rendered; the rest are counted. */
export const MAX_ENTRIES = 300;
/** At most this many worst paths are listed. */
export const MAX_WORST = 50;

const STATUS_TEXT: Record<LayerFileChange['status'], string> = {
  added: 'added',
  modified: 'modified',
  removed: 'removed',
  unchanged: 'unchanged',
};

const percent = (fraction: number) => `${(Math.round(fraction * 1000) / 10).toFixed(1)} %`;

function Summary({ report }: { report: ImageLayers }) {
  const e = report.efficiency;
  return (
    <dl className="kv files-summary" data-testid="files-summary">
      <dt title="dive's score: the share of the image's bytes that are not wasted">Efficiency</dt>
      <dd data-testid="files-score">{percent(e.score)}</dd>
      <dt title="Bytes of files a later layer overwrote or removed, still shipped in the lower layer">Wasted</dt>
      <dd data-testid="files-wasted">
        <Bytes value={e.wastedBytes} />
      </dd>
      <dt title="Wasted bytes as a share of every layer but the base">User wasted</dt>
      <dd data-testid="files-user-wasted">
        {e.userWastedPercent === null ? <span className="muted">n/a</span> : percent(e.userWastedPercent)}
      </dd>
    </dl>
  );
}

export type FilesMode = 'layer' | 'stacked';

interface Row {
  path: string;
  size: number;
  entry: LayerFileChange['entry'];
  /** The status badge (a change of the chosen layer), or null for an entry an earlier layer wrote. */
  status: LayerFileChange['status'] | null;
  /** Stacked: the layer that last wrote the entry. */
  layer: number;
}

function LayerEntries({ report, index, mode }: { report: ImageLayers; index: number; mode: FilesMode }) {
  const [filter, setFilter] = useState('');
  const [onlyWasted, setOnlyWasted] = useState(false);
  const filterId = useId();
  const layer = report.layers[index]!;
  const wasted = useMemo(() => new Set(report.efficiency.inefficiencies.map((i) => i.path)), [report]);
  // The layer-only view: what this layer did; entries it rewrote unchanged are counted, not listed.
  const changes = useMemo(() => (layer.files ?? []).filter((f) => f.status !== 'unchanged'), [layer]);
  const unchanged = (layer.files?.length ?? 0) - changes.length;
  // The stacked view: the file system as of this layer; what this layer wrote keeps its status.
  const all = useMemo<Row[]>(
    () =>
      mode === 'layer'
        ? changes.map((f) => ({ path: f.path, size: f.size, entry: f.entry, status: f.status, layer: index }))
        : stackedFiles(report, index).map((f) => ({
            path: f.path,
            size: f.size,
            entry: f.entry,
            status: f.layer === index ? f.status : null,
            layer: f.layer,
          })),
    [mode, changes, report, index],
  );
  // A directory shows the bytes of the files under it in this view (its own entry has none).
  const dirs = useMemo(() => directorySizes(all), [all]);
  const needle = filter.trim().toLowerCase();
  const shown = useMemo(
    () => all.filter((f) => (!onlyWasted || wasted.has(f.path)) && (needle === '' || f.path.toLowerCase().includes(needle))),
    [all, onlyWasted, wasted, needle],
  );
  const rows = shown.slice(0, MAX_ENTRIES);
  return (
    <section aria-label={`Files of layer ${index + 1}`}>
      {mode === 'layer' ? (
        <h3>
          Layer {index + 1}: {changes.length} {changes.length === 1 ? 'change' : 'changes'}
          {unchanged > 0 ? <span className="muted"> ({unchanged} rewritten unchanged, not listed)</span> : null}
        </h3>
      ) : (
        <h3>
          Up to layer {index + 1}: {all.length} {all.length === 1 ? 'entry' : 'entries'}
          <span className="muted"> (the file system as of this layer; its own changes marked)</span>
        </h3>
      )}
      <div className="files-controls">
        <label htmlFor={filterId}>Filter paths</label>
        <input id={filterId} type="search" value={filter} placeholder="/usr/lib" onChange={(e) => setFilter(e.target.value)} />
        <label>
          <input type="checkbox" checked={onlyWasted} onChange={(e) => setOnlyWasted(e.target.checked)} /> Only wasted
        </label>
      </div>
      {shown.length === 0 ? (
        <p className="muted" data-testid="files-none">
          {all.length === 0 ? (mode === 'layer' ? 'This layer changes no files.' : 'No files as of this layer.') : 'No path matches.'}
        </p>
      ) : (
        <table className="files-entries" data-testid="files-entries" data-mode={mode}>
          <thead>
            <tr>
              <th>{mode === 'layer' ? 'Status' : 'Written by'}</th>
              <th>Path</th>
              <th className="num">Size</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr key={`${f.status}:${f.path}`}>
                <td>
                  {f.status ? (
                    <span className={`badge change ${f.status}`}>{STATUS_TEXT[f.status]}</span>
                  ) : (
                    <span className="muted">layer {f.layer + 1}</span>
                  )}
                </td>
                <td>
                  <code className="wrap">
                    {f.path}
                    {f.entry?.type === 'dir' ? '/' : ''}
                  </code>
                  {f.entry?.linkTarget ? <span className="muted"> → {f.entry.linkTarget}</span> : null}
                </td>
                <td className="num">
                  {f.entry?.type === 'dir' && f.status !== 'removed' ? (
                    <span title={mode === 'layer' ? 'The files under it that this layer wrote' : 'The files under it as of this layer'}>
                      <Bytes value={dirs.get(f.path) ?? 0} />
                    </span>
                  ) : (
                    <Bytes value={f.size} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {shown.length > rows.length ? (
        <p className="muted" data-testid="files-more">
          {shown.length - rows.length} more — filter to narrow
        </p>
      ) : null}
    </section>
  );
}

/** Layer only (what the chosen layer did) or Stacked (the file system as of it). */
function ModeChoice({ mode, onMode }: { mode: FilesMode; onMode: (m: FilesMode) => void }) {
  return (
    <div className="files-mode" role="group" aria-label="Files shown">
      {(['layer', 'stacked'] as const).map((m) => (
        <button key={m} type="button" aria-pressed={mode === m} onClick={() => onMode(m)}>
          {m === 'layer' ? 'Layer only' : 'Stacked'}
        </button>
      ))}
    </div>
  );
}

function WorstPaths({ report }: { report: ImageLayers }) {
  const worst = report.efficiency.inefficiencies;
  if (worst.length === 0) return <p className="muted">No path is in more than one layer: nothing is wasted.</p>;
  return (
    <section>
      <h3>Worst paths</h3>
      <table className="files-worst" data-testid="files-worst">
        <thead>
          <tr>
            <th>Path</th>
            <th className="num">Total</th>
            <th className="num">Layers</th>
          </tr>
        </thead>
        <tbody>
          {worst.slice(0, MAX_WORST).map((w) => (
            <tr key={w.path}>
              <td>
                <code className="wrap">{w.path}</code>
              </td>
              <td className="num">
                <Bytes value={w.cumulativeSize} />
              </td>
              <td className="num" title={w.layers.map((l) => `layer ${l.index + 1}: ${l.createdBy ?? shortDigest(l.digest)}`).join('\n')}>
                {w.count}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {worst.length > MAX_WORST ? <p className="muted">{worst.length - MAX_WORST} more</p> : null}
    </section>
  );
}

/** Where an analysis stands: which layer it reads, and whether from the cache. */
function Progress({ step, onCancel }: { step: EventPayload<'layersProgress'> | null; onCancel: () => void }) {
  return (
    <div className="files-progress" role="status" data-testid="files-progress">
      <span>
        {step
          ? `Analysing layers: layer ${step.index + 1} of ${step.layers}, ${step.cached ? 'from the cache' : 'reading the blob'}${
              step.bytesTotal ? ` (${formatBytes(step.bytesDone ?? 0)} of ${formatBytes(step.bytesTotal)} read)` : ''
            }…`
          : 'Analysing layers… (the first time reads every layer; a large image takes seconds)'}
      </span>{' '}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** `platform` null: the image's only (or the host's) platform. The image is in the source chosen in the sidebar. */
export function FilesTab({ name, platform }: { name: string; platform: string | null }) {
  const api = useApi();
  const client = useQueryClient();
  const source = useSource();
  const [cancelled, setCancelled] = useState(false);
  const [step, setStep] = useState<EventPayload<'layersProgress'> | null>(null);
  const request = useRef<string | null>(null);
  const query = useImageLayers(name, platform, !cancelled, {
    onRequest: (id) => {
      request.current = id;
      setStep(null);
    },
  });
  useEffect(() => api.on('layersProgress', (p) => (p.requestId === request.current ? setStep(p) : undefined)), [api]);
  const [chosen, setChosen] = useState<number | null>(null);
  const [mode, setMode] = useState<FilesMode>('layer');
  const report = query.data ?? null;
  if (cancelled && !report) {
    return (
      <div className="files-cancelled" role="status" data-testid="files-cancelled">
        Cancelled.{' '}
        <button type="button" onClick={() => setCancelled(false)}>
          Analyse again
        </button>
      </div>
    );
  }
  if (query.error && !query.isFetching) {
    return (
      <div role="alert" className="error" data-testid="files-error">
        Could not analyse the layers of {name}: {messageOf(query.error)}{' '}
        <button type="button" onClick={() => void query.refetch()}>
          Retry
        </button>
      </div>
    );
  }
  if (!report) {
    return (
      <Progress
        step={step}
        onCancel={() => {
          // Aborting the fetch's signal sends cancelAnalysis; the host stops once nobody else waits for it.
          setCancelled(true);
          void client.cancelQueries({ queryKey: keys.layers(source, name, platform) });
        }}
      />
    );
  }
  // The top layer by default: usually the one the user just built.
  const index = chosen !== null && chosen < report.layers.length ? chosen : report.layers.length - 1;
  return (
    <div className="files-tab" data-testid="files-tab">
      <Summary report={report} />
      <section>
        <h3>Layers ({report.layers.length})</h3>
        <ol className="files-layers">
          {report.layers.map((l, i) => (
            <li key={`${l.digest}-${i}`}>
              <button type="button" aria-pressed={i === index} onClick={() => setChosen(i)} aria-label={`Layer ${i + 1}`}>
                <span className="files-layer-size">
                  <Bytes value={l.size} />
                </span>
                {l.createdBy ? (
                  <code className="build-step" title={l.createdBy}>
                    {buildStep(l.createdBy)}
                  </code>
                ) : (
                  <code className="muted">{shortDigest(l.digest)}</code>
                )}
                <span className="muted files-layer-counts">
                  {' '}
                  +{l.added.count} ~{l.modified.count} −{l.removed.count}
                </span>
              </button>
            </li>
          ))}
        </ol>
      </section>
      {report.layers.length > 0 ? (
        <>
          <ModeChoice mode={mode} onMode={setMode} />
          <LayerEntries key={`${index}-${mode}`} report={report} index={index} mode={mode} />
        </>
      ) : null}
      <WorstPaths report={report} />
    </div>
  );
}
