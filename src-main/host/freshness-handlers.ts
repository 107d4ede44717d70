/**
 * checkFreshness: which stored tags are still what their registry's tags name (docs/freshness.md).
 * The call answers at once with what the checker has cached and starts the rest in the background,
 * a few at a time; each result reaches every window as `freshnessChanged`, in batches of at most
 * about five a second. A tag already being checked is not checked twice at once.
 */
import type { FreshnessResult } from '../../src-shared/freshness.ts';
import type { Handlers } from '../../src-shared/ipc/contract.ts';
import { RegistryContext } from '../engine/config/context.ts';
import type { CheckTarget } from '../engine/freshness/check.ts';
import { FreshnessChecker, type CheckerOptions } from '../engine/freshness/checker.ts';
import { freshnessTargets } from '../engine/freshness/targets.ts';
import type { HostContext } from './handlers.ts';

const BATCH_MS = 200;

export interface FreshnessHandlers {
  handlers: Pick<Handlers, 'checkFreshness'>;
  /** Forgets every cached answer (a login or logout changes what registries answer). */
  forget(): void;
}

export function freshnessHandlers(ctx: HostContext, opts: CheckerOptions = {}): FreshnessHandlers {
  const checker = new FreshnessChecker(() => RegistryContext.load({ env: ctx.env }), opts);
  const inFlight = new Set<string>();
  const keyOf = (t: CheckTarget) => `${t.reference}\n${t.localDigest}`;

  let batch: FreshnessResult[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    if (batch.length === 0) return;
    ctx.events.emit('freshnessChanged', { results: batch });
    batch = [];
  };
  const arrived = (r: FreshnessResult) => {
    batch.push(r);
    timer ??= setTimeout(flush, BATCH_MS);
  };

  return {
    forget: () => checker.forget(),
    handlers: {
      checkFreshness: async (input) => {
        const targets = freshnessTargets(await ctx.graph(), input?.refs ?? []);
        const force = input?.force ?? false;
        const results: FreshnessResult[] = [];
        const start: CheckTarget[] = [];
        const pending: string[] = [];
        for (const t of targets) {
          const hit = force ? undefined : checker.cached(t);
          if (hit) results.push(hit);
          else {
            pending.push(t.reference);
            if (!inFlight.has(keyOf(t))) start.push(t);
          }
        }
        if (start.length > 0) {
          for (const t of start) inFlight.add(keyOf(t));
          void checker
            .check(start, { force, onResult: arrived })
            .catch((e: unknown) => console.error('deckhand: freshness checks failed:', e))
            .finally(() => {
              for (const t of start) inFlight.delete(keyOf(t));
              if (timer) clearTimeout(timer);
              flush();
            });
        }
        return { results, pending };
      },
    },
  };
}
