// Path-change detection per target. Pure: no I/O, no timers; time is the traces' own.
//
// State is explicit plain JSON (PathState) so the store can persist it and a restart
// carries on: `observePath(state, trace, opts)` returns the next state; PathTracker is a
// thin holder for callers that keep one per target in memory.
//
// Life of a trace:
// 1. Learning: until `baselineMin` stable traces exist, a trace only joins the baseline.
// 2. It is assessed against the baseline (path-diff-rules.ts) -> candidate kinds.
// 3. Persistence: a kind becomes a PathChange when candidate in `required` (N) of the
//    last `window` (M) traces, or at once when a triggered confirmation trace (the
//    correlator asked for it after a RouteChange) agrees with an earlier candidate.
// 4. A reported change stays open. It is recovered (kind 'recovered', or 'reachable'
//    when 'unreachable' cleared) when N of the last M traces no longer show it, with the
//    same triggered shortcut. It is adopted instead when the new path has held for
//    `adoptAfter` traces in a row: those traces become the baseline, so a permanent
//    reroute is reported once. An outage is never adopted: 'unreachable' stays open
//    until the destination answers, so the recovery notice always comes. Nor is loss.
// 5. Baseline upkeep: clean traces join it at once; a candidate trace is held until it
//    leaves the window, then joins it if it did not become a change (a rarely seen ECMP
//    branch is learnt, a real change never pollutes the baseline it is measured against:
//    nor does a later trace still showing an open change).
// 6. Loss suspects (path-diff-rules.ts: loss that only the last few traces pooled make
//    significant) count as showing loss except for onset and adoption: they keep a loss
//    change open and belong to it, and they never teach the baseline loss (held like a
//    candidate, then learnt with their loss left out), or a sustained 40 % would become the
//    baseline one 1-of-5 trace at a time and never be reported.
// Loss figures of a PathChange are pooled over its traces: one trace's five probes say
// 0 % a sixth of the time at 30 % loss.
import type { Trace } from '../model/trace.ts';
import type { PathChange, PathChangeKind, PathChangeTrace, PathSummary } from '../model/path-change.ts';
import { type AsLookup, type TraceDigest, baselineSummary, buildBaseline, digestTrace } from './baseline.ts';
import { type Assessment, type DiffThresholds, assess, lossRise, pooledLoss } from './path-diff-rules.ts';

export interface PathDiffConfig extends DiffThresholds {
  /** M: persistence window, in traces. */
  readonly window: number;
  /** N: candidate traces needed within the window. */
  readonly required: number;
  /** Stable traces kept in the baseline. */
  readonly baselineLength: number;
  /** Traces needed before anything is compared. */
  readonly baselineMin: number;
  /** Traces in a row on the new path before it becomes the baseline. */
  readonly adoptAfter: number;
}

export const DEFAULT_PATHDIFF_CONFIG: PathDiffConfig = Object.freeze({
  window: 3,
  required: 2,
  baselineLength: 10,
  baselineMin: 3,
  adoptAfter: 5,
  rttAbsMs: 20,
  rttPct: 20,
  rttNoiseK: 3,
  lossPts: 2,
  lossMinProbes: 2,
  lossP: 0.01,
  hops: 2,
});

export function pathDiffConfig(partial: Partial<PathDiffConfig> = {}): PathDiffConfig {
  const c = { ...DEFAULT_PATHDIFF_CONFIG, ...partial };
  const int = (k: keyof PathDiffConfig, min: number) => {
    if (!Number.isInteger(c[k]) || c[k] < min) throw new RangeError(`pathdiff ${k} must be an integer >= ${min}, got ${c[k]}`);
  };
  int('window', 1);
  int('required', 1);
  int('baselineMin', 1);
  int('baselineLength', c.baselineMin);
  int('adoptAfter', c.baselineMin);
  int('lossMinProbes', 1);
  if (!(c.lossP > 0 && c.lossP <= 1)) throw new RangeError(`pathdiff lossP must be in (0, 1], got ${c.lossP}`);
  if (c.required > c.window) throw new RangeError(`pathdiff required (${c.required}) exceeds window (${c.window})`);
  for (const k of ['rttAbsMs', 'rttPct', 'rttNoiseK', 'lossPts', 'hops'] as const) {
    if (!(c[k] >= 0)) throw new RangeError(`pathdiff ${k} must be >= 0, got ${c[k]}`);
  }
  return c;
}

export interface WindowEntry {
  /** Order of assessment (PathState.seq when it was seen): trace times can tie or be absent. */
  readonly seq: number;
  readonly digest: TraceDigest;
  readonly triggered: boolean;
  readonly kinds: readonly PathChangeKind[];
  /** Kinds suspected, short of a candidate (absent in states stored before it existed). */
  readonly suspects?: readonly PathChangeKind[];
  /** Part of a reported change: never joins the old baseline. */
  readonly inChange: boolean;
}

export interface OpenKind {
  readonly kind: PathChangeKind;
  /** seq of the trace that made it a change: only later traces can clear it. */
  readonly seq: number;
}

export interface OpenChange {
  readonly kinds: readonly OpenKind[];
  readonly since: number;
  /** Traces on the new path since it began (the baseline-to-be). */
  readonly traces: readonly TraceDigest[];
  /** How many of the latest traces in a row still showed it. */
  readonly streak: number;
}

export interface PathState {
  readonly version: 1;
  readonly target: string;
  /** Traces assessed so far (numbers the window entries). */
  readonly seq: number;
  /** Stable traces, oldest first. */
  readonly baseline: readonly TraceDigest[];
  /** The last M assessed traces, oldest first. */
  readonly window: readonly WindowEntry[];
  readonly open: OpenChange | null;
}

export interface ObserveOptions {
  readonly asOf?: AsLookup;
  /** A confirmation trace the correlator asked for. */
  readonly triggered?: boolean;
  /** Trace id for PathChange.traces; default "<backend>@<ISO start>". */
  readonly id?: string;
}

export interface ObserveResult {
  readonly changes: readonly PathChange[];
  readonly state: PathState;
  /** The comparison of this trace (null while learning or for a failed trace): candidates not yet changes, notes. */
  readonly assessment: Assessment | null;
  readonly learning: boolean;
  /** The open change's path became the baseline with this trace. */
  readonly adopted: boolean;
}

export function initialPathState(target: string): PathState {
  return { version: 1, target, seq: 0, baseline: [], window: [], open: null };
}

const ref = (e: WindowEntry): PathChangeTrace => ({ id: e.digest.id, start: e.digest.start, triggered: e.triggered });

/** The entry shows the kind: a candidate for it, or a suspect. */
const shows = (e: WindowEntry, k: PathChangeKind): boolean => e.kinds.includes(k) || (e.suspects?.includes(k) ?? false);

/** A digest as the baseline may learn it: without its loss when that loss was in doubt. */
function learnable(e: WindowEntry): TraceDigest {
  return shows(e, 'loss') ? { ...e.digest, terminalSent: 0, terminalReceived: 0 } : e.digest;
}

/** The summary and deltas with loss pooled over `entries` (a change's traces), and what that rests on. */
function pooledFigures(a: Assessment, base: PathSummary, entries: readonly WindowEntry[], th: DiffThresholds): Pick<PathChange, 'current' | 'deltas' | 'loss'> {
  const p = pooledLoss(entries.map((e) => e.digest), a.current.reached);
  if (!p || a.current.lossPct === null) return { current: a.current, deltas: a.deltas };
  const pts = a.deltas.lossPts === null || base.lossPct === null ? null : p.pct - base.lossPct;
  const significant = pts !== null && lossRise(p.lost, p.sent, pts, base.lossPct ?? 0, th).significant;
  return {
    current: { ...a.current, lossPct: p.pct },
    deltas: { ...a.deltas, lossPts: pts },
    loss: { lost: p.lost, sent: p.sent, significant },
  };
}

export function observePath(state: PathState, trace: Trace, opts: ObserveOptions = {}, config: PathDiffConfig = DEFAULT_PATHDIFF_CONFIG): ObserveResult {
  if (trace.target !== state.target) throw new Error(`pathdiff: trace to ${trace.target} given to the tracker of ${state.target}`);
  const none = { changes: [], adopted: false };
  // The tool could not run: nothing about the path is known, so nothing counts.
  if (trace.stopReason === 'error') return { ...none, state, assessment: null, learning: false };
  const triggered = opts.triggered === true;
  const d = digestTrace(trace, opts.id ?? `${trace.backend}@${new Date(trace.start).toISOString()}`, opts.asOf);

  if (state.open === null && state.baseline.length < config.baselineMin) {
    return { ...none, state: { ...state, baseline: [...state.baseline, d].slice(-config.baselineLength) }, assessment: null, learning: true };
  }

  const base = buildBaseline(state.baseline);
  const baseSummary = baselineSummary(base);
  // The traces just before this one, for loss pooled over a window's worth of traces.
  const recent = config.window > 1 ? state.window.slice(-(config.window - 1)).map((e) => e.digest) : [];
  const a = assess(base, d, config, recent);
  const kinds = a.candidates.map((c) => c.kind);
  const suspects = a.suspects;
  const seq = state.seq + 1;
  let win: WindowEntry[] = [...state.window, { seq, digest: d, triggered, kinds, suspects, inChange: false }];
  let baseline = [...state.baseline];
  // A candidate that leaves the window without becoming a change was noise or a rarely
  // seen ECMP branch: the baseline learns it now (its loss only if that was not in doubt).
  for (const e of win.slice(0, Math.max(0, win.length - config.window))) {
    if ((e.kinds.length > 0 || (e.suspects?.length ?? 0) > 0) && !e.inChange) baseline.push(learnable(e));
  }
  win = win.slice(-config.window);

  const changes: PathChange[] = [];
  let open: OpenKind[] = [...(state.open?.kinds ?? [])];
  let since = state.open?.since ?? d.start;
  const isOpen = (k: PathChangeKind) => open.some((o) => o.kind === k);

  // ---- onset
  for (const c of a.candidates) {
    if (isOpen(c.kind)) continue;
    const seen = win.filter((e) => e.kinds.includes(c.kind));
    const confirmed = triggered && seen.length >= 2;
    if (seen.length < config.required && !confirmed) continue;
    if (open.length === 0) since = seen[0].digest.start;
    open.push({ kind: c.kind, seq });
    win = win.map((e) => (shows(e, c.kind) ? { ...e, inChange: true } : e));
    changes.push({
      target: state.target,
      kind: c.kind,
      baseline: baseSummary,
      ...pooledFigures(a, baseSummary, seen, config),
      reasons: [...c.reasons, ...a.notes],
      traces: seen.map(ref),
      persistence: { seen: seen.length, window: win.length },
      confirmed,
      at: d.start,
      since: seen[0].digest.start,
    });
  }

  // A later trace still on the new path belongs to the change as much as those that made it:
  // leaving the window, it must not join the old baseline as an "ECMP branch", or after a
  // few flaps the slow path is part of the baseline and the next move to it reads as nothing.
  if ([...kinds, ...suspects].some(isOpen)) win = win.map((e) => (e.seq === seq ? { ...e, inChange: true } : e));

  // ---- recovery: the same N-of-M rule the other way round, counting only traces after the change
  const cleared: PathChangeKind[] = [];
  let cleanSeen: WindowEntry[] = [];
  let recoveryConfirmed = false;
  for (const o of open) {
    if (kinds.includes(o.kind) || suspects.includes(o.kind)) continue;
    const clean = win.filter((e) => e.seq > o.seq && !shows(e, o.kind));
    const confirmed = triggered && clean.length >= 2;
    if (clean.length >= config.required || confirmed) {
      cleared.push(o.kind);
      if (clean.length > cleanSeen.length) cleanSeen = clean;
      recoveryConfirmed ||= confirmed;
    }
  }
  if (cleared.length > 0) {
    open = open.filter((o) => !cleared.includes(o.kind));
    // Candidates from before the recovery are spent: they must not reopen it on their own.
    win = win.map((e) => ({ ...e, kinds: e.kinds.filter((k) => !cleared.includes(k)), suspects: (e.suspects ?? []).filter((k) => !cleared.includes(k)) }));
    const still = open.length > 0 ? ` (still open: ${open.map((o) => o.kind).join(', ')})` : '';
    changes.push({
      target: state.target,
      kind: recoveryKind(cleared),
      recovers: cleared,
      baseline: baseSummary,
      ...pooledFigures(a, baseSummary, cleanSeen, config),
      reasons: [`back on the baseline: ${cleared.join(', ')} no longer differ${still}`, ...a.notes],
      traces: cleanSeen.map(ref),
      persistence: { seen: cleanSeen.length, window: win.length },
      confirmed: recoveryConfirmed,
      at: d.start,
      since: cleanSeen[0].digest.start,
    });
  }

  // ---- baseline upkeep and adoption
  let next: OpenChange | null = null;
  let adopted = false;
  const clean = kinds.length === 0 && suspects.length === 0;
  if (open.length === 0) {
    if (clean) baseline.push(d);
  } else {
    const openKinds = open.map((o) => o.kind);
    // Only candidates carry the new path towards adoption; a loss suspect keeps it open but
    // breaks the streak. When the loss ended, the path to adopt starts afresh without it.
    const onNew = kinds.some((k) => openKinds.includes(k));
    const lossEnded = cleared.includes('loss');
    const prior = lossEnded ? [] : (state.open?.traces ?? win.filter((e) => e.inChange && e.seq !== seq).map((e) => e.digest));
    const traces = onNew ? [...prior, d] : [...prior];
    const streak = !onNew ? 0 : lossEnded ? 1 : state.open ? state.open.streak + 1 : trailing(win, openKinds);
    if (!onNew && clean) baseline.push(d);
    // Never adopted: an outage, and loss (lossy traces as the baseline would make the loss
    // normal, and its end would never be reported; only a rise counts).
    if (streak >= config.adoptAfter && !openKinds.includes('unreachable') && !openKinds.includes('loss')) {
      // The new path held: it is the baseline now, and the window starts afresh.
      baseline = traces.slice(-Math.min(streak, config.baselineLength));
      win = [];
      adopted = true;
    } else next = { kinds: open, since, traces: traces.slice(-config.baselineLength), streak };
  }
  return {
    changes,
    state: { version: 1, target: state.target, seq, baseline: baseline.slice(-config.baselineLength), window: win, open: next },
    assessment: a,
    learning: false,
    adopted,
  };
}

/**
 * The kind of a return to baseline. Back from an outage: 'reachable'. Back to an
 * unreachable baseline (a 'reachable' change cleared, e.g. a beacon prefix withdrawn
 * again): 'unreachable', since that is what a person must hear. Otherwise 'recovered'.
 */
function recoveryKind(cleared: readonly PathChangeKind[]): PathChangeKind {
  if (cleared.includes('unreachable')) return 'reachable';
  if (cleared.includes('reachable')) return 'unreachable';
  return 'recovered';
}

/** Entries in a row at the end of the window that show any of `kinds`. */
function trailing(win: readonly WindowEntry[], kinds: readonly PathChangeKind[]): number {
  let n = 0;
  for (let i = win.length - 1; i >= 0 && win[i].kinds.some((k) => kinds.includes(k)); i--) n++;
  return n;
}

/** One target's tracker, for callers that keep state in memory; `state` is what to persist. */
export class PathTracker {
  #state: PathState;
  readonly config: PathDiffConfig;

  constructor(target: string, config: Partial<PathDiffConfig> = {}, state?: PathState) {
    this.config = pathDiffConfig(config);
    if (state && state.target !== target) throw new Error(`pathdiff: state of ${state.target} given to the tracker of ${target}`);
    this.#state = state ?? initialPathState(target);
  }

  get state(): PathState {
    return this.#state;
  }

  observe(trace: Trace, opts: ObserveOptions = {}): ObserveResult {
    const r = observePath(this.#state, trace, opts, this.config);
    this.#state = r.state;
    return r;
  }
}
