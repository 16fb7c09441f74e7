// The one Trace model: what every backend's output (mtr, scamper, traceroute,
// tcptraceroute, RIPE Atlas) is decoded into, and what pathdiff/correlate read.
//
// Honesty rules the codecs keep, because traceroute lies enough on its own:
// - `rtts` holds only real per-probe samples. mtr's --json has only summary statistics;
//   those go to `stats` and `rtts` stays empty (never invented from Best/Avg/Wrst).
// - `received` counts timely answers to this hop's probes. Late answers (Atlas `late`)
//   and duplicates are counted apart (`late`, flag 'dup'): they prove a responder exists,
//   not an RTT, and they are not probes.
// - A hop may have several responders (ECMP, or a path change between probes); each
//   keeps its own samples. Which probe went unanswered on which path is unknowable, so
//   `sent` is per hop; a responder's `sent` is set only where the tool says it.
// - `asn` is ours to fill (from the RIB, in correlate/); a codec leaves it undefined.
//   What a tool printed (mtr -z, traceroute -A) is only `asnHint`.
// - Hops are sorted by ttl, one per ttl, not always contiguous: Atlas reports its
//   final probe as hop 255 after a gap. Silent hops inside the probed range are present
//   with no responders.

export type Backend = 'mtr' | 'scamper' | 'traceroute' | 'tcptraceroute' | 'atlas';

export type Method =
  | 'icmp'
  | 'udp'
  | 'tcp'
  | 'icmp-paris'
  | 'udp-paris'
  | 'tcp-paris'
  | 'tcp-ack'
  | 'sctp'
  | 'unknown';

/** Why the trace stopped, in scamper's vocabulary (lower case), where it is known. */
export type StopReason =
  | 'completed' // the destination answered
  | 'unreachable' // an ICMP unreachable (!N, !H, !X ...) ended it
  | 'icmp' // some other ICMP ended it
  | 'loop'
  | 'gaplimit' // too many silent hops in a row
  | 'hoplimit' // max TTL reached
  | 'error' // the tool could not run the trace (Atlas `error`, scamper ERROR)
  | 'halted'
  | 'none'
  | (string & {}); // a reason a newer tool prints that we do not know yet, kept as printed

/** One MPLS label stack entry from an RFC 4950 ICMP extension. */
export interface MplsEntry {
  readonly label: number;
  readonly exp: number;
  readonly s: number;
  readonly ttl: number;
}

/** Summary statistics a tool printed instead of samples (mtr --json), in ms. */
export interface ResponderStats {
  readonly last: number;
  readonly avg: number;
  readonly best: number;
  readonly worst: number;
  readonly stdev: number;
}

export interface Responder {
  /** Canonical address text. When a tool printed only a name (mtr without -n), the name, with flag 'name'. */
  readonly address: string;
  /** Reverse-DNS name as the tool printed it, if it did. */
  readonly name?: string;
  /** RTT samples in ms, in the order the tool reported them. */
  readonly rtts: readonly number[];
  /** Probes known to have been sent towards this responder (only where the tool says: mtr's Snt). */
  readonly sent?: number;
  /** Timely replies from this responder at this hop. */
  readonly received: number;
  /** Replies that came after the tool had given up on the probe (Atlas `late`). */
  readonly late?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /** IP TTL of the reply as received. */
  readonly replyTtl?: number;
  /** TTL quoted in the ICMP error when it was not 1 (Atlas `ittl`, scamper icmp_q_ttl): TTL-propagating tunnels, odd stacks. */
  readonly quotedTtl?: number;
  readonly mpls?: readonly MplsEntry[];
  /** Origin AS from our RIB; null when looked up and unknown; undefined when not looked up. */
  readonly asn?: number | null;
  /** AS the tool itself printed (mtr -z, traceroute -A): a hint, not our answer. */
  readonly asnHint?: number;
  /** '!N' '!H' '!P' '!S' '!F' '!F-<mtu>' '!X' '!V' '!C' '!<code>' 'late' 'dup' 'open' 'closed' 'name' */
  readonly flags?: readonly string[];
  readonly stats?: ResponderStats;
}

export interface Hop {
  readonly ttl: number;
  readonly responders: readonly Responder[];
  /** Probes sent at this TTL (best knowledge: see each codec's notes). */
  readonly sent: number;
  /** Probes answered in time (sum of responders' `received`). */
  readonly received?: number;
}

export type TraceMetaValue = string | number | boolean | null;

export interface Trace {
  /** Address text the probes went to (canonical); the name only when the tool never resolved it (then `targetName` too). */
  readonly target: string;
  readonly targetName?: string;
  readonly backend: Backend;
  readonly method: Method;
  /** Epoch milliseconds. */
  readonly start: number;
  readonly end: number;
  /** The target answered at least one probe (late answers count: they prove reachability). */
  readonly reached: boolean;
  readonly stopReason?: StopReason;
  readonly hops: readonly Hop[];
  readonly source?: string;
  /** Backend specifics worth keeping (Atlas msm/probe ids, firmware, lts, error text, tool version). */
  readonly meta?: Readonly<Record<string, TraceMetaValue>>;
}

// ---------------------------------------------------------------- helpers

/** Received answers at a hop (uses `received` when set, else the responders' sum). */
export function hopReceived(hop: Hop): number {
  if (hop.received !== undefined) return hop.received;
  let n = 0;
  for (const r of hop.responders) n += r.received;
  return n;
}

/** Loss at a hop as a fraction 0..1; undefined when nothing was sent. */
export function hopLoss(hop: Hop): number | undefined {
  if (hop.sent <= 0) return undefined;
  return Math.max(0, Math.min(1, 1 - hopReceived(hop) / hop.sent));
}

/** The first hop where the target answered (late answers count), or undefined. */
export function destinationHop(trace: Trace): Hop | undefined {
  for (const hop of trace.hops) {
    for (const r of hop.responders) {
      if (r.address === trace.target && (r.received > 0 || (r.late ?? 0) > 0)) return hop;
    }
  }
  return undefined;
}

/** Median of a list of numbers (mean of the middle two for an even count); undefined if empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median RTT of one responder's samples; undefined without samples (mtr --json has none). */
export function responderMedianRtt(r: Responder): number | undefined {
  return median(r.rtts);
}

/** Median RTT over all samples at a hop, across responders; undefined without samples. */
export function hopMedianRtt(hop: Hop): number | undefined {
  const all: number[] = [];
  for (const r of hop.responders) for (const v of r.rtts) all.push(v);
  return median(all);
}

/**
 * The best RTT figure a hop offers: the median of samples, else (mtr --json) the
 * received-weighted mean of the responders' printed averages. Undefined when silent.
 */
export function hopRtt(hop: Hop): number | undefined {
  const m = hopMedianRtt(hop);
  if (m !== undefined) return m;
  let sum = 0;
  let n = 0;
  for (const r of hop.responders) {
    if (r.stats && r.received > 0) {
      sum += r.stats.avg * r.received;
      n += r.received;
    }
  }
  return n > 0 ? sum / n : undefined;
}

/** Distinct responding addresses per hop, the IP-level path (silent hops give []). */
export function ipPath(trace: Trace): string[][] {
  return trace.hops.map((h) => h.responders.filter((r) => r.received > 0 || (r.late ?? 0) > 0).map((r) => r.address));
}

// ---------------------------------------------------------------- JSON output

export interface ResponderJson {
  address: string;
  rtts: number[];
  sent: number;
  received: number;
  asn: number | null;
  name?: string;
  late?: number;
  flags?: string[];
  mpls?: MplsEntry[];
  stats?: ResponderStats;
  asnHint?: number;
}

export interface HopJson {
  ttl: number;
  responders: ResponderJson[];
  sent: number;
  received: number;
}

export interface TraceJson {
  target: string;
  backend: Backend;
  method: Method;
  start: string;
  end: string;
  reached: boolean;
  hops: HopJson[];
  stopReason?: string;
  source?: string;
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) ? d.toISOString() : new Date(0).toISOString();
}

/**
 * The shape `smoketrace trace --json` prints. The keys come first in its order;
 * optional facts (stopReason, flags, mpls, mtr's stats ...) follow only when present.
 * A responder's `sent` is the hop's when the tool did not say (see Responder.sent).
 */
export function traceToJson(trace: Trace): TraceJson {
  const out: TraceJson = {
    target: trace.target,
    backend: trace.backend,
    method: trace.method,
    start: iso(trace.start),
    end: iso(trace.end),
    reached: trace.reached,
    hops: trace.hops.map((h) => ({
      ttl: h.ttl,
      responders: h.responders.map((r) => {
        const j: ResponderJson = { address: r.address, rtts: [...r.rtts], sent: r.sent ?? h.sent, received: r.received, asn: r.asn ?? null };
        if (r.name !== undefined) j.name = r.name;
        if (r.late) j.late = r.late;
        if (r.flags && r.flags.length > 0) j.flags = [...r.flags];
        if (r.mpls && r.mpls.length > 0) j.mpls = r.mpls.map((m) => ({ ...m }));
        if (r.stats) j.stats = { ...r.stats };
        if (r.asnHint !== undefined) j.asnHint = r.asnHint;
        return j;
      }),
      sent: h.sent,
      received: hopReceived(h),
    })),
  };
  if (trace.stopReason !== undefined) out.stopReason = trace.stopReason;
  if (trace.source !== undefined) out.source = trace.source;
  return out;
}
