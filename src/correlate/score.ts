// The verdict on one PathChange and/or the RouteChanges joined to it. Pure: no I/O, no
// timers, no clock (times come from the changes).
//
// Rules, in order:
// 1. Withdrawn: every joined RouteChange is a withdraw (no route left). The verdict is
//    'unreachable' carrying the withdrawal, unless a current trace still reaches the
//    destination (a covering or default route carries it): then the data plane decides.
// 2. Unreachable: the PathChange is 'unreachable', or the baseline reached the destination
//    and the current trace did not.
// 3. Data plane, from the deltas (current - baseline): worse when any of
//    RTT >= +rttAbsMs AND >= +rttPct % AND > rttNoiseK x the baseline's spread,
//    end-to-end loss >= +lossPts, hop count >= +hops; else better when the same
//    figures move the other way (or the PathChange is a recovery); else same.
// 4. Prepend-only: the BGP path changed only by prepending (collapsed paths equal) and
//    the trace's AS path is the baseline's: same, finding 'prepend-only', nothing to alert.
// 5. A PathChange with no RouteChange: finding 'no-routing-change', the reason says
//    "no routing change was seen for <prefix>".
// 6. Control vs data plane: the trace's AS sequence is compared with the BGP path of the
//    route in use (as-compare.ts), baseline with the path before and current with the
//    path after; a mismatch seen in more than one trace is 'control-data-mismatch'. Given
//    per-hop AS lists (traceHops), silent and AS-less hops stand where an AS went unseen.
// `withinNoise` (pathdiff found no departure in the current trace) keeps the figures out
// of the kind: one lost probe of five must not read as "loss worse". Nor does a loss rise
// pathdiff did not find significant over the change's traces (PathChange.loss, or
// `lossNoise`): at 1 % loss a harmless reroute loses a probe in ten one time in ten.
// Confidence: 'high' when the change persisted (PathChange.confirmed, or seen in >= 2
// traces) and BGP and the trace agree; 'medium' when only one of those holds (or a
// withdrawal that no trace has checked); 'low' otherwise (one trace, or BGP alone).
import type { PathChange, PathChangeDeltas, PathSummary, AsPath as TraceAsPath } from '../model/path-change.ts';
import { formatPrefix } from '../model/prefix.ts';
import type { RouteChange } from '../model/route-change.ts';
import type { AsPath } from '../model/route-event.ts';
import type { TraceAsSequence, Verdict, VerdictConfidence, VerdictDeltas, VerdictFinding, VerdictKind } from '../model/verdict.ts';
import { formatBgpPath } from '../model/bgp-path.ts';
import { collapseBgpPath, compareAsPaths, type AsComparison, type TraceAsHop } from './as-compare.ts';

export interface ScoreThresholds {
  /** RTT worse (better) at >= this many ms up (down). */
  readonly rttAbsMs: number;
  /** ... and >= this many percent of the baseline RTT. */
  readonly rttPct: number;
  /** ... and beyond this many times the baseline's spread (noise). */
  readonly rttNoiseK: number;
  /** End-to-end loss worse (better) at >= this many percentage points. */
  readonly lossPts: number;
  /** Hop count worse (better) at >= this many hops. */
  readonly hops: number;
}

export const DEFAULT_SCORE_THRESHOLDS: ScoreThresholds = Object.freeze({ rttAbsMs: 20, rttPct: 20, rttNoiseK: 3, lossPts: 2, hops: 2 });

/** Defaults overlaid with `partial`; every figure must be a finite number >= 0. */
export function scoreThresholds(partial: Partial<ScoreThresholds> = {}): ScoreThresholds {
  const t = { ...DEFAULT_SCORE_THRESHOLDS, ...partial };
  for (const k of ['rttAbsMs', 'rttPct', 'rttNoiseK', 'lossPts', 'hops'] as const) {
    if (!(Number.isFinite(t[k]) && t[k] >= 0)) throw new RangeError(`correlate threshold ${k} must be a number >= 0, got ${t[k]}`);
  }
  return Object.freeze(t);
}

export interface ScoreInput {
  readonly routeChanges: readonly RouteChange[];
  readonly pathChange?: PathChange;
  /** The target's baseline; defaults to the PathChange's. */
  readonly baselineSummary?: PathSummary;
  /** The latest trace's summary; defaults to the PathChange's. */
  readonly currentSummary?: PathSummary;
  readonly thresholds?: Partial<ScoreThresholds>;
  /** The target address; defaults to the PathChange's, else the prefix. */
  readonly target?: string;
  /** The prefix covering the target (for the words when no RouteChange names one). */
  readonly prefix?: string;
  /** Our own AS number(s), where traces start. */
  readonly localAsns?: readonly number[];
  /**
   * Per-hop AS of the baseline-side and current traces (TTL order, 'silent' for a hop that
   * did not answer, null/'private'/IXP for a hop with no AS). When given, the control vs
   * data plane comparison uses them instead of the collapsed summaries, so an AS whose
   * routers stayed silent mid-trace is explained, not a mismatch.
   */
  readonly traceHops?: { readonly before?: readonly TraceAsHop[]; readonly after?: readonly TraceAsHop[] };
  /**
   * pathdiff assessed the current trace against the baseline and found no departure beyond
   * its noise rules (e.g. one lost probe): the figures are reported but do not make the
   * verdict worse or better.
   */
  readonly withinNoise?: boolean;
  /**
   * A loss rise in the figures is not significant (too few probes lost, or as likely as not
   * at the baseline's loss rate): reported, not counted. Defaults to what the PathChange's
   * `loss` says (counted when it has none).
   */
  readonly lossNoise?: boolean;
  /**
   * The current trace no longer shows the target's open PathChange, a recovery pathdiff
   * has not confirmed yet (it wants one more clean trace): unless the figures say worse,
   * the path is back on its baseline, 'better'.
   */
  readonly backOnBaseline?: boolean;
}

// ---------------------------------------------------------------- words

/** "04:12:03Z" (with the date when it is not the same day as `ref`). */
function clock(ms: number, ref?: number): string {
  const d = new Date(ms);
  if (!Number.isFinite(d.getTime())) return 'an unknown time';
  const iso = d.toISOString();
  const sameDay = ref === undefined || new Date(ref).toISOString().slice(0, 10) === iso.slice(0, 10);
  return sameDay ? `${iso.slice(11, 19)}Z` : `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

function ms(v: number): string {
  return `${Math.abs(v).toFixed(1)} ms`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function traceAsText(p: TraceAsSequence): string {
  return p.length === 0 ? '(unknown)' : p.map((x) => (typeof x === 'number' ? String(x) : `{${x.join(' ')}}`)).join(' ');
}

function peerText(rc: RouteChange): string {
  return `peer AS${rc.peer.asn} on ${rc.router}`;
}

// ---------------------------------------------------------------- figures

function toSequence(p: TraceAsPath | undefined): TraceAsSequence {
  if (!p) return [];
  return p.map((s) => (s.length === 1 ? s[0] : [...s]));
}

function computeDeltas(base: PathSummary | undefined, cur: PathSummary | undefined): PathChangeDeltas {
  if (!base || !cur) return { rttMs: null, rttPct: null, hops: null, asHops: null, lossPts: null };
  const rttMs = base.rtt && cur.rtt && base.reached && cur.reached ? cur.rtt.medianMs - base.rtt.medianMs : null;
  return {
    rttMs,
    rttPct: rttMs !== null && base.rtt && base.rtt.medianMs > 0 ? (rttMs / base.rtt.medianMs) * 100 : null,
    hops: base.hopCount !== null && cur.hopCount !== null ? cur.hopCount - base.hopCount : null,
    asHops: base.asPaths.length > 0 && cur.asPaths.length > 0 ? cur.asPaths[0].length - base.asPaths[0].length : null,
    lossPts: base.lossPct !== null && cur.lossPct !== null && base.reached === cur.reached ? cur.lossPct - base.lossPct : null,
  };
}

function sameTraceAsPath(a: TraceAsPath, b: TraceAsPath): boolean {
  return a.length === b.length && a.every((s, i) => s.length === b[i].length && s.every((x) => b[i].includes(x)));
}

function sameCollapsed(a: AsPath, b: AsPath): boolean {
  const x = collapseBgpPath(a);
  const y = collapseBgpPath(b);
  return x.length === y.length && x.every((s, i) => s.length === y[i].length && s.every((v) => y[i].includes(v)));
}

function sameExact(a: AsPath, b: AsPath): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i];
    if (typeof x === 'number' || typeof y === 'number') return x === y;
    return x.length === y.length && x.every((v, k) => v === y[k]);
  });
}

interface DataPlane {
  worse: string[];
  better: string[];
}

function judge(d: VerdictDeltas, base: PathSummary | undefined, th: ScoreThresholds, lossNoise: boolean): DataPlane {
  const out: DataPlane = { worse: [], better: [] };
  if (d.rttMs !== null) {
    const noise = th.rttNoiseK * (base?.rtt?.spreadMs ?? 0);
    const relOk = d.rttPct === null || Math.abs(d.rttPct) >= th.rttPct;
    if (Math.abs(d.rttMs) >= th.rttAbsMs && relOk && Math.abs(d.rttMs) > noise) {
      const pct = d.rttPct !== null ? ` (${d.rttPct > 0 ? '+' : '-'}${Math.abs(Math.round(d.rttPct))} %)` : '';
      (d.rttMs > 0 ? out.worse : out.better).push(`${ms(d.rttMs)} ${d.rttMs > 0 ? 'slower' : 'faster'}${pct}`);
    }
  }
  if (d.lossPts !== null && Math.abs(d.lossPts) >= th.lossPts && !(lossNoise && d.lossPts > 0)) {
    (d.lossPts > 0 ? out.worse : out.better).push(`end-to-end loss ${d.lossPts > 0 ? 'up' : 'down'} ${plural(Math.abs(Math.round(d.lossPts)), 'point')}`);
  }
  if (d.hops !== null && th.hops > 0 && Math.abs(d.hops) >= th.hops) {
    (d.hops > 0 ? out.worse : out.better).push(`${plural(Math.abs(d.hops), 'hop')} ${d.hops > 0 ? 'longer' : 'shorter'}`);
  }
  return out;
}

function asHopWords(n: number | null): string | undefined {
  if (n === null || n === 0) return undefined;
  return `${plural(Math.abs(n), 'AS', 'ASes')} ${n > 0 ? 'longer' : 'shorter'}`;
}

function joinWords(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** The RouteChange the words are about: the latest, preferring one that leaves a route. */
function mainChange(rcs: readonly RouteChange[]): RouteChange | undefined {
  let best: RouteChange | undefined;
  for (const rc of rcs) {
    if (!best) best = rc;
    else if ((rc.after !== undefined) !== (best.after !== undefined)) best = rc.after !== undefined ? rc : best;
    else if (rc.time >= best.time) best = rc;
  }
  return best;
}

function bgpWords(rc: RouteChange, prefix: string, ref: number): string {
  const at = clock(rc.time, ref);
  const from = rc.before ? formatBgpPath(rc.before.asPath) : undefined;
  const to = rc.after ? formatBgpPath(rc.after.asPath) : undefined;
  switch (rc.kind) {
    case 'withdraw': {
      const how = rc.cause === 'peer-down' ? ' (the BGP session went down)' : rc.cause === 'router-down' ? ' (the feed lost the router)' : '';
      return `BGP withdrew ${prefix}${from ? ` (was ${from})` : ''} from ${peerText(rc)} at ${at}${how}`;
    }
    case 'new':
      return `BGP announced ${prefix} via ${to} from ${peerText(rc)} at ${at}`;
    case 'path-change':
      return `BGP moved ${prefix} from ${from} to ${to} at ${at}${rc.nextHopChanged ? ' (new next hop as well)' : ''}`;
    case 'next-hop-change':
      return `BGP moved ${prefix} to another next hop (same AS path ${to}) at ${at}`;
    case 'attribute-change':
      return `BGP changed attributes of ${prefix} (same AS path ${to}, same next hop) at ${at}`;
  }
}

// ---------------------------------------------------------------- verdict

export function scoreVerdict(input: ScoreInput): Verdict {
  const th = scoreThresholds(input.thresholds ?? {});
  const pc = input.pathChange;
  const rcs = [...input.routeChanges];
  const main = mainChange(rcs);
  const base = input.baselineSummary ?? pc?.baseline;
  const cur = input.currentSummary ?? pc?.current;
  const useOwn = input.baselineSummary !== undefined || input.currentSummary !== undefined || !pc;
  const own = computeDeltas(base, cur);
  const given = useOwn ? undefined : pc.deltas;
  // The PathChange's own figures win where it has them (pathdiff saw the traces); ours fill the gaps.
  const d: { -readonly [K in keyof VerdictDeltas]: VerdictDeltas[K] } = {
    rttMs: given?.rttMs ?? own.rttMs,
    rttPct: given?.rttPct ?? own.rttPct,
    hops: given?.hops ?? own.hops,
    asHops: given?.asHops ?? own.asHops,
    lossPts: given?.lossPts ?? own.lossPts,
  };
  const prefix = main ? formatPrefix(main.prefix) : (input.prefix ?? pc?.target ?? input.target ?? 'the prefix');
  const target = pc?.target ?? input.target ?? prefix;
  const latestRc = rcs.reduce((m, rc) => Math.max(m, rc.time), -Infinity);
  const at = pc?.at ?? (Number.isFinite(latestRc) ? latestRc : 0);
  const findings: VerdictFinding[] = [];
  const reasons: string[] = [];
  const bgpBefore = main?.before?.asPath;
  const bgpAfter = main?.after?.asPath;
  const beforeAsPath = base?.asPaths[0];
  const afterAsPath = cur?.asPaths[0];

  // AS-hop delta from BGP when no trace says.
  if (d.asHops === null && bgpBefore && bgpAfter) d.asHops = collapseBgpPath(bgpAfter).length - collapseBgpPath(bgpBefore).length;

  // ---- control plane vs data plane
  const hopsBefore = input.traceHops?.before ?? (base && base.asPaths.length > 0 ? toSequence(beforeAsPath) : undefined);
  const hopsAfter = input.traceHops?.after ?? (cur && cur.asPaths.length > 0 ? toSequence(afterAsPath) : undefined);
  const cmpBefore: AsComparison | undefined =
    bgpBefore && base && hopsBefore ? compareAsPaths({ trace: hopsBefore, bgp: bgpBefore, localAsns: input.localAsns, reached: base.reached }) : undefined;
  const cmpAfter: AsComparison | undefined =
    bgpAfter && cur && hopsAfter ? compareAsPaths({ trace: hopsAfter, bgp: bgpAfter, localAsns: input.localAsns, reached: cur.reached }) : undefined;
  const persisted = pc ? pc.confirmed || pc.persistence.seen >= 2 : false;
  const mismatchAfter = cmpAfter !== undefined && !cmpAfter.match;
  const mismatchBefore = cmpBefore !== undefined && !cmpBefore.match;
  const persistentMismatch = (mismatchAfter && (persisted || (cur?.traces ?? 0) >= 2)) || (mismatchBefore && (base?.traces ?? 0) >= 2);
  const agree: boolean | undefined = cmpAfter ? cmpAfter.match : cmpBefore ? cmpBefore.match : undefined;

  const withdrawn = rcs.length > 0 && rcs.every((rc) => rc.after === undefined);
  const lostReach = pc?.kind === 'unreachable' || (base?.reached === true && cur?.reached === false);
  const lossNoise = input.lossNoise ?? (pc?.loss !== undefined && !pc.loss.significant);
  const dp = input.withinNoise ? { worse: [], better: [] } : judge(d, base, th, lossNoise);
  const asWords = asHopWords(afterAsPath && beforeAsPath ? d.asHops : bgpBefore && bgpAfter ? d.asHops : null);
  const bgpText = main ? bgpWords(main, prefix, at) : undefined;
  const others = rcs.length > 1 ? ` (${plural(rcs.length, 'route change')} joined: ${[...new Set(rcs.map((rc) => `AS${rc.peer.asn}@${rc.router}`))].join(', ')})` : '';

  let kind: VerdictKind;
  if (withdrawn && !(cur?.reached === true)) {
    kind = 'unreachable';
    findings.push('withdrawn');
    const tail = cur ? `; the destination ${target} no longer answers` : `; no trace has checked ${target} since`;
    reasons.push(`${bgpText}${others}: no route left${tail}`);
  } else if (lostReach) {
    kind = 'unreachable';
    const last = cur && cur.ipPath.length > 0 ? `; the trace stops after hop ${cur.ipPath[cur.ipPath.length - 1].ttl}` : '';
    if (bgpText) reasons.push(`${bgpText}${others}; since then ${target} does not answer${last}`);
    else reasons.push(`${target} stopped answering${last}; no routing change was seen for ${prefix}`);
    if (withdrawn) findings.push('withdrawn');
  } else {
    const recovery = pc?.kind === 'recovered' || pc?.kind === 'reachable' || input.backOnBaseline === true;
    kind = dp.worse.length > 0 ? 'worse' : dp.better.length > 0 || recovery ? 'better' : 'same';
    const effects = kind === 'worse' ? dp.worse : kind === 'better' ? dp.better : [];
    const effectText = effects.length > 0 ? `the path is now ${joinWords(asWords ? [...effects, asWords] : effects)}` : undefined;
    const prependOnly =
      main?.kind === 'path-change' &&
      bgpBefore !== undefined &&
      bgpAfter !== undefined &&
      !sameExact(bgpBefore, bgpAfter) &&
      sameCollapsed(bgpBefore, bgpAfter) &&
      (beforeAsPath === undefined || afterAsPath === undefined || sameTraceAsPath(beforeAsPath, afterAsPath));
    if (withdrawn) {
      findings.push('withdrawn');
      reasons.push(`${bgpText}${others}, yet ${target} still answers (a covering or default route carries it)`);
      if (effectText) reasons.push(effectText);
    } else if (prependOnly && kind !== 'better') {
      kind = dp.worse.length > 0 ? 'worse' : 'same';
      findings.push('prepend-only');
      reasons.push(`${bgpText}${others}: only AS prepending changed; the forwarding path is the same${kind === 'same' ? ', nothing to alert' : ''}`);
      if (kind === 'worse' && effectText) reasons.push(`yet ${effectText}, which the prepend does not explain (no routing change in the forwarding path)`);
    } else if (bgpText) {
      const noTrace = !base || !cur;
      if (noTrace && !pc) findings.push('no-trace');
      const tail = effectText ? `; ${effectText}` : noTrace ? `; no trace has measured ${target} around it yet` : kind === 'better' ? '; the path is back on its baseline' : `; the path to ${target} is no worse (RTT, loss and hops within thresholds)`;
      reasons.push(`${bgpText}${others}${tail}`);
    } else if (pc) {
      findings.push('no-routing-change');
      const what = effectText ?? (kind === 'better' ? 'the path is back on its baseline' : `the path to ${target} changed (${pc.kind})`);
      reasons.push(`${what}; no routing change was seen for ${prefix}: a data-plane change (congestion, or a change inside an AS that BGP does not show)`);
    } else {
      reasons.push(`nothing changed for ${target}: no routing change and no path change`);
    }
  }
  if (kind === 'unreachable' && rcs.length === 0) findings.push('no-routing-change');

  if (!input.withinNoise && lossNoise && d.lossPts !== null && d.lossPts >= th.lossPts && kind !== 'unreachable') {
    const probes = input.lossNoise === undefined && pc?.loss ? ` (${pc.loss.lost} of ${pc.loss.sent} probes)` : '';
    reasons.push(`end-to-end loss up ${plural(Math.round(d.lossPts), 'point')}${probes}, too few lost probes to tell from the baseline's loss: not counted`);
  }

  // ---- AS paths in words
  if (beforeAsPath && afterAsPath && !sameTraceAsPath(beforeAsPath, afterAsPath)) {
    reasons.push(`the trace's AS path went from ${traceAsText(toSequence(beforeAsPath))} to ${traceAsText(toSequence(afterAsPath))}`);
  }
  if (persistentMismatch) {
    findings.push('control-data-mismatch');
    const which = mismatchAfter ? cmpAfter! : cmpBefore!;
    const detail = which.explanation[which.explanation.length - 1];
    reasons.push(`control plane and data plane disagree: ${detail}`);
  } else if (mismatchAfter) {
    reasons.push(`one trace disagrees with BGP (not yet persistent): ${cmpAfter!.explanation[cmpAfter!.explanation.length - 1]}`);
  }
  // A recovery judged worse on the figures given (the trace before a move, not the baseline) is not "back on the baseline" news.
  const staleRecovery = kind === 'worse' && (pc?.kind === 'recovered' || pc?.kind === 'reachable');
  if (pc && !staleRecovery) for (const r of pc.reasons) if (!reasons.includes(r)) reasons.push(r);

  // ---- confidence
  let confidence: VerdictConfidence;
  if (!pc && !cur) confidence = withdrawn ? 'medium' : 'low';
  else if (persisted && agree !== false && (agree === true || rcs.length === 0 || withdrawn)) confidence = 'high';
  else if (persisted || agree === true) confidence = 'medium';
  else confidence = 'low';

  const verdict: Verdict = {
    kind,
    target,
    at,
    deltas: d,
    bgp: {
      ...(bgpBefore ? { before: bgpBefore } : {}),
      ...(bgpAfter ? { after: bgpAfter } : {}),
      ...(main ? { prefix, peer: main.peer } : input.prefix ? { prefix: input.prefix } : {}),
    },
    trace: { beforeAs: toSequence(beforeAsPath), afterAs: toSequence(afterAsPath) },
    reasons,
    routeChanges: rcs,
    ...(pc ? { pathChange: pc } : {}),
    confidence,
    findings: [...new Set(findings)],
  };
  return verdict;
}
