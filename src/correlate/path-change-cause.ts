// A PathChange with no episode (a periodic trace, congestion, an intradomain change, a
// recovery) is a cause of its own ('path-change', one target), joined to the changes of
// the route in use seen within `lookbackMs`; none -> finding 'no-routing-change'.
import type { Cause, TargetVerdict } from '../model/cause.ts';
import type { PathChange } from '../model/path-change.ts';
import type { RouteChange } from '../model/route-change.ts';
import type { Trace } from '../model/trace.ts';
import type { CauseIds } from './cause-id.ts';
import { type Evidence, type VerdictTarget, mergePathChanges } from './target-verdict.ts';
import type { InUse } from './view.ts';

/** One episode's change of a target's route in use, kept for joining later PathChanges. */
export interface RouteHistory {
  readonly at: number;
  readonly before: InUse | undefined;
  readonly after: InUse | undefined;
  readonly changes: readonly RouteChange[];
}

export interface PathChangeTarget extends VerdictTarget {
  readonly history: readonly RouteHistory[];
}

export interface PathChangeContext {
  readonly now: number;
  readonly lookbackMs: number;
  readonly ids: CauseIds;
  readonly verdict: (t: PathChangeTarget, e: Evidence) => TargetVerdict;
}

export function pathChangeCause(t: PathChangeTarget, trace: Trace, changes: readonly PathChange[], beforeTrace: Trace | undefined, ctx: PathChangeContext): Cause {
  const hist = t.history.filter((h) => h.at >= ctx.now - ctx.lookbackMs);
  const raw = hist.flatMap((h) => h.changes);
  const before = hist.length > 0 ? hist[0].before : undefined;
  const after = hist.length > 0 ? t.inUse : undefined;
  const tv = ctx.verdict(t, { before, after, raw, pcs: changes, beforeTrace, afterTrace: trace });
  const pc = mergePathChanges(changes)!;
  const id = ctx.ids.next('path-change', `path-change|${t.id}`, pc.at);
  const prefix = tv.prefix ? ` (${tv.prefix})` : '';
  const routing = raw.length > 0 ? `after a routing change ${Math.round((ctx.now - hist[0].at) / 1000)} s earlier` : 'no routing change seen';
  const what = pc.kind === 'recovered' || pc.recovers ? `back on its baseline (${pc.kind})` : `changed (${changes.map((c) => c.kind).join(', ')})`;
  return {
    id,
    kind: 'path-change',
    at: pc.at,
    summary: `${t.name} ${t.address}${prefix}: path ${what}, ${routing}`,
    routeChanges: raw,
    verdicts: [tv],
  };
}
