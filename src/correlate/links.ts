// What the correlator is given: the prober's small interface (service.ts wires it; the
// correlator never imports probe/), where verdicts are stored, and the clock.
import type { Clock } from '../component.ts';
import type { Cause } from '../model/cause.ts';
import type { PathChange, PathChangeKind, PathSummary } from '../model/path-change.ts';
import type { Trace } from '../model/trace.ts';

export interface CorrelatorTarget {
  readonly id: string;
  readonly name: string;
  /** The address probed (IP literal). */
  readonly address: string;
}

/** What a finished trace brings (probe/tracking.ts ProbeTraceInfo, structurally). */
export interface TraceInfo {
  readonly targetId: string;
  readonly reason: 'scheduled' | 'trigger';
  readonly changes: readonly PathChange[];
  readonly assessed: boolean;
  readonly candidates: readonly PathChangeKind[];
  /** Kinds with evidence short of a candidate (pooled loss): the trace is not on the baseline. */
  readonly suspects: readonly PathChangeKind[];
  /** Kinds of pathdiff's reported change still open after this trace (off the baseline). */
  readonly open: readonly PathChangeKind[];
  /** Open kinds this trace no longer shows, not yet a recovery. */
  readonly clearing: readonly PathChangeKind[];
}

/** The small interface the prober offers the correlator (service.ts wires it). */
export interface ProbeLink {
  targets(): readonly CorrelatorTarget[];
  requestTrace(targetId: string, reason: string, opts?: { readonly force?: boolean }): Promise<Trace>;
  /** The target's baseline now; undefined before its first trace. */
  baseline(targetId: string): PathSummary | undefined;
  /** One trace as a one-trace summary, digested as pathdiff does. */
  summarize(trace: Trace): PathSummary;
  /** The target's newest stored trace (after a restart, the "before" of the first change). */
  lastTrace?(targetId: string): Promise<Trace | undefined>;
}

export interface VerdictSink {
  /** Stores the cause's verdicts; the ids in verdict order. */
  insert(cause: Cause): Promise<number[]>;
}

export type CorrelatorClock = Clock;
