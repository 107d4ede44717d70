/**
 * What the store holds: the image rows, and the storage views (df, the layer forest) loaded on
 * demand. A storeChanged event refetches the rows and marks the other views stale, so they reload
 * only when shown.
 */
import type { DiskUsage, HostInfo, ImageDetails, ImageRow, LayerNode } from '../../src-shared/ipc/contract.ts';
import { api } from '../api/client.ts';
import { messageOf, type Slice } from './slice.ts';

export interface Loadable<T> {
  data: T | null;
  error: string | null;
  /** The data no longer matches the store; reload when shown. */
  stale: boolean;
}

const empty = <T>(): Loadable<T> => ({ data: null, error: null, stale: true });

export interface ImagesSlice {
  hostInfo: HostInfo | null;
  rows: ImageRow[] | null;
  imagesError: string | null;
  usage: Loadable<DiskUsage>;
  forest: Loadable<LayerNode>;
  /** Details by image name, fetched when a details panel opens. */
  details: Record<string, Loadable<ImageDetails>>;
  loadHostInfo(): Promise<void>;
  loadImages(): Promise<void>;
  loadUsage(): Promise<void>;
  loadForest(): Promise<void>;
  loadDetails(name: string): Promise<void>;
  /** The store changed: refetch the rows, mark the rest stale. */
  storeChanged(): void;
}

export const createImagesSlice: Slice<ImagesSlice> = (set, get) => {
  const loadInto =
    <K extends 'usage' | 'forest'>(key: K, fetch: () => Promise<NonNullable<ImagesSlice[K]['data']>>) =>
    async () => {
      set({ [key]: { ...get()[key], stale: false } } as Partial<ImagesSlice>);
      try {
        const data = await fetch();
        set({ [key]: { data, error: null, stale: get()[key].stale } } as Partial<ImagesSlice>);
      } catch (e) {
        set({ [key]: { ...get()[key], error: messageOf(e) } } as Partial<ImagesSlice>);
      }
    };
  return {
    hostInfo: null,
    rows: null,
    imagesError: null,
    usage: empty(),
    forest: empty(),
    details: {},
    loadHostInfo: async () => {
      try {
        set({ hostInfo: await api().hostInfo() });
      } catch {
        // The header shows no store path; every other view reports its own errors.
      }
    },
    loadImages: async () => {
      try {
        set({ rows: await api().listImages(), imagesError: null });
      } catch (e) {
        set({ imagesError: messageOf(e) });
      }
    },
    loadUsage: loadInto('usage', () => api().diskUsage()),
    loadForest: loadInto('forest', () => api().layerForest()),
    loadDetails: async (name) => {
      set((s) => ({ details: { ...s.details, [name]: { data: s.details[name]?.data ?? null, error: null, stale: false } } }));
      try {
        const data = await api().inspectImage({ ref: name });
        set((s) => ({ details: { ...s.details, [name]: { data, error: null, stale: false } } }));
      } catch (e) {
        set((s) => ({ details: { ...s.details, [name]: { data: null, error: messageOf(e), stale: false } } }));
      }
    },
    storeChanged: () => {
      set((s) => ({ usage: { ...s.usage, stale: true }, forest: { ...s.forest, stale: true }, details: {} }));
      void get().loadImages();
    },
  };
};
