import { parseArgs } from '../args.ts';
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
    else for (const i of result.images) ctx.stdout.write(`Loaded image: ${i.ref ?? `<untagged> ${i.digest}`}\n`);
    return 0;
  },
};
