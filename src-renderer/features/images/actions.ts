/**
 * What the table's buttons and menu do, as module-level functions over the UI store and the client
 * they are given (so the cells, the context menu and the keyboard share one implementation).
 */
import type { DeckhandApi, ImageRow } from '../../../src-shared/ipc/contract.ts';
import { messageOf } from '../../store/slice.ts';
import { deckhand } from '../../store/index.ts';
import { copyText } from '../../ui/clipboard.ts';

/** Copies text and says so in a notice. */
export async function copyWithNotice(text: string, what = text): Promise<void> {
  const ok = await copyText(text);
  const { notify } = deckhand.getState();
  if (ok) notify('info', `Copied ${what}`);
  else notify('error', `Could not copy ${what}: the clipboard is not available here.`);
}

/**
 * Takes the name off the image. When no other name holds the image, untagging would remove it, so
 * the Remove dialog opens instead (with its preview of what that frees).
 */
export async function untag(api: DeckhandApi, rows: readonly ImageRow[], image: ImageRow): Promise<void> {
  const s = deckhand.getState();
  if (image.dangling || !image.tag) {
    s.notify('info', `${image.name} has no tag to remove.`);
    return;
  }
  const others = rows.filter((r) => r.digest === image.digest && r.name !== image.name && !r.dangling);
  if (others.length === 0) {
    s.notify('info', `${image.name} is the only name of this image: untagging it would remove the image. Review the removal here.`);
    s.openDialog({ kind: 'remove', refs: [image.name] });
    return;
  }
  try {
    await api.removeImages({ refs: [image.name] });
    s.notify('info', `Untagged ${image.name}; the image is still stored as ${others[0]!.name}.`);
    if (s.selection.includes(image.name)) s.select(deckhand.getState().selection.filter((n) => n !== image.name));
  } catch (e) {
    s.notify('error', `Could not untag ${image.name}: ${messageOf(e)}`);
  }
}

/** A file name from a reference: `docker.io/library/nginx:1.25` → `nginx-1.25`. */
export function safeFileName(ref: string): string {
  const last = ref.split('/').pop() ?? ref;
  const cleaned = last
    .replace(/@sha256:([0-9a-f]{12})[0-9a-f]*/, '-$1')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '');
  return cleaned || 'images';
}
