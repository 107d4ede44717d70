import { parseArgs } from 'node:util';
import { buildStoreGraph } from '../../engine/insight/store-graph.ts';
import { formatImageTree, formatWhatRequires, imageTrees, whatRequires } from '../../engine/insight/tree.ts';
import { json } from '../output.ts';
import { checkingArguments } from '../arguments.ts';
import type { Command } from '../context.ts';
import { openStoreToRead } from '../read-store.ts';
import { usageError, wantsJson } from '../usage.ts';

export const treeCommand: Command = {
  summary: "Show an image's layers like `podman image tree`; --whatrequires shows images built on it",
  usage: 'deckhand tree REF [--whatrequires] [--format json]',
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: { whatrequires: { type: 'boolean' }, format: { type: 'string' } },
    });
    if (positionals.length !== 1) throw usageError(this.usage, 'tree takes one image');
    const asJson = wantsJson(values.format, this.usage);
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
