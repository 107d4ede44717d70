/**
 * Pass one over an archive: every entry checked (tar-read.ts), every regular file hashed as stored
 * and, when it is gzip, as uncompressed (a docker-archive layer's diff ID), and the small
 * documents (JSON up to 4 MiB) kept. Nothing is written. Pass two (load.ts) ingests only when this
 * pass found a complete, consistent archive.
 */
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { readSmall, scanArchive, type ArchiveEntry } from './tar-read.ts';

export interface FileFacts {
  digest: string;
  size: number;
  /** sha256 of the uncompressed content (the content itself when not gzip). */
  diffId: string;
  gzip: boolean;
}

export interface ArchiveScan {
  file: string;
  entries: Map<string, ArchiveEntry>;
  facts: Map<string, FileFacts>;
  documents: Map<string, Buffer>;
}

const SMALL = 4 * 1024 * 1024;
const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

async function hashEntry(content: Readable, keep: boolean): Promise<{ facts: Omit<FileFacts, 'size'>; size: number; bytes: Buffer | null }> {
  const raw = createHash('sha256');
  const plain = createHash('sha256');
  const kept: Buffer[] = [];
  let size = 0;
  let gzip: boolean | null = null;
  let gunzip: PassThrough | null = null;
  let gunzipDone: Promise<void> = Promise.resolve();
  for await (const chunk of content as AsyncIterable<Buffer>) {
    if (gzip === null) {
      gzip = chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;
      if (gzip) {
        gunzip = new PassThrough();
        const z = gunzip.pipe(createGunzip());
        gunzipDone = (async () => {
          for await (const c of z as AsyncIterable<Buffer>) plain.update(c);
        })();
      }
    }
    raw.update(chunk);
    size += chunk.length;
    if (keep) kept.push(chunk);
    if (gunzip) {
      if (!gunzip.write(chunk)) await new Promise<void>((r) => gunzip!.once('drain', () => r()));
    } else plain.update(chunk);
  }
  if (gunzip) {
    gunzip.end();
    await gunzipDone;
  }
  const digest = `sha256:${raw.digest('hex')}`;
  return { facts: { digest, diffId: gzip ? `sha256:${plain.digest('hex')}` : digest, gzip: gzip ?? false }, size, bytes: keep ? Buffer.concat(kept) : null };
}

export async function scanFacts(file: string, signal?: AbortSignal): Promise<ArchiveScan> {
  const facts = new Map<string, FileFacts>();
  const documents = new Map<string, Buffer>();
  let documentBytes = 0;
  const entries = await scanArchive(file, async (entry, content) => {
    if (!content) return;
    const small = entry.size <= SMALL && documentBytes + entry.size <= MAX_DOCUMENT_BYTES;
    if (entry.size <= SMALL && /(^|\/)(manifest|index|repositories)\.json$|^oci-layout$|^repositories$|\.json$/.test(entry.name)) {
      const bytes = await readSmall(file, entry, content);
      documents.set(entry.name, bytes);
      documentBytes += bytes.length;
      facts.set(entry.name, { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length, diffId: '', gzip: false });
      return;
    }
    let h;
    try {
      h = await hashEntry(content, small);
    } catch (e) {
      throw new DeckhandError('EARCHIVE', `${file}: ${entry.name} is not valid gzip (${(e as Error).message}). Nothing from the archive was stored.`, { cause: e });
    }
    if (h.size !== entry.size) throw new DeckhandError('EARCHIVE', `${file}: ${entry.name} holds ${h.size} bytes but its header says ${entry.size}; the archive is damaged. Nothing from it was stored.`);
    facts.set(entry.name, { ...h.facts, size: h.size });
    if (h.bytes) {
      documents.set(entry.name, h.bytes);
      documentBytes += h.bytes.length;
    }
  }, signal);
  return { file, entries, facts, documents };
}
