/**
 * Walks what an index.json entry references: an index, its child manifests that are stored, their
 * configs and layers. Used for sizes, rmi, fsck and (later) the layer graph.
 */
import { createHash } from 'node:crypto';
import { parseManifestDocument, referencedBlobs, type Descriptor, type ImageManifest } from '../../../src-shared/oci/manifest.ts';
import { DeckhandError } from '../../../src-shared/errors.ts';
import type { Store } from './layout.ts';

export interface StoredManifest {
  descriptor: Descriptor;
  manifest: ImageManifest;
}

export interface EntryGraph {
  root: Descriptor;
  kind: 'index' | 'manifest';
  /** Every blob the entry references that should be in the store, digest → size. */
  blobs: Map<string, number>;
  /** Platform manifests that are stored. */
  manifests: StoredManifest[];
  /** Children of an index whose manifest is not stored (a sparse index). */
  absent: Descriptor[];
}

export async function walkEntry(store: Store, root: Descriptor): Promise<EntryGraph> {
  const graph: EntryGraph = { root, kind: 'manifest', blobs: new Map([[root.digest, root.size]]), manifests: [], absent: [] };
  const doc = parseManifestDocument(await store.readBlob(root.digest), root.mediaType);
  if (doc.kind === 'manifest') {
    addManifest(graph, root, doc.manifest);
    return graph;
  }
  graph.kind = 'index';
  for (const child of doc.index.manifests) {
    if (!(await store.hasBlob(child.digest))) {
      graph.absent.push(child);
      continue;
    }
    const sub = parseManifestDocument(await store.readBlob(child.digest), child.mediaType);
    if (sub.kind !== 'manifest') {
      throw new DeckhandError('EMANIFEST', `Nested index ${child.digest} inside ${root.digest} is not supported by this store.`);
    }
    graph.blobs.set(child.digest, child.size);
    addManifest(graph, child, sub.manifest);
  }
  return graph;
}

function addManifest(graph: EntryGraph, descriptor: Descriptor, manifest: ImageManifest): void {
  graph.manifests.push({ descriptor, manifest });
  for (const { descriptor: d } of referencedBlobs([manifest])) graph.blobs.set(d.digest, d.size);
}

/** Blobs the entry references that are not in the store (with the right size). */
export async function missingBlobs(store: Store, graph: EntryGraph): Promise<string[]> {
  const missing: string[] = [];
  for (const [digest, size] of graph.blobs) if (!(await store.hasBlob(digest, size))) missing.push(digest);
  return missing;
}

/**
 * A sparse index cut down to the platforms that are stored: the index's own JSON with only the
 * present children (everything else kept as it was), and its digest. This is a new image (another
 * digest), which push --present-platforms publishes and save --present-platforms writes.
 */
export function presentPlatformsIndex(rootBytes: Buffer, graph: EntryGraph): { digest: string; size: number; bytes: Buffer } {
  // walkEntry has parsed and checked these bytes already; only the index kind needs saying.
  if (graph.kind !== 'index') throw new DeckhandError('EMANIFEST', `${graph.root.digest} was expected to be an index.`);
  const present = new Set(graph.manifests.map((m) => m.descriptor.digest));
  const raw = JSON.parse(rootBytes.toString('utf8')) as { manifests: Descriptor[] };
  const bytes = Buffer.from(JSON.stringify({ ...raw, manifests: raw.manifests.filter((d) => present.has(d.digest)) }));
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length, bytes };
}
