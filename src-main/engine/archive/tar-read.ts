/**
 * Reading an archive someone handed us is hostile-input code. `scanArchive` streams a tar (gzip'd
 * or not) entry by entry and refuses, with a clear error, anything that could escape or mislead:
 * absolute names, `..` components, duplicate names, device nodes, links pointing out of the
 * archive, and archives that end early. Links inside the archive are allowed (podman's
 * docker-archive links `<id>/layer.tar` to `../<hex>.tar`) and resolved by `resolveName`.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { DeckhandError } from '../../../src-shared/errors.ts';

export interface ArchiveEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link';
  size: number;
  /** For links: the archive path the link points to (already resolved and checked). */
  target?: string;
}

const bad = (file: string, problem: string) =>
  new DeckhandError(
    'EARCHIVE',
    `${file} is not a safe image archive: ${problem}. Nothing from it was stored. Check where the archive came from; save it again from its source if it was damaged.`,
    { detail: { file, problem } },
  );

/** A name as stored, made canonical, or a refusal. */
export function canonicalName(file: string, raw: string): string {
  if (raw.includes('\0')) throw bad(file, `an entry name contains a NUL byte`);
  if (raw.startsWith('/')) throw bad(file, `entry ${JSON.stringify(raw)} has an absolute path`);
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw bad(file, `entry ${JSON.stringify(raw)} reaches outside the archive with ".."`);
  return parts.join('/');
}

/** Where a link entry points, as an archive path; refuses targets outside the archive. */
function linkTarget(file: string, name: string, type: 'symlink' | 'link', linkname: string): string {
  if (linkname.startsWith('/')) throw bad(file, `${type} ${JSON.stringify(name)} points to the absolute path ${JSON.stringify(linkname)}`);
  const joined = type === 'symlink' ? posix.normalize(posix.join(posix.dirname(name), linkname)) : posix.normalize(linkname);
  if (joined === '..' || joined.startsWith('../'))
    throw bad(file, `${type} ${JSON.stringify(name)} points outside the archive (${JSON.stringify(linkname)})`);
  return joined.replace(/^\.\//, '');
}

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * Streams the archive; `visit` gets each checked entry and, for regular files, its content (which
 * it must consume or ignore; ignored content is skipped). Rejects on any unsafe or damaged entry.
 */
export async function scanArchive(
  file: string,
  visit: (entry: ArchiveEntry, content: Readable | null) => Promise<void>,
  signal?: AbortSignal,
): Promise<Map<string, ArchiveEntry>> {
  const seen = new Map<string, ArchiveEntry>();
  const source: Readable = (await isGzip(file)) ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  const tar = extract();
  const done = new Promise<void>((resolve, reject) => {
    tar.on('entry', (header, stream, next) => {
      // An entry destroyed with the archive (a cancel between entries) errors too; that is reported once, through the tar.
      stream.on('error', () => undefined);
      (async () => {
        signal?.throwIfAborted();
        const name = canonicalName(file, header.name);
        // tar-stream folds pax and GNU long-name headers into the entry they describe.
        const kind: string = header.type ?? 'file';
        if (name === '') {
          stream.resume();
          return;
        }
        if (kind !== 'file' && kind !== 'contiguous-file' && kind !== 'directory' && kind !== 'symlink' && kind !== 'link') {
          throw bad(file, `entry ${JSON.stringify(name)} is a ${kind}, which has no place in an image archive`);
        }
        if (seen.has(name) && kind !== 'directory')
          throw bad(file, `the name ${JSON.stringify(name)} appears twice, so which one counts is ambiguous`);
        const type = (kind === 'contiguous-file' ? 'file' : kind) as ArchiveEntry['type'];
        const entry: ArchiveEntry = { name, type, size: header.size ?? 0 };
        if (type === 'symlink' || type === 'link') entry.target = linkTarget(file, name, type, header.linkname ?? '');
        seen.set(name, entry);
        if (type === 'file') {
          // tar-stream's entries are streamx streams: track the end ourselves (no readableEnded).
          const content = stream as unknown as Readable;
          const ended = new Promise<void>((r, j) => {
            content.once('end', () => r());
            content.once('error', j);
          });
          // The visitor may see the error first; it is reported once, through the visitor or the tar.
          ended.catch(() => undefined);
          await visit(entry, content);
          // Whatever the visitor left unread is skipped, so the next entry can follow.
          content.resume();
          await ended;
        } else {
          await visit(entry, null);
          stream.resume();
        }
      })().then(
        () => next(),
        (e: unknown) => {
          stream.resume();
          tar.destroy(e as Error);
        },
      );
    });
    tar.on('finish', () => resolve());
    tar.on('close', () => resolve());
    tar.on('error', (e: Error) => reject(e instanceof DeckhandError ? e : bad(file, `it is truncated or damaged (${e.message})`)));
    source.on('error', (e: Error) => reject(bad(file, `it cannot be read as a tar archive (${e.message})`)));
  });
  source.pipe(tar);
  await done;
  return seen;
}

/** Follows links (a chain of at most 8) to the regular file an archive name stands for. */
export function resolveName(file: string, entries: Map<string, ArchiveEntry>, name: string): ArchiveEntry {
  let current = entries.get(name);
  for (let hops = 0; current && current.type !== 'file'; hops++) {
    if (hops >= 8 || !current.target) throw bad(file, `${JSON.stringify(name)} is a link that does not lead to a file`);
    current = entries.get(current.target);
  }
  if (!current) throw bad(file, `it names ${JSON.stringify(name)}, which is not in the archive`);
  return current;
}
