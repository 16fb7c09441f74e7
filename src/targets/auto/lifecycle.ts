// The life of an auto target, as a pure plan: given the stored auto targets, this
// refresh's suggestions, what the RIB says and what the scheduler says, decide what
// changes. The component (auto-targets.ts) carries the plan out.
//
//   added      scheduled; its address answered a probe (or came from the hitlist)
//   confirmed  a scheduled trace of it has succeeded
//   expired    removed from the scheduler: its prefix was withdrawn for expire_after,
//              or it was in no top list for expire_after, or an operator deleted it
// Static-list prefixes are the operator's, like config targets: probed whether announced
// or not (a withdrawal is then what the traces should show), never expired for it.
// A pinned target (accepted through the API) never expires. Config and API targets are
// not auto targets and never reach this code.
import { formatWindow } from './rank.ts';
import type { AutoTarget, Suggestion } from './types.ts';

export interface ScheduledView {
  readonly runs: number;
  readonly state: string;
}

export interface PlanInput {
  readonly now: number;
  readonly expireAfter: number;
  readonly maxTargets: number;
  readonly targets: readonly AutoTarget[];
  readonly suggestions: readonly Suggestion[];
  /** Whether the RIB has a route for the prefix; undefined when the RIB knows nothing (no feed). */
  readonly announced: (prefix: string) => boolean | undefined;
  /** The scheduler's view of a target id; undefined when it is not scheduled. */
  readonly scheduled: (id: string) => ScheduledView | undefined;
}

export interface Plan {
  /** Targets whose stored row changes (state, times, reason). */
  readonly updates: AutoTarget[];
  /** Ids to take off the scheduler. */
  readonly remove: string[];
  /** Suggestions to make targets of, best first, within the free slots. */
  readonly add: Suggestion[];
}

export const OPERATOR_REMOVED = 'removed by an operator (DELETE /api/targets/:id)';

export function plan(input: PlanInput): Plan {
  const { now, expireAfter } = input;
  const ranked = new Map(input.suggestions.map((s) => [s.prefix, s]));
  const updates: AutoTarget[] = [];
  const remove: string[] = [];
  const activePrefixes = new Set<string>();
  const blocked = new Set<string>();
  let active = 0;
  for (const t of input.targets) {
    if (t.state === 'expired') {
      // An operator's delete holds until the target is accepted again through the API.
      if (t.expiredWhy === OPERATOR_REMOVED) blocked.add(t.prefix);
      continue;
    }
    const s = ranked.get(t.prefix);
    const next: { -readonly [K in keyof AutoTarget]: AutoTarget[K] } = { ...t };
    if (s) {
      next.lastRankedAt = now;
      next.reason = t.pinned ? t.reason : s.reason;
      next.score = s.score;
    }
    // The static list is the operator's: like a config target, it is probed announced or not.
    const routed = t.source === 'static' ? undefined : input.announced(t.prefix);
    if (routed === false) next.withdrawnSince ??= now;
    else if (routed === true) next.withdrawnSince = undefined;
    const sched = input.scheduled(t.id);
    let expire: string | undefined;
    if (!sched) expire = OPERATOR_REMOVED;
    else if (!t.pinned && next.withdrawnSince !== undefined && now - next.withdrawnSince >= expireAfter) {
      expire = `prefix withdrawn for ${formatWindow(now - next.withdrawnSince)} (expire_after ${formatWindow(expireAfter)})`;
    } else if (!t.pinned && !s && next.withdrawnSince === undefined && now - next.lastRankedAt >= expireAfter) {
      // (A withdrawn prefix drops out of the lists too: the withdrawal is the reason that counts.)
      expire = `in no top list for ${formatWindow(now - next.lastRankedAt)} (expire_after ${formatWindow(expireAfter)})`;
    }
    if (expire !== undefined) {
      next.state = 'expired';
      next.expiredAt = now;
      next.expiredWhy = expire;
      if (sched) remove.push(t.id);
      if (expire === OPERATOR_REMOVED) blocked.add(t.prefix);
    } else {
      active++;
      activePrefixes.add(t.prefix);
      if (t.state === 'added' && sched && sched.runs > 0 && sched.state === 'ok') next.state = 'confirmed';
    }
    if (changed(t, next)) {
      next.updatedAt = now;
      updates.push(next);
    }
  }
  const free = Math.max(0, input.maxTargets - active);
  const add = input.suggestions
    .filter((s) => !activePrefixes.has(s.prefix) && !blocked.has(s.prefix) && (s.source === 'static' || input.announced(s.prefix) !== false))
    .slice(0, free);
  return { updates, remove, add };
}

function changed(a: AutoTarget, b: AutoTarget): boolean {
  return (
    a.state !== b.state ||
    a.reason !== b.reason ||
    a.score !== b.score ||
    a.lastRankedAt !== b.lastRankedAt ||
    a.withdrawnSince !== b.withdrawnSince ||
    a.expiredWhy !== b.expiredWhy
  );
}
