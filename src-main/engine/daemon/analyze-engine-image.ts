/**
 * The layer analysis of an image in a Docker or Podman engine (`deckhand layers --engine`, the
 * app's Files tab and Efficiency column for an engine): the engine exports the image into a store
 * of its own in a temporary folder (every blob checked against its digest, as any move does; the
 * user's store is not touched), insight's analyzeImage reads it there, and the folder is removed
 * afterwards, whatever happened. One export per call: callers that ask again keep the report.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostPlatform } from '../../../src-shared/oci/platform.ts';
import { analyzeImage, type AnalyzeOptions, type LayersReport } from '../insight/layers/analyze.ts';
import { Store } from '../store/layout.ts';
import { copyWithEngines } from './copy.ts';
import type { EngineTarget } from './engine-source.ts';

/** The name the exported image gets in its temporary store. */
const EXPORTED_NAME = 'localhost/deckhand-layers/analysed:engine';

export interface EngineAnalyzeOptions extends AnalyzeOptions {
  env?: NodeJS.ProcessEnv;
}

/** Analyses `ref` (a name or an image ID) in `engine`; the report's `image` is `ref`. */
export async function analyzeEngineImage(engine: EngineTarget, ref: string, opts: EngineAnalyzeOptions = {}): Promise<LayersReport> {
  const { env, platform, ...analyze } = opts;
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-layers-'));
  try {
    const store = await Store.open(dir);
    await copyWithEngines(store, `docker-daemon:${ref}`, EXPORTED_NAME, {
      platform: platform ?? hostPlatform(process.platform, process.arch),
      env: env ?? process.env,
      ...(analyze.signal ? { signal: analyze.signal } : {}),
      engines: { source: () => Promise.resolve(engine) },
    });
    // The export holds the one platform asked for: no platform to choose in the analysis.
    const report = await analyzeImage(store, EXPORTED_NAME, analyze);
    return { ...report, image: ref };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
