import { parseArgs } from '../args.ts';
import { push } from '../../engine/transfer/push.ts';
import { checkingArguments } from '../arguments.ts';
import type { Command } from '../context.ts';
import { openStoreToRead } from '../read-store.ts';
import { usageError } from '../usage.ts';
import { SIGN_FLAGS, signOption } from '../signing-flags.ts';
import { TRANSFER_FLAGS, printResult, transferSetup } from '../transfer-flags.ts';
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
