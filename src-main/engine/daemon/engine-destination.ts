/**
 * A Docker or Podman engine as an ImageDestination (`docker-daemon:NAME:TAG`): the image is written
 * as a docker-archive (the ArchiveDestination that `deckhand save` uses, writing into the request's
 * body instead of a file) and streamed to the engine's load endpoint while it is written: Docker's
 * `POST /images/load`, Podman's `POST /libpod/images/load` (which keeps the archive's names, as the
 * compatible one does, and answers with them). Nothing is named in the engine until it has read the
 * whole archive; a cancel or a failure breaks the request off, and the engine loads nothing.
 * The engine's answer is read last: an error in it (Docker sends one after its 200) is EENGINE with
 * the engine's own message.
 */
import { Transform } from 'node:stream';
import { DeckhandError } from '../../../src-shared/errors.ts';
import type { TransferListener } from '../../../src-shared/transfer.ts';
import { ArchiveDestination } from '../archive/archive-destination.ts';
import type { PluggedDestination } from '../transfer/copy.ts';
import type { BlobJob, BlobOutcome, BlobReader, ImageDocument, ResolvedImage } from '../transfer/image.ts';
import { EngineHttpError, readText } from './connection.ts';
import { daemonTargetName, type DaemonReference } from './daemon-ref.ts';
import { engineLabel, engineProgress, type EngineTarget } from './engine-source.ts';
import { parseLoadAnswer, type LoadAnswer } from './load-answer.ts';

/** A load's answer is a few lines; the engine reads the whole archive before it sends it, so there is no deadline but the caller's. */
const LOAD_DEADLINE_MS = 24 * 60 * 60_000;

export class EngineDestination implements PluggedDestination {
  readonly concurrency = 1;
  /** An engine holds one platform per name: one platform taken out of an index goes as its manifest alone. */
  readonly keepsSparseIndex = false;
  readonly engine: EngineTarget;
  readonly ref: DaemonReference;
  private readonly onEvent: TransferListener | undefined;
  private archive: ArchiveDestination | undefined;
  private outcome: Promise<LoadAnswer> | undefined;
  /** Aborted when the engine fails the load early: the writing stops, the request goes. */
  private readonly internal = new AbortController();
  private readonly failed: Promise<never>;
  private committed = false;

  constructor(engine: EngineTarget, ref: DaemonReference, opts: { onEvent?: TransferListener | undefined } = {}) {
    this.engine = engine;
    this.ref = ref;
    this.onEvent = opts.onEvent;
    this.failed = new Promise<never>((_, reject) =>
      this.internal.signal.addEventListener('abort', () => reject(this.internal.signal.reason as Error), { once: true }),
    );
    this.failed.catch(() => undefined);
  }

  get name(): string {
    return `docker-daemon:${this.ref.text}`;
  }

  get description(): string {
    return `the ${this.engine.kind} engine ${engineLabel(this.engine)}`;
  }

  private signal(outer?: AbortSignal): AbortSignal {
    return outer ? AbortSignal.any([outer, this.internal.signal]) : this.internal.signal;
  }

  /** What went wrong: the engine's failure when it failed, else `e`. */
  private why(e: unknown): unknown {
    return this.internal.signal.aborted ? this.internal.signal.reason : e;
  }

  async prepare(image: ResolvedImage, _blobs: unknown, _emit: TransferListener, signal?: AbortSignal): Promise<{ complete: boolean }> {
    if (image.children.length !== 1)
      throw new DeckhandError(
        'ENO_PLATFORM',
        `${this.name}: an engine takes one platform of an image, and this one has ${image.children.length} (${image.platforms.join(', ')}). Choose one with --platform.`,
      );
    const progress = engineProgress(this.onEvent, 'loading', this.ref.text, this.engine.name);
    // The archive is written into the request's body, counted on the way.
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        progress.add(chunk.length);
        callback(null, chunk);
      },
    });
    this.archive = new ArchiveDestination({ stream: counted, description: this.name }, 'docker-archive');
    this.archive.name(daemonTargetName(this.ref));
    const podman = this.engine.kind === 'podman';
    const label = engineLabel(this.engine);
    this.outcome = (async () => {
      let res;
      try {
        res = await this.engine.connection.request({
          method: 'POST',
          path: podman ? '/libpod/images/load' : '/images/load',
          ...(podman ? {} : { query: { quiet: 1 } }),
          headers: { 'content-type': 'application/x-tar' },
          body: counted,
          signal: this.signal(signal),
          timeoutMs: LOAD_DEADLINE_MS,
        });
      } catch (e) {
        // Podman (and Docker before it has answered 200) refuses with a failure status: the same words as an in-band refusal.
        if (e instanceof EngineHttpError)
          throw new DeckhandError('EENGINE', `${label} refused the image: ${e.engineMessage || `status ${e.status}`}`, {
            cause: e,
            detail: { address: this.engine.connection.address.uri, status: e.status, engineMessage: e.engineMessage },
          });
        throw e;
      }
      const answer = parseLoadAnswer(await readText(res, 16 * 1024 * 1024), label);
      progress.done();
      return answer;
    })();
    // An engine that fails the load before the archive is complete stops the writing at once.
    this.outcome.catch((e: unknown) => this.internal.abort(e));
    return { complete: false };
  }

  async putBlob(job: BlobJob, reader: BlobReader, emit: TransferListener, signal?: AbortSignal): Promise<BlobOutcome> {
    try {
      return await Promise.race([this.archive!.putBlob(job, reader, emit, this.signal(signal)), this.failed]);
    } catch (e) {
      throw this.why(e);
    }
  }

  async putManifest(doc: ImageDocument, role: 'child' | 'root', emit: TransferListener): Promise<void> {
    await this.archive!.putManifest(doc, role, emit);
  }

  /** Ends the archive, then waits for the engine to say it loaded the image. */
  async commit(image: ResolvedImage): Promise<{ missing: string[] }> {
    try {
      await this.archive!.commit(image);
      await Promise.race([this.archive!.finish(), this.failed]);
      await this.outcome;
    } catch (e) {
      throw this.why(e);
    }
    this.committed = true;
    return { missing: [] };
  }

  async close(): Promise<void> {
    if (this.committed || !this.archive) return;
    // Not complete: the request breaks off, so the engine loads nothing.
    this.internal.abort(new DeckhandError('ECANCELLED', `The load into ${this.description} was abandoned.`));
    await this.archive.discard();
    await this.outcome?.catch(() => undefined);
  }
}
