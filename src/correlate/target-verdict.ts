// One target's verdict from what the correlator gathered (Evidence): the change of the
// route in use as one RouteChange, the PathChanges merged into one, the summaries to
// compare, then score.ts; plus the reasons only the correlator can give (a more-specific
// came or went, the route moved and came back, the target was not measured).
import type { TargetVerdict } from '../model/cause.ts';
import type { PathChange, PathChangeKind, PathSummary } from '../model/path-change.ts';
import { formatPrefix, prefixEquals } from '../model/prefix.ts';
import type { RouteChange, RouteChangeKind } from '../model/route-change.ts';
import type { Trace } from '../model/trace.ts';
import type { ProbeLink, TraceInfo } from './links.ts';
import { type ScoreThresholds, scoreVerdict } from './score.ts';
import { type AsWhy, traceAsHops } from './trace-hops.ts';
import { type InUse, sameAsPath, sameForwarding, sameNextHop } from './view.ts';

export interface VerdictTarget {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  /** The route in use now. */
  readonly inUse: InUse | undefined;
}

/** What a target's verdict is made from. */
export interface Evidence {
  readonly before: InUse | undefined;
  readonly after: InUse | undefined;
  /** The RouteChanges joined. */
  readonly raw: readonly RouteChange[];
  readonly pcs: readonly PathChange[];
  readonly beforeTrace?: Trace | undefined;
  readonly afterTrace?: Trace | undefined;
  /** pathdiff's reading of afterTrace. */
  readonly info?: TraceInfo | undefined;
  /** pathdiff had a change open when the route moved: the path was off its baseline. */
  readonly offBaseline?: boolean;
  /** Decided at once, unmeasured: too many targets were waiting. */
  readonly untraced?: boolean;
  /** pathdiff's recovery came in a trace begun before the change (no evidence of it, so not in `pcs`). */
  readonly recoveredBefore?: boolean;
}

export interface VerdictContext {
  readonly probe: Pick<ProbeLink, 'baseline' | 'summarize'>;
  readonly thresholds: ScoreThresholds;
  readonly localAsns: readonly number[];
  readonly asOf?: AsWhy;
  readonly maxPending: number;
  readonly now: () => number;
}

const PC_ORDER: readonly PathChangeKind[] = ['unreachable', 'reachable', 'recovered', 'loss', 'rtt', 'hop-count', 'as-path', 'ip-path'];

/** One PathChange standing for a trace's several (most telling kind first; every reason kept). */
export function mergePathChanges(changes: readonly PathChange[]): PathChange | undefined {
  if (changes.length === 0) return undefined;
  const sorted = [...changes].sort((a, b) => PC_ORDER.indexOf(a.kind) - PC_ORDER.indexOf(b.kind));
  const reasons = [...new Set(sorted.flatMap((c) => c.reasons))];
  return { ...sorted[0], reasons };
}

/** The change of the route in use, as one RouteChange (what score.ts reads the BGP side from). */
export function viewChange(before: InUse | undefined, after: InUse | undefined, raw: readonly RouteChange[], now: number): RouteChange | undefined {
  const ref = after ?? before;
  if (!ref || raw.length === 0) return undefined;
  const time = raw.reduce((m, c) => Math.max(m, c.time), -Infinity);
  const down = raw.find((c) => c.cause === 'peer-down' || c.cause === 'router-down');
  let kind: RouteChangeKind;
  if (!after) kind = 'withdraw';
  else if (!before) kind = 'new';
  else if (!sameAsPath(before.route.attrs.asPath, after.route.attrs.asPath)) kind = 'path-change';
  else if (!sameForwarding(before, after)) kind = 'next-hop-change';
  else kind = 'attribute-change';
  const r = ref.route;
  return {
    kind,
    cause: down ? down.cause : !after ? 'withdraw' : 'update',
    source: r.source,
    router: r.router,
    peer: r.peer,
    table: r.table,
    prefix: ref.prefix,
    ...(r.pathId !== undefined ? { pathId: r.pathId } : {}),
    ...(before ? { before: before.route.attrs } : {}),
    ...(after ? { after: after.route.attrs } : {}),
    ...(kind === 'path-change' && before && after ? { nextHopChanged: !sameNextHop(before, after) } : {}),
    ...(down?.reason !== undefined ? { reason: down.reason } : {}),
    time: Number.isFinite(time) ? time : now,
  };
}

export function targetVerdict(t: VerdictTarget, e: Evidence, ctx: VerdictContext): TargetVerdict {
  const { before, after, raw, beforeTrace, afterTrace, info } = e;
  const vc = viewChange(before, after, raw, ctx.now());
  const pc = mergePathChanges(e.pcs);
  const prefix = after?.prefix ?? before?.prefix ?? t.inUse?.prefix;
  const clean = info !== undefined && info.assessed && info.candidates.length === 0;
  // Figures of single traces: a loss rise counts only when pathdiff found loss in the trace
  // (a candidate, or a suspect pooled with the traces before it). With a PathChange, its own
  // `loss` says (score.ts).
  const lossShown = info !== undefined && (info.candidates.includes('loss') || info.suspects.includes('loss'));
  const score = (summaries: { baselineSummary?: PathSummary; currentSummary?: PathSummary }, noise: boolean, lossNoise: boolean | undefined) =>
    scoreVerdict({
      routeChanges: vc ? [vc] : [],
      ...(pc ? { pathChange: pc } : {}),
      ...summaries,
      ...(noise ? { withinNoise: true } : {}),
      ...(lossNoise !== undefined ? { lossNoise } : {}),
      // Back on the baseline: the trace no longer shows the open change (pathdiff wants one more
      // to call it a recovery), or pathdiff's recovery came in a trace begun before the change
      // (no evidence of it) and nothing is open now. Not merely "nothing open": an adopted
      // path closes the open change too, and that is no recovery.
      ...(!pc && clean && (info.clearing.length > 0 || (e.recoveredBefore === true && info.open.length === 0)) ? { backOnBaseline: true } : {}),
      thresholds: ctx.thresholds,
      target: t.address,
      ...(prefix ? { prefix: formatPrefix(prefix) } : {}),
      localAsns: ctx.localAsns,
      traceHops: {
        ...(beforeTrace ? { before: traceAsHops(beforeTrace, ctx.asOf) } : {}),
        ...(afterTrace ? { after: traceAsHops(afterTrace, ctx.asOf) } : {}),
      },
    });
  const baselineSummary = !pc && afterTrace ? ctx.probe.baseline(t.id) : undefined;
  const currentSummary = !pc && afterTrace ? ctx.probe.summarize(afterTrace) : undefined;
  let verdict = score({ ...(baselineSummary ? { baselineSummary } : {}), ...(currentSummary ? { currentSummary } : {}) }, !pc && clean, pc ? undefined : !lossShown);
  // The path was off its baseline when the route moved, and against the baseline the move
  // looks harmless: pathdiff may have adopted the slow path as baseline (held for
  // `adoptAfter` traces) and the fast path be the open change, so a move back onto the slow
  // path reads as 'recovered'. What the move did is the trace before it against the trace
  // after: worse there is worse. (Not otherwise: a verdict's figures are against the baseline.)
  if (e.offBaseline === true && beforeTrace && afterTrace && (verdict.kind === 'better' || verdict.kind === 'same') && (!pc || pc.kind === 'recovered')) {
    const moved = score({ baselineSummary: ctx.probe.summarize(beforeTrace), currentSummary: ctx.probe.summarize(afterTrace) }, false, !lossShown);
    if (moved.kind === 'worse') verdict = moved;
  }
  const reasons = [...verdict.reasons];
  if (e.untraced) {
    reasons.splice(1, 0, `not measured: more than ${ctx.maxPending} targets were waiting for confirmation traces at once (the correlator's limit), so this one was decided on BGP alone`);
  }
  if (before && after && raw.length > 1 && sameForwarding(before, after)) {
    reasons.splice(1, 0, `the route in use moved and came back (${raw.length} route changes)${afterTrace ? '; the trace is of the route in use now' : ''}`);
  }
  if (before && after && !prefixEquals(before.prefix, after.prefix)) {
    reasons.splice(1, 0, `the route in use moved from ${formatPrefix(before.prefix)} to ${formatPrefix(after.prefix)} (a more-specific ${after.prefix.len > before.prefix.len ? 'appeared' : 'went away'})`);
  }
  if (raw.length > 1) reasons.push(`${raw.length} route changes joined (${[...new Set(raw.map((c) => `${formatPrefix(c.prefix)} AS${c.peer.asn}@${c.router}`))].join(', ')})`);
  return {
    targetId: t.id,
    targetName: t.name,
    address: t.address,
    ...(prefix ? { prefix: formatPrefix(prefix) } : {}),
    verdict: { ...verdict, reasons, routeChanges: [...raw] },
    ...(beforeTrace ? { before: beforeTrace } : {}),
    ...(afterTrace ? { after: afterTrace } : {}),
  };
}

