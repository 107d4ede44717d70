/**
 * Handlers that record their calls instead of reaching the engine, for the IPC and web host tests.
 * Not a test file itself (no .test suffix) so every suite can share it.
 */
import { DeckhandError } from '../../src-shared/errors.ts';
import type { CallName, CallOutput, Handlers } from '../../src-shared/ipc/contract.ts';

export interface FakeEngine {
  handlers: Handlers;
  calls: Array<{ call: CallName; input: unknown }>;
}

export function fakeEngine(): FakeEngine {
  const calls: FakeEngine['calls'] = [];
  const record =
    <K extends CallName>(call: K, value: CallOutput<K>) =>
    async (input: unknown): Promise<CallOutput<K>> => {
      calls.push({ call, input });
      return value;
    };
  const handlers: Handlers = {
    hostInfo: record('hostInfo', { host: 'web', storeDir: '/fake/store', platform: 'linux/amd64', downloadsDir: '/fake/home/Downloads' }),
    listImages: record('listImages', []),
    inspectImage: async (input) => {
      calls.push({ call: 'inspectImage', input });
      throw new DeckhandError('ENOT_FOUND', `No image named ${input.ref} in the store.`, { detail: { input: input.ref } });
    },
    pull: record('pull', { transferId: '00000000-0000-4000-8000-000000000000' }),
    push: record('push', { transferId: '00000000-0000-4000-8000-000000000001' }),
    copy: record('copy', { transferId: '00000000-0000-4000-8000-000000000003' }),
    load: record('load', { transferId: '00000000-0000-4000-8000-000000000004' }),
    save: record('save', { transferId: '00000000-0000-4000-8000-000000000005' }),
    cancelTransfer: record('cancelTransfer', { cancelled: false }),
    tag: record('tag', { ref: 'example.com/a:b', digest: `sha256:${'0'.repeat(64)}`, previous: null }),
    diskUsage: record('diskUsage', { images: [], blobSizes: {}, totalBytes: 0, reclaimableBytes: 0, blobCount: 0, blobBytes: 0, sharedBytes: 0, unreferencedBlobs: 0, unreferencedBytes: 0, ingestCount: 0, ingestBytes: 0 }),
    imageTree: record('imageTree', []),
    whatRequires: record('whatRequires', []),
    layerForest: record('layerForest', { id: 'root', digest: '', size: 0, uncompressed: 0, createdBy: null, topOf: [], topNames: [], children: [] }),
    planPrune: record('planPrune', { images: [], blobs: [], ingests: [], reclaimedBytes: 0, leasedBlobs: 0, planId: '00000000-0000-4000-8000-000000000002' }),
    runPrune: record('runPrune', { removedImages: [], deletedBlobs: 0, deletedIngests: 0, freedBytes: 0, skipped: [] }),
    listRegistries: record('listRegistries', [{ host: 'docker.io', sources: ['auth'], insecure: false }]),
    addRegistry: record('addRegistry', [{ host: 'docker.io', sources: ['auth'], insecure: false }, { host: 'registry.example.com', sources: ['added'], insecure: false }]),
    removeRegistry: record('removeRegistry', [{ host: 'docker.io', sources: ['auth'], insecure: false }]),
    registryRepositories: record('registryRepositories', { host: 'registry.example.com', repositories: ['team/app'], complete: true }),
    registryTags: record('registryTags', { host: 'registry.example.com', repository: 'team/app', tags: ['1', 'latest'] }),
    login: async (input) => {
      // The password is not recorded, not even here.
      calls.push({ call: 'login', input: { registry: input.registry, username: input.username } });
      return { registry: input.registry, username: input.username, storedIn: 'keychain' };
    },
    logout: record('logout', { registry: 'registry.example.com', removedFrom: ['keychain'] }),
    registryDetails: record('registryDetails', {
      host: 'registry.example.com',
      registriesConf: { files: [], rule: null, narrower: [], searchRegistries: [], shortNameMode: 'enforcing' },
      login: { storedIn: null, username: null, identityToken: false, file: null, helper: null, problem: null },
      policy: null,
    }),
    rememberAlias: async (input) => {
      calls.push({ call: 'rememberAlias', input });
      return { name: input.name, value: input.value, file: '/fake/home/.cache/containers/short-name-aliases.conf' };
    },
    removeImages: async (input) => {
      calls.push({ call: 'removeImages', input });
      throw new TypeError('boom');
    },
  };
  return { handlers, calls };
}
