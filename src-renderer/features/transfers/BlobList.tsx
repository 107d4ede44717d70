/** A transfer's blobs one by one: kind, digest, a progress bar, bytes, and the state in words. */
import { formatBytes } from '../../../src-shared/format.ts';
import type { BlobState } from '../../../src-shared/transfer.ts';
import { shortDigest } from '../../../src-shared/oci/digest.ts';
import type { BlobProgress } from '../../store/transfer-model.ts';

export const BLOB_STATE_WORDS: Record<BlobState, string> = {
  waiting: 'waiting',
  exists: 'already there',
  mounted: 'mounted from another repository',
  downloading: 'downloading',
  uploading: 'uploading',
  writing: 'writing',
  verifying: 'verifying',
  done: 'done',
  error: 'error',
};

/** `sha256:` and the short digest: a transfer may carry other algorithms. */
const labelOf = (digest: string): string =>
  digest.includes(':') ? `${digest.slice(0, digest.indexOf(':') + 1)}${shortDigest(digest)}` : shortDigest(digest, 19);

export function BlobList({ blobs, label }: { blobs: Record<string, BlobProgress>; label: string }) {
  return (
    <ul className="transfer-blobs" aria-label={`Blobs of ${label}`}>
      {Object.entries(blobs).map(([digest, b]) => {
        const settled = b.state === 'exists' || b.state === 'mounted' || b.state === 'done';
        const done = settled ? b.total : b.done;
        return (
          <li key={digest} className={`blob ${b.state}`} data-testid="transfer-blob" data-blob-state={b.state}>
            <span className="blob-kind muted">{b.kind}</span>
            <code className="blob-digest" title={digest}>
              {labelOf(digest)}
            </code>
            <progress value={done} max={b.total || 1} aria-label={`${b.kind} ${labelOf(digest)}`} />
            <span className="blob-bytes num">{settled ? formatBytes(b.total) : `${formatBytes(b.done)} / ${formatBytes(b.total)}`}</span>
            <span className="blob-state">
              {BLOB_STATE_WORDS[b.state]}
              {b.retries > 0 ? ` · retried ${b.retries}×` : ''}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
