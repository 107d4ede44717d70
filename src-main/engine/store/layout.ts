/**
 * The store directory is an OCI image layout (image-spec image-layout.md): `oci-layout`,
 * `index.json` and `blobs/<alg>/<hex>`, so skopeo, podman, umoci and crane read it as is.
 * Deckhand's own bookkeeping (ingest area, locks, leases) lives under `.deckhand/` beside them.
 * https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
import { mkdir, readFile, stat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseDigest } from '../../../src-shared/oci/digest.ts';
import { INDEX_MEDIA_TYPE_OCI } from './index-file.ts';
import { isErrno, writeFileAtomic } from './fsutil.ts';

export const OCI_LAYOUT_VERSION = '1.0.0';

/** A store being opened: its root is known at once, the store once `opening` resolves (see Store.begin). */
export interface OpeningStore {
  root: string;
  opening: Promise<Store>;
}

export class Store {
  readonly root: string;
  /** False for a store opened to read where there is none yet (openToRead): it reads as empty. */
  readonly exists: boolean;

  private constructor(root: string, exists = true) {
    this.root = root;
    this.exists = exists;
  }

  /**
   * Opens the layout at `root` for a command that only reads (images, inspect, df, tree): an
   * existing layout as `open` does; where there is none (no directory, or no oci-layout file in it)
   * nothing is created, and the store reads as empty.
   */
  static async openToRead(root: string): Promise<Store> {
    try {
      await stat(join(root, 'oci-layout'));
    } catch (e) {
      if (!isErrno(e, 'ENOENT') && !isErrno(e, 'ENOTDIR')) throw e;
      return new Store(root, false);
    }
    return Store.open(root);
  }

  /** Opens the layout at `root`, creating an empty one if the directory is new or empty. */
  static async open(root: string): Promise<Store> {
    const store = new Store(root);
    await mkdir(join(root, 'blobs', 'sha256'), { recursive: true });
    await mkdir(store.ingestDir, { recursive: true });
    await mkdir(store.leaseDir, { recursive: true });
    try {
      const layout = JSON.parse(await readFile(join(root, 'oci-layout'), 'utf8')) as { imageLayoutVersion?: unknown };
      if (typeof layout.imageLayoutVersion !== 'string' || !layout.imageLayoutVersion.startsWith('1.')) {
        throw new DeckhandError(
          'ESTORE',
          `${root} is an OCI layout of an unsupported version (${String(layout.imageLayoutVersion)}); Deckhand reads version 1.x.`,
        );
      }
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) {
        if (e instanceof DeckhandError) throw e;
        throw new DeckhandError(
          'ESTORE',
          `${join(root, 'oci-layout')} is not valid JSON. Point --store at an OCI image layout or an empty directory.`,
          { cause: e },
        );
      }
      await writeFileAtomic(join(root, 'oci-layout'), JSON.stringify({ imageLayoutVersion: OCI_LAYOUT_VERSION }));
    }
    try {
      await stat(store.indexPath);
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
      await writeFileAtomic(store.indexPath, JSON.stringify({ schemaVersion: 2, mediaType: INDEX_MEDIA_TYPE_OCI, manifests: [] }));
    }
    return store;
  }

  /**
   * Starts `open` without waiting for it, for a caller with other work to do first (a pull fetches
   * the manifest meanwhile: a new store's three directories and two fsync'd files cost 5-11 ms).
   * Whoever uses the store awaits `opening`, and reports its error; until then a failure is held.
   */
  static begin(root: string): OpeningStore {
    const opening = Store.open(root);
    opening.catch(() => undefined);
    return { root, opening };
  }

  /**
   * Opens a layout that must already exist, as a copy's `oci:DIR` source: a mistyped path is an
   * error, not a new empty layout.
   */
  static async openExisting(root: string): Promise<Store> {
    try {
      await stat(join(root, 'oci-layout'));
    } catch (e) {
      if (!isErrno(e, 'ENOENT') && !isErrno(e, 'ENOTDIR')) throw e;
      throw new DeckhandError(
        'ENOT_FOUND',
        `${root} is not an OCI image layout (it has no oci-layout file). Check the path; nothing was created there.`,
        { detail: { path: root } },
      );
    }
    return Store.open(root);
  }

  get indexPath(): string {
    return join(this.root, 'index.json');
  }
  get metaDir(): string {
    return join(this.root, '.deckhand');
  }
  get ingestDir(): string {
    return join(this.metaDir, 'ingest');
  }
  get leaseDir(): string {
    return join(this.metaDir, 'leases');
  }
  get indexLockPath(): string {
    return join(this.metaDir, 'index.lock');
  }

  /** The path of a blob. The digest is validated first, so `sha256:../../x` never becomes a path. */
  blobPath(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.root, 'blobs', algorithm, hex);
  }

  /** Size of a stored blob, or undefined when it is absent. */
  async blobSize(digest: string): Promise<number | undefined> {
    try {
      return (await stat(this.blobPath(digest))).size;
    } catch (e) {
      if (isErrno(e, 'ENOENT')) return undefined;
      throw e;
    }
  }

  async hasBlob(digest: string, size?: number): Promise<boolean> {
    const have = await this.blobSize(digest);
    return have !== undefined && (size === undefined || have === size);
  }

  /**
   * Reads a small blob (manifest, index, config) whole and checks it against its digest, so a
   * damaged file is reported rather than trusted.
   */
  async readBlob(digest: string, maxBytes = 4 * 1024 * 1024): Promise<Buffer> {
    const path = this.blobPath(digest);
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      if (isErrno(e, 'ENOENT'))
        throw new DeckhandError('ENOT_FOUND', `Blob ${digest} is not in the store at ${this.root}. Pull the image again to restore it.`, {
          detail: { digest },
        });
      throw e;
    }
    try {
      const { size } = await fh.stat();
      if (size > maxBytes)
        throw new DeckhandError('EMANIFEST_TOO_LARGE', `Blob ${digest} is ${size} bytes, over the ${maxBytes}-byte limit for documents.`, {
          detail: { digest, size },
        });
      const bytes = await fh.readFile();
      const { algorithm, hex } = parseDigest(digest);
      if (createHash(algorithm).update(bytes).digest('hex') !== hex) {
        throw new DeckhandError(
          'EDIGEST_MISMATCH',
          `Blob ${digest} in the store is damaged: its content does not match its digest. Run \`deckhand fsck\` and pull the image again.`,
          { detail: { digest } },
        );
      }
      return bytes;
    } finally {
      await fh.close();
    }
  }
}

/** What an empty store says of itself: where it is, and whether it is there at all yet. */
export function emptyStoreNote(store: Store): string {
  return store.exists
    ? `The store at ${store.root} holds no images.`
    : `The store at ${store.root} is empty: nothing has been stored there yet (a pull, load or copy creates it).`;
}
