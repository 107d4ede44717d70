import { parseArgs } from '../args.ts';
import { pull } from '../../engine/transfer/pull.ts';
import { checkingArguments } from '../arguments.ts';
import { beginStore, type Command } from '../context.ts';
import { usageError } from '../usage.ts';
import { POLICY_FLAGS, policyOption } from '../signing-flags.ts';
import { PLATFORM_FLAGS, TRANSFER_FLAGS, platformChoice, printResult, transferSetup } from '../transfer-flags.ts';
import { COMMAND_HELP } from '../help.ts';

const OPTIONS = { ...PLATFORM_FLAGS, ...TRANSFER_FLAGS, ...POLICY_FLAGS } as const;

export const pullCommand: Command = {
  usage: COMMAND_HELP.pull.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: OPTIONS,
    });
    if (positionals.length !== 1) throw usageError(this.usage, 'pull takes exactly one reference');
    const choice = platformChoice(values, this.usage);
    const { asJson, common } = transferSetup(ctx, values, this.usage);
    return printResult(
      ctx,
      asJson,
      // The store opens while the manifest is fetched (a new store's files are fsync'd: 5-11 ms).
      await checkingArguments(ctx.args, pull(beginStore(ctx), positionals[0]!, { ...choice, ...common, ...policyOption(values) })),
    );
  },
};
