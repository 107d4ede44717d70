/**
 * Reading and changing the layout's index.json. Changes are serialized across processes by the
 * store's lock and written atomically, so a crash leaves either the old or the new index.
 * https://github.com/opencontainers/image-spec/blob/main/image-layout.md#indexjson-file
 */
import { readFile } from 'node:fs/promises';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseManifestDocument, type ImageIndex } from '../../../src-shared/oci/manifest.ts';
import { withLock, type LockOptions } from './lock.ts';
import { isErrno, writeFileAtomic } from './fsutil.ts';
import type { Store } from './layout.ts';

export const INDEX_MEDIA_TYPE_OCI = 'application/vnd.oci.image.index.v1+json';

export async function readIndex(store: Store): Promise<ImageIndex> {
  let bytes: Buffer;
  try {
    bytes = await readFile(store.indexPath);
  } catch (e) {
    // A store opened to read where there is none yet (Store.openToRead) holds nothing; `open` always writes index.json.
    if (!store.exists && isErrno(e, 'ENOENT')) return { schemaVersion: 2, mediaType: INDEX_MEDIA_TYPE_OCI, manifests: [] };
    throw e;
  }
  try {
    const doc = parseManifestDocument(bytes, INDEX_MEDIA_TYPE_OCI);
    if (doc.kind !== 'index') throw new Error('index.json holds an image manifest, not an index');
    return doc.index;
  } catch (e) {
    throw new DeckhandError(
      'ESTORE',
      `${store.indexPath} is damaged (${(e as Error).message}). Run \`deckhand fsck\` to see what is affected.`,
      { cause: e },
    );
  }
}

/**
 * Runs `change` on the current index under the store lock and writes the result atomically.
 * `change` returns the value to hand back; it mutates the index it is given. `afterWrite` runs
 * once the new index is durable, still under the lock: deletions go there, so a crash never
 * leaves the index naming blobs that are already gone.
 */
export async function updateIndex<T>(
  store: Store,
  change: (index: ImageIndex) => T | Promise<T>,
  opts: LockOptions & {
    afterWrite?: (result: T) => Promise<void>;
    /** Runs once the new index is durable, beside the lock's release (not under the lock); awaited before this returns. */
    committed?: (result: T) => Promise<void>;
  } = {},
): Promise<T> {
  let committed: Promise<void> | undefined;
  const result = await withLock(
    store.indexLockPath,
    async () => {
      const index = await readIndex(store);
      const before = JSON.stringify(index);
      const result = await change(index);
      const after = JSON.stringify(index);
      if (after !== before) await writeFileAtomic(store.indexPath, after);
      await opts.afterWrite?.(result);
      committed = opts.committed?.(result);
      committed?.catch(() => undefined);
      return result;
    },
    opts,
  );
  await committed;
  return result;
}
