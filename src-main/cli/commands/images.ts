import { parseArgs } from '../args.ts';
import { formatAge, formatBytes, formatUnpacked } from '../../../src-shared/format.ts';
import { shortDigest } from '../../../src-shared/oci/digest.ts';
import { imageRows, unpackedOf } from '../../engine/insight/images.ts';
import { buildStoreGraph } from '../../engine/insight/store-graph.ts';
import { json, table } from '../output.ts';
import type { Command } from '../context.ts';
import { noteEmptyStore, openStoreToRead } from '../read-store.ts';
import { wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';

const OPTIONS = { format: { type: 'string' } } as const;

export const imagesCommand: Command = {
  usage: COMMAND_HELP.images.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values } = parseArgs({ args: ctx.args, options: OPTIONS });
    const asJson = wantsJson(values.format, this.usage);
    const store = await openStoreToRead(ctx);
    const graph = await buildStoreGraph(store);
    const rows = imageRows(graph);
    if (asJson) {
      json(rows, ctx.stdout);
      return 0;
    }
    const unpacked = graph.images.map(unpackedOf);
    table(
      [
        ['REPOSITORY', 'TAG', 'DIGEST', 'PLATFORMS', 'CREATED', 'STORED SIZE', 'UNPACKED SIZE'],
        ...rows.map((r, i) => [
          r.repository ?? '<none>',
          r.tag ?? '<none>',
          shortDigest(r.digest),
          `${r.platforms.join(',') || '-'}${r.sparse ? ' (sparse)' : ''}`,
          r.error ? `error: ${r.error}` : formatAge(r.created ?? undefined),
          formatBytes(r.size),
          formatUnpacked(unpacked[i]!.bytes, unpacked[i]!.exact),
        ]),
      ],
      ctx.stdout,
    );
    if (rows.length === 0) noteEmptyStore(ctx, store);
    return 0;
  },
};
