import { parseArgs } from 'node:util';
import { parseReference } from '../../../src-shared/oci/reference.ts';
import { resolveOne, setTag, refNameOf } from '../../engine/store/catalog.ts';
import { PLATFORMS, SOURCE } from '../../engine/store/annotations.ts';
import { json } from '../output.ts';
import { openStore, type Command } from '../context.ts';
import { usageError, wantsJson } from '../usage.ts';

export const tagCommand: Command = {
  summary: 'Give a stored image another name (a tag names a digest)',
  usage: 'deckhand tag SRC DEST [--format json]',
  async run(ctx) {
    const { values, positionals } = parseArgs({ args: ctx.args, allowPositionals: true, options: { format: { type: 'string' } } });
    if (positionals.length !== 2) throw usageError(this.usage, 'tag takes a stored image and a new name');
    const asJson = wantsJson(values.format, this.usage);
    const dest = parseReference(positionals[1]!);
    if (dest.digest) throw usageError(this.usage, `${positionals[1]} carries a digest; a tag names a digest, it cannot be one`);
    const store = await openStore(ctx);
    const entry = await resolveOne(store, positionals[0]!);
    const { annotations = {}, ...descriptor } = entry.descriptor;
    // Where it came from and which platforms are stored carry over; the name and its dates do not.
    const carried = Object.fromEntries([SOURCE, PLATFORMS].filter((k) => annotations[k] !== undefined).map((k) => [k, annotations[k]!]));
    const { previous } = await setTag(store, dest, descriptor, carried);
    const name = refNameOf(dest);
    if (asJson) json({ ref: name, digest: descriptor.digest, ...(previous ? { previous } : {}) }, ctx.stdout);
    else {
      ctx.stdout.write(`${name} → ${descriptor.digest}\n`);
      if (previous) ctx.stderr.write(`${name} pointed to ${previous} before; that image is kept as a dangling entry.\n`);
    }
    return 0;
  },
};
