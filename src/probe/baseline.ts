// The target's baseline: the stable path over its last N traces. Pure.
//
// A Trace is first boiled down to a TraceDigest (what comparison needs, small and plain
// JSON, so the store can persist a tracker's state as it is). A Baseline is built from
// digests every time it is needed; it is never kept, so it can never drift from them.
//
// Why these choices (traceroute lies, and a baseline must not believe it):
// - Per TTL the baseline keeps the SET of addresses seen (per-flow ECMP gives another
//   hop-2 router on another run; both are fine). `*` adds nothing: it is a wildcard.
// - The AS path is collapsed (consecutive hops in one AS are one element) and hops
//   whose AS is unknown/private/IXP (asOf gives null or undefined) are skipped, so a
//   silent or RFC 1918 hop never makes an AS difference.
// - RTT and loss are the destination's only. A middle hop's RTT and loss are the
//   router's ICMP generation (slow path, rate limits), not the forwarding path's.
// - Spread is a robust sigma (1.4826 x MAD): one slow trace does not widen it, ten do.
import type { Trace } from '../model/trace.ts';
import { destinationHop, hopLoss, hopReceived, median } from '../model/trace.ts';
import type { AsPath, HopSet, PathSummary, RttSource, RttSummary } from '../model/path-change.ts';

/** Origin AS of an address: a number, null when looked up and unannounced/private/IXP, undefined when unknown. */
export type AsLookup = (address: string) => number | null | undefined;

export interface HopLoss {
  readonly ttl: number;
  readonly addresses: readonly string[];
  /** Percent, null when nothing was sent at that TTL. */
  readonly lossPct: number | null;
}

/** What pathdiff keeps of one trace. Plain JSON. */
export interface TraceDigest {
  readonly id: string;
  readonly start: number;
  readonly end: number;
  readonly reached: boolean;
  readonly stopReason: string | null;
  /** Highest TTL probed (0 when no hop). */
  readonly lastTtl: number;
  /** Hops up to the destination (or the last probed hop when unreached); [] = `*`. */
  readonly hops: readonly HopSet[];
  /** Loss per hop (same order as hops), for the rate-limiting explanation. */
  readonly losses: readonly HopLoss[];
  readonly asPath: AsPath;
  /** Destination TTL; null when not reached. */
  readonly hopCount: number | null;
  readonly rttMs: number | null;
  /** Within-trace noise of the destination RTT (robust sigma of samples, or mtr StDev); null when unknown. */
  readonly rttJitterMs: number | null;
  readonly rttSource: 'samples' | 'mtr-avg' | null;
  /** The hop whose loss is end to end: the destination, else the last hop that answered. */
  readonly terminalTtl: number | null;
  readonly terminalSent: number;
  readonly terminalReceived: number;
  /** ICMP flags the terminal hop answered with (!N, !H ...), for the words. */
  readonly terminalFlags: readonly string[];
}

const answered = (r: { received: number; late?: number }) => r.received > 0 || (r.late ?? 0) > 0;

/** 1.4826 x the median absolute deviation: a sigma that one outlier does not move. */
export function robustSigma(values: readonly number[]): number {
  const m = median(values);
  if (m === undefined || values.length < 2) return 0;
  return 1.4826 * (median(values.map((v) => Math.abs(v - m))) ?? 0);
}

function collapseAs(hopAsns: readonly (readonly number[])[]): AsPath {
  const out: number[][] = [];
  for (const set of hopAsns) {
    if (set.length === 0) continue; // unknown, private, IXP: skipped, never a difference
    const prev = out[out.length - 1];
    // Consecutive hops sharing an AS are that AS (an ECMP hop {A,B} after A merges too).
    if (prev && set.some((a) => prev.includes(a))) {
      for (const a of set) if (!prev.includes(a)) prev.push(a);
      prev.sort((x, y) => x - y);
    } else out.push([...set].sort((x, y) => x - y));
  }
  return out;
}

export function digestTrace(trace: Trace, id: string, asOf?: AsLookup): TraceDigest {
  const dest = destinationHop(trace);
  const lastTtl = trace.hops.reduce((m, h) => Math.max(m, h.ttl), 0);
  // Beyond the destination nothing is path (Atlas can print its hop 255 after it).
  const hops = dest ? trace.hops.filter((h) => h.ttl <= dest.ttl) : trace.hops;
  let terminal = dest;
  if (!terminal) for (const h of hops) if (h.responders.some(answered)) terminal = h;

  const asOfR = (address: string, own: number | null | undefined) => (asOf ? asOf(address) : own);
  const hopAsns = hops.map((h) => {
    const s = new Set<number>();
    for (const r of h.responders) {
      if (!answered(r)) continue;
      const a = asOfR(r.address, r.asn);
      if (typeof a === 'number') s.add(a);
    }
    return [...s];
  });

  let rttMs: number | null = null;
  let jitter: number | null = null;
  let source: TraceDigest['rttSource'] = null;
  if (dest) {
    const mine = dest.responders.filter((r) => r.address === trace.target);
    const samples = mine.flatMap((r) => r.rtts);
    if (samples.length > 0) {
      rttMs = median(samples) ?? null;
      jitter = samples.length >= 2 ? robustSigma(samples) : null;
      source = 'samples';
    } else {
      // mtr --json: no samples, only a summary. Avg stands in for the median.
      const st = mine.filter((r) => r.stats && r.received > 0);
      const n = st.reduce((s, r) => s + r.received, 0);
      if (n > 0) {
        rttMs = st.reduce((s, r) => s + (r.stats?.avg ?? 0) * r.received, 0) / n;
        jitter = median(st.map((r) => r.stats?.stdev ?? 0)) ?? null;
        source = 'mtr-avg';
      }
    }
  }

  return {
    id,
    start: trace.start,
    end: trace.end,
    reached: dest !== undefined,
    stopReason: trace.stopReason ?? null,
    lastTtl,
    hops: hops.map((h) => ({ ttl: h.ttl, addresses: [...new Set(h.responders.filter(answered).map((r) => r.address))] })),
    losses: hops.map((h) => {
      const l = hopLoss(h);
      return { ttl: h.ttl, addresses: h.responders.filter(answered).map((r) => r.address), lossPct: l === undefined ? null : l * 100 };
    }),
    asPath: collapseAs(hopAsns),
    hopCount: dest ? dest.ttl : null,
    rttMs,
    rttJitterMs: jitter,
    rttSource: source,
    terminalTtl: terminal ? terminal.ttl : null,
    terminalSent: terminal ? terminal.sent : 0,
    terminalReceived: terminal ? hopReceived(terminal) : 0,
    terminalFlags: terminal ? [...new Set(terminal.responders.flatMap((r) => r.flags ?? []).filter((f) => f.startsWith('!')))] : [],
  };
}

export interface Baseline extends PathSummary {
  readonly ids: readonly string[];
  /** Smallest and largest destination TTL seen; null when never reached. */
  readonly hopRange: readonly [number, number] | null;
  /** How many of the traces reached the destination. */
  readonly reachedCount: number;
  /** Highest TTL any baseline trace probed. */
  readonly lastTtl: number;
  /** Last responding hop of the most recent unreached trace (for the words when the baseline is unreachable). */
  readonly lastAnswer: { readonly ttl: number; readonly stopReason: string | null } | null;
}

export const asPathKey = (p: AsPath): string => p.map((s) => s.join('|')).join(' ');

/** The baseline over `digests` (the caller passes the stable ones, oldest first). */
export function buildBaseline(digests: readonly TraceDigest[]): Baseline {
  const sets = new Map<number, Set<string>>();
  const asCount = new Map<string, { path: AsPath; n: number; last: number }>();
  digests.forEach((d, i) => {
    for (const h of d.hops) {
      const s = sets.get(h.ttl) ?? new Set<string>();
      for (const a of h.addresses) s.add(a);
      sets.set(h.ttl, s);
    }
    if (d.asPath.length > 0) {
      const k = asPathKey(d.asPath);
      const e = asCount.get(k);
      asCount.set(k, { path: d.asPath, n: (e?.n ?? 0) + 1, last: i });
    }
  });
  const reached = digests.filter((d) => d.reached);
  const hopCounts = reached.map((d) => d.hopCount ?? 0);
  const unreached = digests.filter((d) => !d.reached);
  const lastUn = unreached[unreached.length - 1];
  const isReached = reached.length > 0 && reached.length * 2 >= digests.length;
  const summary = summarise(digests.length, isReached, sets, reached, isReached ? reached : unreached);
  return {
    ...summary,
    // Most frequent first, then most recent: asPaths[0] is "the" AS path for deltas.
    asPaths: [...asCount.values()].sort((a, b) => b.n - a.n || b.last - a.last).map((e) => e.path),
    ids: digests.map((d) => d.id),
    hopRange: hopCounts.length > 0 ? [Math.min(...hopCounts), Math.max(...hopCounts)] : null,
    reachedCount: reached.length,
    lastTtl: digests.reduce((m, d) => Math.max(m, d.lastTtl), 0),
    lastAnswer: lastUn && lastUn.terminalTtl !== null ? { ttl: lastUn.terminalTtl, stopReason: lastUn.stopReason } : null,
  };
}

function summarise(n: number, isReached: boolean, sets: Map<number, Set<string>>, reached: readonly TraceDigest[], pool: readonly TraceDigest[]): PathSummary {
  const ipPath = [...sets.entries()].sort((a, b) => a[0] - b[0]).map(([ttl, s]) => ({ ttl, addresses: [...s].sort() }));
  const hc = median(reached.map((d) => d.hopCount ?? 0));
  const withRtt = reached.filter((d) => d.rttMs !== null);
  let rtt: RttSummary | null = null;
  if (withRtt.length > 0) {
    const figures = withRtt.map((d) => d.rttMs ?? 0);
    const jitters = withRtt.map((d) => d.rttJitterMs).filter((j): j is number => j !== null);
    const kinds = new Set(withRtt.map((d) => d.rttSource));
    const source: RttSource = kinds.size > 1 ? 'mixed' : kinds.has('mtr-avg') ? 'mtr-avg' : 'samples';
    // Noise is the larger of "traces differ from each other" and "probes inside one trace differ".
    rtt = { medianMs: median(figures) ?? 0, spreadMs: Math.max(robustSigma(figures), median(jitters) ?? 0), source };
  }
  // Pooled, not averaged: ten 3-probe traces with one loss are 3.3 %, not "one trace at 33 %".
  // Over the traces that match the baseline's reachability: the destination's loss, or
  // (unreachable baseline) the last answering hop's.
  const sent = pool.reduce((s, d) => s + d.terminalSent, 0);
  const got = pool.reduce((s, d) => s + d.terminalReceived, 0);
  return {
    traces: n,
    reached: isReached,
    ipPath,
    asPaths: [],
    hopCount: hc === undefined ? null : Math.round(hc),
    rtt,
    lossPct: sent > 0 ? Math.max(0, ((sent - got) * 100) / sent) : null,
  };
}

/** The baseline as the PathSummary a PathChange carries (without the bookkeeping fields). */
export function baselineSummary(b: Baseline): PathSummary {
  return { traces: b.traces, reached: b.reached, ipPath: b.ipPath, asPaths: b.asPaths, hopCount: b.hopCount, rtt: b.rtt, lossPct: b.lossPct };
}

/** A digest as a one-trace summary (the "current" side of a PathChange). */
export function digestSummary(d: TraceDigest): PathSummary {
  const loss = d.terminalSent > 0 ? Math.max(0, ((d.terminalSent - d.terminalReceived) * 100) / d.terminalSent) : null;
  return {
    traces: 1,
    reached: d.reached,
    ipPath: d.hops.map((h) => ({ ttl: h.ttl, addresses: [...h.addresses].sort() })),
    asPaths: d.asPath.length > 0 ? [d.asPath] : [],
    hopCount: d.hopCount,
    rtt: d.rttMs === null ? null : { medianMs: d.rttMs, spreadMs: d.rttJitterMs ?? 0, source: d.rttSource ?? 'samples' },
    lossPct: loss,
  };
}
