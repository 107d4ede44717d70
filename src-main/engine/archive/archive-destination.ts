/**
 * An archive file as an ImageDestination: an oci-archive (a tar of an OCI layout, names in
 * `org.opencontainers.image.ref.name`) or a docker-archive (docker save's manifest.json; one
 * platform per image, no manifests of its own). Entries are written one at a time as the pipeline
 * hands them over, each blob once however many images share it; `finish` writes the index last.
 * Everything goes to FILE.partial, renamed only when complete, so a failed save leaves no half archive.
 * Or the archive goes into a stream (`{ stream, description }`: the body of an engine's load
 * request), the same entries in the same order; a failure destroys the stream, so its reader sees
 * an archive that broke off rather than one that ended.
 */
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack, type Pack } from 'tar-stream';
import type { Descriptor } from '../../../src-shared/oci/manifest.ts';
import { isIndexMediaType, OCI_INDEX } from '../../../src-shared/oci/mediatypes.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import { REF_NAME } from '../store/annotations.ts';
import type { BlobJob, BlobOutcome, BlobReader, ImageDestination, ImageDocument, ResolvedImage } from '../transfer/image.ts';

export type ArchiveFormat = 'oci-archive' | 'docker-archive';

const MTIME = new Date(0);

/** Where an archive goes: a file, or a stream that someone else reads (`description` names it in messages). */
export type ArchiveTarget = string | { stream: Writable; description: string };

export class ArchiveDestination implements ImageDestination {
  readonly concurrency = 1;
  readonly keepsSparseIndex = true;
  /** The file, or the stream's description. */
  readonly file: string;
  readonly format: ArchiveFormat;
  /** FILE.partial; null when writing into a stream. */
  private readonly partial: string | null;
  private readonly sink: Writable | null;
  private readonly tar: Pack;
  private readonly written: Promise<void>;
  private bytes = 0;
  private readonly entries = new Set<string>();
  private readonly manifests: Descriptor[] = [];
  private readonly items: Array<{ Config: string; RepoTags: string[]; Layers: string[] }> = [];
  /** The name the next committed image gets (null: saved without one, as docker does). */
  private ref: string | null = null;

  constructor(target: ArchiveTarget, format: ArchiveFormat) {
    this.format = format;
    this.file = typeof target === 'string' ? target : target.description;
    this.partial = typeof target === 'string' ? `${target}.partial` : null;
    this.sink = typeof target === 'string' ? null : target.stream;
    this.tar = tarPack();
    const counted = async function* (this: ArchiveDestination, src: AsyncIterable<unknown>) {
      for await (const chunk of src as AsyncIterable<Uint8Array>) {
        this.bytes += chunk.length;
        yield chunk;
      }
    }.bind(this);
    this.written = pipeline(this.tar, counted, this.sink ?? createWriteStream(this.partial!));
    this.written.catch(() => undefined);
    if (format === 'oci-archive') this.addBytes('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  }

  get description(): string {
    return this.file;
  }

  /** Names the image the next copy brings. */
  name(ref: string | null): void {
    this.ref = ref;
  }

  private entryName(digest: string, kind: BlobJob['kind']): string {
    if (this.format === 'oci-archive') return `blobs/${digest.replace(':', '/')}`;
    return `${digest.slice('sha256:'.length)}.${kind === 'config' ? 'json' : 'tar'}`;
  }

  private addBytes(name: string, bytes: Buffer): Promise<void> {
    this.entries.add(name);
    return new Promise((resolve, reject) =>
      this.tar.entry({ name, size: bytes.length, mode: 0o644, mtime: MTIME }, bytes, (e) => (e ? reject(e) : resolve())),
    );
  }

  async prepare(): Promise<{ complete: boolean }> {
    return { complete: false };
  }

  async putBlob(job: BlobJob, reader: BlobReader, emit: TransferListener, signal?: AbortSignal): Promise<BlobOutcome> {
    const { digest, size, kind } = job;
    const name = this.entryName(digest, kind);
    if (this.entries.has(name)) return { how: 'exists' };
    this.entries.add(name);
    const entry = this.tar.entry({ name, size, mode: 0o644, mtime: MTIME });
    let done = 0;
    await pipeline(
      await reader.open(0, signal),
      async function* (src: AsyncIterable<Uint8Array>) {
        for await (const chunk of src) {
          done += chunk.length;
          emit({ type: 'blob', digest, kind, state: 'writing', done, total: size });
          yield chunk;
        }
      },
      entry,
      signal ? { signal } : {},
    );
    job.moved(size);
    emit({ type: 'blob', digest, kind, state: 'done', done: size, total: size });
    return { how: 'moved' };
  }

  async putManifest(doc: ImageDocument, _role: 'child' | 'root', emit: TransferListener): Promise<void> {
    // A docker-archive has no manifests: manifest.json, written at the end, stands for them.
    if (this.format !== 'oci-archive') return;
    const name = this.entryName(doc.digest, 'manifest');
    if (this.entries.has(name)) return;
    await this.addBytes(name, doc.bytes);
    const kind = isIndexMediaType(doc.mediaType) ? 'index' : 'manifest';
    emit({ type: 'blob', digest: doc.digest, kind, state: 'done', done: doc.bytes.length, total: doc.bytes.length });
  }

  async commit(image: ResolvedImage): Promise<{ missing: string[] }> {
    if (this.format === 'oci-archive') {
      const descriptor: Descriptor = { mediaType: image.root.mediaType, digest: image.root.digest, size: image.root.bytes.length };
      this.manifests.push(this.ref ? { ...descriptor, annotations: { [REF_NAME]: this.ref } } : descriptor);
    } else {
      const { manifest } = image.children[0]!;
      this.items.push({
        Config: this.entryName(manifest.config.digest, 'config'),
        RepoTags: this.ref && this.ref.includes('/') ? [this.ref] : [],
        Layers: manifest.layers.map((l) => this.entryName(l.digest, 'layer')),
      });
    }
    return { missing: [] };
  }

  /** Writes the index (or manifest.json), syncs and renames the archive into place (or ends the stream); its size. */
  async finish(): Promise<number> {
    if (this.format === 'oci-archive')
      await this.addBytes('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: this.manifests })));
    else await this.addBytes('manifest.json', Buffer.from(JSON.stringify(this.items)));
    this.tar.finalize();
    await this.written;
    if (this.partial === null) return this.bytes;
    const fh = await open(this.partial, 'r+');
    try {
      await fh.sync();
      const { size } = await fh.stat();
      await rename(this.partial, this.file);
      return size;
    } finally {
      await fh.close();
    }
  }

  /** Gives up: the partial archive goes (a stream is destroyed, so its reader sees it break off). */
  async discard(reason?: Error): Promise<void> {
    this.tar.destroy();
    this.sink?.destroy(reason ?? new Error('the archive was abandoned'));
    await this.written.catch(() => undefined);
    if (this.partial !== null) await rm(this.partial, { force: true });
  }

  async close(): Promise<void> {}
}
