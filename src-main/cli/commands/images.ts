import { parseArgs } from '../args.ts';
import { formatAge, formatBytes } from '../../../src-shared/format.ts';
import { shortDigest } from '../../../src-shared/oci/digest.ts';
import { listImages } from '../../engine/insight/images.ts';
import { json, table } from '../output.ts';
import { openStore, type Command } from '../context.ts';
import { wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';

const OPTIONS = { format: { type: 'string' } } as const;

export const imagesCommand: Command = {
  usage: COMMAND_HELP.images.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values } = parseArgs({ args: ctx.args, options: OPTIONS });
    const asJson = wantsJson(values.format, this.usage);
    const rows = await listImages(await openStore(ctx));
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
    return 0;
  },
};
