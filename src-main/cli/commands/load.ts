import { parseArgs } from '../args.ts';
import { shortDigest } from '../../../src-shared/oci/digest.ts';
import { json } from '../output.ts';
import { ProgressView } from '../progress.ts';
import { openStore, type Command } from '../context.ts';
import { usageError, wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';

const OPTIONS = { input: { type: 'string', short: 'i' }, format: { type: 'string' } } as const;

export const loadCommand: Command = {
  usage: COMMAND_HELP.load.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: OPTIONS,
    });
    const file = values.input ?? positionals[0];
    if (!file || positionals.length > (values.input ? 0 : 1)) throw usageError(this.usage, 'give one archive with -i FILE');
    const asJson = wantsJson(values.format, this.usage);
    const { loadArchive } = await import('../../engine/archive/load.ts');
    const progress = new ProgressView(ctx.stderr);
    const result = await loadArchive(await openStore(ctx), file, { signal: ctx.signal, ...(asJson ? {} : { onEvent: progress.onEvent }) });
    progress.flush();
    if (asJson) json(result, ctx.stdout);
    else
      for (const i of result.images) {
        ctx.stdout.write(`Loaded image: ${i.ref ?? `<untagged> ${i.digest}`}\n`);
        // A tag that named another image moved (as docker load says when it renames the old one).
        const was = i.previous;
        if (was)
          ctx.stdout.write(
            `  The tag moved: it named ${was.id ? `image ID ${shortDigest(was.id)} (digest ${shortDigest(was.digest)})` : `the image with digest ${shortDigest(was.digest)}`} before; ${
              was.dangling ? `that image is now dangling (<none> in \`deckhand images\`)` : 'another name still holds that image'
            }.\n`,
          );
      }
    return 0;
  },
};
