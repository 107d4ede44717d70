import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventPayload } from '../../src-shared/ipc/contract.ts';
import type { LayersReport } from '../engine/insight/layers/analyze.ts';
import { AnalysisQueue, type AnalysisWork, type LayerStep } from './analysis-queue.ts';

const report = (image: string): LayersReport => ({
  image,
  manifest: `sha256:${image}`,
  platform: 'linux/amd64',
  layers: [],
  efficiency: { score: 1, wastedBytes: 0, userWastedPercent: 0, userBytes: 0, inefficiencies: [] },
});

/** A work item the test finishes by hand; records its start and whether its signal aborted. */
function gated(name: string, log: string[]) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let aborted = false;
  const work: AnalysisWork = async (signal, onLayer) => {
    log.push(`start ${name}`);
    // As the engine calls it: with the layer's digest, which the event does not carry.
    onLayer({ index: 0, layers: 2, cached: false, digest: 'sha256:0' } as LayerStep);
    await new Promise<void>((resolve, reject) => {
      void gate.then(resolve);
      signal.addEventListener('abort', () => ((aborted = true), reject(new Error('aborted by the signal'))), { once: true });
    });
    onLayer({ index: 1, layers: 2, cached: true });
    return report(name);
  };
  return { work, open: () => open(), aborted: () => aborted };
}

const tick = () => new Promise((r) => setImmediate(r));
const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

test('one analysis at a time, in order; the same key shares one analysis; urgent ones go first', async () => {
  const log: string[] = [];
  const events: Array<EventPayload<'layersProgress'>> = [];
  const q = new AnalysisQueue((p) => events.push(p));
  const a = gated('a', log);
  const b = gated('b', log);
  const c = gated('c', log);
  const ra = q.run('a', 'img-a', a.work, { requestId: ID(1) });
  const rb = q.run('b', 'img-b', b.work);
  const rb2 = q.run('b', 'img-b', gated('b-again', log).work);
  const rc = q.run('c', 'img-c', c.work, { urgent: true });
  await tick();
  assert.deepEqual(log, ['start a']);
  assert.deepEqual(q.size, { waiting: 2, running: 1 });
  a.open();
  assert.equal((await ra).image, 'a');
  await tick();
  // c was urgent: it went before b, which was waiting already.
  assert.deepEqual(log, ['start a', 'start c']);
  c.open();
  await rc;
  await tick();
  b.open();
  const [one, two] = await Promise.all([rb, rb2]);
  assert.equal(one, two, 'the two requests for b share one analysis');
  assert.deepEqual(log, ['start a', 'start c', 'start b']);
  // Progress only for the request that asked with an id.
  assert.deepEqual(events, [
    { requestId: ID(1), ref: 'img-a', index: 0, layers: 2, cached: false },
    { requestId: ID(1), ref: 'img-a', index: 1, layers: 2, cached: true },
  ]);
});

test('progress: each event carries the layer last begun and the bytes read so far, whichever moved', async () => {
  const events: Array<EventPayload<'layersProgress'>> = [];
  const q = new AnalysisQueue((p) => events.push(p));
  const work: AnalysisWork = async (_signal, onLayer, onBytes) => {
    // Bytes before any layer has begun say nothing yet (no layer to name).
    onBytes({ bytesDone: 0, bytesTotal: 300 });
    onLayer({ index: 0, layers: 2, cached: false });
    onBytes({ bytesDone: 120, bytesTotal: 300 });
    onLayer({ index: 1, layers: 2, cached: true });
    onBytes({ bytesDone: 300, bytesTotal: 300 });
    return report('p');
  };
  await q.run('p', 'img-p', work, { requestId: ID(7) });
  const base = { requestId: ID(7), ref: 'img-p', layers: 2 };
  assert.deepEqual(events, [
    { ...base, index: 0, cached: false, bytesDone: 0, bytesTotal: 300 },
    { ...base, index: 0, cached: false, bytesDone: 120, bytesTotal: 300 },
    { ...base, index: 1, cached: true, bytesDone: 120, bytesTotal: 300 },
    { ...base, index: 1, cached: true, bytesDone: 300, bytesTotal: 300 },
  ]);
});

test('cancel: a waiting analysis leaves the queue; a running one aborts once no request wants it', async () => {
  const log: string[] = [];
  const q = new AnalysisQueue(() => undefined);
  const a = gated('a', log);
  const b = gated('b', log);
  const first = q.run('a', 'img-a', a.work, { requestId: ID(1) });
  const second = q.run('a', 'img-a', a.work, { requestId: ID(2) });
  const waiting = q.run('b', 'img-b', b.work, { requestId: ID(3) });
  await tick();
  assert.equal(q.cancel(ID(3)), true);
  await assert.rejects(waiting, { code: 'ECANCELLED' });
  assert.deepEqual(q.size, { waiting: 0, running: 1 });

  assert.equal(q.cancel(ID(1)), true);
  await assert.rejects(first, { code: 'ECANCELLED' });
  assert.equal(a.aborted(), false, 'another request still wants it');
  assert.equal(q.cancel(ID(2)), true);
  await assert.rejects(second, { code: 'ECANCELLED' });
  await tick();
  assert.equal(a.aborted(), true);
  assert.equal(q.cancel(ID(2)), false, 'already gone');
  assert.deepEqual(log, ['start a'], 'b never started');
  // Asked again right after the cancel (a refetch): a fresh analysis, not the one stopping.
  const a2 = gated('a2', log);
  const again = q.run('a', 'img-a', a2.work);
  await tick();
  a2.open();
  assert.equal((await again).image, 'a2');

  // A cancel that arrives before its request (the host still finding the image) fails it on arrival.
  assert.equal(q.cancel(ID(4)), false);
  await assert.rejects(q.run('c', 'img-c', gated('c', log).work, { requestId: ID(4) }), { code: 'ECANCELLED' });
  // The queue goes on.
  const d = gated('d', log);
  const rd = q.run('d', 'img-d', d.work);
  d.open();
  assert.equal((await rd).image, 'd');
});

test('close cancels what waits and stops what runs', async () => {
  const q = new AnalysisQueue(() => undefined);
  const a = gated('a', []);
  const running = q.run('a', 'img-a', a.work);
  const waiting = q.run('b', 'img-b', gated('b', []).work);
  await tick();
  await q.close();
  await assert.rejects(running, { code: 'ECANCELLED' });
  await assert.rejects(waiting, { code: 'ECANCELLED' });
  assert.equal(a.aborted(), true);
  await assert.rejects(q.run('c', 'img-c', gated('c', []).work), { code: 'ECANCELLED' });
});
