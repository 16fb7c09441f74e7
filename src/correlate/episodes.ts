// Episodes: the targets a routing change moved, traced and decided, handed on as one cause.
//
// - Changes of one prefix from one peer arriving within `settleMs` of the first are one
//   episode (cause 'route-change'); every target a peer-down or router-down moves is one
//   episode (cause 'peer-down').
// - Per target: a confirmation trace at once (priority lane), a second one `settleMs` after
//   the change (or after the first finished, whichever is later). Both pass the prober's
//   per-target trigger cooldown (a route that moves back 10 s later needs its own two
//   traces to be seen recovering); what bounds them instead: one episode per target at a
//   time, at most 2 + `extraTraces` traces per episode (a restart, below, starts afresh).
//   The target is decided as soon as the prober reports a PathChange for it (pathdiff
//   confirms a change when a triggered trace agrees with an earlier candidate), else when
//   the settle trace is in. A settle trace that departs but is not yet a change, or no
//   longer shows an open change but is not yet a recovery, gets one more trace (`extraTraces`).
// - Another change for a target already in an episode (waiting, or decided early within the
//   grouping window) joins it and starts its settle sequence again from now (for up to
//   `traceTimeoutMs`, so a flapping route is still decided): what was measured may predate
//   it. Traces begun before the latest change are never evidence.
// - Traces that fail or never come: at `settleMs + traceTimeoutMs` (moved on by a restart,
//   to at most twice that) the target is decided without them. Decided, not dropped, so a
//   withdrawal still reaches alerting when the prober is broken.
// - More than `maxPending` targets waiting: the rest are decided at once on BGP alone and
//   say so; more than `maxEpisodes` open episodes: new ones are dropped and counted.
// A cause is complete when every target in it is decided and its grouping window passed.
import type { Logger } from '../log.ts';
import type { Cause, CauseKind, TargetVerdict } from '../model/cause.ts';
import type { PathChange } from '../model/path-change.ts';
import { formatPrefix, prefixEquals } from '../model/prefix.ts';
import type { RouteChange } from '../model/route-change.ts';
import type { Trace } from '../model/trace.ts';
import { peerKey } from '../rib/tables.ts';
import { type CauseIds, causeKey, peerDownSummary, routeChangeSummary } from './cause-id.ts';
import type { CorrelatorClock, ProbeLink, TraceInfo } from './links.ts';
import type { Evidence, VerdictTarget } from './target-verdict.ts';
import type { InUse } from './view.ts';

/** What episodes need of a target (the correlator's entry). */
export interface EpisodeTarget extends VerdictTarget {
  lastTrace?: Trace;
  lastInfo?: TraceInfo;
  pending?: Pending;
}

export interface Pending {
  readonly ep: Episode;
  readonly t: EpisodeTarget;
  readonly before: InUse | undefined;
  after: InUse | undefined;
  readonly changes: RouteChange[];
  readonly beforeTrace?: Trace;
  /** pathdiff had a change open when the episode began: the path was off its baseline. */
  readonly offBaseline: boolean;
  readonly start: number;
  /** When the latest change joined reached us: traces started earlier are not evidence of it. */
  since: number;
  /** Numbers the settle sequence: a restart makes the traces in flight stale. */
  seq: number;
  /** Decided at once, unmeasured: too many targets were waiting. */
  untraced: boolean;
  /** A trace begun before the latest change (no evidence of it) carried pathdiff's recovery. */
  recoveredBefore?: boolean;
  lastTrace?: Trace;
  lastInfo?: TraceInfo;
  pathChanges: PathChange[];
  firstDone: boolean;
  settled: boolean;
  secondAsked: boolean;
  extraLeft: number;
  timer?: unknown;
  result?: TargetVerdict;
}

export interface Episode {
  readonly id: string;
  readonly key: string;
  readonly kind: CauseKind;
  readonly first: RouteChange;
  readonly joinUntil: number;
  readonly opened: number;
  /** When `timer` fires (a restarted target moves it on). */
  deadline: number;
  readonly targets: Pending[];
  /** The same, by target (a peer-down can move tens of thousands). */
  readonly byTarget: Map<EpisodeTarget, Pending>;
  readonly changes: Set<RouteChange>;
  /** Hard limit: undecided targets are decided without traces. */
  timer?: unknown;
  /** End of the grouping window: the cause is handed on once every target is decided and this passed. */
  joinTimer?: unknown;
  /** Some of its targets were over `maxPending` (logged once). */
  overLimit: boolean;
  closed: boolean;
}

export interface EpisodeCounters {
  episodes: number;
  traceRequests: number;
  traceFailures: number;
  timeouts: number;
  droppedEpisodes: number;
  untraced: number;
}

export interface EpisodeOptions {
  readonly clock: CorrelatorClock;
  readonly probe: Pick<ProbeLink, 'requestTrace'>;
  readonly ids: CauseIds;
  readonly settleMs: number;
  readonly traceTimeoutMs: number;
  readonly extraTraces: number;
  readonly maxPending: number;
  readonly maxEpisodes: number;
  /** Counted into (the correlator's health counters). */
  readonly counters: EpisodeCounters;
  /** The verdict on what was gathered (target-verdict.ts). */
  readonly verdict: (t: EpisodeTarget, e: Evidence) => TargetVerdict;
  /** A complete cause. */
  readonly emit: (cause: Cause) => void;
  readonly running: () => boolean;
  readonly logger?: Logger | undefined;
}

export class Episodes {
  private readonly byId = new Map<string, Episode>();
  private readonly openByKey = new Map<string, Episode>();
  private pendingCount = 0;

  constructor(private readonly o: EpisodeOptions) {}

  get open(): number {
    return this.byId.size;
  }

  get pending(): number {
    return this.pendingCount;
  }

  /** Clears every timer and drops the episodes still open (their targets have no verdict). */
  stop(): void {
    const clock = this.o.clock;
    for (const ep of this.byId.values()) {
      if (ep.timer !== undefined) clock.clearTimeout(ep.timer);
      if (ep.joinTimer !== undefined) clock.clearTimeout(ep.joinTimer);
      for (const p of ep.targets) {
        if (p.timer !== undefined) clock.clearTimeout(p.timer);
        if (p.t.pending === p) p.t.pending = undefined;
      }
      ep.closed = true;
    }
    this.byId.clear();
    this.openByKey.clear();
    this.pendingCount = 0;
  }

  /** A routing change moved the target's route in use from `before` to `after`. */
  moved(t: EpisodeTarget, before: InUse | undefined, after: InUse | undefined, changes: readonly RouteChange[]): void {
    if (t.pending && !t.pending.ep.closed) {
      this.rejoin(t.pending, after, changes);
      return;
    }
    const down = changes.find((c) => c.cause === 'peer-down' || c.cause === 'router-down');
    const kind: CauseKind = down ? 'peer-down' : 'route-change';
    const main = down ?? mainChange(changes, before, after);
    const key = causeKey(kind, main);
    const now = this.o.clock.now();
    let ep = this.openByKey.get(key);
    if (!ep || ep.closed || ep.joinUntil < now) {
      if (this.byId.size >= this.o.maxEpisodes) {
        this.o.counters.droppedEpisodes++;
        this.o.logger?.warn({ key, open: this.byId.size }, 'too many open correlation episodes; this change is not correlated');
        return;
      }
      ep = this.openEpisode(kind, key, main, now);
    }
    // Decided early (a PathChange) and moved again before the cause was handed on: one
    // verdict per target and cause, measured again (the store keeps one per cause and target).
    const had = ep.byTarget.get(t);
    if (had) {
      this.rejoin(had, after, changes);
      return;
    }
    for (const c of changes) ep.changes.add(c);
    const p: Pending = {
      ep,
      t,
      before,
      after,
      changes: [...changes],
      ...(t.lastTrace ? { beforeTrace: t.lastTrace } : {}),
      offBaseline: (t.lastInfo?.open.length ?? 0) > 0,
      start: now,
      since: now,
      seq: 0,
      untraced: false,
      pathChanges: [],
      firstDone: false,
      settled: false,
      secondAsked: false,
      extraLeft: this.o.extraTraces,
    };
    ep.targets.push(p);
    ep.byTarget.set(t, p);
    t.pending = p;
    this.pendingCount++;
    if (this.pendingCount > this.o.maxPending) {
      this.o.counters.untraced++;
      if (!ep.overLimit) {
        ep.overLimit = true;
        this.o.logger?.warn({ cause: ep.id, waiting: this.o.maxPending }, 'too many targets waiting for confirmation traces; the rest of this change is decided on BGP alone');
      }
      p.untraced = true;
      this.decide(p);
      return;
    }
    this.trace(p, false);
    this.armSettle(p);
  }

  /**
   * A trace of a target waiting in an episode (with its PathChanges): evidence, and a
   * PathChange decides it. False when the target is not waiting (the trace is not ours).
   */
  traced(t: EpisodeTarget, trace: Trace, info: TraceInfo): boolean {
    const p = t.pending;
    if (!p || p.result || p.ep.closed) return false;
    // Begun before the latest change reached us (a scheduled trace, one in flight): it
    // says nothing about that change, and must not decide it or stand as its evidence.
    // Its recovery is remembered, though: the traces after the change, clean with nothing
    // open, are then back on the baseline, not 'same' (else a firing alert never closes).
    if (trace.start < p.since) {
      if (info.changes.some((c) => c.recovers !== undefined)) p.recoveredBefore = true;
      return true;
    }
    p.lastTrace = trace;
    p.lastInfo = info;
    if (info.changes.length > 0) {
      p.pathChanges = [...info.changes];
      this.decide(p);
    }
    return true;
  }

  private openEpisode(kind: CauseKind, key: string, main: RouteChange, now: number): Episode {
    const { clock, settleMs, traceTimeoutMs } = this.o;
    const id = this.o.ids.next(kind, key, main.time);
    const deadline = now + settleMs + traceTimeoutMs;
    const ep: Episode = { id, key, kind, first: main, joinUntil: now + settleMs, opened: now, deadline, targets: [], byTarget: new Map(), changes: new Set(), overLimit: false, closed: false };
    this.byId.set(id, ep);
    this.openByKey.set(key, ep);
    this.o.counters.episodes++;
    ep.timer = clock.setTimeout(() => this.timeout(ep), deadline - now);
    ep.joinTimer = clock.setTimeout(() => {
      ep.joinTimer = undefined;
      this.tryClose(ep);
    }, settleMs);
    return ep;
  }

  /** The settle trace, `settleMs` from now (once the first trace is in). */
  private armSettle(p: Pending): void {
    const seq = p.seq;
    p.timer = this.o.clock.setTimeout(() => {
      p.timer = undefined;
      if (p.seq !== seq) return;
      p.settled = true;
      this.maybeSecond(p);
    }, this.o.settleMs);
  }

  /**
   * Another change for a target already in this episode (waiting, or decided early by a
   * PathChange). What was measured so far may predate it, so a route that went slow and
   * came back would be paired with a trace of the slow path: the settle sequence starts
   * again from now (traces begun earlier are ignored) and the episode's time limit moves
   * with it, up to twice the usual; for `traceTimeoutMs` after the target's first change.
   */
  private rejoin(p: Pending, after: InUse | undefined, changes: readonly RouteChange[]): void {
    p.after = after;
    p.changes.push(...changes);
    for (const c of changes) p.ep.changes.add(c);
    const now = this.o.clock.now();
    p.since = now;
    p.pathChanges = [];
    p.lastTrace = undefined;
    p.lastInfo = undefined;
    const decided = p.result !== undefined;
    if (decided) {
      p.result = undefined;
      p.t.pending = p;
      this.pendingCount++;
    }
    if (p.untraced) {
      // Still over the limit: the verdict is made again on the new route, without traces.
      this.decide(p);
      return;
    }
    // A route flapping for minutes would put the settle trace off for ever: past
    // traceTimeoutMs the sequence runs on (a trace in flight, begun before this change, is
    // still not taken: one more is asked for).
    if (!decided && now - p.start >= this.o.traceTimeoutMs) return;
    if (p.timer !== undefined) this.o.clock.clearTimeout(p.timer);
    p.timer = undefined;
    p.seq++;
    p.firstDone = true;
    p.settled = false;
    p.secondAsked = false;
    p.extraLeft = this.o.extraTraces;
    this.armSettle(p);
    this.extend(p.ep, now);
  }

  private extend(ep: Episode, now: number): void {
    const span = this.o.settleMs + this.o.traceTimeoutMs;
    const deadline = Math.min(ep.opened + 2 * span, now + span);
    if (deadline <= ep.deadline) return;
    if (ep.timer !== undefined) this.o.clock.clearTimeout(ep.timer);
    ep.deadline = deadline;
    ep.timer = this.o.clock.setTimeout(() => this.timeout(ep), deadline - now);
  }

  // ---------------------------------------------------------------- traces

  private trace(p: Pending, second: boolean, again = false): void {
    const what = p.ep.kind === 'peer-down' ? 'peer-down' : `route change of ${formatPrefix(p.ep.first.prefix)}`;
    const seq = p.seq;
    this.o.counters.traceRequests++;
    this.o.probe
      .requestTrace(p.t.id, `${second ? 'settle' : 'confirm'}: ${what}`, { force: true })
      .then(
        (tr) => {
          if (p.seq !== seq) return; // restarted: a later trace decides
          if (tr.start < p.since && !again && !p.result && !p.ep.closed && this.o.running()) {
            // The prober hands back a trigger already in flight: begun before the latest change, so ask once more.
            this.trace(p, second, true);
            return;
          }
          this.afterTrace(p, second, true);
        },
        (e: unknown) => {
          this.o.counters.traceFailures++;
          if (p.seq !== seq) return;
          this.o.logger?.debug({ target: p.t.id, err: (e as Error)?.message }, 'confirmation trace not run');
          this.afterTrace(p, second, false);
        },
      )
      .catch((e: unknown) => this.o.logger?.error({ err: e }, 'correlator failed after a trace'));
  }

  private afterTrace(p: Pending, second: boolean, ok: boolean): void {
    if (p.result || p.ep.closed || !this.o.running()) return;
    if (!second) {
      p.firstDone = true;
      this.maybeSecond(p);
      return;
    }
    if (!ok) {
      // The settle trace failed: decide on what there is (the first trace, or BGP alone).
      this.decide(p);
      return;
    }
    const info = p.lastInfo;
    if (info && info.assessed && (info.candidates.length > 0 || info.clearing.length > 0) && p.extraLeft > 0) {
      // It departs, or no longer shows an open change, but pathdiff wants one more agreeing
      // trace before calling it a change or a recovery.
      p.extraLeft--;
      this.trace(p, true);
      return;
    }
    this.decide(p);
  }

  private maybeSecond(p: Pending): void {
    if (p.result || p.secondAsked || !p.settled || !p.firstDone || p.ep.closed || !this.o.running()) return;
    p.secondAsked = true;
    this.trace(p, true);
  }

  // ---------------------------------------------------------------- deciding

  private decide(p: Pending): void {
    if (p.result) return;
    if (p.timer !== undefined) this.o.clock.clearTimeout(p.timer);
    p.timer = undefined;
    const base = { before: p.before, after: p.after, raw: p.changes, beforeTrace: p.beforeTrace };
    try {
      const seen = { afterTrace: p.lastTrace, info: p.lastInfo, offBaseline: p.offBaseline, ...(p.untraced ? { untraced: true } : {}), ...(p.recoveredBefore ? { recoveredBefore: true } : {}) };
      p.result = this.o.verdict(p.t, { ...base, pcs: p.pathChanges, ...seen });
    } catch (e) {
      this.o.logger?.error({ err: e, target: p.t.id }, 'scoring a verdict failed');
      p.result = this.o.verdict(p.t, { ...base, pcs: [] });
    }
    if (p.t.pending === p) p.t.pending = undefined;
    this.pendingCount--;
    this.tryClose(p.ep);
  }

  /** Hands the cause on when every target is decided and no other can join any more. */
  private tryClose(ep: Episode): void {
    if (!ep.closed && ep.joinTimer === undefined && ep.targets.every((x) => x.result)) this.close(ep);
  }

  private timeout(ep: Episode): void {
    ep.timer = undefined;
    if (ep.closed || !this.o.running()) return;
    for (const p of ep.targets) {
      if (p.result) continue;
      this.o.counters.timeouts++;
      this.decide(p);
    }
    if (ep.joinTimer !== undefined) this.o.clock.clearTimeout(ep.joinTimer);
    ep.joinTimer = undefined;
    this.tryClose(ep);
  }

  private close(ep: Episode): void {
    ep.closed = true;
    if (ep.timer !== undefined) this.o.clock.clearTimeout(ep.timer);
    ep.timer = undefined;
    this.byId.delete(ep.id);
    if (this.openByKey.get(ep.key) === ep) this.openByKey.delete(ep.key);
    const verdicts = ep.targets.map((p) => p.result!);
    const n = verdicts.length;
    this.o.emit({
      id: ep.id,
      kind: ep.kind,
      at: Math.min(...[...ep.changes].map((c) => c.time)),
      summary: ep.kind === 'peer-down' ? peerDownSummary(ep.first, n) : routeChangeSummary(ep.first, n),
      routeChanges: [...ep.changes],
      verdicts,
    });
  }
}

/** The change the episode is about: on the prefix and from the peer of the route in use (after, else before), latest first. */
function mainChange(changes: readonly RouteChange[], before: InUse | undefined, after: InUse | undefined): RouteChange {
  const matches = (c: RouteChange, u: InUse | undefined) => u !== undefined && prefixEquals(c.prefix, u.prefix) && peerKey(c.peer) === peerKey(u.route.peer) && c.router === u.route.router;
  const latest = (xs: readonly RouteChange[]) => xs.reduce((m, c) => (c.time >= m.time ? c : m));
  const a = changes.filter((c) => matches(c, after));
  if (a.length > 0) return latest(a);
  const b = changes.filter((c) => matches(c, before));
  return latest(b.length > 0 ? b : changes);
}
