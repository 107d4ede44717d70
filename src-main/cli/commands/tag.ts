import { parseArgs } from '../args.ts';
import { listEntries } from '../../engine/store/catalog.ts';
import { tagImage } from '../../engine/store/tag.ts';
import { json } from '../output.ts';
import { checkingArguments } from '../arguments.ts';
import type { Command } from '../context.ts';
import { openStoreToRead } from '../read-store.ts';
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
    const store = await openStoreToRead(ctx);
    const result = await checkingArguments(ctx.args, tagImage(store, positionals[0]!, positionals[1]!));
    if (asJson) json(result.previous ? result : { ref: result.ref, digest: result.digest }, ctx.stdout);
    else {
      ctx.stdout.write(`${result.ref} → ${result.digest}\n`);
      const previous = result.previous;
      if (previous) {
        // The old image is kept as a dangling entry only when no other name holds it.
        const held = (await listEntries(store)).some((e) => e.descriptor.digest === previous && e.refName !== null);
        ctx.stderr.write(
          `${result.ref} pointed to ${previous} before; ${held ? 'another name still holds that image' : 'that image is kept as a dangling entry (<none> in `deckhand images`)'}.\n`,
        );
      }
    }
    return 0;
  },
};
