import { parseArgs } from '../args.ts';
import { formatBytes } from '../../../src-shared/format.ts';
import { removeImages } from '../../engine/store/remove.ts';
import { json } from '../output.ts';
import { checkingArguments } from '../arguments.ts';
import type { Command } from '../context.ts';
import { openStoreToRead } from '../read-store.ts';
import { usageError, wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';
import { engineBytes, openEngineFor } from '../engine-source.ts';

const OPTIONS = { force: { type: 'boolean', short: 'f' }, format: { type: 'string' } } as const;

export const rmiCommand: Command = {
  usage: COMMAND_HELP.rmi.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: OPTIONS,
    });
    const asJson = wantsJson(values.format, this.usage);
    if (positionals.length === 0) throw usageError(this.usage, 'rmi needs at least one image');
    if (ctx.engineFlag !== undefined) {
      if (values.force)
        throw usageError(
          this.usage,
          '--force is not taken with --engine: Deckhand never forces an engine to remove an image a container uses',
        );
      const result = await (await openEngineFor(ctx)).remove(positionals);
      if (asJson) json(result, ctx.stdout);
      else {
        for (const r of result.removed) ctx.stdout.write(`${r.startsWith('sha256:') ? 'Deleted' : 'Untagged'}: ${r}\n`);
        ctx.stdout.write(`Freed ${engineBytes(result.freedBytes)} (${result.deleted.length} layer(s))\n`);
      }
      return 0;
    }
    const result = await checkingArguments(
      ctx.args,
      removeImages(await openStoreToRead(ctx), positionals, { force: values.force ?? false }),
    );
    if (asJson) json(result, ctx.stdout);
    else {
      for (const r of result.removed) ctx.stdout.write(`Untagged: ${r}\n`);
      for (const d of result.deleted) ctx.stdout.write(`Deleted: ${d.digest}\n`);
      ctx.stdout.write(`Freed ${formatBytes(result.freedBytes)}\n`);
    }
    return 0;
  },
};
