// Verdict: what the correlator (correlate/score.ts) concludes about one RouteChange that
// touches a target, or one PathChange: did the path get worse, better, stay the same, or
// is the destination unreachable, with the figures, both AS paths (BGP and traceroute),
// the reasons in words, what it was joined to and how sure we are. Read by alert/.
import type { PathChange } from './path-change.ts';
import type { RouteChange } from './route-change.ts';
import type { AsPath, PeerRef } from './route-event.ts';

export type VerdictKind = 'worse' | 'better' | 'same' | 'unreachable';

export type VerdictConfidence = 'low' | 'medium' | 'high';

/**
 * Findings beside the kind:
 * - 'control-data-mismatch': the traceroute's AS sequence persistently disagrees with the
 *   BGP AS path of the route in use (the packets do not go where BGP says).
 * - 'no-routing-change': the data plane changed and no RouteChange was seen for the prefix
 *   (congestion, or a change inside an AS that BGP does not show).
 * - 'prepend-only': the AS path changed only by prepending; the forwarding path did not.
 * - 'withdrawn': the prefix was withdrawn (no route left among the joined changes).
 * - 'no-trace': a routing change with no trace measured around it; nothing to compare yet.
 */
export type VerdictFinding = 'control-data-mismatch' | 'no-routing-change' | 'prepend-only' | 'withdrawn' | 'no-trace';

/** current - baseline; null where either side has no figure. */
export interface VerdictDeltas {
  /** Destination RTT, ms. */
  readonly rttMs: number | null;
  /** Destination RTT, percent of the baseline. */
  readonly rttPct: number | null;
  /** IP hops to the destination. */
  readonly hops: number | null;
  /** AS hops (the trace's collapsed AS sequence; the BGP path's, prepends collapsed, when no trace says). */
  readonly asHops: number | null;
  /** End-to-end loss, percentage points. */
  readonly lossPts: number | null;
}

/** A trace's collapsed AS sequence: a number per AS, an array where ECMP showed several. */
export type TraceAsSequence = readonly (number | readonly number[])[];

export interface Verdict {
  readonly kind: VerdictKind;
  /** The target (address text) the verdict is about; the prefix when no target is known. */
  readonly target: string;
  /** Epoch ms: the PathChange's time, else the latest RouteChange's. */
  readonly at: number;
  readonly deltas: VerdictDeltas;
  /** The route in use before and after, from the RouteChange chosen as the main one. */
  readonly bgp: { readonly before?: AsPath; readonly after?: AsPath; readonly prefix?: string; readonly peer?: PeerRef };
  /** The traceroute's AS sequences, baseline and current ([] when unknown). */
  readonly trace: { readonly beforeAs: TraceAsSequence; readonly afterAs: TraceAsSequence };
  /** Plain sentences for an on-call engineer, most important first. */
  readonly reasons: readonly string[];
  readonly routeChanges: readonly RouteChange[];
  readonly pathChange?: PathChange;
  readonly confidence: VerdictConfidence;
  readonly findings: readonly VerdictFinding[];
}
