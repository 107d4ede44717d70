/**
 * The transfers dock at the bottom of the window: every pull, push, copy, load and save this window
 * has heard of, newest first. Each shows its progress, throughput and time left, its blobs one by
 * one on request, and the engine's final figures; running ones can be cancelled, failed or
 * cancelled ones started here can be retried. Collapsed, the dock is one line of summary.
 */
import { useEffect, useState } from 'react';
import { formatBytes } from '../../../src-shared/format.ts';
import type { TransferKind } from '../../../src-shared/ipc/contract.ts';
import { useTransferActions } from '../../data/transfers.ts';
import { useDeckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { blobCounts, eta, isCancelled, throughput, totals, type TransferView } from '../../store/transfer-model.ts';
import { BlobList } from './BlobList.tsx';
import { formatDuration, formatRate } from './figures.ts';
import './transfers.css';

const KIND_LABEL: Record<TransferKind, string> = { pull: 'Pull', push: 'Push', copy: 'Copy', load: 'Load', save: 'Save' };

/** Re-renders every second while `active`, so rates and times left follow the clock. */
function useClock(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

/** When the latest progress of any transfer arrived (0 when none has). */
function lastHeard(transfers: TransferView[]): number {
  return Math.max(0, ...transfers.map((t) => t.samples.at(-1)?.at ?? 0));
}

function stateLabel(t: TransferView): string {
  if (t.status === 'running') return 'Running';
  if (t.status === 'done') return 'Done';
  return isCancelled(t) ? 'Cancelled' : 'Failed';
}

function statusText(t: TransferView): string {
  const { done, total } = totals(t);
  if (t.status === 'done') return `Done: ${formatBytes(total)}`;
  if (t.status === 'failed') return isCancelled(t) ? 'Cancelled' : (t.error?.message ?? 'Failed');
  const { finished, count } = blobCounts(t);
  const moving = count > 0 ? `${formatBytes(done)} / ${formatBytes(total)} · ${finished}/${count} blobs` : 'Starting…';
  return t.note ? `${moving} · ${t.note}` : moving;
}

/** The engine's final figures, and how long it took when this window saw it start. */
function finalFigures(t: TransferView): string | null {
  const parts: string[] = [];
  const s = t.summary;
  if (s?.type === 'pull') {
    parts.push(
      `Fetched ${s.fetchedBlobs} blob${s.fetchedBlobs === 1 ? '' : 's'} (${formatBytes(s.fetchedBytes)})`,
      `${s.skippedBlobs} already stored`,
    );
  } else if (s?.type === 'push') {
    parts.push(
      `Uploaded ${s.uploadedBlobs} blob${s.uploadedBlobs === 1 ? '' : 's'} (${formatBytes(s.uploadedBytes)})`,
      `${s.existingBlobs} already there`,
      `${s.mountedBlobs} mounted`,
    );
  }
  if (t.status !== 'running' && t.startedAt !== null && t.endedAt !== null)
    parts.push(`took ${formatDuration((t.endedAt - t.startedAt) / 1000)}`);
  return parts.length > 0 ? parts.join(' · ') : null;
}

function TransferItem({ t, now, canRetry }: { t: TransferView; now: number; canRetry: boolean }) {
  const { cancelTransfer, retryTransfer } = useTransferActions();
  const notify = useDeckhand((s) => s.notify);
  const [showBlobs, setShowBlobs] = useState(false);
  const [busy, setBusy] = useState(false);
  const { done, total } = totals(t);
  const rate = t.status === 'running' ? throughput(t, now) : null;
  const left = eta(t, now);
  const figures = finalFigures(t);
  const blobCount = Object.keys(t.blobs).length;
  const label = `${KIND_LABEL[t.kind]} ${t.ref}`;
  const state = t.status === 'failed' && isCancelled(t) ? 'cancelled' : t.status;

  const act = (what: string, run: () => Promise<unknown>) => {
    setBusy(true);
    run()
      .catch((e: unknown) => notify('error', `Could not ${what} ${label}: ${messageOf(e)}`))
      .finally(() => setBusy(false));
  };

  return (
    <li className={`transfer ${state}`} data-testid="transfer" data-state={t.status} data-kind={t.kind}>
      <div className="transfer-head">
        <span className={`transfer-kind ${t.kind}`}>{KIND_LABEL[t.kind]}</span>
        <code className="transfer-ref" title={t.ref}>
          {t.ref}
        </code>
        <span className={`transfer-state ${state}`}>{stateLabel(t)}</span>
        <span className="transfer-actions">
          {t.status === 'running' ? (
            <button type="button" disabled={busy} aria-label={`Cancel ${label}`} onClick={() => act('cancel', () => cancelTransfer(t.id))}>
              Cancel
            </button>
          ) : null}
          {t.status === 'failed' && canRetry ? (
            <button type="button" disabled={busy} aria-label={`Retry ${label}`} onClick={() => act('retry', () => retryTransfer(t.id))}>
              Retry
            </button>
          ) : null}
        </span>
      </div>
      <progress data-testid="transfer-progress" value={done} max={total || 1} aria-label={`Progress of ${label}`} />
      <div className="transfer-line">
        <span
          data-testid="transfer-status"
          className={t.status === 'failed' && !isCancelled(t) ? 'transfer-status error' : 'transfer-status muted'}
        >
          {statusText(t)}
        </span>
        {t.status === 'running' ? (
          <span className="transfer-rate muted" data-testid="transfer-rate">
            {rate === null ? 'measuring…' : rate === 0 ? 'stalled' : formatRate(rate)}
            {left !== null ? ` · ${formatDuration(left)} left` : ''}
          </span>
        ) : null}
      </div>
      {t.mirror ? (
        <div
          className="transfer-mirror muted"
          data-testid="transfer-mirror"
          title="A registries.conf mirror served this pull; the image keeps the name asked for"
        >
          from mirror {t.mirror}
        </div>
      ) : null}
      {figures ? (
        <div className="transfer-figures muted" data-testid="transfer-figures">
          {figures}
        </div>
      ) : null}
      {t.retries > 0 ? (
        <div className="transfer-retries" data-testid="transfer-retries">
          Retried {t.retries} time{t.retries === 1 ? '' : 's'}
          {t.lastRetry ? `; last: ${t.lastRetry}` : ''}
        </div>
      ) : null}
      {blobCount > 0 ? (
        <>
          <button type="button" className="link transfer-blobs-toggle" aria-expanded={showBlobs} onClick={() => setShowBlobs((v) => !v)}>
            {showBlobs ? 'Hide' : 'Show'} {blobCount} blob{blobCount === 1 ? '' : 's'}
          </button>
          {showBlobs ? <BlobList blobs={t.blobs} label={label} /> : null}
        </>
      ) : null}
    </li>
  );
}

/** "2 running · 45 MB/s", or what finished when nothing runs. */
function summaryOf(transfers: TransferView[], now: number): string {
  if (transfers.length === 0) return 'No transfers';
  const running = transfers.filter((t) => t.status === 'running');
  if (running.length > 0) {
    const rate = running.reduce((sum, t) => sum + (throughput(t, now) ?? 0), 0);
    return rate > 0 ? `${running.length} running · ${formatRate(rate)}` : `${running.length} running`;
  }
  const done = transfers.filter((t) => t.status === 'done').length;
  const failed = transfers.length - done;
  return [done > 0 ? `${done} done` : '', failed > 0 ? `${failed} failed or cancelled` : ''].filter(Boolean).join(' · ');
}

export function TransfersPanel() {
  const transfers = useDeckhand((s) => s.transfers);
  const requests = useDeckhand((s) => s.requests);
  const clearFinished = useDeckhand((s) => s.clearFinished);
  const [open, setOpen] = useState(true);
  const anyRunning = transfers.some((t) => t.status === 'running');
  // Events re-render too; never measure against a clock older than the latest event.
  const now = Math.max(useClock(anyRunning), lastHeard(transfers));
  const finished = transfers.length - transfers.filter((t) => t.status === 'running').length;

  return (
    <section className={open ? 'transfers-dock open' : 'transfers-dock'} aria-label="Transfers" data-testid="transfers">
      <header className="transfers-head">
        <button
          type="button"
          className="transfers-toggle"
          aria-expanded={open}
          aria-controls={open ? 'transfers-list' : undefined}
          onClick={() => setOpen((v) => !v)}
        >
          <span className="chevron" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          Transfers
        </button>
        <span className="transfers-summary muted" data-testid="transfers-summary" aria-live="polite">
          {summaryOf(transfers, now)}
        </span>
        <button type="button" disabled={finished === 0} onClick={clearFinished}>
          Clear finished
        </button>
      </header>
      {open ? (
        transfers.length > 0 ? (
          <ul className="transfers-list" id="transfers-list">
            {transfers.map((t) => (
              <TransferItem key={t.id} t={t} now={now} canRetry={t.id in requests} />
            ))}
          </ul>
        ) : (
          <p className="transfers-empty muted" id="transfers-list">
            Pulls, pushes, copies, loads and saves show here while they run in the background.
          </p>
        )
      ) : null}
    </section>
  );
}
