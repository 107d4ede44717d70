import { parseArgs } from '../args.ts';
import { copyWithEngines, engineNamed } from '../../engine/daemon/copy.ts';
import { checkingArguments } from '../arguments.ts';
import { openStore, type Command } from '../context.ts';
import { usageError } from '../usage.ts';
import { POLICY_FLAGS, policyOption } from '../signing-flags.ts';
import { PLATFORM_FLAGS, TRANSFER_FLAGS, platformChoice, printResult, transferSetup } from '../transfer-flags.ts';
import { COMMAND_HELP } from '../help.ts';

const DAEMON_FLAGS = {
  'src-daemon-host': { type: 'string' },
  'dest-daemon-host': { type: 'string' },
} as const;

const OPTIONS = { ...PLATFORM_FLAGS, ...TRANSFER_FLAGS, ...POLICY_FLAGS, ...DAEMON_FLAGS } as const;

export const copyCommand: Command = {
  usage: COMMAND_HELP.copy.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: OPTIONS,
    });
    if (positionals.length !== 2) throw usageError(this.usage, 'copy takes a source and a destination');
    const choice = platformChoice(values, this.usage);
    const { asJson, common } = transferSetup(ctx, values, this.usage);
    // The global --engine is the default engine for both ends; --src-daemon-host and --dest-daemon-host name one end's.
    const srcHost = values['src-daemon-host'] ?? ctx.engineFlag;
    const destHost = values['dest-daemon-host'] ?? ctx.engineFlag;
    const engines = {
      ...(srcHost !== undefined ? { source: () => engineNamed(srcHost, ctx.env) } : {}),
      ...(destHost !== undefined ? { destination: () => engineNamed(destHost, ctx.env) } : {}),
    };
    return printResult(
      ctx,
      asJson,
      await checkingArguments(
        ctx.args,
        copyWithEngines(await openStore(ctx), positionals[0]!, positionals[1]!, { ...choice, ...common, ...policyOption(values), engines }),
      ),
    );
  },
};
