/**
 * Reads one layer blob once, streaming (gzip, zstd or a plain tar, told apart by their first
 * bytes, never a whole layer in memory), into its LayerContents: every entry with a sha256 of a
 * regular file's bytes, the whiteouts and the opaque directories.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { DeckhandError } from '../../../../src-shared/errors.ts';
import { classifyPath, cleanPath, type EntryType, type LayerContents, type LayerEntry } from './model.ts';

const TYPES: Partial<Record<NonNullable<Header['type']>, EntryType>> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'dir',
  symlink: 'symlink',
  link: 'hardlink',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
};

export type Compression = 'gzip' | 'zstd' | 'none';

/** The compression a layer's first bytes announce. */
export function compressionOf(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

function damaged(layer: string, problem: string, cause?: unknown): DeckhandError {
  return new DeckhandError(
    'EINVALID',
    `Layer ${layer} cannot be read as a layer (${problem}). Run \`deckhand fsck\` to check the store; pull the image again if the blob is damaged.`,
    cause === undefined ? { detail: { layer, problem } } : { cause, detail: { layer, problem } },
  );
}

/**
 * Large reads and inflate chunks: with zlib's default 16 KiB chunks, moving the chunks through the
 * streams cost as much as inflating them (docs/performance.md, bench:layers).
 */
const READ_CHUNK = 1 << 20;
const INFLATE_CHUNK = 1 << 18;

/**
 * Reads a layer tar (compressed or not) from a file; `layer` names it in errors. `onBytes` is
 * told each time more of the file (compressed bytes) has been read.
 */
export async function readLayerFile(
  file: string,
  layer: string,
  signal?: AbortSignal,
  onBytes?: (bytes: number) => void,
): Promise<LayerContents> {
  const fh = await open(file, 'r');
  const head = Buffer.alloc(4);
  let got;
  try {
    got = (await fh.read(head, 0, 4, 0)).bytesRead;
  } finally {
    await fh.close();
  }
  if (got === 0) throw damaged(layer, 'the blob is empty');
  const compression = compressionOf(head.subarray(0, got));
  const stages: Transform[] =
    compression === 'gzip'
      ? [createGunzip({ chunkSize: INFLATE_CHUNK })]
      : compression === 'zstd'
        ? [createZstdDecompress({ chunkSize: INFLATE_CHUNK })]
        : [];
  const counter = onBytes
    ? [
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            onBytes(chunk.length);
            done(null, chunk);
          },
        }),
      ]
    : [];
  return readLayerStream(createReadStream(file, { highWaterMark: READ_CHUNK }), [...counter, ...stages], layer, signal);
}

async function readLayerStream(source: Readable, stages: Transform[], layer: string, signal?: AbortSignal): Promise<LayerContents> {
  const tar = extract();
  const contents: LayerContents = { entries: [], whiteouts: [], opaque: [] };
  const flowing = pipeline([source, ...stages, tar], signal ? { signal } : {});
  let pipeError: unknown;
  flowing.catch((e: unknown) => (pipeError = e));
  try {
    for await (const entry of tar) {
      const h = entry.header;
      const path = cleanPath(h.name);
      const kind = classifyPath(path);
      // tar-stream folds pax and GNU long-name headers into the entry they describe.
      if (kind.kind === 'opaque') contents.opaque.push(kind.target);
      else if (kind.kind === 'whiteout') contents.whiteouts.push(kind.target);
      else if (path !== '/') {
        const type = h.type ? TYPES[h.type] : 'file';
        if (!type) throw damaged(layer, `entry ${JSON.stringify(h.name)} has the tar type ${String(h.type)}`);
        let hash: string | null = null;
        if (type === 'file') {
          const sha = createHash('sha256');
          for await (const chunk of entry) sha.update(chunk as Buffer);
          hash = sha.digest('hex');
        }
        const e: LayerEntry = {
          path,
          type,
          mode: (h.mode ?? 0) & 0o7777,
          uid: h.uid ?? 0,
          gid: h.gid ?? 0,
          size: h.size ?? 0,
          linkTarget: type === 'symlink' ? (h.linkname ?? '') : type === 'hardlink' ? cleanPath(h.linkname ?? '') : null,
          hash,
        };
        contents.entries.push(e);
        if (type === 'file') continue;
      }
      entry.resume();
    }
    await flowing;
  } catch (e) {
    if (signal?.aborted) throw new DeckhandError('ECANCELLED', `Reading layer ${layer} was cancelled`, { cause: e });
    if (e instanceof DeckhandError) throw e;
    const cause = pipeError ?? e;
    throw damaged(layer, cause instanceof Error ? cause.message : String(cause), cause);
  }
  return contents;
}
