import { parseArgs } from '../args.ts';
import { RegistryContext } from '../../engine/config/context.ts';
import { pull } from '../../engine/transfer/pull.ts';
import { openStore, type Command } from '../context.ts';
import { usageError } from '../usage.ts';
import { POLICY_FLAGS, policyOption } from '../signing-flags.ts';
import { PLATFORM_FLAGS, TRANSFER_FLAGS, platformChoice, printResult, transferSetup } from '../transfer-flags.ts';
import { COMMAND_HELP } from '../help.ts';

export const pullCommand: Command = {
  usage: COMMAND_HELP.pull.usage,
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: { ...PLATFORM_FLAGS, ...TRANSFER_FLAGS, ...POLICY_FLAGS },
    });
    if (positionals.length !== 1) throw usageError(this.usage, 'pull takes exactly one reference');
    const choice = platformChoice(values, this.usage);
    const { asJson, common } = transferSetup(ctx, values, this.usage);
    const options = { ...choice, ...common, ...policyOption(values) };
    // The registry configuration is read while the store opens (a new store waits on the disk), as
    // pull would read it next; if both fail, the store's error is the one reported, as before.
    const context = RegistryContext.load(options);
    context.catch(() => undefined);
    const store = await openStore(ctx);
    return printResult(ctx, asJson, await pull(store, positionals[0]!, { ...options, context: await context }));
  },
};
