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
import { scanArchive, type ArchiveEntry } from './tar-read.ts';

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

async function hashEntry(
  content: Readable,
  keep: boolean,
): Promise<{ facts: Omit<FileFacts, 'size'>; size: number; bytes: Buffer | null }> {
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
  return {
    facts: { digest, diffId: gzip ? `sha256:${plain.digest('hex')}` : digest, gzip: gzip ?? false },
    size,
    bytes: keep ? Buffer.concat(kept) : null,
  };
}

export async function scanFacts(file: string, signal?: AbortSignal): Promise<ArchiveScan> {
  const facts = new Map<string, FileFacts>();
  const documents = new Map<string, Buffer>();
  let documentBytes = 0;
  const keep = (name: string, bytes: Buffer) => {
    documentBytes += bytes.length;
    if (documentBytes > MAX_DOCUMENT_BYTES) {
      throw new DeckhandError(
        'EARCHIVE',
        `${file} holds more than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB of JSON documents, more than any image archive needs; refusing to read it into memory. Nothing from it was stored.`,
      );
    }
    documents.set(name, bytes);
  };
  const entries = await scanArchive(
    file,
    async (entry, content) => {
      if (!content) return;
      // Documents (manifest.json, index.json, configs, manifests) are JSON up to 4 MiB; only those are
      // kept, under one budget. Everything else is hashed as it streams past.
      let h;
      try {
        h = await hashEntry(content, entry.size <= SMALL);
      } catch (e) {
        throw new DeckhandError(
          'EARCHIVE',
          `${file}: ${entry.name} is not valid gzip (${(e as Error).message}). Nothing from the archive was stored.`,
          { cause: e },
        );
      }
      if (h.size !== entry.size)
        throw new DeckhandError(
          'EARCHIVE',
          `${file}: ${entry.name} holds ${h.size} bytes but its header says ${entry.size}; the archive is damaged. Nothing from it was stored.`,
        );
      facts.set(entry.name, { ...h.facts, size: h.size });
      const first = h.bytes?.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
      if (h.bytes && (first === 0x7b || first === 0x5b || entry.name === 'oci-layout')) keep(entry.name, h.bytes);
    },
    signal,
  );
  return { file, entries, facts, documents };
}
