/**
 * An image in a Docker or Podman engine as an ImageSource (`docker-daemon:REF`). The engine exports
 * it (`GET /images/{name}/get`: a docker-archive stream, from Podman's compatible endpoint too; a
 * docker ≥ 25 export is also an OCI layout, which the plan prefers), the stream is spooled into a
 * file in the store's ingest area, and from there the archive load's own code takes over unchanged:
 * the scan hashes every file, the plan checks every layer against the config's diff IDs, and the
 * ArchiveSource hands the blobs to the destination (the store's verifying ingest, a registry). The
 * config bytes are the engine's own, so the image ID stays the same wherever the image goes.
 *
 * Why a spool and not one streaming pass: docker save writes manifest.json (which says what the
 * files are) last, and docker's layer files are named by v1 IDs, not digests, so nothing can be
 * verified, or named, before the whole export has gone by; the spool keeps that order of checks
 * (see docs/engine-moves.md for the measurements). The spool is `export-<uuid>.partial` beside the
 * store's ingests, locked while in use, and removed when the source closes; one left by a crash is
 * an inactive ingest that `deckhand prune` reclaims.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import type { Descriptor } from '../../../src-shared/oci/manifest.ts';
import { formatReference } from '../../../src-shared/oci/reference.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import { ArchiveSource } from '../archive/archive-source.ts';
import { planLoad } from '../archive/plan.ts';
import { scanFacts } from '../archive/scan.ts';
import { SOURCE } from '../store/annotations.ts';
import { acquireLock } from '../store/lock.ts';
import type { Store } from '../store/layout.ts';
import type { PluggedSource } from '../transfer/copy.ts';
import type { BlobReader, ResolvedImage } from '../transfer/image.ts';
import { EngineHttpError, type EngineConnection, type EngineKind } from './connection.ts';
import type { DaemonReference } from './daemon-ref.ts';

/** An engine to move images in or out of: its connection, its kind, and the name messages use. */
export interface EngineTarget {
  connection: EngineConnection;
  kind: EngineKind;
  /** `docker`, `podman`, a context's name, or the address. */
  name: string;
}

/** Where an engine is, for messages: `docker (unix:///var/run/docker.sock)`. */
export function engineLabel(engine: EngineTarget): string {
  const uri = engine.connection.address.uri;
  return engine.name === uri ? uri : `${engine.name} (${uri})`;
}

/** How often an engine phase reports its bytes. */
const PROGRESS_MS = 100;

/** Counts the bytes of a stream and reports them as an engine phase, at most every PROGRESS_MS. */
export function engineProgress(
  emit: TransferListener | undefined,
  phase: 'exporting' | 'loading',
  ref: string,
  engine: string,
): { add(n: number): void; done(): void; readonly bytes: number } {
  let bytes = 0;
  let last = 0;
  emit?.({ type: 'engine', phase, ref, engine, done: 0, state: 'running' });
  return {
    add(n) {
      bytes += n;
      const now = Date.now();
      if (now - last >= PROGRESS_MS) {
        last = now;
        emit?.({ type: 'engine', phase, ref, engine, done: bytes, state: 'running' });
      }
    },
    done() {
      emit?.({ type: 'engine', phase, ref, engine, done: bytes, state: 'done' });
    },
    get bytes() {
      return bytes;
    },
  };
}

export class EngineSource implements PluggedSource {
  readonly store: Store;
  readonly engine: EngineTarget;
  readonly ref: DaemonReference;
  private readonly onEvent: TransferListener | undefined;
  private spool: { file: string; release: () => Promise<void> } | undefined;
  private inner: ArchiveSource | undefined;
  /** The names the export carries (its RepoTags). */
  private names: string[] = [];

  constructor(store: Store, engine: EngineTarget, ref: DaemonReference, opts: { onEvent?: TransferListener | undefined } = {}) {
    this.store = store;
    this.engine = engine;
    this.ref = ref;
    this.onEvent = opts.onEvent;
  }

  get name(): string {
    return `docker-daemon:${this.ref.text}`;
  }

  get endpoint(): string {
    return this.engine.connection.address.uri;
  }

  get description(): string {
    return `the ${this.engine.kind} engine ${engineLabel(this.engine)}`;
  }

  get storeName(): string {
    if (this.ref.kind === 'name') return formatReference(this.ref.ref);
    return this.names[0] ?? `localhost/${this.ref.id.slice('sha256:'.length, 'sha256:'.length + 12)}:latest`;
  }

  async annotations(): Promise<Record<string, string>> {
    return { [SOURCE]: `docker-daemon:${this.ref.text}` };
  }

  /** The export's words for what went wrong, instead of the spool file's path. */
  private rephrase(e: unknown): unknown {
    if (!(e instanceof DeckhandError) || !this.spool || !e.message.includes(this.spool.file)) return e;
    const what = `the export of ${this.ref.text} from ${engineLabel(this.engine)}`;
    const message = e.message
      .split(this.spool.file)
      .join(what)
      .replace(/^the export/, 'The export');
    return new DeckhandError(e.code, message, { cause: e, ...(e.detail ? { detail: { ...e.detail, file: what } } : {}) });
  }

  async resolve(selection: unknown, signal?: AbortSignal): Promise<ResolvedImage> {
    try {
      await this.export(signal);
      const scan = await scanFacts(this.spool!.file, signal);
      const plan = planLoad(scan);
      if (plan.images.length !== 1)
        throw new DeckhandError(
          'EARCHIVE',
          `${this.spool!.file} holds ${plan.images.length} images, not the one asked for. Nothing from it was stored.`,
        );
      const planned = plan.images[0]!;
      this.names = planned.names.map((n) => (typeof n === 'string' ? n : formatReference(n)));
      this.inner = new ArchiveSource(scan, plan, planned);
      const image = await this.inner.resolve();
      // docker save ≥ 25 (containerd's image store) exports an index of every platform with only the
      // local one's blobs: that platform is what the engine holds, so a registry gets its manifest
      // alone (as one platform taken out of an index), while the store keeps the index as it is.
      return image.isIndex && image.sparse && image.children.length === 1 ? { ...image, selected: true } : image;
    } catch (e) {
      throw this.rephrase(e);
    }
  }

  /** Streams the engine's export into the spool file, reporting its bytes. */
  private async export(signal?: AbortSignal): Promise<void> {
    await mkdir(this.store.ingestDir, { recursive: true });
    const base = join(this.store.ingestDir, `export-${randomUUID()}`);
    const release = await acquireLock(`${base}.lock`, signal ? { signal } : {});
    this.spool = { file: `${base}.partial`, release };
    const label = engineLabel(this.engine);
    let res;
    try {
      res = await this.engine.connection.request({
        path: `/images/${encodeURIComponent(this.ref.text)}/get`,
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      if (e instanceof EngineHttpError && e.status === 404)
        throw new DeckhandError('ENOT_FOUND', `The ${this.engine.kind} engine ${label} has no image ${this.ref.text}.`, {
          cause: e,
          detail: { engine: this.engine.name, address: this.endpoint, image: this.ref.text },
        });
      throw e;
    }
    const progress = engineProgress(this.onEvent, 'exporting', this.ref.text, this.engine.name);
    try {
      await pipeline(
        res,
        async function* (src: AsyncIterable<Buffer>) {
          for await (const chunk of src) {
            progress.add(chunk.length);
            yield chunk;
          }
        },
        createWriteStream(this.spool.file),
        signal ? { signal } : {},
      );
    } catch (e) {
      signal?.throwIfAborted();
      throw new DeckhandError(
        'EENGINE',
        `${label}: the export of ${this.ref.text} broke off after ${progress.bytes} bytes (${(e as Error).message}). Nothing was stored.`,
        { cause: e, detail: { address: this.endpoint } },
      );
    }
    progress.done();
  }

  blob(): BlobReader {
    throw new DeckhandError('EINTERNAL', 'An engine export is read front to back; use eachBlob.');
  }

  async eachBlob(
    wanted: Descriptor[],
    each: (descriptor: Descriptor, reader: BlobReader) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> {
    if (!this.inner) throw new DeckhandError('EINTERNAL', 'eachBlob before resolve.');
    try {
      await this.inner.eachBlob(wanted, each, signal);
    } catch (e) {
      throw isDeckhandError(e, 'EARCHIVE') ? this.rephrase(e) : e;
    }
  }

  async close(): Promise<void> {
    const spool = this.spool;
    this.spool = undefined;
    if (!spool) return;
    await rm(spool.file, { force: true });
    await spool.release();
  }
}
