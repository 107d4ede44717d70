import type { ImageRow } from '../../../src-shared/ipc/contract.ts';
import { formatAge, formatBytes } from '../../../src-shared/format.ts';

export function ImagesTable({ rows }: { rows: ImageRow[] }) {
  if (rows.length === 0)
    return (
      <p className="muted" data-testid="images-empty">
        No images yet. Pull one above, or with <code>deckhand pull REF</code>.
      </p>
    );
  return (
    <table aria-label="Images" data-testid="images-table">
      <thead>
        <tr>
          <th>Repository</th>
          <th>Tag</th>
          <th>Digest</th>
          <th>Platforms</th>
          <th>Created</th>
          <th className="num">Size</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.repository ?? ''}:${r.tag ?? ''}@${r.digest}`} data-testid="image-row" data-ref={r.repository ? `${r.repository}:${r.tag ?? ''}` : r.digest}>
            <td>{r.repository ?? <span className="muted">&lt;none&gt;</span>}</td>
            <td>{r.tag ?? <span className="muted">{r.dangling ? 'dangling' : '<none>'}</span>}</td>
            <td title={r.digest}>
              <code>{r.digest.slice(7, 19)}</code>
            </td>
            <td>
              {r.platforms.map((p) => (
                <span key={p} className="badge">{p}</span>
              ))}
              {r.sparse ? <span className="muted">sparse</span> : null}
            </td>
            <td title={r.created ?? ''}>{r.error ? <span className="error">{r.error}</span> : formatAge(r.created ?? undefined)}</td>
            <td className="num">{formatBytes(r.size)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
