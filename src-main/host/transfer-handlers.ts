/**
 * The background transfers of the contract: pull, push, copy, load and save. Names and paths are
 * checked before a transfer starts, so a bad reference or an existing save target fails the call
 * itself; everything after that arrives as transfer events.
 */
import { lstat, rm, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { DeckhandError } from '../../src-shared/errors.ts';
import type { Handlers } from '../../src-shared/ipc/contract.ts';
import { hostPlatform, parsePlatform } from '../../src-shared/oci/platform.ts';
import { formatReference, parseReference } from '../../src-shared/oci/reference.ts';
import { loadArchive } from '../engine/archive/load.ts';
import { saveArchive } from '../engine/archive/save.ts';
import { resolveOne } from '../engine/store/catalog.ts';
import { isErrno } from '../engine/store/fsutil.ts';
import { copyWithEngines, engineNamed, parseCopyEndpoint } from '../engine/daemon/copy.ts';
import { pull } from '../engine/transfer/pull.ts';
import { RegistryContext } from '../engine/config/context.ts';
import { push } from '../engine/transfer/push.ts';
import type { HostContext } from './handlers.ts';
import { isInside } from './uploads.ts';

type TransferCalls = 'pull' | 'push' | 'copy' | 'load' | 'save';

const tls = (tlsVerify: boolean | undefined) => (tlsVerify === undefined ? {} : { tlsVerify });

async function refuseExisting(path: string): Promise<void> {
  try {
    await lstat(path);
  } catch (e) {
    if (!isErrno(e, 'ENOENT')) throw e;
    try {
      if (!(await stat(dirname(path))).isDirectory())
        throw new DeckhandError('EUSAGE', `${dirname(path)} is not a folder; choose where to save the archive.`);
    } catch (err) {
      if (isErrno(err, 'ENOENT'))
        throw new DeckhandError('ENOT_FOUND', `The folder ${dirname(path)} does not exist; choose another place to save the archive.`, {
          detail: { path },
        });
      throw err;
    }
    return;
  }
  throw new DeckhandError(
    'EUSAGE',
    `${path} already exists; Deckhand does not overwrite files. Choose another name, or delete that file first.`,
    { detail: { path } },
  );
}

export function transferHandlers(ctx: HostContext): Pick<Handlers, TransferCalls> {
  const here = hostPlatform(process.platform, process.arch);
  return {
    pull: async ({ ref, platform, allPlatforms, tlsVerify }) => {
      // registries.conf first: an ambiguous short name (ESHORTNAME, with its candidates) or a blocked
      // registry fails the call itself, so the pull dialog can offer the choices.
      const context = await RegistryContext.load({ env: ctx.env, tlsVerify });
      const plans = context.planPull(ref);
      const name = plans.length === 1 ? formatReference(plans[0]!.logical) : ref;
      const wanted = platform ? parsePlatform(platform) : here;
      const store = await ctx.store();
      return ctx.transfers.start('pull', name, async (onEvent, signal) => {
        const result = await pull(store, ref, { platform: wanted, allPlatforms: allPlatforms ?? false, signal, onEvent, context, plans });
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

    copy: async ({ source, destination, tlsVerify, sourceEngine, destinationEngine }) => {
      // Both ends parse before anything starts: a malformed endpoint fails the call.
      const src = parseCopyEndpoint(source, 'source');
      const dest = parseCopyEndpoint(destination, 'destination');
      if (dest.kind === 'docker') parseReference(formatReference(dest.ref));
      if (sourceEngine !== undefined && src.kind !== 'plugged')
        throw new DeckhandError('EUSAGE', `sourceEngine names the engine of a docker-daemon: source, and ${source} is not one.`);
      if (destinationEngine !== undefined && dest.kind !== 'plugged')
        throw new DeckhandError(
          'EUSAGE',
          `destinationEngine names the engine of a docker-daemon: destination, and ${destination} is not one.`,
        );
      const store = await ctx.store();
      // An engine is opened when the transfer starts: one that does not answer ends it with EENGINE naming its address.
      const engines = {
        source: src.kind === 'plugged' ? () => engineNamed(sourceEngine, ctx.env) : undefined,
        destination: dest.kind === 'plugged' ? () => engineNamed(destinationEngine, ctx.env) : undefined,
      };
      return ctx.transfers.start('copy', destination, async (onEvent, signal) => {
        try {
          return await copyWithEngines(store, source, destination, {
            platform: here,
            ...tls(tlsVerify),
            env: ctx.env,
            signal,
            onEvent,
            engines,
          });
        } finally {
          if (dest.kind === 'store') ctx.storeChanged('copy');
        }
      });
    },

    load: async ({ path }) => {
      const store = await ctx.store();
      const upload = isInside(ctx.uploadsDir, path);
      return ctx.transfers.start('load', upload ? basename(path).replace(/^[0-9a-f-]{36}-/, '') : path, async (onEvent, signal) => {
        try {
          const result = await loadArchive(store, path, { onEvent, signal });
          return { digest: result.images[0]?.digest ?? null };
        } finally {
          ctx.storeChanged('load');
          // A dropped file was copied here only to be loaded: it goes either way.
          if (upload) await rm(path, { force: true }).catch(() => undefined);
        }
      });
    },

    save: async ({ refs, path, format, presentPlatforms }) => {
      const store = await ctx.store();
      for (const ref of refs) await resolveOne(store, ref);
      await refuseExisting(path);
      return ctx.transfers.start('save', path, async (onEvent, signal) => {
        // Checked again at the start: another save may have taken the name meanwhile.
        await refuseExisting(path);
        const result = await saveArchive(store, refs, path, {
          format: format ?? 'oci-archive',
          ...(presentPlatforms ? { presentPlatforms } : {}),
          onEvent,
          signal,
        });
        return { digest: result.images[0]?.digest ?? null };
      });
    },
  };
}
