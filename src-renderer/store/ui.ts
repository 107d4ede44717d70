/**
 * What the window shows: the current view, the image filter, the selection (image names, shared by
 * the table and the layer tree), Disk usage's own cleanup selection, the details panel and the open
 * dialog.
 */
import type { Slice } from './slice.ts';

export type View = 'images' | 'tree' | 'usage';

export type Dialog =
  | { kind: 'pull'; ref?: string }
  /** Drag-to-push: `source` is a stored image name; the target is proposed from the drop. */
  | { kind: 'push'; source: string; registry: string; repository?: string }
  | { kind: 'tag'; source: string }
  | { kind: 'save'; refs: string[] }
  | { kind: 'remove'; refs: string[] }
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
  filter: '',
  selection: [],
  cleanup: [],
  detailsName: null,
  dialog: null,
  notices: [],
  settled: false,
  setView: (view) => set({ view }),
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
