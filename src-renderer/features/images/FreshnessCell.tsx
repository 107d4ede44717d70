/**
 * The images table's Registry column: whether a stored tag is still what its registry's tag names
 * (docs/freshness.md). Each state is a symbol and a word (never colour alone) with a tooltip giving
 * the remote digest and the reason; a stale tag has an Update button that pulls it again as a
 * transfer (progress in Transfers; the old image stays as a dangling entry, as after any pull).
 */
import { createContext, useContext } from 'react';
import { FRESHNESS_LABELS, FRESHNESS_MEANINGS, type FreshnessResult, type FreshnessState } from '../../../src-shared/freshness.ts';
import type { DeckhandApi, ImageRow } from '../../../src-shared/ipc/contract.ts';
import type { FreshnessView } from '../../data/freshness.ts';
import { startTransfer } from '../../data/transfers.ts';
import { deckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';
import { exactTime } from '../../ui/format.tsx';
import type { TableNode } from './rows.ts';

export const FRESHNESS_SYMBOLS: Record<FreshnessState, string> = {
  current: '✓',
  stale: '↻',
  'platform-unchanged': '≈',
  'local-only': '⌂',
  'auth-required': '⚿',
  'rate-limited': '⌛',
  unreachable: '⚠',
  unknown: '?',
};

export const REGISTRY_TITLE =
  "Whether each tag is still what its registry's tag names, asked by HEAD (no download; Docker Hub does not count it as a pull)";

/** The tooltip: what the state means, why, the registry's digest, and when and where it was asked. */
export function freshnessTitle(r: FreshnessResult): string {
  return [
    FRESHNESS_MEANINGS[r.state],
    r.reason,
    ...(r.remoteDigest ? [`Registry: ${r.remoteDigest}`] : []),
    `Stored: ${r.localDigest}`,
    ...(r.ratelimitRemaining !== null ? [`Rate limit remaining: ${r.ratelimitRemaining}`] : []),
    ...(r.indexFetched ? ['The new index was fetched (one manifest GET) to compare the stored platform.'] : []),
    `Checked ${exactTime(r.checkedAt)}${r.endpoint ? ` at ${r.endpoint}` : ''}`,
  ].join('\n');
}

/** Whether a row has a registry tag to compare: a named, tagged image of the store. */
export const hasRegistryTag = (image: ImageRow): boolean => !image.dangling && image.tag !== null && image.repository !== null;

/** Pulls the tag again as it was stored: its one platform, or every platform of a whole index. */
export async function updateImage(api: DeckhandApi, image: ImageRow): Promise<void> {
  const { notify } = deckhand.getState();
  const platform =
    image.platforms.length === 1
      ? { platform: image.platforms[0]! }
      : image.platforms.length > 1 && !image.sparse
        ? { allPlatforms: true }
        : {};
  try {
    await startTransfer(api, { call: 'pull', input: { ref: image.name, ...platform } });
    notify('info', `Updating ${image.name}: its progress is in Transfers; the old image stays as a dangling entry.`);
  } catch (e) {
    notify('error', `Could not update ${image.name}: ${messageOf(e)}`);
  }
}

/** What the cells show and do, provided once by the Images view for the store (null: an engine's table). */
export const Freshness = createContext<{ view: FreshnessView; update: (image: ImageRow) => void } | null>(null);

export function FreshnessCell({ node }: { node: TableNode }) {
  const freshness = useContext(Freshness);
  if (!freshness || node.kind !== 'image' || !hasRegistryTag(node.image)) return null;
  const { view, update } = freshness;
  const image = node.image;
  // A result for the digest the tag had before (a pull since) says nothing of the image shown now.
  const known = view.results.get(image.name);
  const r = known?.localDigest === image.digest ? known : undefined;
  const checking = view.pending.has(image.name);
  if (!r) {
    return checking ? (
      <span className="freshness checking muted" data-testid="freshness" data-state="checking" title="Asking the registry (HEAD)…">
        … checking
      </span>
    ) : null;
  }
  return (
    <span className={`freshness fresh-${r.state}`} data-testid="freshness" data-state={r.state} title={freshnessTitle(r)}>
      <span className="fresh-symbol" aria-hidden="true">
        {FRESHNESS_SYMBOLS[r.state]}
      </span>
      <span className="fresh-label">{FRESHNESS_LABELS[r.state]}</span>
      {r.state === 'stale' ? (
        <button
          type="button"
          className="fresh-update"
          data-testid="update-image"
          title={`Pull ${image.name} again: the registry's ${r.remoteDigest ?? 'new image'} (the old image stays as a dangling entry)`}
          onClick={(e) => {
            e.stopPropagation();
            if (e.detail > 1) return;
            update(image);
          }}
          onDoubleClick={(e) => e.stopPropagation()}
        >
          Update
        </button>
      ) : null}
    </span>
  );
}
