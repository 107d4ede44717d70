import { parseArgs } from '../args.ts';
import { loginTarget, removeAllLogins, removeLogin } from '../../engine/config/auth-store.ts';
import type { Command } from '../context.ts';
import { json } from '../output.ts';
import { usageError, wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';

const OPTIONS = { all: { type: 'boolean', short: 'a' }, authfile: { type: 'string' }, format: { type: 'string' } } as const;

export const logoutCommand: Command = {
  usage: COMMAND_HELP.logout.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: OPTIONS,
    });
    if (values.all ? positionals.length !== 0 : positionals.length !== 1)
      throw usageError(this.usage, 'logout takes one registry, or --all');
    const asJson = wantsJson(values.format, this.usage);
    const opts = { env: ctx.env, ...(values.authfile ? { authFile: values.authfile } : {}) };
    const target = values.all ? undefined : loginTarget(positionals[0]!);
    const { removedFrom } = target ? await removeLogin(target, opts) : await removeAllLogins(opts);
    if (asJson) json({ registry: target?.key ?? null, removedFrom }, ctx.stdout);
    else if (target) ctx.stdout.write(`Removed login credentials for ${target.key} (from ${removedFrom.join(', ')})\n`);
    else
      ctx.stdout.write(
        removedFrom.length
          ? `Removed login credentials for all registries (from ${removedFrom.join(', ')})\n`
          : 'There were no logins to remove.\n',
      );
    return 0;
  },
};
