/**
 * Disk usage, All sources: This store and every engine side by side. A table gives each source's
 * total, shared, unique and reclaimable bytes (an engine's as the engine reports them, unpacked);
 * the map below draws one cell per source, sized by its total, with its images' unique bytes and
 * its shared layers inside, so where the gigabytes are shows at a glance. Each source loads on its
 * own: a slow or dead engine shows as loading or unreachable in its row and never holds up the
 * others. A click on a source's row or cell opens that source's own disk usage.
 */
import { useQueries } from '@tanstack/react-query';
import { useMemo, useRef } from 'react';
import { formatBytes } from '../../../src-shared/format.ts';
import type { DiskUsage, EngineStatus } from '../../../src-shared/ipc/contract.ts';
import { useApi } from '../../api/provider.tsx';
import { isStore, STORE } from '../../data/keys.ts';
import { diskUsageQuery, useEngines } from '../../data/queries.ts';
import { useDeckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { Bytes } from '../../ui/format.tsx';
import { useElementSize } from '../tree/useElementSize.ts';
import { EngineIcon } from '../sources/SourcesSection.tsx';
import { StoreIcon } from '../../ui/icons.tsx';
import { layoutSources, OTHER_LABEL, SHARED_LABEL, sourceFigures, SOURCE_LABEL_BAND, type SourceCell } from './sources-layout.ts';

interface Row {
  source: string;
  label: string;
  engine: EngineStatus | null;
  usage: DiskUsage | null;
  error: string | null;
  loading: boolean;
}

const CHAR_WIDTH = 6.6;

function fitText(text: string, width: number): string | null {
  const room = Math.floor((width - 8) / CHAR_WIDTH);
  if (room < 3) return null;
  return text.length <= room ? text : `${text.slice(0, room - 1)}…`;
}

function SourceMap({ rows, onOpen }: { rows: Row[]; onOpen: (source: string) => void }) {
  const boxRef = useRef<HTMLDivElement>(null);
  const size = useElementSize(boxRef, { width: 900, height: 360 });
  const width = Math.max(240, size.width);
  const height = Math.max(200, size.height);
  const measured = rows.filter((r): r is Row & { usage: DiskUsage } => r.usage !== null);
  const cells = useMemo(
    () =>
      layoutSources(
        measured.map((r) => ({ source: r.source, label: r.label, usage: r.usage })),
        width,
        height,
      ),
    [measured, width, height],
  );
  const total = measured.reduce((n, r) => n + sourceFigures(r.usage).totalBytes, 0);
  return (
    <div className="usage-map-box all-sources-map" ref={boxRef}>
      {cells.length === 0 ? (
        <p className="muted usage-empty">{measured.length === 0 ? 'Measuring the sources…' : 'The sources hold no images with a size.'}</p>
      ) : (
        <svg
          className="usage-svg"
          width={width}
          height={height}
          role="group"
          aria-label={`Disk usage of all sources: ${formatBytes(total)}`}
        >
          {cells.map((c) => (
            <SourceMapCell key={c.id} cell={c} onOpen={onOpen} />
          ))}
        </svg>
      )}
    </div>
  );
}

function SourceMapCell({ cell: c, onOpen }: { cell: SourceCell; onOpen: (source: string) => void }) {
  const w = c.x1 - c.x0;
  const h = c.y1 - c.y0;
  if (w < 1 || h < 1) return null;
  const title = `${c.kind === 'source' ? c.label : `${c.source}: ${c.label}`} · ${formatBytes(c.bytes)}${
    c.kind === 'image' ? ' only this image uses' : c.kind === 'shared' ? ', each shared layer once' : ''
  }`;
  const text = c.kind === 'source' ? fitText(`${c.label} · ${formatBytes(c.bytes)}`, w) : h >= 14 ? fitText(c.label, w) : null;
  return (
    <g
      className={`usage-cell src-cell ${c.kind}`}
      data-testid={c.kind === 'source' ? 'source-cell' : undefined}
      data-source={c.kind === 'source' ? c.source : undefined}
      data-bytes={c.kind === 'source' ? c.bytes : undefined}
      onClick={c.kind === 'source' ? () => onOpen(c.source) : undefined}
    >
      <title>{title}</title>
      <rect x={c.x0} y={c.y0} width={w} height={h} rx={c.kind === 'source' ? 4 : 1} />
      {text ? (
        <text x={c.x0 + 4} y={c.y0 + (c.kind === 'source' ? SOURCE_LABEL_BAND - 5 : 12)}>
          {text}
        </text>
      ) : null}
    </g>
  );
}

export function AllSources() {
  const api = useApi();
  const engines = useEngines();
  const setSource = useDeckhand((s) => s.setSource);
  const setUsageAll = useDeckhand((s) => s.setUsageAll);
  const list = engines.data ?? [];
  const reachable = list.filter((e) => e.reachable);
  const results = useQueries({ queries: [STORE, ...reachable.map((e) => e.name)].map((s) => diskUsageQuery(api, s)) });
  const rows: Row[] = [
    ...[STORE, ...reachable.map((e) => e.name)].map((source, i) => {
      const q = results[i]!;
      return {
        source,
        label: isStore(source) ? 'This store' : source,
        engine: list.find((e) => e.name === source) ?? null,
        usage: q.data ?? null,
        error: q.error ? messageOf(q.error) : null,
        loading: q.isFetching,
      };
    }),
    ...list
      .filter((e) => !e.reachable)
      .map((e) => ({
        source: e.name,
        label: e.name,
        engine: e,
        usage: null,
        error: e.error ?? `${e.uri} does not answer`,
        loading: false,
      })),
  ];
  const open = (source: string) => {
    setSource(source);
    setUsageAll(false);
  };
  const all = rows.filter((r) => r.usage).reduce((n, r) => n + sourceFigures(r.usage!).totalBytes, 0);
  return (
    <div className="all-sources" data-testid="usage-all">
      <table className="all-sources-table" aria-label="Disk usage per source">
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Images</th>
            <th scope="col" title="Every blob or layer once">
              Total
            </th>
            <th scope="col" title="Layers more than one image uses, each once">
              Shared
            </th>
            <th scope="col" title="Bytes only one image uses (what removing each alone frees), summed">
              Unique
            </th>
            <th scope="col" title="What a default prune frees, by the source's own count">
              Reclaimable
            </th>
            <th scope="col" className="share">
              Share of {formatBytes(all)}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const f = r.usage ? sourceFigures(r.usage) : null;
            const unreachable = r.engine !== null && !r.engine.reachable;
            return (
              <tr key={r.source} data-testid="source-usage" data-source={r.source} className={unreachable ? 'unreachable' : undefined}>
                <th scope="row">
                  <button type="button" className="link src-label" disabled={unreachable} onClick={() => open(r.source)}>
                    {r.engine ? <EngineIcon kind={r.engine.kind} /> : <StoreIcon />} {r.label}
                  </button>
                </th>
                {f ? (
                  <>
                    <td>{f.images}</td>
                    <td data-testid="source-usage-total">
                      <Bytes value={f.totalBytes} />
                    </td>
                    <td>
                      <Bytes value={f.sharedBytes} />
                    </td>
                    <td>
                      <Bytes value={f.uniqueBytes} />
                    </td>
                    <td>
                      <Bytes value={f.reclaimableBytes} />
                    </td>
                    <td className="share">
                      <ShareBar figures={f} all={all} />
                    </td>
                  </>
                ) : (
                  <td colSpan={6} className={r.error ? 'error' : 'muted'} data-testid={r.error ? 'source-usage-error' : undefined}>
                    {r.error ? (unreachable ? `Unreachable: ${r.error}` : `Could not read its disk usage: ${r.error}`) : 'Measuring…'}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      {engines.isPending ? <p className="muted all-sources-note">Looking for Docker and Podman…</p> : null}
      {engines.error ? <p className="error all-sources-note">Could not look for engines: {messageOf(engines.error)}</p> : null}
      <ul className="usage-legend inline" aria-label="Legend">
        <li>
          <span className="swatch unique" aria-hidden="true" /> Only one image uses it
        </li>
        <li>
          <span className="swatch shared" aria-hidden="true" /> {SHARED_LABEL}, each once
        </li>
        <li>
          <span className="swatch other" aria-hidden="true" /> {OTHER_LABEL}: unreferenced, interrupted, or counted by the engine beyond its
          images
        </li>
      </ul>
      <SourceMap rows={rows} onOpen={open} />
    </div>
  );
}

/** A source's share of all sources' bytes, split into unique, shared and other. */
function ShareBar({ figures: f, all }: { figures: ReturnType<typeof sourceFigures>; all: number }) {
  if (all === 0) return null;
  const pct = (n: number) => `${((100 * n) / all).toFixed(2)}%`;
  return (
    <svg
      className="share-bar"
      width="100%"
      height="10"
      role="img"
      aria-label={`${((100 * f.totalBytes) / all).toFixed(0)}% of all sources`}
    >
      <rect className="unique" x="0" y="0" width={pct(f.uniqueBytes)} height="10" />
      <rect className="shared" x={pct(f.uniqueBytes)} y="0" width={pct(f.sharedBytes)} height="10" />
      <rect className="other" x={pct(f.uniqueBytes + f.sharedBytes)} y="0" width={pct(f.otherBytes)} height="10" />
    </svg>
  );
}
