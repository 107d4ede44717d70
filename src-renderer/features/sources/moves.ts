/**
 * Moving an image between sources by a drag: from an engine to Deckhand's store, from the store to
 * an engine, or between two engines. Each is one `copy` call in the background (a transfer in
 * Transfers with progress and Cancel, like every other); an engine's side is a `docker-daemon:REF`
 * endpoint with the engine named beside it. A push from an engine to a registry goes through the
 * push dialog (PushDialog with `sourceEngine`).
 */
import { isDigest } from '../../../src-shared/oci/digest.ts';
import type { CallInput, DeckhandApi } from '../../../src-shared/ipc/contract.ts';
import { parseTaggedName } from '../../../src-shared/oci/reference.ts';
import { isStore, type Source } from '../../data/keys.ts';
import { startTransfer } from '../../data/transfers.ts';
import { deckhand } from '../../store/index.ts';
import { messageOf } from '../../store/slice.ts';

/** A source as the UI names it. */
export const sourceLabel = (source: Source): string => (isStore(source) ? 'This store' : source);

/**
 * The copy that puts `name` (an image in `from`) into `to`, or why it cannot be moved. An engine
 * keeps images by repository and tag, so a store image needs one (a dangling image or a bare tag
 * from an OCI layout is refused with what to do instead).
 */
export function moveRequest(name: string, from: Source, to: Source): { input: CallInput<'copy'> } | { problem: string } {
  if (from === to) return { problem: `${name} is already in ${sourceLabel(to)}.` };
  if (isDigest(name) || /^sha256:/.test(name)) {
    return { problem: `${name} has no name to copy it under: tag it first, then drag the tag.` };
  }
  if (!isStore(to)) {
    try {
      const ref = parseTaggedName(name);
      if ('bareTag' in ref)
        return { problem: `${name} is a bare tag without a repository: tag it as repository:tag first, then drag that.` };
    } catch (e) {
      return { problem: `${name} cannot be named in ${to}: ${messageOf(e)}` };
    }
  }
  const endpoint = (s: Source) => (isStore(s) ? name : `docker-daemon:${name}`);
  return {
    input: {
      source: endpoint(from),
      destination: endpoint(to),
      ...(isStore(from) ? {} : { sourceEngine: from }),
      ...(isStore(to) ? {} : { destinationEngine: to }),
    },
  };
}

/** Starts the copy of a dropped image into `to` and says so; a refusal or failure to start is a notice. */
export async function moveImage(api: DeckhandApi, name: string, from: Source, to: Source): Promise<void> {
  const { notify } = deckhand.getState();
  const move = moveRequest(name, from, to);
  if ('problem' in move) {
    notify('error', move.problem);
    return;
  }
  try {
    await startTransfer(api, { call: 'copy', input: move.input });
    notify('info', `Copying ${name} from ${sourceLabel(from)} to ${sourceLabel(to)}: its progress is in Transfers.`);
  } catch (e) {
    notify('error', `Could not copy ${name} to ${sourceLabel(to)}: ${messageOf(e)}`);
  }
}
