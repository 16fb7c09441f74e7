// Cause: what the correlator hands to alerting. One BGP event (a prefix/peer change, or
// one peer session going down) may move many targets; they are reported together, so
// alerting can send ONE message per cause listing every target it moved. A data-plane
// change with no routing change behind it is a cause of its own (one target).
//
// The correlator (correlate/) makes these; alert/ reads them; store/ keeps the verdicts.
import type { RouteChange } from './route-change.ts';
import type { Trace } from './trace.ts';
import type { Verdict } from './verdict.ts';

/**
 * - 'route-change': RouteChange(s) of one prefix from one peer (grouped within the settle time).
 * - 'peer-down': one peer session (or a whole router/feed) went down, dropping many prefixes.
 * - 'path-change': the data plane moved with no routing change seen (congestion, intradomain).
 */
export type CauseKind = 'route-change' | 'peer-down' | 'path-change';

/** One target's verdict within a cause, with the evidence an email shows. */
export interface TargetVerdict {
  /** Stored verdict id (verdicts table), set once stored. */
  readonly id?: number;
  readonly targetId: string;
  readonly targetName: string;
  /** The address probed. */
  readonly address: string;
  /** The prefix covering the address in our route view (before the change when it was withdrawn). */
  readonly prefix?: string;
  readonly verdict: Verdict;
  /** The last trace before the cause (from the baseline), when there is one. */
  readonly before?: Trace;
  /** The trace that decided the verdict (the confirmation trace). */
  readonly after?: Trace;
}

export interface Cause {
  /** Stable id: the same BGP event always maps to the same id (also across a restart, via the store). */
  readonly id: string;
  readonly kind: CauseKind;
  /** Epoch ms of the first RouteChange (or PathChange) of the cause. */
  readonly at: number;
  /** One line for a subject: "203.0.113.0/24 from 10.0.0.2 AS65002: 65002 65004 -> 65003 65004". */
  readonly summary: string;
  readonly routeChanges: readonly RouteChange[];
  /** Every target the cause touched, with its verdict (same/better ones too: alerting filters). */
  readonly verdicts: readonly TargetVerdict[];
}
