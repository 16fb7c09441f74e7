// PathChange: a trace (or a few) whose path departs from the target's baseline beyond
// noise, and lasted (or was confirmed by a triggered trace). Made by probe/pathdiff.ts,
// read by correlate/ (joined with RouteChanges) and alert/ (words for a person).
//
// Kinds:
// - 'ip-path'     a hop answered from an address outside the baseline's ECMP set at that TTL
// - 'as-path'     the collapsed AS sequence is none of the baseline's
// - 'hop-count'   the destination answers at a TTL beyond the baseline's range by >= N hops
// - 'rtt'         destination RTT moved beyond thresholds and beyond the baseline's spread
// - 'loss'        end-to-end loss (at the destination) rose; never a middle hop's loss
// - 'unreachable' the baseline reached the destination, the trace did not; or the return
//                 to an unreachable baseline after a 'reachable' change (`recovers` says)
// - 'reachable'   the destination answers again: either the baseline never reached it,
//                 or this is the recovery of an 'unreachable' change (`recovers` says)
// - 'recovered'   the path is back on the baseline after an earlier change (`recovers`
//                 lists what cleared), so alerts can send a recovery notice
// A recovery is emitted only for a change that was reported and is still open; a change
// that lasts becomes the new baseline instead (reported once, never "recovered").

export type PathChangeKind = 'ip-path' | 'as-path' | 'hop-count' | 'rtt' | 'loss' | 'unreachable' | 'reachable' | 'recovered';

/** A collapsed AS path: one element per AS, each element the set of ASNs seen there (more than one only under ECMP inside one trace). */
export type AsPath = readonly (readonly number[])[];

/** Per TTL, the addresses that answered; an empty list is `*` (a wildcard when comparing). */
export interface HopSet {
  readonly ttl: number;
  readonly addresses: readonly string[];
}

/**
 * Where an RTT figure comes from. 'samples': median of real per-probe samples.
 * 'mtr-avg': mtr --json prints no samples, only Avg/StDev; Avg stands in for the
 * median (it is pulled up by outliers, the median is not). 'mixed': a baseline of both.
 */
export type RttSource = 'samples' | 'mtr-avg' | 'mixed';

export interface RttSummary {
  /** Destination RTT in ms: median of per-trace figures (baseline) or the trace's own figure. */
  readonly medianMs: number;
  /** Noise in ms, a robust sigma (1.4826 x MAD): the larger of between-trace and within-trace spread. */
  readonly spreadMs: number;
  readonly source: RttSource;
}

export interface PathSummary {
  /** Number of traces summarised (1 for the current trace). */
  readonly traces: number;
  readonly reached: boolean;
  readonly ipPath: readonly HopSet[];
  /** Distinct collapsed AS paths (the baseline may hold several under per-run ECMP); [] when unknown. */
  readonly asPaths: readonly AsPath[];
  /** TTL of the destination hop (median over the baseline); null when not reached. */
  readonly hopCount: number | null;
  readonly rtt: RttSummary | null;
  /** End-to-end loss in percent at the destination (or last responding hop when unreached); null when unknown. */
  readonly lossPct: number | null;
}

/** current - baseline; null where either side has no figure. */
export interface PathChangeDeltas {
  readonly rttMs: number | null;
  readonly rttPct: number | null;
  readonly hops: number | null;
  readonly asHops: number | null;
  readonly lossPts: number | null;
}

export interface PathChangeTrace {
  readonly id: string;
  /** Epoch ms the trace started. */
  readonly start: number;
  readonly triggered: boolean;
}

/** The end-to-end probes a PathChange's loss figure rests on, pooled over its traces. */
export interface LossEvidence {
  readonly lost: number;
  readonly sent: number;
  /**
   * The rise passes pathdiff's loss tests: loss_min_probes lost or more, loss_pts up or
   * more, and less likely than loss_p at the baseline's loss rate. One lost probe in ten
   * is +10 points and proves nothing.
   */
  readonly significant: boolean;
}

export interface PathChange {
  readonly target: string;
  readonly kind: PathChangeKind;
  /** For 'recovered' and a recovery 'reachable': the kinds that went back to baseline. */
  readonly recovers?: readonly PathChangeKind[];
  readonly baseline: PathSummary;
  readonly current: PathSummary;
  readonly deltas: PathChangeDeltas;
  /** What `current.lossPct` and `deltas.lossPts` rest on; absent when no probe was counted (or stored before it existed). */
  readonly loss?: LossEvidence;
  /** Plain sentences for an operator, most important first. */
  readonly reasons: readonly string[];
  /** The traces in the persistence window that showed it, oldest first (the last one made it a change). */
  readonly traces: readonly PathChangeTrace[];
  /** Seen in `seen` of the last `window` traces. */
  readonly persistence: { readonly seen: number; readonly window: number };
  /** A triggered confirmation trace (asked for by the correlator) agreed with an earlier candidate. */
  readonly confirmed: boolean;
  /** Start (epoch ms) of the trace that made it a change. */
  readonly at: number;
  /** Start of the first trace in the window that showed it. */
  readonly since: number;
}

/** "65001 65002 65004", with an ECMP element as "{65002 4200000003}". */
export function formatAsPath(p: AsPath): string {
  return p.map((s) => (s.length === 1 ? String(s[0]) : `{${s.join(' ')}}`)).join(' ');
}

/** "{a,b}" for an ECMP set, "*" for a silent hop. */
export function formatHopSet(addresses: readonly string[]): string {
  if (addresses.length === 0) return '*';
  return addresses.length === 1 ? addresses[0] : `{${addresses.join(', ')}}`;
}
