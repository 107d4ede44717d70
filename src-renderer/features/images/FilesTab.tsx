/**
 * The Files tab of a stored image's platform: what is inside each layer (issue 18). The image's
 * efficiency at the top (score, wasted bytes, the share of the user's layers wasted), its layers
 * with size and build step, one chosen; that layer's own changes (added, modified, removed) with a
 * path filter and "only wasted" (the paths in two or more layers); then the worst paths. An image
 * can hold tens of thousands of files: the lists are capped and say how many more a filter would show.
 */
import { useId, useMemo, useState } from 'react';
import type { ImageLayers, LayerFileChange } from '../../../src-shared/ipc/contract.ts';
import { useImageLayers } from '../../data/queries.ts';
import { messageOf } from '../../store/slice.ts';
import { Bytes } from '../../ui/format.tsx';
import { buildStep } from '../../../src-shared/oci/history.ts';
import { shortDigest } from './rows.ts';

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

function LayerEntries({ report, index }: { report: ImageLayers; index: number }) {
  const [filter, setFilter] = useState('');
  const [onlyWasted, setOnlyWasted] = useState(false);
  const filterId = useId();
  const layer = report.layers[index]!;
  const wasted = useMemo(() => new Set(report.efficiency.inefficiencies.map((i) => i.path)), [report]);
  // The layer-only view: what this layer did; entries it rewrote unchanged are counted, not listed.
  const changes = useMemo(() => (layer.files ?? []).filter((f) => f.status !== 'unchanged'), [layer]);
  const unchanged = (layer.files?.length ?? 0) - changes.length;
  const needle = filter.trim().toLowerCase();
  const shown = useMemo(
    () => changes.filter((f) => (!onlyWasted || wasted.has(f.path)) && (needle === '' || f.path.toLowerCase().includes(needle))),
    [changes, onlyWasted, wasted, needle],
  );
  const rows = shown.slice(0, MAX_ENTRIES);
  return (
    <section aria-label={`Files of layer ${index + 1}`}>
      <h3>
        Layer {index + 1}: {changes.length} {changes.length === 1 ? 'change' : 'changes'}
        {unchanged > 0 ? <span className="muted"> ({unchanged} rewritten unchanged, not listed)</span> : null}
      </h3>
      <div className="files-controls">
        <label htmlFor={filterId}>Filter paths</label>
        <input id={filterId} type="search" value={filter} placeholder="/usr/lib" onChange={(e) => setFilter(e.target.value)} />
        <label>
          <input type="checkbox" checked={onlyWasted} onChange={(e) => setOnlyWasted(e.target.checked)} /> Only wasted
        </label>
      </div>
      {shown.length === 0 ? (
        <p className="muted" data-testid="files-none">
          {changes.length === 0 ? 'This layer changes no files.' : 'No path matches.'}
        </p>
      ) : (
        <table className="files-entries" data-testid="files-entries">
          <thead>
            <tr>
              <th>Status</th>
              <th>Path</th>
              <th className="num">Size</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr key={`${f.status}:${f.path}`}>
                <td>
                  <span className={`badge change ${f.status}`}>{STATUS_TEXT[f.status]}</span>
                </td>
                <td>
                  <code className="wrap">
                    {f.path}
                    {f.entry?.type === 'dir' ? '/' : ''}
                  </code>
                  {f.entry?.linkTarget ? <span className="muted"> → {f.entry.linkTarget}</span> : null}
                </td>
                <td className="num">
                  <Bytes value={f.size} />
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

/** `platform` null: the image's only (or the host's) platform. */
export function FilesTab({ name, platform }: { name: string; platform: string | null }) {
  const query = useImageLayers(name, platform, true);
  const [chosen, setChosen] = useState<number | null>(null);
  const report = query.data ?? null;
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
      <p className="muted" role="status">
        Analysing layers… (the first time reads every layer; a large image takes seconds)
      </p>
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
      {report.layers.length > 0 ? <LayerEntries key={index} report={report} index={index} /> : null}
      <WorstPaths report={report} />
    </div>
  );
}
