/**
 * What is inside an image's layers and its efficiency, for the Files tab and the Efficiency column:
 * every analysis goes through the AnalysisQueue (one image at a time; the Files tab's go first).
 * The store's images are analysed in place (the per-layer cache makes a second analysis cheap); an
 * engine's are exported into a temporary store first (analyzeEngineImage), so their report is kept
 * per image ID (the last few whole, every efficiency summary). Efficiency summaries are kept per
 * manifest digest while the host runs: an image's content never changes under its digest.
 */
import type { Handlers, ImageEfficiency, ImageLayers } from '../../src-shared/ipc/contract.ts';
import { parsePlatform } from '../../src-shared/oci/platform.ts';
import { analyzeEngineImage, type EngineAnalyzeOptions } from '../engine/daemon/analyze-engine-image.ts';
import type { EngineTarget } from '../engine/daemon/engine-source.ts';
import { analyzeImage, type LayersReport } from '../engine/insight/layers/analyze.ts';
import type { StoreGraph } from '../engine/insight/store-graph.ts';
import { resolveOne } from '../engine/store/catalog.ts';
import { AnalysisQueue, type AnalysisWork } from './analysis-queue.ts';
import type { EventHub } from './events.ts';
import type { HostContext } from './handlers.ts';

/** Analyses an engine's image (tests pass a fake; default: export, then analyse). */
export type EngineAnalyzer = (engine: EngineTarget, ref: string, opts: EngineAnalyzeOptions) => Promise<LayersReport>;

/** Whole engine reports kept (with every file: a large image's is megabytes). */
const ENGINE_REPORTS = 4;
const ID_RE = /^sha256:[0-9a-f]{64}$/;

type LayersCalls = 'imageLayers' | 'imageEfficiency' | 'cancelAnalysis';

export class Analyses {
  readonly queue: AnalysisQueue;
  readonly summaries = new Map<string, ImageEfficiency>();
  private readonly reports = new Map<string, LayersReport>();
  private readonly analyzeEngine: EngineAnalyzer;

  constructor(events: EventHub, analyzeEngine: EngineAnalyzer = analyzeEngineImage) {
    this.queue = new AnalysisQueue((p) => events.emit('layersProgress', p));
    this.analyzeEngine = analyzeEngine;
  }

  /** An engine report kept for `key`, as the most recently used. */
  reportFor(key: string): LayersReport | undefined {
    const r = this.reports.get(key);
    if (r) {
      this.reports.delete(key);
      this.reports.set(key, r);
    }
    return r;
  }

  keepReport(key: string, report: LayersReport): void {
    this.reports.delete(key);
    this.reports.set(key, report);
    while (this.reports.size > ENGINE_REPORTS) this.reports.delete(this.reports.keys().next().value!);
  }

  engineAnalyzer(): EngineAnalyzer {
    return this.analyzeEngine;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

interface Target {
  /** The caches' key: the source and what the image is (root digest or image ID), and the platform. */
  key: string;
  /**
   * The analysis, with every layer's files or the figures only. A store image's figures come from
   * its cached report (one small file) once analysed, where the files need every layer's cache and
   * the model again; an engine's image is exported whole either way, so it is always analysed whole.
   */
  work: (files: boolean) => AnalysisWork;
  /** An engine's: keep the whole report. */
  engine: boolean;
}

const summaryOf = (r: LayersReport, ref: string): ImageEfficiency => {
  const { score, wastedBytes, userWastedPercent, userBytes } = r.efficiency;
  return { image: ref, manifest: r.manifest, platform: r.platform, score, wastedBytes, userWastedPercent, userBytes };
};

export function layersHandlers(ctx: HostContext): Pick<Handlers, LayersCalls> {
  const { analyses } = ctx;
  const names = new WeakMap<StoreGraph, Map<string, string>>();
  const namedDigest = async (ref: string): Promise<string | undefined> => {
    const graph = await ctx.graph();
    let byName = names.get(graph);
    if (!byName) names.set(graph, (byName = new Map(graph.images.map((i) => [i.name, i.entry.descriptor.digest]))));
    return byName.get(ref);
  };

  const target = async (ref: string, platform: string | undefined, source: string | undefined): Promise<Target> => {
    const wanted = platform !== undefined ? parsePlatform(platform) : undefined;
    if (source === undefined) {
      const store = await ctx.store();
      // The table asks by the names the store's graph lists: found there without reading index.json again.
      const root = (await namedDigest(ref)) ?? (await resolveOne(store, ref)).descriptor.digest;
      return {
        key: `store\0${root}\0${platform ?? ''}`,
        engine: false,
        work: (files) => (signal, onLayer, onProgress) =>
          analyzeImage(store, ref, { files, signal, onLayer, onProgress, ...(wanted ? { platform: wanted } : {}) }),
      };
    }
    const details = await ctx.engines.use(source, (e) => e.inspect(ref));
    const id = details.id ?? details.digest;
    const api = await ctx.engines.get(source);
    const engine: EngineTarget = { connection: api.connection, kind: api.kind, name: api.name };
    // By image ID where the engine gives one: a dangling image has no name to export it by.
    const exported = ID_RE.test(id) ? id : ref;
    return {
      key: `engine\0${source}\0${id}\0${platform ?? ''}`,
      engine: true,
      work: () => async (signal, onLayer, onProgress) => ({
        ...(await analyses.engineAnalyzer()(engine, exported, {
          files: true,
          signal,
          onLayer,
          onProgress,
          env: ctx.env,
          ...(wanted ? { platform: wanted } : {}),
        })),
        image: ref,
      }),
    };
  };

  const analyse = async (t: Target, ref: string, requestId: string | undefined, files: boolean): Promise<LayersReport> => {
    const kept = t.engine ? analyses.reportFor(t.key) : undefined;
    if (kept) return kept;
    // The Files tab's analysis (with files) goes before the table's; the two share a run only where both want the files.
    const queueKey = t.engine || files ? `${t.key}\0files` : `${t.key}\0figures`;
    const report = await analyses.queue.run(queueKey, ref, t.work(files), { requestId, urgent: files });
    analyses.summaries.set(t.key, summaryOf(report, ref));
    if (t.engine) analyses.keepReport(t.key, report);
    return report;
  };

  return {
    imageLayers: async ({ ref, platform, source, requestId }): Promise<ImageLayers> => {
      const t = await target(ref, platform, source);
      return { ...(await analyse(t, ref, requestId, true)), image: ref };
    },
    imageEfficiency: async ({ ref, platform, source, requestId }): Promise<ImageEfficiency> => {
      const t = await target(ref, platform, source);
      const known = analyses.summaries.get(t.key);
      if (known) return { ...known, image: ref };
      return summaryOf(await analyse(t, ref, requestId, false), ref);
    },
    cancelAnalysis: async ({ requestId }) => ({ cancelled: analyses.queue.cancel(requestId) }),
  };
}
