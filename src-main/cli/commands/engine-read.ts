/**
 * `images --engine` and `df --engine`: the engine's list and disk usage, in a bundle of their own
 * (dist/cli-commands/engine-read.mjs) with the engine's code and none of the store's, because these
 * two are the CLI's quickest commands and a script may run them often: `deckhand images` with the
 * store's code loaded as well took twice as long to start. main.ts loads this module instead of
 * images.ts or df.ts when `--engine` is given; the options and usage are theirs (COMMAND_HELP).
 */
import { parseArgs } from '../args.ts';
import { json } from '../output.ts';
import type { Command } from '../context.ts';
import { wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';
import { engineUsageJson, openEngineFor, printEngineImages, printEngineUsage } from '../engine-source.ts';

const OPTIONS = { format: { type: 'string' } } as const;

export const engineImagesCommand: Command = {
  usage: COMMAND_HELP.images.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values } = parseArgs({ args: ctx.args, options: OPTIONS });
    const asJson = wantsJson(values.format, this.usage);
    const rows = await (await openEngineFor(ctx)).images();
    if (asJson) json(rows, ctx.stdout);
    else printEngineImages(rows, ctx);
    return 0;
  },
};

export const engineDfCommand: Command = {
  usage: COMMAND_HELP.df.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values } = parseArgs({ args: ctx.args, options: OPTIONS });
    const asJson = wantsJson(values.format, this.usage);
    const engine = await openEngineFor(ctx);
    // The engine's own numbers only, not each image's layers (two requests per image).
    const usage = await engine.usage({ layers: false });
    if (asJson) json(engineUsageJson(usage), ctx.stdout);
    else printEngineUsage(engine, usage, ctx);
    return 0;
  },
};
