/**
 * The renderer's one zustand store, combined once from its slices: UI state only (the view, the
 * filter, the selection, dialogs, notices, transfers' live progress). What the main side knows is
 * server state, in TanStack Query (data/). Components select single values
 * (`useDeckhand((s) => s.filter)`), or derived lists with `useShallow`; the IPC listeners in
 * data/events.ts call the slices' actions, so events update the store in place.
 */
import { create } from 'zustand';
import { createTransfersSlice, type TransfersSlice } from './transfers.ts';
import { createUiSlice, type UiSlice } from './ui.ts';

export type DeckhandState = TransfersSlice & UiSlice;

export const useDeckhand = create<DeckhandState>()((...a) => ({
  ...createTransfersSlice(...a),
  ...createUiSlice(...a),
}));

/** The store outside React (IPC listeners, tests). */
export const deckhand = useDeckhand;
