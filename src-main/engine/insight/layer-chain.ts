/**
 * Layer chains and the tree text, with nothing of the store: chain IDs (image-spec
 * config.md#layer-chainid), chains as one forest, and `podman image tree`-like text. The engine's
 * code (src-main/engine/daemon/) uses these too, so they import no store module: `deckhand images
 * --engine` loads none of the store's code.
 */
import { formatBytes, formatSizes } from '../../../src-shared/format.ts';
import { shortDigest } from '../../../src-shared/oci/digest.ts';
import type { LayerMeta } from '../store/meta.ts';
import type { ImageTree, LayerNode, TreeLayer } from '../../../src-shared/ipc/types.ts';

export function chainIds(layers: LayerMeta[]): string[] {
  // From Node's CommonJS side when first needed: an ESM import of node:crypto builds its whole
  // namespace (webcrypto's algorithm tables among it), a few ms of a CLI start that never hashes.
  const { createHash } = process.getBuiltinModule('node:crypto');
  const out: string[] = [];
  for (const l of layers) {
    const diff = l.diffId ?? l.digest;
    const prev = out.at(-1);
    out.push(prev === undefined ? diff : `sha256:${createHash('sha256').update(`${prev} ${diff}`).digest('hex')}`);
  }
  return out;
}

/**
 * Images' layer chains (oldest first, by chain ID) as one tree under a virtual root: a layer two
 * chains share is one node. `layer` makes a node's fields the first time its chain ID is met.
 */
export function forestOf(chains: Iterable<Array<{ id: string; layer: () => TreeLayer }>>): LayerNode {
  const root: LayerNode = { id: 'root', digest: '', size: 0, uncompressed: 0, createdBy: null, topOf: [], topNames: [], children: [] };
  const nodes = new Map<string, LayerNode>();
  for (const chain of chains) {
    let parent = root;
    for (const { id, layer } of chain) {
      let node = nodes.get(id);
      if (!node) {
        node = { ...layer(), children: [] };
        nodes.set(id, node);
        parent.children.push(node);
      }
      parent = node;
    }
  }
  return root;
}

/** A layer's size is its unpacked size, as podman's tree shows it; stored (compressed) when that is not known. */
function layerLine(l: TreeLayer): string {
  const size =
    l.uncompressed !== null ? `${formatBytes(l.uncompressed)} unpacked` : `${formatBytes(l.size)} stored (unpacked size unknown)`;
  return `ID: ${shortDigest(l.id)} Size: ${size}${l.topOf.length ? ` Top Layer of: [${l.topOf.join(', ')}]` : ''}`;
}

/** Text like `podman image tree`. */
export function formatImageTree(t: ImageTree): string {
  const lines = [
    `Image ID: ${shortDigest(t.id)}`,
    `Tags:     [${t.tags.join(', ')}]`,
    `Size:     ${formatSizes(t.storedSize, t.size, t.sizeExact)}`,
    `Platform: ${t.platform}`,
    'Image Layers',
  ];
  t.layers.forEach((l, i) => lines.push(`${i === t.layers.length - 1 ? '└──' : '├──'} ${layerLine(l)}`));
  return lines.join('\n');
}

export function formatWhatRequires(r: { base: ImageTree; dependents: ImageTree[] }): string {
  const lines = [
    `Image ID: ${shortDigest(r.base.id)}`,
    `Tags:     [${r.base.tags.join(', ')}]`,
    `Size:     ${formatSizes(r.base.storedSize, r.base.size, r.base.sizeExact)}`,
    'Image Layers',
  ];
  const top = r.base.layers.at(-1);
  if (!top) return lines.join('\n');
  lines.push(`└── ${layerLine(top)}`);
  const depth = r.base.layers.length;
  r.dependents.forEach((d, i) => {
    const last = i === r.dependents.length - 1;
    const above = d.layers.slice(depth);
    lines.push(
      `    ${last ? '└──' : '├──'} ${above.length ? layerLine(above.at(-1)!) : d.name} (${above.length} layer${above.length === 1 ? '' : 's'} above)`,
    );
  });
  if (r.dependents.length === 0) lines.push('    (no image in the store is built on this one)');
  return lines.join('\n');
}
