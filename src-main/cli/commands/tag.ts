import { parseArgs } from '../args.ts';
import { tagImage } from '../../engine/store/tag.ts';
import { json } from '../output.ts';
import { openStore, type Command } from '../context.ts';
import { usageError, wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';

const OPTIONS = { format: { type: 'string' } } as const;

export const tagCommand: Command = {
  usage: COMMAND_HELP.tag.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({ args: ctx.args, allowPositionals: true, options: OPTIONS });
    if (positionals.length !== 2) throw usageError(this.usage, 'tag takes a stored image and a new name');
    const asJson = wantsJson(values.format, this.usage);
    const result = await tagImage(await openStore(ctx), positionals[0]!, positionals[1]!);
    if (asJson) json(result.previous ? result : { ref: result.ref, digest: result.digest }, ctx.stdout);
    else {
      ctx.stdout.write(`${result.ref} → ${result.digest}\n`);
      if (result.previous)
        ctx.stderr.write(`${result.ref} pointed to ${result.previous} before; that image is kept as a dangling entry.\n`);
    }
    return 0;
  },
};
