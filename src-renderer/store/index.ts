/**
 * The renderer's one zustand store, combined once from its slices. Components select single values
 * (`useDeckhand((s) => s.filter)`), or derived lists with `useShallow`; the IPC listeners in
 * wire.ts call the slices' actions, so events update the store in place.
 */
import { create } from 'zustand';
import { createImagesSlice, type ImagesSlice } from './images.ts';
import { createRegistriesSlice, type RegistriesSlice } from './registries.ts';
import { createTransfersSlice, type TransfersSlice } from './transfers.ts';
import { createUiSlice, type UiSlice } from './ui.ts';

export type DeckhandState = ImagesSlice & TransfersSlice & RegistriesSlice & UiSlice;

export const useDeckhand = create<DeckhandState>()((...a) => ({
  ...createImagesSlice(...a),
  ...createTransfersSlice(...a),
  ...createRegistriesSlice(...a),
  ...createUiSlice(...a),
}));

/** The store outside React (IPC listeners, tests). */
export const deckhand = useDeckhand;
