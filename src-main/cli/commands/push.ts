import { parseArgs } from '../args.ts';
import { push } from '../../engine/transfer/push.ts';
import { copyWithEngines, engineNamed } from '../../engine/daemon/copy.ts';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseReference } from '../../../src-shared/oci/reference.ts';
import { checkingArguments } from '../arguments.ts';
import type { Command } from '../context.ts';
import { openStore } from '../context.ts';
import { openStoreToRead } from '../read-store.ts';
import { usageError } from '../usage.ts';
import { SIGN_FLAGS, signOption } from '../signing-flags.ts';
import { TRANSFER_FLAGS, platformChoice, printResult, transferSetup } from '../transfer-flags.ts';
import { COMMAND_HELP } from '../help.ts';

const OPTIONS = { 'present-platforms': { type: 'boolean' }, ...TRANSFER_FLAGS, ...SIGN_FLAGS } as const;

export const pushCommand: Command = {
  usage: COMMAND_HELP.push.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: OPTIONS,
    });
    if (positionals.length < 1 || positionals.length > 2)
      throw usageError(this.usage, 'push takes a stored image and optionally a destination');
    const { asJson, common } = transferSetup(ctx, values, this.usage);
    if (ctx.engineFlag !== undefined) {
      // An engine's image: exported from the engine (every blob checked), then the one pipeline pushes it with its HEAD skips and mounts.
      if (values['present-platforms'] || values['sign-by-sigstore-private-key'] !== undefined)
        throw usageError(this.usage, '--present-platforms and signing apply to stored images; push the image from the store to use them');
      const source = positionals[0]!;
      const destination = positionals[1] ?? source;
      const ref = parseReference(destination);
      if (ref.digest !== undefined) throw usageError(this.usage, `${destination} names a digest; push to a tag`);
      if (!destination.includes('/') || !/[.:]|^localhost$/.test(destination.split('/')[0]!))
        throw new DeckhandError(
          'EUSAGE',
          `${destination} names no registry. Give the destination in full, e.g. deckhand --engine ${ctx.engineFlag} push ${source} registry.example/team/${source}.`,
        );
      const engine = ctx.engineFlag;
      return printResult(
        ctx,
        asJson,
        await checkingArguments(
          ctx.args,
          copyWithEngines(await openStore(ctx), `docker-daemon:${source}`, `docker://${destination}`, {
            ...platformChoice({}, this.usage),
            ...common,
            engines: { source: () => engineNamed(engine, ctx.env) },
          }),
        ),
      );
    }
    return printResult(
      ctx,
      asJson,
      await checkingArguments(
        ctx.args,
        push(await openStoreToRead(ctx), positionals[0]!, positionals[1], {
          presentPlatforms: values['present-platforms'] ?? false,
          ...common,
          ...(await signOption(ctx, values)),
        }),
      ),
    );
  },
};
