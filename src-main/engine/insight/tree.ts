/**
 * The layer tree, after `podman image tree`: an image's layer chain with sizes and the images whose
 * top layer sits on each, `--whatrequires` for the images built on top of one, and the whole store
 * as one forest (layers keyed by chain ID, sizes on each node) for a d3-hierarchy layout. Layers are
 * identified by chain ID (image-spec config.md#layer-chainid), so a base shared by several images
 * is one node.
 */
import { idPrefixOf, matchImages, noSuchImage } from '../store/catalog.ts';
import type { Store } from '../store/layout.ts';
import type { LayerMeta } from '../store/meta.ts';
import type { ImageTree, LayerNode, TreeLayer } from '../../../src-shared/ipc/types.ts';
import { graphIds, type GraphImage, type PlatformImage, type StoreGraph } from './store-graph.ts';
import { chainIds, forestOf } from './layer-chain.ts';

// The shapes are the contract's: what tree returns is what crosses IPC.
export type { ImageTree, LayerNode, TreeLayer } from '../../../src-shared/ipc/types.ts';
export { chainIds, forestOf, formatImageTree, formatWhatRequires } from './layer-chain.ts';

interface Flat {
  image: GraphImage;
  platform: PlatformImage;
  chain: string[];
  label: string;
}

function flatten(graph: StoreGraph): Flat[] {
  const out: Flat[] = [];
  for (const image of graph.images) {
    for (const platform of image.platforms) {
      out.push({
        image,
        platform,
        chain: chainIds(platform.meta.layers),
        label: image.platforms.length > 1 ? `${image.name} (${platform.meta.platform})` : image.name,
      });
    }
  }
  return out;
}

interface Tops {
  labels: string[];
  names: string[];
}

function topIndex(flat: Flat[]): Map<string, Tops> {
  const tops = new Map<string, Tops>();
  for (const f of flat) {
    const top = f.chain.at(-1);
    if (!top) continue;
    let t = tops.get(top);
    if (!t) tops.set(top, (t = { labels: [], names: [] }));
    t.labels.push(f.label);
    if (!t.names.includes(f.image.name)) t.names.push(f.image.name);
  }
  return tops;
}

const NO_TOPS: Tops = { labels: [], names: [] };

function layerOf(id: string, l: LayerMeta, tops: Map<string, Tops>): TreeLayer {
  const t = tops.get(id) ?? NO_TOPS;
  return {
    id,
    digest: l.digest,
    size: l.size,
    uncompressed: l.uncompressed,
    createdBy: l.createdBy,
    topOf: [...t.labels],
    topNames: [...t.names],
  };
}

function treeOf(f: Flat, flat: Flat[], tops: Map<string, Tops>): ImageTree {
  const meta = f.platform.meta;
  const tags = [
    ...new Set(
      flat.filter((o) => o.platform.meta.config.digest === meta.config.digest && o.image.entry.refName !== null).map((o) => o.image.name),
    ),
  ];
  const size = meta.layers.reduce((n, l) => n + (l.uncompressed ?? l.size), 0);
  const stored = new Map<string, number>([
    [f.platform.manifest, f.image.blobs.get(f.platform.manifest) ?? 0],
    [meta.config.digest, meta.config.size],
    ...meta.layers.map((l) => [l.digest, l.size] as [string, number]),
  ]);
  const storedSize = [...stored.values()].reduce((n, s) => n + s, 0);
  const sizeExact = meta.layers.every((l) => l.uncompressed !== null);
  const layers = meta.layers.map((l, i) => layerOf(f.chain[i]!, l, tops));
  return { name: f.image.name, platform: meta.platform, id: meta.config.digest, tags, size, sizeExact, storedSize, layers };
}

/**
 * The images `input` names, and which of their platforms: all of them, except that an image ID
 * (config digest) or a platform manifest's digest names only its own platform of an index.
 */
function find(graph: StoreGraph, input: string, store?: Store): { images: Set<GraphImage>; platform: (f: Flat) => boolean } {
  const { found, by } = matchImages(
    graph.images.map((i) => i.entry),
    input,
    graphIds(graph),
  );
  if (found.length === 0) throw noSuchImage(input, { ...(store ? { store } : {}), storeEmpty: graph.images.length === 0 });
  const images = new Set(graph.images.filter((i) => found.some((e) => e === i.entry)));
  const hex = idPrefixOf(input)?.hex;
  if (by !== 'id' || hex === undefined) return { images, platform: () => true };
  const prefix = `sha256:${hex}`;
  return {
    images,
    platform: (f) =>
      f.image.entry.descriptor.digest.startsWith(prefix) ||
      f.platform.meta.config.digest.startsWith(prefix) ||
      f.platform.manifest.startsWith(prefix),
  };
}

/** The layer chain of each stored platform of `input` (`store` only words the error for an empty store). */
export function imageTrees(graph: StoreGraph, input: string, store?: Store): ImageTree[] {
  const flat = flatten(graph);
  const tops = topIndex(flat);
  const { images, platform } = find(graph, input, store);
  return flat.filter((f) => images.has(f.image) && platform(f)).map((f) => treeOf(f, flat, tops));
}

/** Images built on `input`: their chain contains its top layer and goes further. */
export function whatRequires(graph: StoreGraph, input: string, store?: Store): Array<{ base: ImageTree; dependents: ImageTree[] }> {
  const flat = flatten(graph);
  const tops = topIndex(flat);
  const { images, platform } = find(graph, input, store);
  return flat
    .filter((f) => images.has(f.image) && platform(f))
    .map((f) => {
      const top = f.chain.at(-1);
      const dependents = top ? flat.filter((o) => o !== f && o.chain.length > f.chain.length && o.chain[f.chain.length - 1] === top) : [];
      return { base: treeOf(f, flat, tops), dependents: dependents.map((d) => treeOf(d, flat, tops)) };
    });
}

/** The whole store as one tree of layers (a virtual root over the base layers), for d3-hierarchy. */
export function layerForest(graph: StoreGraph): LayerNode {
  const flat = flatten(graph);
  const tops = topIndex(flat);
  return forestOf(flat.map((f) => f.platform.meta.layers.map((l, i) => ({ id: f.chain[i]!, layer: () => layerOf(f.chain[i]!, l, tops) }))));
}
