/**
 * Prune plans the renderer has been shown, kept on the main side: runPrune takes a plan's id, so
 * what runs is exactly the preview the user saw, and a page can never send a plan of its own.
 * A plan is used once and expires after a while (the store moves on).
 */
import { randomUUID } from 'node:crypto';
import { DeckhandError } from '../../src-shared/errors.ts';
import type { PrunePlan } from '../../src-shared/ipc/contract.ts';

export class PlanBook<P extends PrunePlan> {
  private readonly plans = new Map<string, { plan: P; at: number }>();
  private readonly ttlMs: number;
  private readonly keep: number;

  constructor(ttlMs = 15 * 60_000, keep = 16) {
    this.ttlMs = ttlMs;
    this.keep = keep;
  }

  add(plan: P): string {
    const id = randomUUID();
    this.plans.set(id, { plan, at: Date.now() });
    while (this.plans.size > this.keep) this.plans.delete(this.plans.keys().next().value!);
    return id;
  }

  take(id: string): P {
    const entry = this.plans.get(id);
    this.plans.delete(id);
    if (!entry || Date.now() - entry.at > this.ttlMs) {
      throw new DeckhandError(
        'ENOT_FOUND',
        'That prune plan has expired or was already run; plan again to see what a prune would remove now.',
        { detail: { planId: id } },
      );
    }
    return entry.plan;
  }
}
