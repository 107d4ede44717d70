/**
 * What the window shows: the current view, the image filter, the selection (image names, shared by
 * the table and the layer tree), Disk usage's own cleanup selection, the details panel and the open
 * dialog.
 */
import type { Slice } from './slice.ts';

export type View = 'images' | 'tree' | 'usage';

/** Where the views look: `'store'` (Deckhand's own store) or an engine's name (listEngines). */
export type SourceName = string;

export type Dialog =
  | { kind: 'pull'; ref?: string }
  /** Drag-to-push: `source` is an image name (in the engine `sourceEngine` when set, else stored); the target is proposed from the drop. */
  | { kind: 'push'; source: string; registry: string; repository?: string; sourceEngine?: string }
  | { kind: 'tag'; source: string }
  | { kind: 'save'; refs: string[] }
  | { kind: 'remove'; refs: string[] }
  /** Combine stored images into a multi-platform image (a manifest list). */
  | { kind: 'combine'; refs: string[] }
  | { kind: 'prune' }
  /** Log in to a registry (host[:port]). */
  | { kind: 'login'; registry: string }
  /** What applies to a registry: registries.conf, login, signature policy. */
  | { kind: 'registry'; host: string };

export interface Notice {
  id: number;
  kind: 'info' | 'error';
  text: string;
}

export interface UiSlice {
  view: View;
  /** The source the Images, Layer tree and Disk usage views show (chosen in the sidebar). */
  source: SourceName;
  /** Disk usage across every source instead of the chosen one. */
  usageAll: boolean;
  filter: string;
  /** Selected image names. */
  selection: string[];
  /**
   * The images chosen for cleanup in Disk usage: only what the user picked there (a row selected or
   * right-clicked in Images does not arrive as something to remove).
   */
  cleanup: string[];
  /** The image whose details panel is open. */
  detailsName: string | null;
  dialog: Dialog | null;
  notices: Notice[];
  /** The image list has arrived and the browser has been idle since: the larger answers (df) may load. */
  settled: boolean;
  setView(view: View): void;
  /** Chooses the source the views show; the selection, details and cleanup belong to the old one and are cleared. */
  setSource(source: SourceName): void;
  setUsageAll(all: boolean): void;
  setFilter(filter: string): void;
  select(names: string[]): void;
  setCleanup(names: string[]): void;
  showDetails(name: string | null): void;
  openDialog(dialog: Dialog): void;
  closeDialog(): void;
  notify(kind: Notice['kind'], text: string): void;
  dismissNotice(id: number): void;
  settle(): void;
}

let nextNotice = 1;

export const createUiSlice: Slice<UiSlice> = (set) => ({
  view: 'images',
  source: 'store',
  usageAll: false,
  filter: '',
  selection: [],
  cleanup: [],
  detailsName: null,
  dialog: null,
  notices: [],
  settled: false,
  setView: (view) => set({ view }),
  setSource: (source) => set((s) => (s.source === source ? {} : { source, selection: [], cleanup: [], detailsName: null })),
  setUsageAll: (usageAll) => set({ usageAll }),
  setFilter: (filter) => set({ filter }),
  select: (selection) => set({ selection }),
  setCleanup: (cleanup) => set({ cleanup }),
  showDetails: (detailsName) => set({ detailsName }),
  openDialog: (dialog) => set({ dialog }),
  closeDialog: () => set({ dialog: null }),
  notify: (kind, text) => set((s) => ({ notices: [...s.notices.slice(-4), { id: nextNotice++, kind, text }] })),
  settle: () => set({ settled: true }),
  dismissNotice: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
});
