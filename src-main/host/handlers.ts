/**
 * The contract's calls implemented over the engine. Inputs arrive validated; names are parsed
 * here, before a transfer starts, so a bad reference fails the call itself. Transfers, registries
 * and the storage-insight calls live in their own files.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Handlers, HostInfo, ImageDetails, ImageRow, RemoveResult } from '../../src-shared/ipc/contract.ts';
import { DeckhandError } from '../../src-shared/errors.ts';
import { formatPlatform, hostPlatform } from '../../src-shared/oci/platform.ts';
import { imageRows } from '../engine/insight/images.ts';
import type { StoreGraph } from '../engine/insight/store-graph.ts';
import { inspectImage } from '../engine/insight/inspect.ts';
import type { Store } from '../engine/store/layout.ts';
import { removeImages } from '../engine/store/remove.ts';
import { tagImage } from '../engine/store/tag.ts';
import { aliasHandlers } from './alias-handlers.ts';
import type { EngineSources } from './engines.ts';
import type { AppLogins } from './app-logins.ts';
import type { EventHub } from './events.ts';
import { freshnessHandlers } from './freshness-handlers.ts';
import { insightHandlers } from './insight-handlers.ts';
import { layersHandlers, type Analyses } from './layers-handlers.ts';
import { loginHandlers } from './login-handlers.ts';
import { manifestHandlers } from './manifest-handlers.ts';
import { registryDetailsHandlers } from './registry-details.ts';
import { registryHandlers } from './registry-handlers.ts';
import { transferHandlers } from './transfer-handlers.ts';
import type { TransferManager } from './transfers.ts';

export interface HostContext {
  kind: HostInfo['host'];
  storeDir: string;
  /** Where the web host puts dropped archives; a load of a file there deletes it afterwards. */
  uploadsDir: string;
  store(): Promise<Store>;
  /** The store's graph, shared by the views until the store changes. */
  graph(): Promise<StoreGraph>;
  env: NodeJS.ProcessEnv;
  transfers: TransferManager;
  storeChanged(reason: string): void;
  /** Contract events to every window (freshnessChanged). */
  events: EventHub;
  /** Where logins made in the app are saved (credential helper or OS keychain). */
  logins: AppLogins;
  /** The Docker and Podman engines found on this machine: calls with a `source` go to one of them. */
  engines: EngineSources;
  /** The layer analyses: their queue, and what they found (layers-handlers.ts). */
  analyses: Analyses;
}

export function engineHandlers(ctx: HostContext): Handlers {
  const here = formatPlatform(hostPlatform(process.platform, process.arch));
  const freshness = freshnessHandlers(ctx);
  const logins = loginHandlers(ctx);
  return {
    hostInfo: async (): Promise<HostInfo> => ({
      host: ctx.kind,
      storeDir: ctx.storeDir,
      platform: here,
      downloadsDir: join(homedir(), 'Downloads'),
    }),
    listEngines: async (input) => ctx.engines.list(input?.refresh ?? false),
    listImages: async (input): Promise<ImageRow[]> =>
      input?.source !== undefined ? ctx.engines.use(input.source, (e) => e.images()) : imageRows(await ctx.graph()),
    inspectImage: async ({ ref, source }): Promise<ImageDetails> =>
      source !== undefined ? ctx.engines.use(source, (e) => e.inspect(ref)) : inspectImage(await ctx.store(), ref, await ctx.graph()),

    cancelTransfer: async ({ transferId }) => ({ cancelled: ctx.transfers.cancel(transferId) }),

    tag: async ({ source, target }) => {
      const result = await tagImage(await ctx.store(), source, target);
      ctx.storeChanged('tag');
      return result;
    },

    removeImages: async ({ refs, force, source }): Promise<RemoveResult> => {
      if (source !== undefined) {
        // The engine's own rules: never forced, an image a container uses is refused (EIN_USE) as the engine refuses it.
        if (force)
          throw new DeckhandError(
            'EUSAGE',
            `Deckhand does not force removals in ${source}: remove the containers that use the image first.`,
          );
        try {
          return await ctx.engines.use(source, (e) => e.remove(refs));
        } finally {
          ctx.engines.changed(source);
        }
      }
      const result = await removeImages(await ctx.store(), refs, { force: force ?? false });
      ctx.storeChanged('rmi');
      return result;
    },

    ...transferHandlers(ctx),
    ...registryHandlers(ctx),
    ...insightHandlers(ctx),
    ...layersHandlers(ctx),
    // A login or logout changes what registries answer: cached freshness answers are forgotten.
    login: (input) => logins.login(input).finally(() => freshness.forget()),
    logout: (input) => logins.logout(input).finally(() => freshness.forget()),
    ...freshness.handlers,
    ...registryDetailsHandlers(ctx),
    ...aliasHandlers(ctx),
    ...manifestHandlers(ctx),
  };
}
