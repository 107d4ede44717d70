/** The storage-insight calls over the engine: df, tree, the layer forest, and prune as plan then run. */
import type { Handlers, PlannedPrune, PrunePlan } from '../../src-shared/ipc/contract.ts';
import { planPrune, runPrune } from '../engine/insight/prune.ts';
import { imageTrees, layerForest, whatRequires } from '../engine/insight/tree.ts';
import { diskUsage } from '../engine/insight/usage.ts';
import type { HostContext } from './handlers.ts';
import { PlanBook } from './prune-plans.ts';

type InsightCalls = 'diskUsage' | 'imageTree' | 'whatRequires' | 'layerForest' | 'planPrune' | 'runPrune';

export function insightHandlers(ctx: HostContext): Pick<Handlers, InsightCalls> {
  const plans = new PlanBook<PrunePlan>();
  const graph = ctx.graph;
  return {
    diskUsage: async () => diskUsage(await graph()),
    imageTree: async ({ ref }) => imageTrees(await graph(), ref),
    whatRequires: async ({ ref }) => whatRequires(await graph(), ref),
    layerForest: async () => layerForest(await graph()),
    planPrune: async ({ all, olderThanMs, labels, keepLast }): Promise<PlannedPrune> => {
      const plan = planPrune(await graph(), {
        all: all ?? false,
        ...(olderThanMs !== undefined ? { untilMs: olderThanMs } : {}),
        ...(labels ? { labels: labels.map((l) => (l.value === undefined ? { key: l.key } : { key: l.key, value: l.value })) } : {}),
        ...(keepLast !== undefined ? { keepLast } : {}),
      });
      return { ...plan, planId: plans.add(plan) };
    },
    runPrune: async ({ planId }) => {
      const result = await runPrune(await ctx.store(), plans.take(planId));
      ctx.storeChanged('prune');
      return result;
    },
  };
}
