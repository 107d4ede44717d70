/**
 * The events the main side sends, as runtime schemas. The renderer checks each event against its
 * schema before any listener sees it. TransferEvent's schema is checked against the hand-written
 * type in transfer.ts at compile time, so the two cannot drift apart.
 */
import * as v from 'valibot';
import type { TransferEvent } from '../transfer.ts';
import { FRESHNESS_STATES, type FreshnessResult } from '../freshness.ts';

const text = v.string();
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
export const TransferId = v.pipe(v.string(), v.uuid('a transfer id is a UUID'));
/** Names one request for an analysis (made by the renderer), for its progress and its cancel. */
export const RequestId = v.pipe(v.string(), v.uuid('a request id is a UUID'));
export const WireErrorSchema = v.strictObject({ code: text, message: text, detail: v.nullable(v.record(v.string(), v.unknown())) });

const BlobKind = v.picklist(['index', 'manifest', 'config', 'layer']);
const BlobState = v.picklist(['waiting', 'exists', 'mounted', 'downloading', 'uploading', 'writing', 'verifying', 'done', 'error']);

export const TransferEventSchema = v.variant('type', [
  v.strictObject({ type: v.literal('resolving'), ref: text }),
  v.strictObject({
    type: v.literal('resolved'),
    ref: text,
    digest: text,
    mediaType: text,
    platforms: v.array(text),
    sparse: v.boolean(),
    endpoint: text,
    mirror: v.optional(text),
  }),
  v.strictObject({ type: v.literal('blob'), digest: text, kind: BlobKind, state: BlobState, done: count, total: count }),
  v.strictObject({ type: v.literal('retry'), digest: text, attempt: count, reason: text }),
  v.strictObject({ type: v.literal('done'), ref: text, digest: text, fetchedBytes: count, fetchedBlobs: count, skippedBlobs: count }),
  v.strictObject({
    type: v.literal('pushed'),
    ref: text,
    digest: text,
    uploadedBytes: count,
    uploadedBlobs: count,
    existingBlobs: count,
    mountedBlobs: count,
  }),
  v.strictObject({ type: v.literal('manifest'), digest: text, ref: text, state: v.picklist(['exists', 'done']) }),
  v.strictObject({
    type: v.literal('engine'),
    phase: v.picklist(['exporting', 'loading']),
    ref: text,
    engine: text,
    done: count,
    state: v.picklist(['running', 'done']),
  }),
  v.strictObject({ type: v.literal('error'), code: text, message: text }),
]);

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesType: Same<v.InferOutput<typeof TransferEventSchema>, TransferEvent> = true;
void schemaMatchesType;

export const FreshnessResultSchema = v.strictObject({
  reference: text,
  localDigest: text,
  remoteDigest: v.nullable(text),
  state: v.picklist(FRESHNESS_STATES),
  reason: text,
  checkedAt: text,
  ratelimitRemaining: v.nullable(text),
  retryAfterSeconds: v.nullable(count),
  indexFetched: v.boolean(),
  endpoint: v.nullable(text),
});
const freshnessMatchesType: Same<v.InferOutput<typeof FreshnessResultSchema>, FreshnessResult> = true;
void freshnessMatchesType;

const TransferKind = v.picklist(['pull', 'push', 'copy', 'load', 'save']);

export const EVENTS = {
  /** A transfer began (from any window or tab): show it. */
  transferStarted: v.strictObject({ transferId: TransferId, kind: TransferKind, ref: text }),
  /**
   * A batch of a transfer's engine events, at most about ten batches a second per transfer. Within
   * a batch each blob appears once with its latest state; nothing else is dropped, and the batch
   * before transferEnded carries every final state.
   */
  transferProgress: v.strictObject({ transferId: TransferId, events: v.array(TransferEventSchema) }),
  /** A transfer finished: `error` is null on success. */
  transferEnded: v.strictObject({
    transferId: TransferId,
    kind: TransferKind,
    ref: text,
    digest: v.nullable(text),
    error: v.nullable(WireErrorSchema),
  }),
  /** The store's catalog changed (a pull, tag, rmi here, or another process such as the CLI). */
  storeChanged: v.strictObject({ reason: text }),
  /** An engine's images or containers changed (its event stream, or a removal or prune here): `source` is its name. */
  engineChanged: v.strictObject({ source: text }),
  /**
   * An analysis asked for with a requestId (imageLayers, imageEfficiency) begins reading layer
   * `index` of `layers` (bottom first); `cached`: its contents come from the cache, not the blob;
   * `bytesDone` of `bytesTotal`: the compressed bytes of the layers read so far, once known.
   */
  layersProgress: v.strictObject({
    requestId: RequestId,
    ref: text,
    index: count,
    layers: count,
    cached: v.boolean(),
    bytesDone: v.optional(count),
    bytesTotal: v.optional(count),
  }),
  /** The engines found changed: one came or went, or became reachable or unreachable. */
  enginesChanged: v.strictObject({}),
  /** Freshness checks started by checkFreshness answered (a few at a time, as they arrive). */
  freshnessChanged: v.strictObject({ results: v.array(FreshnessResultSchema) }),
};
