import { parseArgs } from '../args.ts';
import { buildStoreGraph } from '../../engine/insight/store-graph.ts';
import { formatImageTree, formatWhatRequires, imageTrees, whatRequires } from '../../engine/insight/tree.ts';
import { json } from '../output.ts';
import { checkingArguments } from '../arguments.ts';
import type { Command } from '../context.ts';
import { openStoreToRead } from '../read-store.ts';
import { usageError, wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';
import { formatEngineTree, openEngineFor } from '../engine-source.ts';
import { DaemonEngine } from '../../engine/daemon/engine.ts';

const OPTIONS = { whatrequires: { type: 'boolean' }, format: { type: 'string' } } as const;

export const treeCommand: Command = {
  usage: COMMAND_HELP.tree.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: OPTIONS,
    });
    if (positionals.length !== 1) throw usageError(this.usage, 'tree takes one image');
    const asJson = wantsJson(values.format, this.usage);
    if (ctx.engineFlag !== undefined) {
      const engine = await openEngineFor(ctx);
      if (values.whatrequires) {
        if (!(engine instanceof DaemonEngine)) throw usageError(this.usage, '--whatrequires is not available for this engine');
        const result = await engine.whatRequires(positionals[0]!);
        if (asJson) json(result, ctx.stdout);
        else ctx.stdout.write(`${result.map(formatWhatRequires).join('\n\n')}\n`);
        return 0;
      }
      const trees = await engine.tree(positionals[0]!);
      if (asJson) json(trees, ctx.stdout);
      else ctx.stdout.write(`${trees.map(formatEngineTree).join('\n\n')}\n`);
      return 0;
    }
    const store = await openStoreToRead(ctx);
    const graph = await buildStoreGraph(store);
    if (values.whatrequires) {
      const result = await checkingArguments(ctx.args, async () => whatRequires(graph, positionals[0]!, store));
      if (asJson) json(result, ctx.stdout);
      else ctx.stdout.write(`${result.map(formatWhatRequires).join('\n\n')}\n`);
      return 0;
    }
    const trees = await checkingArguments(ctx.args, async () => imageTrees(graph, positionals[0]!, store));
    if (asJson) json(trees, ctx.stdout);
    else ctx.stdout.write(`${trees.map(formatImageTree).join('\n\n')}\n`);
    return 0;
  },
};
