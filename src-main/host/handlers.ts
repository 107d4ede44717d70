/**
 * The contract's calls implemented over the engine. Inputs arrive validated; names are parsed
 * here, before a transfer starts, so a bad reference fails the call itself.
 */
import { DeckhandError } from '../../src-shared/errors.ts';
import { tagImage } from '../engine/store/tag.ts';
import type { Handlers, HostInfo, ImageDetails, ImageRow, RemoveResult } from '../../src-shared/ipc/contract.ts';
import { formatPlatform, hostPlatform, parsePlatform } from '../../src-shared/oci/platform.ts';
import { formatReference, parseReference } from '../../src-shared/oci/reference.ts';
import { listImages } from '../engine/insight/images.ts';
import { inspectImage } from '../engine/insight/inspect.ts';
import { resolveOne } from '../engine/store/catalog.ts';
import type { Store } from '../engine/store/layout.ts';
import { removeImages } from '../engine/store/remove.ts';
import { pull } from '../engine/transfer/pull.ts';
import { push } from '../engine/transfer/push.ts';
import { insightHandlers } from './insight-handlers.ts';
import type { TransferManager } from './transfers.ts';

export interface HostContext {
  kind: HostInfo['host'];
  storeDir: string;
  store(): Promise<Store>;
  env: NodeJS.ProcessEnv;
  transfers: TransferManager;
  storeChanged(reason: string): void;
}

const tls = (tlsVerify: boolean | undefined) => (tlsVerify === undefined ? {} : { tlsVerify });

export function engineHandlers(ctx: HostContext): Handlers {
  const here = hostPlatform(process.platform, process.arch);
  return {
    hostInfo: async () => ({ host: ctx.kind, storeDir: ctx.storeDir, platform: formatPlatform(here) }),
    listImages: async (): Promise<ImageRow[]> => listImages(await ctx.store()),
    inspectImage: async ({ ref }): Promise<ImageDetails> => inspectImage(await ctx.store(), ref),

    pull: async ({ ref, platform, allPlatforms, tlsVerify }) => {
      const name = formatReference(parseReference(ref));
      const wanted = platform ? parsePlatform(platform) : here;
      const store = await ctx.store();
      return ctx.transfers.start('pull', name, async (onEvent, signal) => {
        const result = await pull(store, ref, { platform: wanted, allPlatforms: allPlatforms ?? false, ...tls(tlsVerify), signal, env: ctx.env, onEvent });
        ctx.storeChanged('pull');
        return result;
      });
    },

    push: async ({ source, destination, presentPlatforms, tlsVerify }) => {
      const store = await ctx.store();
      const entry = await resolveOne(store, source);
      const target = destination ? parseReference(destination) : entry.ref;
      if (!target) throw new DeckhandError('EUSAGE', `${source} has no registry name to push to; give a destination.`);
      return ctx.transfers.start('push', formatReference(target), (onEvent, signal) =>
        push(store, source, destination, { presentPlatforms: presentPlatforms ?? false, ...tls(tlsVerify), signal, env: ctx.env, onEvent }),
      );
    },

    cancelTransfer: async ({ transferId }) => ({ cancelled: ctx.transfers.cancel(transferId) }),

    tag: async ({ source, target }) => {
      const result = await tagImage(await ctx.store(), source, target);
      ctx.storeChanged('tag');
      return result;
    },

    removeImages: async ({ refs, force }): Promise<RemoveResult> => {
      const result = await removeImages(await ctx.store(), refs, { force: force ?? false });
      ctx.storeChanged('rmi');
      return result;
    },

    ...insightHandlers(ctx),
  };
}
