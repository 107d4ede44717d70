import type { StateCreator } from 'zustand';
import type { DeckhandState } from './index.ts';

/** A slice creator that sees the whole combined state (for actions that read other slices). */
export type Slice<T> = StateCreator<DeckhandState, [], [], T>;

/** An error's message for display, whatever was thrown. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
