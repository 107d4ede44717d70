import { formatBytes } from '../../../src-shared/format.ts';
import { api } from '../../api/client.ts';
import { totals, type TransferView } from './model.ts';

function TransferRow({ t }: { t: TransferView }) {
  const { done, total } = totals(t);
  const layers = Object.values(t.blobs);
  const finished = layers.filter((b) => b.state === 'done' || b.state === 'exists' || b.state === 'mounted').length;
  return (
    <li data-testid="transfer" data-state={t.status} className={`transfer ${t.status}`}>
      <div className="transfer-head">
        <strong>{t.kind}</strong> <code>{t.ref}</code>
        {t.status === 'running' ? (
          <button type="button" onClick={() => void api().cancelTransfer({ transferId: t.id }).catch(() => undefined)}>
            Cancel
          </button>
        ) : null}
      </div>
      <progress data-testid="transfer-progress" value={done} max={total || 1} />
      <span data-testid="transfer-status" className={t.status === 'failed' ? 'error' : 'muted'}>
        {t.status === 'done' ? `Done: ${formatBytes(total)}` : t.status === 'failed' ? t.error?.message : `${formatBytes(done)} / ${formatBytes(total)} · ${finished}/${layers.length} blobs`}
        {t.status === 'running' && t.note ? ` · ${t.note}` : ''}
      </span>
    </li>
  );
}

export function TransferList({ transfers }: { transfers: TransferView[] }) {
  if (transfers.length === 0) return null;
  return (
    <section aria-label="Transfers">
      <ul className="transfers" data-testid="transfers">
        {transfers.map((t) => (
          <TransferRow key={t.id} t={t} />
        ))}
      </ul>
    </section>
  );
}
