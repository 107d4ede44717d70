import { parseArgs } from '../args.ts';
import { formatBytes } from '../../../src-shared/format.ts';
import { shortDigest } from '../../../src-shared/oci/digest.ts';
import { describePlan, parseFilters, prune } from '../../engine/insight/prune.ts';
import { json } from '../output.ts';
import type { Command } from '../context.ts';
import { openStoreToRead } from '../read-store.ts';
import { usageError, wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';
import { engineBytes, engineLabel, openEngineFor } from '../engine-source.ts';

const OPTIONS = {
  all: { type: 'boolean' },
  filter: { type: 'string', multiple: true },
  'keep-last': { type: 'string' },
  'dry-run': { type: 'boolean' },
  format: { type: 'string' },
} as const;

export const pruneCommand: Command = {
  usage: COMMAND_HELP.prune.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: OPTIONS,
    });
    if (positionals.length) throw usageError(this.usage, 'prune takes no image names (use rmi for that)');
    const asJson = wantsJson(values.format, this.usage);
    const keep = values['keep-last'];
    if (keep !== undefined && !/^\d+$/.test(keep)) throw usageError(this.usage, `--keep-last ${keep}: give a whole number`);
    if (ctx.engineFlag !== undefined) {
      if (keep !== undefined) throw usageError(this.usage, '--keep-last is not taken with --engine: engines prune by their own rules');
      const engine = await openEngineFor(ctx);
      const filters = parseFilters(values.filter ?? []);
      const opts = {
        all: values.all ?? false,
        ...(filters.untilMs !== undefined ? { olderThanMs: filters.untilMs } : {}),
        ...(filters.labels ? { labels: filters.labels } : {}),
      };
      const enginePlan = await engine.planPrune(opts);
      const ran = values['dry-run'] ? undefined : await engine.runPrune(enginePlan, opts);
      if (asJson) {
        json(ran ? { plan: enginePlan, result: ran } : { plan: enginePlan }, ctx.stdout);
        return 0;
      }
      const w = (s: string) => ctx.stdout.write(`${s}\n`);
      for (const i of enginePlan.images) w(`image  ${i.name}  (${i.reason})`);
      for (const b of enginePlan.blobs) w(`layer  ${shortDigest(b.digest)}  ${engineBytes(b.size)}  (${b.reason})`);
      const what = `${enginePlan.images.length} image(s) from ${engineLabel(engine)}: ${engineBytes(enginePlan.reclaimedBytes)} as ${engine.kind} reports it`;
      if (!ran) {
        w(`Would remove ${what}. Run without --dry-run to do it.`);
        return 0;
      }
      for (const s of ran.skipped) w(`kept   ${s.item}: ${s.reason}`);
      w(
        `Removed ${ran.removedImages.length} image(s), ${ran.deletedBlobs} layer(s): ${engine.kind} reports ${engineBytes(ran.freedBytes)} reclaimed`,
      );
      return 0;
    }
    const { plan, result } = await prune(await openStoreToRead(ctx), {
      all: values.all ?? false,
      ...parseFilters(values.filter ?? []),
      ...(keep !== undefined ? { keepLast: Number(keep) } : {}),
      dryRun: values['dry-run'] ?? false,
    });
    if (asJson) {
      json(result ? { plan, result } : { plan }, ctx.stdout);
      return 0;
    }
    const w = (s: string) => ctx.stdout.write(`${s}\n`);
    for (const i of plan.images) w(`image  ${i.name}  (${i.reason})`);
    for (const b of plan.blobs) w(`blob   ${shortDigest(b.digest)}  ${formatBytes(b.size)}  (${b.reason})`);
    for (const g of plan.ingests) w(`ingest ${g.name.slice(0, 19)}  ${formatBytes(g.size)}  (${g.reason})`);
    if (plan.leasedBlobs) w(`${plan.leasedBlobs} unused blob(s) kept: a running operation holds them`);
    if (!result) {
      w(`Would remove ${describePlan(plan)}. Run without --dry-run to do it.`);
      return 0;
    }
    for (const s of result.skipped) w(`kept   ${s.item}: ${s.reason}`);
    w(
      `Removed ${result.removedImages.length} image(s), ${result.deletedBlobs} blob(s), ${result.deletedIngests} interrupted download(s): freed ${formatBytes(result.freedBytes)}`,
    );
    return 0;
  },
};
