import { parseArgs } from '../args.ts';
import { formatBytes } from '../../../src-shared/format.ts';
import { fsck, repairStore } from '../../engine/insight/fsck.ts';
import { json } from '../output.ts';
import { openStore, type Command } from '../context.ts';
import { openStoreToRead } from '../read-store.ts';
import { wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';

const OPTIONS = { format: { type: 'string' }, repair: { type: 'boolean' } } as const;

export const fsckCommand: Command = {
  usage: COMMAND_HELP.fsck.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values } = parseArgs({ args: ctx.args, options: OPTIONS });
    const asJson = wantsJson(values.format, this.usage);
    // Checking reads; only --repair may change (and so create) the store.
    const store = values.repair ? await openStore(ctx) : await openStoreToRead(ctx);
    const report = await fsck(store);
    const repair = values.repair ? await repairStore(store, report) : undefined;
    if (asJson) json(repair ? { ...report, repair } : report, ctx.stdout);
    else {
      const w = (s: string) => ctx.stdout.write(`${s}\n`);
      for (const p of report.problems) w(`PROBLEM ${p.message}`);
      if (report.orphanBlobs.length)
        w(`${report.orphanBlobs.length} unreferenced blob(s), ${formatBytes(report.orphanBlobs.reduce((n, b) => n + b.size, 0))}`);
      if (report.ingests.length)
        w(`${report.ingests.length} interrupted download(s), ${formatBytes(report.ingests.reduce((n, b) => n + b.size, 0))}`);
      w(
        `${report.ok ? 'OK' : 'FAILED'}: ${report.images} image(s), ${report.blobsChecked} blob(s) checked, ${report.problems.length} problem(s)`,
      );
      if (repair) {
        w(
          `Repaired: deleted ${repair.removedDamaged.length} damaged blob(s), ${repair.deletedBlobs} unreferenced blob(s), ${repair.deletedIngests} stale download(s); freed ${formatBytes(repair.freedBytes)}`,
        );
        for (const name of repair.needPull) w(`  pull ${name} again to restore its missing or damaged content`);
      }
    }
    return report.ok ? 0 : 1;
  },
};
