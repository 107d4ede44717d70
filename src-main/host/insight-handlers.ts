/** The storage-insight calls over the engine: df, tree, the layer forest, and prune (layers-handlers.ts: what is inside the layers) as plan then run. */
import { DeckhandError } from '../../src-shared/errors.ts';
import type { Handlers, PlannedPrune, PrunePlan } from '../../src-shared/ipc/contract.ts';
import { planPrune, runPrune } from '../engine/insight/prune.ts';
import { imageTrees, layerForest, whatRequires } from '../engine/insight/tree.ts';
import { diskUsage } from '../engine/insight/usage.ts';
import type { HostContext } from './handlers.ts';
import { PlanBook } from './prune-plans.ts';

type InsightCalls = 'diskUsage' | 'imageTree' | 'whatRequires' | 'layerForest' | 'planPrune' | 'runPrune';

/** A plan and the source it was made for (undefined: the store); runPrune runs it there. */
type SourcedPlan = PrunePlan & { source: string | undefined };

export function insightHandlers(ctx: HostContext): Pick<Handlers, InsightCalls> {
  const plans = new PlanBook<SourcedPlan>();
  const graph = ctx.graph;
  const { engines } = ctx;
  return {
    diskUsage: async (input) => (input?.source !== undefined ? engines.use(input.source, (e) => e.usage()) : diskUsage(await graph())),
    imageTree: async ({ ref, source }) => (source !== undefined ? engines.use(source, (e) => e.tree(ref)) : imageTrees(await graph(), ref)),
    whatRequires: async ({ ref, source }) => {
      if (source !== undefined) {
        throw new DeckhandError('EUSAGE', `What requires an image is worked out in Deckhand's store only, not in ${source}.`, {
          detail: { source },
        });
      }
      return whatRequires(await graph(), ref);
    },
    layerForest: async (input) =>
      input?.source !== undefined ? engines.use(input.source, (e) => e.layerForest()) : layerForest(await graph()),
    planPrune: async ({ all, olderThanMs, labels, keepLast, source }): Promise<PlannedPrune> => {
      const wanted = labels?.map((l) => (l.value === undefined ? { key: l.key } : { key: l.key, value: l.value }));
      if (source !== undefined) {
        if (keepLast !== undefined) {
          throw new DeckhandError('EUSAGE', `Keeping the last N tags is a rule of Deckhand's store; ${source} prunes by its own filters.`, {
            detail: { source },
          });
        }
        const plan = await engines.use(source, (e) =>
          e.planPrune({
            all: all ?? false,
            ...(olderThanMs !== undefined ? { olderThanMs } : {}),
            ...(wanted ? { labels: wanted } : {}),
          }),
        );
        return { ...plan, planId: plans.add({ ...plan, source }) };
      }
      const plan = planPrune(await graph(), {
        all: all ?? false,
        ...(olderThanMs !== undefined ? { untilMs: olderThanMs } : {}),
        ...(wanted ? { labels: wanted } : {}),
        ...(keepLast !== undefined ? { keepLast } : {}),
      });
      return { ...plan, planId: plans.add({ ...plan, source: undefined }) };
    },
    runPrune: async ({ planId }) => {
      const { source, ...plan } = plans.take(planId);
      if (source !== undefined) {
        try {
          return await engines.use(source, (e) => e.runPrune(plan));
        } finally {
          engines.changed(source);
        }
      }
      const result = await runPrune(await ctx.store(), plan);
      ctx.storeChanged('prune');
      return result;
    },
  };
}
