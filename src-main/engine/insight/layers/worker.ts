/**
 * A layer reader thread (pool.ts starts it): reads one layer blob per job (inflate, tar parse,
 * sha256 of every file) and answers with the layer's cache text (cache.ts), so that the main
 * thread only parses a compact document. Built into dist/layer-worker.mjs; run from source as is.
 *
 * Messages in: `{ file, layer }`. Out: `{ type: 'bytes', bytes }` (compressed bytes read since the
 * last one, at most every PROGRESS_MS), then `{ type: 'done', text }` or `{ type: 'error', error }`.
 */
import { parentPort } from 'node:worker_threads';
import { encodeLayer } from './cache.ts';
import { readLayerFile } from './read.ts';
import { serializeError, type ReadJob, type WorkerReply } from './worker-protocol.ts';

const PROGRESS_MS = 50;

const port = parentPort;
if (!port) throw new Error('worker.ts is a layer reader thread; pool.ts starts it.');

port.on('message', (job: ReadJob) => {
  let pending = 0;
  let last = 0;
  const send = (reply: WorkerReply) => port.postMessage(reply);
  const onBytes = (n: number) => {
    pending += n;
    const now = performance.now();
    if (now - last >= PROGRESS_MS) {
      send({ type: 'bytes', bytes: pending });
      pending = 0;
      last = now;
    }
  };
  readLayerFile(job.file, job.layer, undefined, onBytes).then(
    (contents) => {
      if (pending > 0) send({ type: 'bytes', bytes: pending });
      send({ type: 'done', text: encodeLayer(job.layer, contents) });
    },
    (e: unknown) => send({ type: 'error', error: serializeError(e) }),
  );
});
