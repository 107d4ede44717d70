import { parseArgs } from '../args.ts';
import { formatBytes } from '../../../src-shared/format.ts';
import { shortDigest } from '../../../src-shared/oci/digest.ts';
import { buildStoreGraph } from '../../engine/insight/store-graph.ts';
import { diskUsage } from '../../engine/insight/usage.ts';
import type { DiskUsage } from '../../../src-shared/ipc/types.ts';
import { json, table } from '../output.ts';
import type { Command } from '../context.ts';
import { noteEmptyStore, openStoreToRead } from '../read-store.ts';
import { wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';

const OPTIONS = { format: { type: 'string' } } as const;

/**
 * `--format json` as scripts read it: each image's blobs by digest and one digest → size map. The
 * app's call sends the indexed form (blobs as indexes into one list, much smaller for a large
 * store); the command's output keeps the shape scripts were written against.
 */
function scriptShape(usage: DiskUsage) {
  const { blobDigests, blobSizes, images, ...rest } = usage;
  // The build steps are the app's (the treemap's labels); scripts read `deckhand history`.
  const { blobSteps, ...totals } = rest;
  void blobSteps;
  return {
    ...totals,
    images: images.map((i) => ({ ...i, blobs: i.blobs.map((k) => blobDigests[k]!) })),
    blobSizes: Object.fromEntries(blobDigests.map((d, k) => [d, blobSizes[k]!])),
  };
}

export const dfCommand: Command = {
  usage: COMMAND_HELP.df.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values } = parseArgs({ args: ctx.args, options: OPTIONS });
    const asJson = wantsJson(values.format, this.usage);
    const store = await openStoreToRead(ctx);
    const usage = diskUsage(await buildStoreGraph(store));
    if (asJson) {
      json(scriptShape(usage), ctx.stdout);
      return 0;
    }
    const w = (s: string) => ctx.stdout.write(`${s}\n`);
    w(
      `Store: ${formatBytes(usage.totalBytes)} stored (compressed) in ${usage.blobCount} blob(s); ${formatBytes(usage.sharedBytes)} shared between images; ${formatBytes(usage.reclaimableBytes)} reclaimable by \`deckhand prune\``,
    );
    if (usage.unreferencedBlobs) w(`  ${usage.unreferencedBlobs} blob(s) no image uses: ${formatBytes(usage.unreferencedBytes)}`);
    if (usage.ingestCount) w(`  ${usage.ingestCount} interrupted download(s): ${formatBytes(usage.ingestBytes)}`);
    if (usage.images.length === 0) noteEmptyStore(ctx, store);
    w('');
    table(
      [
        ['REPOSITORY', 'TAG', 'DIGEST', 'STORED SIZE', 'SHARED SIZE', 'UNIQUE SIZE'],
        ...[...usage.images]
          .sort((a, b) => b.uniqueBytes - a.uniqueBytes)
          .map((i) => [
            i.repository ?? '<none>',
            i.tag ?? '<none>',
            shortDigest(i.digest),
            formatBytes(i.totalBytes),
            formatBytes(i.sharedBytes),
            formatBytes(i.uniqueBytes),
          ]),
      ],
      ctx.stdout,
    );
    return 0;
  },
};
