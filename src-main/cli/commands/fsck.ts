import { parseArgs } from 'node:util';
import { formatBytes } from '../../../src-shared/format.ts';
import { fsck } from '../../engine/insight/fsck.ts';
import { json } from '../output.ts';
import { openStore, type Command } from '../context.ts';
import { wantsJson } from '../usage.ts';

export const fsckCommand: Command = {
  summary: 'Verify every stored image: blobs present, sizes and digests correct',
  usage: 'deckhand fsck [--format json]',
  async run(ctx) {
    const { values } = parseArgs({ args: ctx.args, options: { format: { type: 'string' } } });
    const asJson = wantsJson(values.format, this.usage);
    const report = await fsck(await openStore(ctx));
    if (asJson) json(report, ctx.stdout);
    else {
      const w = (s: string) => ctx.stdout.write(`${s}\n`);
      for (const p of report.problems) w(`PROBLEM ${p.message}`);
      if (report.orphanBlobs.length) w(`${report.orphanBlobs.length} unreferenced blob(s), ${formatBytes(report.orphanBlobs.reduce((n, b) => n + b.size, 0))}`);
      if (report.ingests.length) w(`${report.ingests.length} interrupted download(s), ${formatBytes(report.ingests.reduce((n, b) => n + b.size, 0))}`);
      w(`${report.ok ? 'OK' : 'FAILED'}: ${report.images} image(s), ${report.blobsChecked} blob(s) checked, ${report.problems.length} problem(s)`);
    }
    return report.ok ? 0 : 1;
  },
};
