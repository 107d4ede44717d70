/**
 * `deckhand save REF... -o FILE`: stored images as an oci-archive (a tar of an OCI layout, every
 * stored platform, names in `org.opencontainers.image.ref.name`) or a docker-archive (docker save's
 * manifest.json; one platform per image). Blobs stream from the store; the archive is written to
 * FILE.partial and renamed only when complete, so a failed save never leaves a half archive.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack, type Pack } from 'tar-stream';
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import type { Descriptor } from '../../../src-shared/oci/manifest.ts';
import { OCI_INDEX } from '../../../src-shared/oci/mediatypes.ts';
import { formatPlatform, hostPlatform, parsePlatform, platformMatchRank, type Platform } from '../../../src-shared/oci/platform.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import { REF_NAME } from '../store/annotations.ts';
import { resolveOne } from '../store/catalog.ts';
import { missingBlobs, presentPlatformsIndex, walkEntry, type EntryGraph } from '../store/graph.ts';
import { Lease } from '../store/leases.ts';
import type { Store } from '../store/layout.ts';
import { platformOfManifest } from '../transfer/platforms.ts';

export type ArchiveFormat = 'oci-archive' | 'docker-archive';

export interface SaveOptions {
  format: ArchiveFormat;
  /** docker-archive: which platform of an index (default: this machine's, else the only one). */
  platform?: Platform;
  /**
   * oci-archive of a sparse index (some platforms not stored): write the stored platforms as a new
   * index (another digest), as push --present-platforms does. Without it such an image is refused.
   */
  presentPlatforms?: boolean;
  onEvent?: TransferListener;
  signal?: AbortSignal;
}

export interface SaveResult {
  file: string;
  format: ArchiveFormat;
  bytes: number;
  /** What the archive holds: for a sparse index saved with presentPlatforms, the new index's digest. */
  images: Array<{ ref: string | null; digest: string }>;
}

const MTIME = new Date(0);

function addBytes(tar: Pack, name: string, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => tar.entry({ name, size: bytes.length, mode: 0o644, mtime: MTIME }, bytes, (e) => (e ? reject(e) : resolve())));
}

async function addBlob(tar: Pack, store: Store, name: string, digest: string, size: number, emit: TransferListener, signal?: AbortSignal): Promise<void> {
  const entry = tar.entry({ name, size, mode: 0o644, mtime: MTIME });
  let done = 0;
  await pipeline(
    createReadStream(store.blobPath(digest), { highWaterMark: 1 << 20 }),
    async function* (src: AsyncIterable<Buffer>) {
      for await (const chunk of src) {
        done += chunk.length;
        emit({ type: 'blob', digest, kind: 'layer', state: 'writing', done, total: size });
        yield chunk;
      }
    },
    entry,
    signal ? { signal } : {},
  );
  emit({ type: 'blob', digest, kind: 'layer', state: 'done', done: size, total: size });
}

interface Selected {
  /** The image's name; null for an untagged image (saved without a name, as docker does). */
  ref: string | null;
  input: string;
  root: Descriptor;
  graph: EntryGraph;
  /** A sparse index saved with presentPlatforms: the new index of the stored platforms, written in place of the root. */
  cut?: { digest: string; size: number; bytes: Buffer };
}

async function select(store: Store, inputs: string[], lease: Lease, opts: SaveOptions): Promise<Selected[]> {
  const out: Selected[] = [];
  for (const input of inputs) {
    const entry = await resolveOne(store, input);
    await lease.add(entry.descriptor.digest);
    const graph = await walkEntry(store, entry.descriptor);
    await lease.add(...graph.blobs.keys());
    const [missing] = await missingBlobs(store, graph);
    if (missing) throw new DeckhandError('ESTORE', `${input} is missing blob ${missing}; nothing was saved. Run \`deckhand fsck\`, then pull it again.`);
    const name = entry.refName ?? input;
    if (opts.format === 'oci-archive' && graph.absent.length > 0) {
      const absent = graph.absent.map((d) => (d.platform ? formatPlatform(d.platform) : d.digest));
      if (!opts.presentPlatforms) {
        throw new DeckhandError('ENO_PLATFORM', `${name} is a sparse index: ${absent.join(', ')} ${absent.length === 1 ? 'is' : 'are'} not stored, and an archive of it as is would name images it does not hold. Pull them first (\`deckhand pull --all-platforms\`), save only the stored platforms as a new index with --present-platforms, or save one platform with --format docker-archive.`, { detail: { missing: absent } });
      }
      if (graph.manifests.length === 0) throw new DeckhandError('ENO_PLATFORM', `${name} has none of its platforms stored; there is nothing to save. Pull it again.`);
      out.push({ ref: entry.refName, input, root: entry.descriptor, graph, cut: presentPlatformsIndex(await store.readBlob(entry.descriptor.digest), graph) });
      continue;
    }
    out.push({ ref: entry.refName, input, root: entry.descriptor, graph });
  }
  return out;
}

async function writeOci(tar: Pack, store: Store, images: Selected[], emit: TransferListener, signal?: AbortSignal): Promise<void> {
  await addBytes(tar, 'oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  const written = new Set<string>();
  const manifests: Descriptor[] = [];
  for (const img of images) {
    for (const [digest, size] of img.graph.blobs) {
      // A cut index replaces the stored one: the stored index names platforms the archive lacks.
      if (written.has(digest) || (img.cut && digest === img.root.digest)) continue;
      written.add(digest);
      await addBlob(tar, store, `blobs/${digest.replace(':', '/')}`, digest, size, emit, signal);
    }
    const { annotations: _a, ...stored } = img.root;
    const descriptor: Descriptor = img.cut ? { mediaType: stored.mediaType, digest: img.cut.digest, size: img.cut.size } : stored;
    if (img.cut && !written.has(img.cut.digest)) {
      written.add(img.cut.digest);
      await addBytes(tar, `blobs/${img.cut.digest.replace(':', '/')}`, img.cut.bytes);
    }
    manifests.push(img.ref ? { ...descriptor, annotations: { [REF_NAME]: img.ref } } : descriptor);
  }
  await addBytes(tar, 'index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests })));
}

async function writeDocker(tar: Pack, store: Store, images: Selected[], want: Platform | undefined, emit: TransferListener, signal?: AbortSignal): Promise<void> {
  const written = new Set<string>();
  const items = [];
  for (const img of images) {
    const platforms = await Promise.all(img.graph.manifests.map(async (m) => ({ m, platform: await platformOfManifest(store, m.descriptor, m.manifest) })));
    const target = want ?? hostPlatform(process.platform, process.arch);
    const ranked = platforms.map((p) => ({ ...p, rank: platformMatchRank(target, p.m.descriptor.platform ?? parsePlatform(p.platform)) })).filter((p) => p.rank >= 0).sort((a, b) => a.rank - b.rank);
    const chosen = ranked[0]?.m ?? (platforms.length === 1 && !want ? platforms[0]!.m : undefined);
    if (!chosen) throw new DeckhandError('ENO_PLATFORM', `${img.ref ?? img.input} has no stored image for ${formatPlatform(target)} (stored: ${platforms.map((p) => p.platform).join(', ') || 'none'}). A docker-archive holds one platform; choose one with --platform.`);
    const config = chosen.manifest.config;
    const configName = `${config.digest.slice(7)}.json`;
    if (!written.has(config.digest)) {
      written.add(config.digest);
      await addBlob(tar, store, configName, config.digest, config.size, emit, signal);
    }
    const layers = [];
    for (const l of chosen.manifest.layers) {
      const name = `${l.digest.slice(7)}.tar`;
      layers.push(name);
      if (written.has(l.digest)) continue;
      written.add(l.digest);
      await addBlob(tar, store, name, l.digest, l.size, emit, signal);
    }
    items.push({ Config: configName, RepoTags: img.ref && img.ref.includes('/') ? [img.ref] : [], Layers: layers });
  }
  await addBytes(tar, 'manifest.json', Buffer.from(JSON.stringify(items)));
}

export async function saveArchive(store: Store, inputs: string[], file: string, opts: SaveOptions): Promise<SaveResult> {
  if (inputs.length === 0) throw new DeckhandError('EUSAGE', 'Name at least one stored image to save.');
  const emit = opts.onEvent ?? (() => undefined);
  const partial = `${file}.partial`;
  const lease = await Lease.create(store, `save ${file}`);
  try {
    const images = await select(store, inputs, lease, opts);
    const tar = tarPack();
    const out = createWriteStream(partial);
    const written = pipeline(tar, out);
    try {
      if (opts.format === 'oci-archive') await writeOci(tar, store, images, emit, opts.signal);
      else await writeDocker(tar, store, images, opts.platform, emit, opts.signal);
      tar.finalize();
      await written;
    } catch (e) {
      tar.destroy();
      await written.catch(() => undefined);
      throw e;
    }
    const fh = await open(partial, 'r+');
    await fh.sync();
    const { size } = await fh.stat();
    await fh.close();
    await rename(partial, file);
    return { file, format: opts.format, bytes: size, images: images.map((i) => ({ ref: i.ref, digest: i.cut?.digest ?? i.root.digest })) };
  } catch (e) {
    await rm(partial, { force: true });
    if (opts.signal?.aborted && !isDeckhandError(e, 'ECANCELLED')) throw new DeckhandError('ECANCELLED', `Saving to ${file} was cancelled; the partial archive was removed and nothing was written.`, { cause: e });
    throw e;
  } finally {
    await lease.release();
  }
}
