/**
 * A layer reader thread (pool.ts starts it). Two kinds of job:
 *
 * - `read`: one layer blob (inflate, tar parse, sha256 of every file), answered with the layer's
 *   cache text (cache.ts), which the main thread writes to the cache as it is;
 * - `analyze`: the model (model.ts) over the layers' cache texts, answered with the analysis (each
 *   layer's changes only when asked for) and each layer's content bytes, or with the layers whose
 *   text could not be read (`unreadable`: read those again), as JSON text (AnalyzeResult).
 *
 * So the main thread neither inflates, parses, hashes nor runs the model. Built into
 * dist/layer-worker.mjs; run from source as is. Out: `{ type: 'bytes', bytes }` while reading
 * (compressed bytes since the last one, at most every PROGRESS_MS), then `{ type: 'done', result }`
 * or `{ type: 'error', error }`.
 */
import { parentPort } from 'node:worker_threads';
import { decodeLayer, encodeLayer } from './cache.ts';
import { analyzeLayers, type LayerContents } from './model.ts';
import { readLayerFile } from './read.ts';
import { serializeError, type AnalyzeJob, type AnalyzeResult, type Job, type ReadJob, type WorkerReply } from './worker-protocol.ts';

const PROGRESS_MS = 50;

const port = parentPort;
if (!port) throw new Error('worker.ts is a layer reader thread; pool.ts starts it.');
const send = (reply: WorkerReply) => port.postMessage(reply);

async function read(job: ReadJob): Promise<string> {
  let pending = 0;
  let last = 0;
  const onBytes = (n: number) => {
    pending += n;
    const now = performance.now();
    if (now - last >= PROGRESS_MS) {
      send({ type: 'bytes', bytes: pending });
      pending = 0;
      last = now;
    }
  };
  const contents = await readLayerFile(job.file, job.layer, undefined, onBytes);
  if (pending > 0) send({ type: 'bytes', bytes: pending });
  return encodeLayer(job.layer, contents);
}

function analyze(job: AnalyzeJob): AnalyzeResult {
  const layers: LayerContents[] = [];
  const unreadable: number[] = [];
  for (const [i, { digest, text }] of job.layers.entries()) {
    const contents = decodeLayer(digest, text);
    if (contents) layers.push(contents);
    else unreadable.push(i);
  }
  if (unreadable.length > 0) return { unreadable };
  const analysis = analyzeLayers(layers, job.diveCompatible ? { diveCompatible: true } : {});
  // Without files, only the counts cross back: the changes of every entry are most of the clone.
  if (!job.files) for (const l of analysis.layers) l.changes = [];
  return { unreadable: null, analysis, contentBytes: layers.map((l) => l.entries.reduce((n, e) => n + e.size, 0)) };
}

port.on('message', (job: Job) => {
  // An analysis crosses as JSON text: parsing it costs the main thread a third of what a structured
  // clone of tens of thousands of changes does (docs/performance.md, bench:layers).
  const work = job.kind === 'read' ? read(job) : Promise.resolve().then(() => JSON.stringify(analyze(job)));
  work.then(
    (result) => send({ type: 'done', result }),
    (e: unknown) => send({ type: 'error', error: serializeError(e) }),
  );
});
