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
    // The store opens while the manifest is fetched (a new store's files are fsync'd: 5-11 ms).
    const store = beginStore(ctx);
    const result = await checkingArguments(ctx.args, pull(store, positionals[0]!, { ...choice, ...common, ...policyOption(values) })).catch(
      async (e: unknown) => {
        // A pull that fails before it needs the store (a bad reference) would otherwise return while
        // a new store's files are still being written: the command ends when they are.
        await store.opening.catch(() => undefined);
        throw e;
      },
    );
    return printResult(ctx, asJson, result);
  },
};
