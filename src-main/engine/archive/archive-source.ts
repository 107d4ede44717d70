/**
 * One image of a checked archive as an ImageSource. The archive was scanned and planned first
 * (scan.ts, plan.ts: every file hashed, every name checked) before a byte is stored; its blobs are
 * then read front to back in one pass (`eachBlob`), since a gzip'd tar cannot seek. The manifests
 * come from the plan: the archive's own (oci-archive) or the ones Deckhand writes (docker-archive).
 */
import type { Readable } from 'node:stream';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseManifestDocument, type Descriptor } from '../../../src-shared/oci/manifest.ts';
import { formatPlatform } from '../../../src-shared/oci/platform.ts';
import { fromOffset, type BlobReader, type ImageSource, type PlatformManifest, type ResolvedImage } from '../transfer/image.ts';
import type { LoadPlan, PlannedImage } from './plan.ts';
import type { ArchiveScan } from './scan.ts';
import { scanArchive } from './tar-read.ts';

/** A stream read once: a second open (a retry) cannot rewind the archive. */
function once(file: string, content: Readable): BlobReader {
  let opened = false;
  return {
    async open(offset) {
      if (opened) throw new DeckhandError('EARCHIVE', `${file} could not be read consistently a second time; run the load again.`);
      opened = true;
      // A partial from an earlier attempt: skip what it holds.
      return offset === 0 ? content : fromOffset(content, offset);
    },
  };
}

export class ArchiveSource implements ImageSource {
  private readonly scan: ArchiveScan;
  private readonly plan: LoadPlan;
  private readonly image: PlannedImage;

  constructor(scan: ArchiveScan, plan: LoadPlan, image: PlannedImage) {
    this.scan = scan;
    this.plan = plan;
    this.image = image;
  }

  get description(): string {
    return this.scan.file;
  }

  /** A document's bytes: one Deckhand wrote (docker-archive) or the archive's own file. */
  private document(digest: string): Buffer | undefined {
    const written = this.plan.documents.find((d) => d.digest === digest);
    if (written) return written.bytes;
    const blob = this.plan.blobs.find((b) => b.digest === digest);
    return blob ? this.scan.documents.get(blob.name) : undefined;
  }

  async resolve(): Promise<ResolvedImage> {
    const { descriptor } = this.image;
    const bytes = this.document(descriptor.digest)!;
    const doc = parseManifestDocument(bytes, descriptor.mediaType);
    const root = { digest: descriptor.digest, mediaType: descriptor.mediaType, bytes };
    if (doc.kind === 'manifest')
      return { root, children: [{ descriptor, bytes, manifest: doc.manifest }], isIndex: false, sparse: false, platforms: [''] };
    const children: PlatformManifest[] = [];
    for (const child of doc.index.manifests) {
      // The plan took the children the archive holds (an archive may carry a sparse index).
      const childBytes = this.document(child.digest);
      if (!childBytes) continue;
      const sub = parseManifestDocument(childBytes, child.mediaType);
      if (sub.kind === 'manifest') children.push({ descriptor: child, bytes: childBytes, manifest: sub.manifest });
    }
    return {
      root,
      children,
      isIndex: true,
      sparse: children.length < doc.index.manifests.length,
      platforms: children.map((c) => (c.descriptor.platform ? formatPlatform(c.descriptor.platform) : '')),
    };
  }

  blob(): BlobReader {
    throw new DeckhandError('EINTERNAL', 'An archive is read front to back; use eachBlob.');
  }

  async eachBlob(
    wanted: Descriptor[],
    each: (descriptor: Descriptor, reader: BlobReader) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> {
    const byName = new Map<string, Descriptor>();
    for (const d of wanted) {
      const planned = this.plan.blobs.find((b) => b.digest === d.digest);
      if (planned) byName.set(planned.name, d);
    }
    // A failed blob stops the delivery at the end of its entry, not in the middle of it.
    let failure: unknown;
    try {
      await scanArchive(
        this.scan.file,
        async (entry, content) => {
          const d = byName.get(entry.name);
          if (failure !== undefined || !d || !content) return;
          byName.delete(entry.name);
          await each(d, once(this.scan.file, content)).catch((e: unknown) => (failure = e));
        },
        signal,
      );
    } catch (e) {
      failure ??= e;
    }
    if (failure !== undefined) throw failure;
    if (byName.size > 0)
      throw new DeckhandError(
        'EARCHIVE',
        `${this.scan.file} changed while it was being loaded (${[...byName.keys()][0]} went missing). Nothing was named; run the load again.`,
      );
  }

  async close(): Promise<void> {}
}
