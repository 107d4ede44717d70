import { parseArgs } from '../args.ts';
import { discoverEngines } from '../../engine/daemon/discover.ts';
import { json, table } from '../output.ts';
import type { Command } from '../context.ts';
import { usageError, wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';

const OPTIONS = { format: { type: 'string' } } as const;

export const enginesCommand: Command = {
  usage: COMMAND_HELP.engines.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({ args: ctx.args, allowPositionals: true, options: OPTIONS });
    if (positionals.length) throw usageError(this.usage, 'engines takes no arguments');
    const asJson = wantsJson(values.format, this.usage);
    const found = await discoverEngines(ctx.env);
    const statuses = found.map((f) => f.status);
    if (asJson) {
      json(statuses, ctx.stdout);
      return 0;
    }
    if (statuses.length === 0) {
      ctx.stderr.write('No Docker or Podman engine was found. docs/engines.md says where Deckhand looks.\n');
      return 0;
    }
    table(
      [
        ['NAME', 'KIND', 'URI', 'REACHABLE', 'VERSION', 'FOUND BY'],
        ...statuses.map((s) => [
          `${s.name}${s.isDefault ? ' *' : ''}`,
          s.kind,
          s.uri,
          s.reachable ? 'yes' : 'no',
          s.version ?? '-',
          s.origin,
        ]),
      ],
      ctx.stdout,
    );
    for (const s of statuses) if (s.error) ctx.stdout.write(`${s.name}: ${s.error}\n`);
    return 0;
  },
};
