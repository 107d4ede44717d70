import { parseArgs } from 'node:util';
import { formatAge, formatBytes } from '../../../src-shared/format.ts';
import { shortDigest } from '../../../src-shared/oci/digest.ts';
import { listImages } from '../../engine/insight/images.ts';
import { json, table } from '../output.ts';
import type { Command } from '../context.ts';
import { noteEmptyStore, openStoreToRead } from '../read-store.ts';
import { wantsJson } from '../usage.ts';

export const imagesCommand: Command = {
  summary: 'List stored images',
  usage: 'deckhand images [--format json]',
  async run(ctx) {
    const { values } = parseArgs({ args: ctx.args, options: { format: { type: 'string' } } });
    const asJson = wantsJson(values.format, this.usage);
    const store = await openStoreToRead(ctx);
    const rows = await listImages(store);
    if (asJson) {
      json(rows, ctx.stdout);
      return 0;
    }
    table(
      [
        ['REPOSITORY', 'TAG', 'DIGEST', 'PLATFORMS', 'CREATED', 'SIZE'],
        ...rows.map((r) => [
          r.repository ?? '<none>',
          r.tag ?? '<none>',
          shortDigest(r.digest),
          `${r.platforms.join(',') || '-'}${r.sparse ? ' (sparse)' : ''}`,
          r.error ? `error: ${r.error}` : formatAge(r.created ?? undefined),
          formatBytes(r.size),
        ]),
      ],
      ctx.stdout,
    );
    if (rows.length === 0) noteEmptyStore(ctx, store);
    return 0;
  },
};
