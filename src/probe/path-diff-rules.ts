// One trace against the baseline: which kinds of change it is a CANDIDATE for, and the
// words for each. Pure. Persistence (N of M) is pathdiff.ts's job, not this file's.
//
// The rules, and the traceroute lie each one refuses to believe:
// - Reachability first. If the trace and the baseline disagree on reaching the
//   destination, that is the only candidate: an unreachable trace has no RTT or loss to
//   compare and its path is cut short, which is not a path change of its own.
//   A trace that stopped on its max TTL before the baseline's destination hop did not
//   look far enough to say (traceroute -m 2 is not an outage).
// - IP path: per TTL, a hop matches when ANY of its addresses is in the baseline's set.
//   `*` on either side matches anything (silent routers, rate-limited time-exceeded).
//   A new address next to a baseline one in the same trace is per-packet/flow ECMP.
// - AS path: collapsed sequence; matches one of the baseline's (element-wise overlap).
// - Hop count: only when both reached; beyond the baseline's range AND by >= `hops`.
// - RTT: destination only; |delta| >= rttAbsMs AND >= rttPct % AND > rttNoiseK x spread.
// - Loss: end to end only (the terminal hop). A middle hop losing more than the end is
//   the router rationing ICMP (rate limiting, CoPP), not loss of forwarded packets:
//   said in a note, never a candidate. Only a rise counts (the baseline's loss is noise).
//   With 2-5 probes a trace, one lost probe is already 20-50 points, so points alone cry
//   wolf at 1 % real loss: a rise must also be at least `lossMinProbes` lost probes AND
//   unlikely under the baseline's pooled loss rate (floored at LOSS_RATE_FLOOR): the
//   binomial tail P(X >= lost | sent, rate) below `lossP`.
//   A trace that lost probes but not enough on its own is a loss SUSPECT when, pooled with
//   the traces just before it, the loss passes the same three tests: at 40 % loss a 5-probe
//   trace loses just 1 probe a quarter of the time, and such a trace must neither clear an
//   open loss change nor teach the baseline that 20 % loss is normal (pathdiff.ts).
import type { PathChangeDeltas, PathChangeKind, PathSummary } from '../model/path-change.ts';
import { formatAsPath, formatHopSet } from '../model/path-change.ts';
import type { Baseline, TraceDigest } from './baseline.ts';
import { digestSummary } from './baseline.ts';

export interface DiffThresholds {
  /** RTT change must be at least this many ms ... */
  readonly rttAbsMs: number;
  /** ... and this many percent of the baseline median ... */
  readonly rttPct: number;
  /** ... and more than this many baseline spreads (robust sigmas). */
  readonly rttNoiseK: number;
  /** End-to-end loss rise in percentage points ... */
  readonly lossPts: number;
  /** ... with at least this many probes lost at the terminal hop in the trace ... */
  readonly lossMinProbes: number;
  /** ... and that many lost no likelier than this under the baseline's loss rate (binomial tail). */
  readonly lossP: number;
  /** Destination hop moved by at least this many TTLs. */
  readonly hops: number;
}

export interface Candidate {
  readonly kind: PathChangeKind;
  readonly reasons: readonly string[];
}

export interface Assessment {
  readonly candidates: readonly Candidate[];
  /** Kinds with evidence short of a candidate (only 'loss': pooled over recent traces). */
  readonly suspects: readonly PathChangeKind[];
  /** What was seen and deliberately NOT taken as a change (rate limiting, ECMP, `*`, short trace). */
  readonly notes: readonly string[];
  readonly deltas: PathChangeDeltas;
  readonly current: PathSummary;
}

/** The baseline loss rate assumed at least: a clean baseline does not make any loss a surprise. */
export const LOSS_RATE_FLOOR = 0.005;

/** P(X >= k) for X ~ Binomial(n, p), summed in log space (no underflow for large n). */
export function binomialTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  // log C(n, k) by summing logs: n is a trace's probe count, small.
  let logC = 0;
  for (let i = 1; i <= k; i++) logC += Math.log(n - k + i) - Math.log(i);
  let sum = 0;
  for (let i = k; i <= n; i++) {
    sum += Math.exp(logC + i * lp + (n - i) * lq);
    logC += Math.log(n - i) - Math.log(i + 1);
  }
  return Math.min(1, sum);
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const signed = (v: number, unit: string, digits = 1) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}${unit}`;
const pct = (v: number) => `${Math.round(v)} %`;
const nTraces = (n: number) => `${n} trace${n === 1 ? '' : 's'}`;

function deltasOf(base: Baseline, cur: PathSummary): PathChangeDeltas {
  const rttMs = base.rtt && cur.rtt ? cur.rtt.medianMs - base.rtt.medianMs : null;
  return {
    rttMs,
    rttPct: rttMs !== null && base.rtt && base.rtt.medianMs > 0 ? (rttMs / base.rtt.medianMs) * 100 : null,
    hops: base.hopCount !== null && cur.hopCount !== null ? cur.hopCount - base.hopCount : null,
    asHops: base.asPaths.length > 0 && cur.asPaths.length > 0 ? cur.asPaths[0].length - base.asPaths[0].length : null,
    lossPts: base.lossPct !== null && cur.lossPct !== null && base.reached === cur.reached ? cur.lossPct - base.lossPct : null,
  };
}

function stopWords(d: TraceDigest): string {
  const flags = d.terminalFlags.length > 0 ? ` answered ${d.terminalFlags.join(' ')}` : '';
  const last = d.terminalTtl !== null ? `; last answer from hop ${d.terminalTtl} ${formatHopSet(d.hops.find((h) => h.ttl === d.terminalTtl)?.addresses ?? [])}${flags}` : '; no hop answered';
  return `stopped: ${d.stopReason ?? 'unknown'}${last}`;
}

/** Notes on middle hops whose loss later hops do not show (rate limiting, not forwarding loss). */
function lossNotes(d: TraceDigest, th: DiffThresholds): string[] {
  if (d.terminalTtl === null || d.terminalSent <= 0) return [];
  const endLoss = ((d.terminalSent - d.terminalReceived) * 100) / d.terminalSent;
  const endName = d.reached ? 'destination' : `hop ${d.terminalTtl}`;
  const out: string[] = [];
  const silent: number[] = [];
  for (const h of d.losses) {
    if (h.ttl >= d.terminalTtl || h.lossPct === null) continue;
    if (h.addresses.length === 0) silent.push(h.ttl);
    else if (h.lossPct - endLoss >= th.lossPts) {
      out.push(`hop ${h.ttl} (${formatHopSet(h.addresses)}) shows ${pct(h.lossPct)} loss but later hops do not (${endName} ${pct(endLoss)}): ICMP rate limiting, not forwarding loss`);
    }
  }
  if (silent.length > 0) {
    out.push(`hop${silent.length > 1 ? 's' : ''} ${silent.join(', ')} did not answer (*) but later hops did: no time-exceeded from ${silent.length > 1 ? 'those routers' : 'that router'} (filtered or rate limited), not forwarding loss`);
  }
  return out;
}

/**
 * The loss test, for one trace or several pooled: at least `lossMinProbes` of `sent` lost,
 * `lossPts` over the baseline, and `lost` less likely than `lossP` at the baseline's loss
 * rate (floored at LOSS_RATE_FLOOR). `p` and `rate` are for the words.
 */
export function lossRise(lost: number, sent: number, pts: number, baseLossPct: number, th: DiffThresholds): { significant: boolean; p: number; rate: number } {
  const rate = Math.max(baseLossPct / 100, LOSS_RATE_FLOOR);
  const p = binomialTail(lost, sent, rate);
  return { significant: lost >= th.lossMinProbes && pts >= th.lossPts && p < th.lossP, p, rate };
}

/**
 * Loss pooled over digests (the terminal hop's probes), for those that match `reached`:
 * percent lost and the counts; null when nothing was sent.
 */
export function pooledLoss(digests: readonly TraceDigest[], reached: boolean): { pct: number; lost: number; sent: number; traces: number } | null {
  const pool = digests.filter((x) => x.reached === reached && x.terminalSent > 0);
  const sent = pool.reduce((n, x) => n + x.terminalSent, 0);
  const lost = pool.reduce((n, x) => n + Math.max(0, x.terminalSent - x.terminalReceived), 0);
  return sent > 0 ? { pct: (lost * 100) / sent, lost, sent, traces: pool.length } : null;
}

/**
 * `recent`: the traces assessed just before this one (oldest first), for the pooled loss
 * test. Empty: each trace stands alone.
 */
export function assess(base: Baseline, d: TraceDigest, th: DiffThresholds, recent: readonly TraceDigest[] = []): Assessment {
  const current = digestSummary(d);
  const deltas = deltasOf(base, current);
  const notes = lossNotes(d, th);
  const out: Candidate[] = [];
  const suspects: PathChangeKind[] = [];
  const done = () => ({ candidates: out, suspects, notes, deltas, current });

  // ---- reachability
  if (base.reached && !d.reached) {
    const far = base.hopRange ? base.hopRange[1] : base.lastTtl;
    if (d.stopReason === 'hoplimit' && d.lastTtl < far) {
      notes.push(`the trace stopped at its max TTL ${d.lastTtl}, short of the baseline's destination hop ${far}: reachability, RTT and loss not compared`);
    } else {
      out.push({
        kind: 'unreachable',
        reasons: [`destination not reached (${stopWords(d)}); the baseline reached it in ${base.reachedCount} of ${nTraces(base.traces)} at hop ${base.hopCount ?? '?'}`],
      });
      return done();
    }
  } else if (!base.reached && d.reached) {
    const was = base.lastAnswer ? `last answer from hop ${base.lastAnswer.ttl}, stopped: ${base.lastAnswer.stopReason ?? 'unknown'}` : 'no hop answered';
    const rtt = d.rttMs !== null ? `, ${ms(d.rttMs)}` : '';
    out.push({ kind: 'reachable', reasons: [`destination answers at hop ${d.hopCount ?? '?'}${rtt}; the baseline (${nTraces(base.traces)}) did not reach it (${was})`] });
    return done();
  }

  // ---- IP path (ECMP sets, `*` wildcard)
  const sets = new Map(base.ipPath.map((h) => [h.ttl, h.addresses]));
  const ipReasons: string[] = [];
  for (const h of d.hops) {
    const set = sets.get(h.ttl) ?? [];
    if (h.addresses.length === 0 || set.length === 0) continue;
    const outside = h.addresses.filter((a) => !set.includes(a));
    if (outside.length === 0) continue;
    if (outside.length < h.addresses.length) {
      notes.push(`hop ${h.ttl}: ${formatHopSet(outside)} answered alongside baseline ${formatHopSet(h.addresses.filter((a) => set.includes(a)))} in the same trace: ECMP, not a path change`);
    } else {
      ipReasons.push(`hop ${h.ttl}: ${formatHopSet(outside)}, not in the baseline's ${formatHopSet(set)} (${nTraces(base.traces)})`);
    }
  }
  if (ipReasons.length > 0) out.push({ kind: 'ip-path', reasons: ipReasons });

  // ---- AS path (collapsed; unknown/private/IXP hops already skipped)
  if (d.asPath.length > 0 && base.asPaths.length > 0) {
    const fits = (b: typeof d.asPath) =>
      (d.reached ? b.length === d.asPath.length : b.length >= d.asPath.length) && d.asPath.every((s, i) => s.some((a) => b[i].includes(a)));
    if (!base.asPaths.some(fits)) {
      const alts = base.asPaths.map(formatAsPath).join(' or ');
      out.push({ kind: 'as-path', reasons: [`AS path ${formatAsPath(d.asPath)} vs baseline ${alts}${deltas.asHops ? ` (${signed(deltas.asHops, ' AS hops', 0)})` : ''}`] });
    }
  }

  // ---- hop count
  if (d.hopCount !== null && base.hopRange && deltas.hops !== null) {
    const [lo, hi] = base.hopRange;
    if (Math.abs(deltas.hops) >= th.hops && (d.hopCount < lo || d.hopCount > hi)) {
      const range = lo === hi ? '' : ` (range ${lo}-${hi})`;
      out.push({ kind: 'hop-count', reasons: [`destination at hop ${d.hopCount} vs baseline hop ${base.hopCount}${range} (${signed(deltas.hops, ' hops', 0)})`] });
    }
  }

  // ---- RTT (destination, beyond thresholds and noise)
  if (base.rtt && current.rtt && deltas.rttMs !== null) {
    const dm = deltas.rttMs;
    const relOk = deltas.rttPct === null || Math.abs(deltas.rttPct) >= th.rttPct;
    const noise = th.rttNoiseK * base.rtt.spreadMs;
    const words =
      `destination RTT ${ms(current.rtt.medianMs)} vs baseline ${ms(base.rtt.medianMs)} (${signed(dm, ' ms')}` +
      `${deltas.rttPct !== null ? `, ${signed(deltas.rttPct, ' %', 0)}` : ''})`;
    const mtr = current.rtt.source === 'mtr-avg' || base.rtt.source !== 'samples' ? '; mtr --json has no samples, its Avg stands in for the median' : '';
    if (Math.abs(dm) >= th.rttAbsMs && relOk && Math.abs(dm) > noise) {
      out.push({ kind: 'rtt', reasons: [`${words}, beyond the baseline's spread of ${ms(base.rtt.spreadMs)}${mtr}`] });
    } else if (Math.abs(dm) > noise && Math.abs(dm) >= 1) {
      notes.push(`${words}: beyond the baseline's spread of ${ms(base.rtt.spreadMs)} but under the ${th.rttAbsMs} ms and ${th.rttPct} % thresholds`);
    }
  }

  // ---- loss, end to end only: enough points, enough probes, and unlikely under the baseline's rate
  if (deltas.lossPts !== null && current.lossPct !== null && base.lossPct !== null && deltas.lossPts >= th.lossPts) {
    const lost = d.terminalSent - d.terminalReceived;
    const where = d.reached ? 'destination' : `last answering hop ${d.terminalTtl ?? '?'}`;
    const { significant, p, rate } = lossRise(lost, d.terminalSent, deltas.lossPts, base.lossPct, th);
    const seen = `${where} lost ${lost} of ${d.terminalSent} probes (${signed(deltas.lossPts, ' points', 0)})`;
    const pooled = lost > 0 && !significant ? pooledLoss([...recent, d], d.reached) : null;
    const together = pooled && pooled.traces > 1 ? lossRise(pooled.lost, pooled.sent, pooled.pct - base.lossPct, base.lossPct, th) : undefined;
    if (pooled && together?.significant) {
      suspects.push('loss');
      notes.push(
        `${seen}: with the ${nTraces(pooled.traces - 1)} before, ${pooled.lost} of ${pooled.sent} probes (${pct(pooled.pct)}), ` +
          `${together.p.toPrecision(2)} likely at the baseline's ${pct(rate * 100)} loss rate: loss suspected, not yet a candidate`,
      );
    } else if (lost < th.lossMinProbes) {
      notes.push(`${seen}: fewer than ${th.lossMinProbes} lost probes, not taken as loss`);
    } else if (!(p < th.lossP)) {
      notes.push(`${seen}: ${p.toPrecision(2)} likely at the baseline's ${pct(rate * 100)} loss rate (threshold ${th.lossP}), not taken as loss`);
    } else {
      out.push({
        kind: 'loss',
        reasons: [`${where} loss ${pct(current.lossPct)} (${lost} of ${d.terminalSent} probes) vs baseline ${pct(base.lossPct)} (${signed(deltas.lossPts, ' points', 0)}): end-to-end loss`],
      });
    }
  }
  return done();
}
