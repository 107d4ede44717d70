/**
 * The store for commands that read it, or change only what is already there (rmi, prune, tag): none
 * of them creates a store where there is none.
 */
import { emptyStoreNote, Store } from '../engine/store/layout.ts';
import { resolveStoreDir } from '../engine/store/location.ts';
import type { CommandContext } from './context.ts';

/** Opens the store without creating it: where there is none yet, it reads as empty. */
export function openStoreToRead(ctx: CommandContext): Promise<Store> {
  return Store.openToRead(resolveStoreDir(ctx.storeFlag, ctx.env));
}

/** Says on stderr, for a person reading a table, that the store holds nothing and where it is. */
export function noteEmptyStore(ctx: CommandContext, store: Store): void {
  ctx.stderr.write(`${emptyStoreNote(store)}\n`);
}
