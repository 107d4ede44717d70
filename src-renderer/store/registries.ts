/**
 * The registries sidebar: registries Deckhand knows of, and for each one opened, its repositories
 * (from the catalog, where the registry allows listing) and their tags.
 */
import type { RegistryInfo } from '../../src-shared/ipc/contract.ts';
import { api } from '../api/client.ts';
import { messageOf, type Slice } from './slice.ts';

export interface Listing<T> {
  items: T[] | null;
  error: string | null;
  loading: boolean;
  complete: boolean;
}

export interface RegistriesSlice {
  registries: RegistryInfo[] | null;
  registriesError: string | null;
  /** host → its repositories. */
  repositories: Record<string, Listing<string>>;
  /** `host/repository` → its tags. */
  tags: Record<string, Listing<string>>;
  loadRegistries(): Promise<void>;
  addRegistry(host: string, insecure: boolean): Promise<void>;
  removeRegistry(host: string): Promise<void>;
  loadRepositories(host: string): Promise<void>;
  loadTags(host: string, repository: string): Promise<void>;
}

const loading = <T>(prev: Listing<T> | undefined): Listing<T> => ({
  items: prev?.items ?? null,
  error: null,
  loading: true,
  complete: prev?.complete ?? false,
});

export const createRegistriesSlice: Slice<RegistriesSlice> = (set) => ({
  registries: null,
  registriesError: null,
  repositories: {},
  tags: {},
  loadRegistries: async () => {
    try {
      set({ registries: await api().listRegistries(), registriesError: null });
    } catch (e) {
      set({ registriesError: messageOf(e) });
    }
  },
  addRegistry: async (host, insecure) => {
    set({ registries: await api().addRegistry({ host, insecure }), registriesError: null });
  },
  removeRegistry: async (host) => {
    set({ registries: await api().removeRegistry({ host }) });
  },
  loadRepositories: async (host) => {
    set((s) => ({ repositories: { ...s.repositories, [host]: loading(s.repositories[host]) } }));
    try {
      const r = await api().registryRepositories({ host });
      set((s) => ({
        repositories: { ...s.repositories, [host]: { items: r.repositories, error: null, loading: false, complete: r.complete } },
      }));
    } catch (e) {
      set((s) => ({ repositories: { ...s.repositories, [host]: { items: null, error: messageOf(e), loading: false, complete: false } } }));
    }
  },
  loadTags: async (host, repository) => {
    const key = `${host}/${repository}`;
    set((s) => ({ tags: { ...s.tags, [key]: loading(s.tags[key]) } }));
    try {
      const r = await api().registryTags({ host, repository });
      set((s) => ({ tags: { ...s.tags, [key]: { items: r.tags, error: null, loading: false, complete: true } } }));
    } catch (e) {
      set((s) => ({ tags: { ...s.tags, [key]: { items: null, error: messageOf(e), loading: false, complete: false } } }));
    }
  },
});
