/**
 * The calls the renderer can make to the main side. One definition: the preload derives its
 * methods from CALLS and main registers one handler per entry, so no channel name is typed twice.
 * (The full contract with runtime schemas and events grows here; see the app-shell issue.)
 */
export interface ImageRow {
  repository: string | null;
  tag: string | null;
  digest: string;
  platforms: string[];
  size: number;
  created: string | null;
  dangling: boolean;
  sparse: boolean;
  error: string | null;
}

export interface DeckhandApi {
  listImages(): Promise<ImageRow[]>;
  storeLocation(): Promise<string>;
}

export const CALLS = ['listImages', 'storeLocation'] as const satisfies ReadonlyArray<keyof DeckhandApi>;
export type CallName = (typeof CALLS)[number];

export const channelOf = (call: CallName): string => `deckhand:${call}`;

/** How a call's failure crosses the boundary: a stable code and the user-facing message. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };
