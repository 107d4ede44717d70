import { parseArgs } from 'node:util';
import { pull } from '../../engine/transfer/pull.ts';
import { checkingArguments } from '../arguments.ts';
import { openStore, type Command } from '../context.ts';
import { usageError } from '../usage.ts';
import { POLICY_FLAGS, policyOption } from '../signing-flags.ts';
import { PLATFORM_FLAGS, TRANSFER_FLAGS, platformChoice, printResult, transferSetup } from '../transfer-flags.ts';

export const pullCommand: Command = {
  summary: 'Pull an image from a registry into the store',
  usage:
    'deckhand pull REF [--platform os/arch[/variant] | --all-platforms] [--tls-verify=false] [--cert-dir DIR] [--signature-policy PATH] [--quiet] [--format json]',
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: { ...PLATFORM_FLAGS, ...TRANSFER_FLAGS, ...POLICY_FLAGS },
    });
    if (positionals.length !== 1) throw usageError(this.usage, 'pull takes exactly one reference');
    const choice = platformChoice(values, this.usage);
    const { asJson, common } = transferSetup(ctx, values, this.usage);
    return printResult(
      ctx,
      asJson,
      await checkingArguments(ctx.args, pull(await openStore(ctx), positionals[0]!, { ...choice, ...common, ...policyOption(values) })),
    );
  },
};
