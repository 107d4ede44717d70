import { parseArgs } from 'node:util';
import { tagImage } from '../../engine/store/tag.ts';
import { json } from '../output.ts';
import { checkingArguments } from '../arguments.ts';
import type { Command } from '../context.ts';
import { openStoreToRead } from '../read-store.ts';
import { usageError, wantsJson } from '../usage.ts';

export const tagCommand: Command = {
  summary: 'Give a stored image another name (a tag names a digest)',
  usage: 'deckhand tag SRC DEST [--format json]',
  async run(ctx) {
    const { values, positionals } = parseArgs({ args: ctx.args, allowPositionals: true, options: { format: { type: 'string' } } });
    if (positionals.length !== 2) throw usageError(this.usage, 'tag takes a stored image and a new name');
    const asJson = wantsJson(values.format, this.usage);
    const result = await checkingArguments(ctx.args, tagImage(await openStoreToRead(ctx), positionals[0]!, positionals[1]!));
    if (asJson) json(result.previous ? result : { ref: result.ref, digest: result.digest }, ctx.stdout);
    else {
      ctx.stdout.write(`${result.ref} → ${result.digest}\n`);
      if (result.previous)
        ctx.stderr.write(`${result.ref} pointed to ${result.previous} before; that image is kept as a dangling entry.\n`);
    }
    return 0;
  },
};
