/**
 * `npm run bench:engine-moves`: what moving an image out of an engine into the store costs, step by
 * step, against a dockerd of its own (the test fixture's: temp root, vfs). The image is busybox and
 * one random file of BENCH_MB (150) MB, built in the engine. Each round times:
 * - the engine's export alone, read and discarded;
 * - the export written to a file (the spool);
 * - the archive scan of that file (the hash pass before anything is stored);
 * - one streaming pass, each tar entry hashed and written once (a lower bound for a design without
 *   the spool: it checks nothing and names nothing);
 * - `copyWithEngines(docker-daemon:… → store)` as built: spool, scan, plan, verifying ingest, name.
 * docs/engine-moves.md has the numbers and the choice they support. Not a test: nothing asserts on time.
 *
 * Env: BENCH_MB (150), BENCH_ROUNDS (3).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { scanFacts } from '../../src-main/engine/archive/scan.ts';
import { copyWithEngines, engineNamed } from '../../src-main/engine/daemon/copy.ts';
import { Store } from '../../src-main/engine/store/layout.ts';
import { startDockerd } from '../../src-main/test/fixtures/engines.ts';
import { median, PLATFORM, seconds } from './common.ts';

const MB = Number(process.env.BENCH_MB ?? 150);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ref = 'localhost/bench/big:1';

const work = await mkdtemp(join(tmpdir(), 'deckhand-bench-moves-'));
const engine = await startDockerd();
try {
  await engine.build(ref, 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY data /data\n', { data: randomBytes(MB * 1024 * 1024) });
  const target = await engineNamed(engine.uri, process.env);
  const exportStream = () => target.connection.request({ path: `/images/${encodeURIComponent(ref)}/get` });
  const time = async (fn: () => Promise<unknown>) => {
    const start = performance.now();
    await fn();
    return performance.now() - start;
  };
  const steps: Record<string, number[]> = {
    'export alone (discarded)': [],
    'export → spool file': [],
    'scan of the spool (hash pass)': [],
    'one streaming pass (hash + write each entry once)': [],
    'copy docker-daemon: → store (as built)': [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    steps['export alone (discarded)']!.push(
      await time(async () => {
        const body = await exportStream();
        body.resume();
        await new Promise((resolve, reject) => body.on('end', resolve).on('error', reject));
      }),
    );
    const spool = join(work, `spool-${round}.tar`);
    steps['export → spool file']!.push(await time(async () => pipeline(await exportStream(), createWriteStream(spool))));
    steps['scan of the spool (hash pass)']!.push(await time(() => scanFacts(spool)));
    await rm(spool);
    const entries = join(work, `entries-${round}`);
    await mkdir(entries);
    steps['one streaming pass (hash + write each entry once)']!.push(
      await time(async () => {
        const tar = extract();
        let n = 0;
        tar.on('entry', (header, stream, next) => {
          if (header.type !== 'file') {
            stream.on('end', () => next());
            stream.resume();
            return;
          }
          const hash = createHash('sha256');
          const file = join(entries, `entry-${n++}`);
          stream.on('data', (chunk: unknown) => hash.update(chunk as Buffer));
          pipeline(stream, createWriteStream(file))
            .then(() => rename(file, join(entries, hash.digest('hex'))))
            .then(() => next(), next);
        });
        await pipeline(await exportStream(), tar);
      }),
    );
    await rm(entries, { recursive: true });
    const store = await Store.open(join(work, `store-${round}`));
    steps['copy docker-daemon: → store (as built)']!.push(
      await time(() =>
        copyWithEngines(store, `docker-daemon:${ref}`, ref, {
          platform: PLATFORM,
          engines: { source: () => engineNamed(engine.uri, process.env) },
        }),
      ),
    );
    await rm(store.root, { recursive: true });
  }
  console.log(`image: ${MB} MiB of random data + busybox in ${engine.kind}; ${ROUNDS} rounds; medians:`);
  for (const [step, runs] of Object.entries(steps)) console.log(`  ${step}: ${seconds(median(runs))}  (${runs.map(seconds).join(', ')})`);
} finally {
  await engine.stop();
  await rm(work, { recursive: true, force: true });
}
