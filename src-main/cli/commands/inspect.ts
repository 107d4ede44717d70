import { parseArgs } from '../args.ts';
import { formatBytes, formatSizes } from '../../../src-shared/format.ts';
import { inspectImage } from '../../engine/insight/inspect.ts';
import { unpackedLayerSizes, unpackedOf } from '../../engine/insight/images.ts';
import { buildStoreGraph } from '../../engine/insight/store-graph.ts';
import { json } from '../output.ts';
import { checkingArguments } from '../arguments.ts';
import type { Command } from '../context.ts';
import { openStoreToRead } from '../read-store.ts';
import { usageError, wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';
import { engineBytes, engineLabel, openEngineFor } from '../engine-source.ts';
import { buildStep } from '../../../src-shared/oci/history.ts';

const OPTIONS = { format: { type: 'string' } } as const;

export const inspectCommand: Command = {
  usage: COMMAND_HELP.inspect.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({ args: ctx.args, allowPositionals: true, options: OPTIONS });
    const asJson = wantsJson(values.format, this.usage);
    if (positionals.length !== 1) throw usageError(this.usage, 'inspect takes exactly one image');
    if (ctx.engineFlag !== undefined) {
      const engine = await openEngineFor(ctx);
      const d = await engine.inspect(positionals[0]!);
      if (asJson) {
        json(d, ctx.stdout);
        return 0;
      }
      const w = (s: string) => ctx.stdout.write(`${s}\n`);
      w(`Name:       ${d.refName ?? '<none>'}`);
      w(`Image ID:   ${d.id}`);
      if (d.digest !== d.id) w(`Digest:     ${d.digest}`);
      w(`Engine:     ${engineLabel(engine)}`);
      w(`Size:       ${engineBytes(d.size)} unpacked (${engineBytes(d.sharedBytes)} shared, ${engineBytes(d.uniqueBytes)} unique)`);
      w(`Created:    ${d.created ?? 'unknown'}`);
      w(
        `Containers: ${d.containers === undefined || d.containers < 0 ? '?' : d.containers}${d.containerNames?.length ? ` (${d.containerNames.join(', ')})` : ''}`,
      );
      for (const img of d.images) {
        const c = img.config.config ?? {};
        w(`\n${img.platform}`);
        if (c.Entrypoint) w(`  Entrypoint: ${JSON.stringify(c.Entrypoint)}`);
        if (c.Cmd) w(`  Cmd:        ${JSON.stringify(c.Cmd)}`);
        for (const e of c.Env ?? []) w(`  Env:        ${e}`);
        for (const [k, v] of Object.entries(c.Labels ?? {})) w(`  Label:      ${k}=${v}`);
        w('  Layers (diff ID, unpacked size):');
        for (const l of img.layers) w(`    ${l.digest}  ${engineBytes(l.size).padStart(8)}  ${l.createdBy ? buildStep(l.createdBy) : ''}`);
      }
      return 0;
    }
    const store = await openStoreToRead(ctx);
    const graph = await buildStoreGraph(store);
    const d = await checkingArguments(ctx.args, inspectImage(store, positionals[0]!, graph));
    if (asJson) {
      json(d, ctx.stdout);
      return 0;
    }
    const w = (s: string) => ctx.stdout.write(`${s}\n`);
    w(`Name:       ${d.refName ?? `<none> (was ${d.previousRef ?? 'unnamed'})`}`);
    w(`Digest:     ${d.digest}`);
    w(`Media type: ${d.mediaType}`);
    const image = graph.images.find((i) => i.name === d.name);
    const unpacked = image ? unpackedOf(image) : { bytes: 0, exact: false };
    w(`Size:       ${formatSizes(d.size, unpacked.bytes, unpacked.exact)}`);
    const layerSizes = unpackedLayerSizes(graph);
    w(`Created:    ${d.created ?? 'unknown'}`);
    if (d.source) w(`Source:     ${d.source}`);
    w(`Platforms:  ${d.platforms.join(', ')}${d.absentPlatforms.length ? `  (not stored: ${d.absentPlatforms.join(', ')})` : ''}`);
    for (const img of d.images) {
      const c = img.config.config ?? {};
      w(`\n${img.platform}  manifest ${img.digest}`);
      if (c.Entrypoint) w(`  Entrypoint: ${JSON.stringify(c.Entrypoint)}`);
      if (c.Cmd) w(`  Cmd:        ${JSON.stringify(c.Cmd)}`);
      for (const e of c.Env ?? []) w(`  Env:        ${e}`);
      for (const [k, v] of Object.entries(c.Labels ?? {})) w(`  Label:      ${k}=${v}`);
      w('  Layers (stored, unpacked):');
      for (const l of img.layers) {
        const u = layerSizes.get(l.digest);
        w(
          `    ${l.digest}  ${formatBytes(l.size).padStart(8)}  ${(typeof u === 'number' ? formatBytes(u) : '?').padStart(8)}  ${l.createdBy ? buildStep(l.createdBy) : ''}`,
        );
      }
    }
    return 0;
  },
};
