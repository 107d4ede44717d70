/**
 * `--engine NAME|URI`: the commands that read or clean up images (images, inspect, tree, df, rmi,
 * prune) work on a Docker or Podman engine instead of the store. This opens it (a name from
 * `deckhand engines`, or an address) and prints its answers; the engine's failures (unreachable,
 * refused) are errors naming its address or the containers, so the command exits 1.
 */
import { formatAge, formatBytes } from '../../src-shared/format.ts';
import { shortDigest } from '../../src-shared/oci/digest.ts';
import type { DiskUsage, ImageRow, ImageTree } from '../../src-shared/ipc/types.ts';
import { formatImageTree } from '../engine/insight/layer-chain.ts';
import { openEngine } from '../engine/daemon/discover.ts';
import type { EngineApi } from '../engine/daemon/types.ts';
import type { CommandContext } from './context.ts';
import { table } from './output.ts';

/** `name (address)`, or the address alone when the engine was opened by it. */
export function engineLabel(engine: EngineApi): string {
  const uri = engine.connection.address.uri;
  return engine.name === uri ? uri : `${engine.name} (${uri})`;
}

export function openEngineFor(ctx: CommandContext): Promise<EngineApi> {
  return openEngine(ctx.engineFlag!, ctx.env);
}

/** Bytes as a person reads them; `?` where the engine did not compute them (-1). */
export function engineBytes(n: number): string {
  return n < 0 ? '?' : formatBytes(n);
}

export function printEngineImages(rows: ImageRow[], ctx: CommandContext): void {
  table(
    [
      ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'],
      ...rows.map((r) => [
        r.repository ?? '<none>',
        r.tag ?? '<none>',
        shortDigest(r.id ?? r.digest),
        formatAge(r.created ?? undefined),
        engineBytes(r.size),
        engineBytes(r.sharedBytes),
        engineBytes(r.uniqueBytes),
        r.containers === undefined || r.containers < 0 ? '?' : String(r.containers),
      ]),
    ],
    ctx.stdout,
  );
}

/** `df --format json` for an engine: the store's script shape (blobs by digest, one digest → size map) with each image's ID and containers. */
export function engineUsageJson(usage: DiskUsage) {
  const { blobDigests, blobSizes, images, blobSteps, ...totals } = usage;
  void blobSteps;
  return {
    ...totals,
    images: images.map((i) => ({ ...i, blobs: i.blobs.map((k) => blobDigests[k]!) })),
    blobSizes: Object.fromEntries(blobDigests.map((d, k) => [d, blobSizes[k]!])),
  };
}

export function printEngineUsage(engine: EngineApi, usage: DiskUsage, ctx: CommandContext): void {
  const w = (s: string) => ctx.stdout.write(`${s}\n`);
  const layers = usage.blobCount >= 0 ? ` in ${usage.blobCount} layer(s)` : '';
  const shared = usage.sharedBytes >= 0 ? `; ${formatBytes(usage.sharedBytes)} shared between images` : '';
  w(
    `${engineLabel(engine)}: ${usage.totalBytes >= 0 ? `${formatBytes(usage.totalBytes)} unpacked${layers}` : 'no total reported by the engine'}${shared}; ${engineBytes(usage.reclaimableBytes)} reclaimable by \`deckhand prune --engine\``,
  );
  w('');
  const rows = usage.images as Array<DiskUsage['images'][number] & { id?: string | null; containers?: number }>;
  table(
    [
      ['REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'],
      ...[...rows]
        .sort((a, b) => b.uniqueBytes - a.uniqueBytes)
        .map((i) => [
          i.repository ?? '<none>',
          i.tag ?? '<none>',
          shortDigest(i.id ?? i.digest),
          engineBytes(i.totalBytes),
          engineBytes(i.sharedBytes),
          engineBytes(i.uniqueBytes),
          i.containers === undefined || i.containers < 0 ? '?' : String(i.containers),
        ]),
    ],
    ctx.stdout,
  );
}

/** `tree` as for the store, with the size line saying what an engine's size is (its layers are unpacked; nothing is compressed). */
export function formatEngineTree(t: ImageTree): string {
  return formatImageTree(t)
    .split('\n')
    .map((line) => (line.startsWith('Size:') ? `Size:     ${engineBytes(t.storedSize)} unpacked, as the engine counts the image` : line))
    .join('\n');
}
