/**
 * The transfers the renderer shows, folded from the contract's transfer events: a pure reducer, so
 * it is tested without a DOM. Blob events carry each blob's latest state; totals sum them.
 */
import type { WireError } from '../../src-shared/errors.ts';
import type { EventPayload, TransferKind } from '../../src-shared/ipc/contract.ts';
import type { BlobKind, BlobState } from '../../src-shared/transfer.ts';

export interface BlobProgress {
  kind: BlobKind;
  state: BlobState;
  done: number;
  total: number;
}

export interface TransferView {
  id: string;
  kind: TransferKind;
  ref: string;
  status: 'running' | 'done' | 'failed';
  blobs: Record<string, BlobProgress>;
  /** The latest step worth a line of text: resolving, resolved, a retry. */
  note: string | null;
  digest: string | null;
  error: WireError | null;
}

export type TransferAction =
  | { event: 'transferStarted'; payload: EventPayload<'transferStarted'> }
  | { event: 'transferProgress'; payload: EventPayload<'transferProgress'> }
  | { event: 'transferEnded'; payload: EventPayload<'transferEnded'> };

function update(list: TransferView[], id: string, change: (t: TransferView) => TransferView): TransferView[] {
  const i = list.findIndex((t) => t.id === id);
  // Progress for a transfer whose start this page missed (opened mid-transfer) still shows.
  const base: TransferView = i >= 0 ? list[i]! : { id, kind: 'pull', ref: '…', status: 'running', blobs: {}, note: null, digest: null, error: null };
  const next = change(base);
  return i >= 0 ? list.map((t, j) => (j === i ? next : t)) : [next, ...list];
}

export function reduceTransfers(list: TransferView[], action: TransferAction): TransferView[] {
  switch (action.event) {
    case 'transferStarted': {
      const { transferId, kind, ref } = action.payload;
      return update(list, transferId, (t) => ({ ...t, kind, ref }));
    }
    case 'transferProgress':
      return update(list, action.payload.transferId, (t) => {
        const blobs = { ...t.blobs };
        let note = t.note;
        for (const e of action.payload.events) {
          if (e.type === 'blob') blobs[e.digest] = { kind: e.kind, state: e.state, done: e.done, total: e.total };
          else if (e.type === 'resolving') note = `Resolving ${e.ref}`;
          else if (e.type === 'resolved') note = `Resolved ${e.digest.slice(0, 19)}`;
          else if (e.type === 'retry') note = e.reason;
        }
        return { ...t, blobs, note };
      });
    case 'transferEnded': {
      const { transferId, kind, ref, digest, error } = action.payload;
      return update(list, transferId, (t) => ({ ...t, kind, ref, digest, error, status: error ? 'failed' : 'done', note: error ? error.message : null }));
    }
  }
}

/** Bytes done and expected over the transfer's blobs (blobs already present count as done). */
export function totals(t: TransferView): { done: number; total: number } {
  let done = 0;
  let total = 0;
  for (const b of Object.values(t.blobs)) {
    total += b.total;
    done += b.state === 'exists' || b.state === 'mounted' || b.state === 'done' ? b.total : b.done;
  }
  return { done, total };
}
