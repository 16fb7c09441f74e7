// The correlator: joins RouteChanges (from the ingest) with Traces and PathChanges (from
// the prober) per target, decides a Verdict per target (score.ts) and hands each cause
// to alerting, once, with every target it moved.
//
// Route changes (onRouteChange, synchronous from the ingest; the work runs in a
// microtask after the ingest's batch, when the RIB holds the result):
// - Only changes in the view (view.ts) of a prefix covering a target count; for each such
//   target the route in use is looked up again and compared with the one before. No
//   forwarding difference (another peer's backup route, a community change) -> nothing.
//   A change of a peer table still in its initial transfer (BMP before End-of-RIB) only
//   updates what the correlator knows as the route in use. So does a 'router-down' (the
//   feed lost the router: BMP session closed, collector failed): that is our view going
//   dark, not a routing change, and reacting would trace every target at once and call
//   those whose traces fail unreachable. If the router really died, the periodic traces
//   see it (a 'path-change' cause). A peer going down is a routing change.
// - Changes of one prefix from one peer arriving within `settleMs` of the first are one
//   episode (cause 'route-change'); every target a peer-down or router-down moves is one
//   episode (cause 'peer-down'). A target already waiting in an episode joins the new
//   changes to it.
// - Per target: a confirmation trace at once (priority lane), a second one `settleMs` after
//   the change (or after the first finished, whichever is later). Both pass the prober's
//   per-target trigger cooldown (a route that moves back 10 s later needs its own two
//   traces to be seen recovering); what bounds them instead: one episode per target at a
//   time, at most 2 + `extraTraces` traces per episode. The target is decided as soon as the
//   prober reports a PathChange for it (pathdiff confirms a change when a triggered trace
//   agrees with an earlier candidate), else when the settle trace is in: baseline vs that
//   trace (`withinNoise` when pathdiff saw no departure). A settle trace that departs but is
//   not yet a change gets one more trace (`extraTraces`).
// - Traces that fail or never come: at `settleMs + traceTimeoutMs` the target is decided
//   without them: score.ts's verdict on BGP alone ('unreachable' + 'withdrawn' for a
//   withdrawal; otherwise 'same' with finding 'no-trace', low confidence). Decided, not
//   dropped, so a withdrawal still reaches alerting when the prober is broken.
// - More than `maxPending` targets waiting: the rest are decided at once on BGP alone
//   ('no-trace'); more than `maxEpisodes` open episodes: new ones are dropped and counted.
//
// PathChanges with no episode (a periodic trace, congestion, an intradomain change, a
// recovery) are a cause of their own ('path-change', one target), joined to the changes
// of the route in use seen within `lookbackMs`; none -> finding 'no-routing-change'.
//
// A cause is complete when every target in it is decided: its verdicts are stored (ids),
// then it goes to `onCause`, then each verdict is published ('verdict' on the live hub).
// Time and timers come from the injected clock; stop() clears every timer and drops the
// episodes still open (their targets have no verdict).
import type { Component, ComponentHealth } from '../component.ts';
import type { LiveEventType } from '../live.ts';
import type { Logger } from '../log.ts';
import { type Address, parseAddress } from '../model/address.ts';
import type { Cause, CauseKind, TargetVerdict } from '../model/cause.ts';
import type { PathChange, PathChangeKind, PathSummary } from '../model/path-change.ts';
import { formatPrefix, prefixEquals } from '../model/prefix.ts';
import type { RouteChange, RouteChangeKind } from '../model/route-change.ts';
import type { Trace } from '../model/trace.ts';
import type { Rib } from '../rib/rib.ts';
import { peerKey } from '../rib/tables.ts';
import { causeId, causeKey, peerDownSummary, routeChangeSummary } from './cause-id.ts';
import { type ScoreThresholds, scoreThresholds, scoreVerdict } from './score.ts';
import { TargetIndex } from './target-index.ts';
import { type AsWhy, traceAsHops } from './trace-hops.ts';
import { routeChangeJson, verdictJson } from '../model/verdict-json.ts';
import { type InUse, type ViewConfig, describeView, routeInUse, sameAsPath, sameForwarding, sameNextHop, viewAccepts, viewRouter } from './view.ts';

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
}

export interface VerdictSink {
  /** Stores the cause's verdicts; the ids in verdict order. */
  insert(cause: Cause): Promise<number[]>;
}

export interface CorrelatorClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: CorrelatorClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface CorrelatorOptions {
  readonly rib: Rib;
  readonly probe: ProbeLink;
  readonly store?: VerdictSink;
  readonly view?: ViewConfig;
  /** Second confirmation trace this long after the change; also the grouping window. Default 5 s. */
  readonly settleMs?: number;
  /** How far back a PathChange looks for changes of its route. Default 10 min. */
  readonly lookbackMs?: number;
  readonly localAsns?: readonly number[];
  readonly thresholds?: Partial<ScoreThresholds>;
  /** Why a hop has no AS (the prober's AS source), for the control/data plane words. */
  readonly asOf?: AsWhy;
  readonly clock?: CorrelatorClock;
  /** After the settle time, how long traces may take before the target is decided without them. Default 2 min. */
  readonly traceTimeoutMs?: number;
  /** Traces beyond the two when the settle trace departs but is not yet a change. Default 1. */
  readonly extraTraces?: number;
  readonly maxEpisodes?: number;
  readonly maxPending?: number;
  /** How often the target list is re-read from the prober (API and auto targets come and go). Default 10 s. */
  readonly refreshTargetsMs?: number;
  readonly onCause?: (cause: Cause) => void;
  readonly publish?: (type: LiveEventType, data: unknown) => void;
  readonly logger?: Logger;
}

interface History {
  readonly at: number;
  readonly before: InUse | undefined;
  readonly after: InUse | undefined;
  readonly changes: readonly RouteChange[];
}

interface TargetEntry {
  readonly id: string;
  name: string;
  readonly address: string;
  readonly addr: Address;
  inUse: InUse | undefined;
  /** Changes since the last evaluation, with whether their table was in sync. */
  batch: { c: RouteChange; live: boolean }[];
  /** Episodes' changes of the route in use, for joining later PathChanges (bounded, `lookbackMs`). */
  history: History[];
  lastTrace?: Trace;
  lastInfo?: TraceInfo;
  pending?: Pending;
}

interface Pending {
  readonly ep: Episode;
  readonly t: TargetEntry;
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

/** What a target's verdict is made from. */
interface Evidence {
  readonly before: InUse | undefined;
  readonly after: InUse | undefined;
  readonly raw: readonly RouteChange[];
  readonly pcs: readonly PathChange[];
  readonly beforeTrace?: Trace | undefined;
  readonly afterTrace?: Trace | undefined;
  readonly info?: TraceInfo | undefined;
  readonly offBaseline?: boolean;
  readonly untraced?: boolean;
}

interface Episode {
  readonly id: string;
  readonly key: string;
  readonly kind: CauseKind;
  readonly first: RouteChange;
  readonly joinUntil: number;
  readonly opened: number;
  /** When `timer` fires (a restarted target extends it). */
  deadline: number;
  readonly targets: Pending[];
  readonly changes: Set<RouteChange>;
  /** Hard limit: settle + traceTimeout after it opened, undecided targets are decided without traces. */
  timer?: unknown;
  /** End of the grouping window: the cause is handed on once every target is decided and this passed. */
  joinTimer?: unknown;
  closed: boolean;
}

/**
 * The changes of the tables the route in use came from and went to: a BMP router that
 * monitors pre- and post-policy reports each UPDATE twice, and with the default view
 * other routers' changes arrive in the same batch. All of them when none matches.
 */
function ofRoute(changes: readonly RouteChange[], before: InUse | undefined, after: InUse | undefined): RouteChange[] {
  const used = [before, after].filter((u): u is InUse => u !== undefined).map((u) => `${u.route.source} ${u.route.router} ${u.route.table}`);
  const mine = changes.filter((c) => used.includes(`${c.source} ${c.router} ${c.table}`));
  return mine.length > 0 ? mine : [...changes];
}

const PC_ORDER: readonly PathChangeKind[] = ['unreachable', 'reachable', 'recovered', 'loss', 'rtt', 'hop-count', 'as-path', 'ip-path'];
const HISTORY_MAX = 32;
const BATCH_MAX = 256;

export class Correlator implements Component {
  readonly name = 'correlator';
  private readonly clock: CorrelatorClock;
  private readonly view: ViewConfig;
  private readonly settleMs: number;
  private readonly lookbackMs: number;
  private readonly traceTimeoutMs: number;
  private readonly thresholds: ScoreThresholds;
  private readonly extraTraces: number;
  private readonly maxPending: number;
  private readonly targets = new Map<string, TargetEntry>();
  private readonly index = new TargetIndex<TargetEntry>();
  private readonly episodes = new Map<string, Episode>();
  private readonly openByKey = new Map<string, Episode>();
  private readonly usedIds = new Set<string>();
  private readonly touched = new Set<TargetEntry>();
  private readonly finishing = new Set<Promise<void>>();
  private scheduled = false;
  private running = false;
  private refreshTimer: unknown;
  private pendingCount = 0;
  readonly counters = {
    routeChanges: 0,
    episodes: 0,
    causes: 0,
    verdicts: 0,
    traceRequests: 0,
    traceFailures: 0,
    timeouts: 0,
    droppedEpisodes: 0,
    untraced: 0,
    storeErrors: 0,
    consumerErrors: 0,
  };

  constructor(private readonly opts: CorrelatorOptions) {
    this.clock = opts.clock ?? systemClock;
    this.view = opts.view ?? {};
    this.settleMs = opts.settleMs ?? 5_000;
    this.lookbackMs = opts.lookbackMs ?? 600_000;
    this.traceTimeoutMs = opts.traceTimeoutMs ?? 120_000;
    this.thresholds = scoreThresholds(opts.thresholds ?? {});
    this.extraTraces = opts.extraTraces ?? 1;
    this.maxPending = opts.maxPending ?? 2000;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.refreshTargets();
    this.armRefresh();
    this.opts.logger?.info({ view: describeView(this.opts.rib, this.view), targets: this.targets.size, settleMs: this.settleMs }, 'correlator started');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.refreshTimer !== undefined) this.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    for (const ep of this.episodes.values()) {
      if (ep.timer !== undefined) this.clock.clearTimeout(ep.timer);
      if (ep.joinTimer !== undefined) this.clock.clearTimeout(ep.joinTimer);
      for (const p of ep.targets) if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
      ep.closed = true;
    }
    for (const t of this.targets.values()) {
      t.pending = undefined;
      t.batch = [];
    }
    this.touched.clear();
    this.episodes.clear();
    this.openByKey.clear();
    this.pendingCount = 0;
    await Promise.allSettled([...this.finishing]);
  }

  health(): ComponentHealth {
    const storeTrouble = this.counters.storeErrors > 0 ? { detail: `storing verdicts failed ${this.counters.storeErrors} time(s); see the log` } : {};
    return {
      state: !this.running ? 'stopped' : this.counters.storeErrors > 0 ? 'degraded' : 'ok',
      ...storeTrouble,
      counters: { targets: this.targets.size, openEpisodes: this.episodes.size, pendingTargets: this.pendingCount, ...this.counters },
    };
  }

  /** Open episodes (for tests and the health page). */
  get openEpisodes(): number {
    return this.episodes.size;
  }

  // ---------------------------------------------------------------- targets

  /** Re-reads the prober's targets (also on a timer); new ones start from their route in use now. */
  refreshTargets(): void {
    const seen = new Set<string>();
    const router = viewRouter(this.opts.rib, this.view);
    for (const t of this.opts.probe.targets()) {
      seen.add(t.id);
      const have = this.targets.get(t.id);
      if (have && have.address === t.address) {
        have.name = t.name;
        continue;
      }
      const addr = parseAddress(t.address);
      if (!addr) continue;
      this.targets.set(t.id, { id: t.id, name: t.name, address: t.address, addr, inUse: routeInUse(this.opts.rib, addr, this.view, router), batch: [], history: [] });
    }
    for (const id of [...this.targets.keys()]) if (!seen.has(id)) this.targets.delete(id);
    this.index.set(this.targets.values());
  }

  private armRefresh(): void {
    this.refreshTimer = this.clock.setTimeout(() => {
      if (!this.running) return;
      this.refreshTargets();
      this.armRefresh();
    }, this.opts.refreshTargetsMs ?? 10_000);
  }

  // ---------------------------------------------------------------- route changes

  /** Every RouteChange the ingest makes (synchronous; cheap unless it covers a target). */
  onRouteChange(c: RouteChange, inSync: boolean): void {
    if (!this.running || !viewAccepts(c, this.view)) return;
    const hit = this.index.within(c.prefix);
    if (hit.length === 0) return;
    this.counters.routeChanges++;
    const live = c.cause === 'router-down' ? false : inSync || c.cause === 'peer-down';
    for (const t of hit) {
      if (t.batch.length < BATCH_MAX) t.batch.push({ c, live });
      this.touched.add(t);
    }
    if (live) this.publish('route-change', routeChangeJson(c));
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.evaluate());
    }
  }

  /** Runs what onRouteChange queued now (the microtask does it otherwise). */
  evaluate(): void {
    this.scheduled = false;
    if (!this.running) return;
    const touched = [...this.touched];
    this.touched.clear();
    const router = viewRouter(this.opts.rib, this.view);
    for (const t of touched) {
      const batch = t.batch;
      t.batch = [];
      if (this.targets.get(t.id) !== t) continue;
      const before = t.inUse;
      const after = routeInUse(this.opts.rib, t.addr, this.view, router);
      t.inUse = after;
      if (sameForwarding(before, after)) continue;
      const live = batch.filter((x) => x.live).map((x) => x.c);
      if (live.length === 0) continue; // initial table transfer: learnt, not news
      const mine = ofRoute(live, before, after);
      this.remember(t, { at: this.clock.now(), before, after, changes: mine });
      this.startOrJoin(t, before, after, mine);
    }
  }

  private remember(t: TargetEntry, h: History): void {
    const since = this.clock.now() - this.lookbackMs;
    t.history = [...t.history.filter((x) => x.at >= since), h].slice(-HISTORY_MAX);
  }

  /** The change the episode is about: on the prefix and from the peer of the route in use (after, else before), latest first. */
  private mainChange(changes: readonly RouteChange[], before: InUse | undefined, after: InUse | undefined): RouteChange {
    const matches = (c: RouteChange, u: InUse | undefined) => u !== undefined && prefixEquals(c.prefix, u.prefix) && peerKey(c.peer) === peerKey(u.route.peer) && c.router === u.route.router;
    const latest = (xs: readonly RouteChange[]) => xs.reduce((m, c) => (c.time >= m.time ? c : m));
    const a = changes.filter((c) => matches(c, after));
    if (a.length > 0) return latest(a);
    const b = changes.filter((c) => matches(c, before));
    return latest(b.length > 0 ? b : changes);
  }

  private startOrJoin(t: TargetEntry, before: InUse | undefined, after: InUse | undefined, changes: readonly RouteChange[]): void {
    if (t.pending && !t.pending.ep.closed) {
      this.rejoin(t.pending, after, changes);
      return;
    }
    const down = changes.find((c) => c.cause === 'peer-down' || c.cause === 'router-down');
    const kind: CauseKind = down ? 'peer-down' : 'route-change';
    const main = down ?? this.mainChange(changes, before, after);
    const key = causeKey(kind, main);
    const now = this.clock.now();
    let ep = this.openByKey.get(key);
    if (!ep || ep.closed || ep.joinUntil < now) {
      if (this.episodes.size >= (this.opts.maxEpisodes ?? 1000)) {
        this.counters.droppedEpisodes++;
        this.opts.logger?.warn({ key, open: this.episodes.size }, 'too many open correlation episodes; this change is not correlated');
        return;
      }
      let id = causeId(kind, key, main.time);
      for (let n = 2; this.usedIds.has(id); n++) id = causeId(kind, `${key}#${n}`, main.time);
      this.useId(id);
      const deadline = now + this.settleMs + this.traceTimeoutMs;
      ep = { id, key, kind, first: main, joinUntil: now + this.settleMs, opened: now, deadline, targets: [], changes: new Set(), closed: false };
      this.episodes.set(id, ep);
      this.openByKey.set(key, ep);
      this.counters.episodes++;
      const epRef = ep;
      ep.timer = this.clock.setTimeout(() => this.timeout(epRef), deadline - now);
      ep.joinTimer = this.clock.setTimeout(() => {
        epRef.joinTimer = undefined;
        this.tryClose(epRef);
      }, this.settleMs);
    }
    // Decided early (a PathChange) and moved again before the cause was handed on: one
    // verdict per target and cause, measured again (the store keeps one per cause and target).
    const had = ep.targets.find((x) => x.t === t);
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
      extraLeft: this.extraTraces,
    };
    ep.targets.push(p);
    t.pending = p;
    this.pendingCount++;
    if (this.pendingCount > this.maxPending) {
      this.counters.untraced++;
      if (!ep.targets.some((x) => x !== p && x.untraced)) {
        this.opts.logger?.warn({ cause: ep.id, waiting: this.maxPending }, 'too many targets waiting for confirmation traces; the rest of this change is decided on BGP alone');
      }
      p.untraced = true;
      this.decide(p);
      return;
    }
    this.trace(p, false);
    this.armSettle(p);
  }

  /** The settle trace, `settleMs` from now (once the first trace is in). */
  private armSettle(p: Pending): void {
    const seq = p.seq;
    p.timer = this.clock.setTimeout(() => {
      p.timer = undefined;
      if (p.seq !== seq) return;
      p.settled = true;
      this.maybeSecond(p);
    }, this.settleMs);
  }

  /**
   * Another change for a target already in this episode (waiting, or decided early by a
   * PathChange). What was measured so far may predate it, so a route that went slow and
   * came back would be paired with a trace of the slow path: the settle sequence starts
   * again from now (traces begun earlier are ignored) and the episode's time limit moves
   * with it, up to twice the usual.
   */
  private rejoin(p: Pending, after: InUse | undefined, changes: readonly RouteChange[]): void {
    p.after = after;
    p.changes.push(...changes);
    for (const c of changes) p.ep.changes.add(c);
    const now = this.clock.now();
    p.since = now;
    if (p.result) {
      p.result = undefined;
      p.t.pending = p;
      this.pendingCount++;
    }
    if (p.untraced) {
      // Still over the limit: the verdict is made again on the new route, without traces.
      this.decide(p);
      return;
    }
    if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
    p.timer = undefined;
    p.seq++;
    p.firstDone = true;
    p.settled = false;
    p.secondAsked = false;
    p.extraLeft = this.extraTraces;
    p.pathChanges = [];
    p.lastTrace = undefined;
    p.lastInfo = undefined;
    this.armSettle(p);
    this.extend(p.ep, now);
  }

  private extend(ep: Episode, now: number): void {
    const deadline = Math.min(ep.opened + 2 * (this.settleMs + this.traceTimeoutMs), now + this.settleMs + this.traceTimeoutMs);
    if (deadline <= ep.deadline) return;
    if (ep.timer !== undefined) this.clock.clearTimeout(ep.timer);
    ep.deadline = deadline;
    ep.timer = this.clock.setTimeout(() => this.timeout(ep), deadline - now);
  }

  private useId(id: string): void {
    this.usedIds.add(id);
    if (this.usedIds.size > 10_000) this.usedIds.delete(this.usedIds.values().next().value!);
  }

  // ---------------------------------------------------------------- traces

  private trace(p: Pending, second: boolean, again = false): void {
    const what = p.ep.kind === 'peer-down' ? 'peer-down' : `route change of ${formatPrefix(p.ep.first.prefix)}`;
    const seq = p.seq;
    this.counters.traceRequests++;
    this.opts.probe
      .requestTrace(p.t.id, `${second ? 'settle' : 'confirm'}: ${what}`, { force: true })
      .then(
        (tr) => {
          if (p.seq !== seq) return; // restarted: a later trace decides
          if (tr.start < p.since && !again && !p.result && !p.ep.closed && this.running) {
            // The prober hands back a trigger already in flight: begun before the latest change, so ask once more.
            this.trace(p, second, true);
            return;
          }
          this.afterTrace(p, second, true);
        },
        (e: unknown) => {
          this.counters.traceFailures++;
          if (p.seq !== seq) return;
          this.opts.logger?.debug({ target: p.t.id, err: (e as Error)?.message }, 'confirmation trace not run');
          this.afterTrace(p, second, false);
        },
      )
      .catch((e: unknown) => this.opts.logger?.error({ err: e }, 'correlator failed after a trace'));
  }

  private afterTrace(p: Pending, second: boolean, ok: boolean): void {
    if (p.result || p.ep.closed || !this.running) return;
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
    if (p.result || p.secondAsked || !p.settled || !p.firstDone || p.ep.closed || !this.running) return;
    p.secondAsked = true;
    this.trace(p, true);
  }

  /** Every trace the prober finishes, with its PathChanges. */
  onTrace(trace: Trace, info: TraceInfo): void {
    if (!this.running) return;
    const t = this.targets.get(info.targetId);
    if (!t) return;
    const prev = t.lastTrace;
    t.lastTrace = trace;
    t.lastInfo = info;
    const p = t.pending;
    if (p && !p.result && !p.ep.closed) {
      // Begun before the latest change reached us (a scheduled trace, one in flight): it
      // says nothing about that change, and must not decide it or stand as its evidence.
      if (trace.start < p.since) return;
      p.lastTrace = trace;
      p.lastInfo = info;
      if (info.changes.length > 0) {
        p.pathChanges = [...info.changes];
        this.decide(p);
      }
      return;
    }
    if (info.changes.length > 0) this.pathChangeCause(t, trace, info.changes, prev);
  }

  // ---------------------------------------------------------------- verdicts

  /** One PathChange standing for a trace's several (most telling kind first; every reason kept). */
  private merged(changes: readonly PathChange[]): PathChange | undefined {
    if (changes.length === 0) return undefined;
    const sorted = [...changes].sort((a, b) => PC_ORDER.indexOf(a.kind) - PC_ORDER.indexOf(b.kind));
    const reasons = [...new Set(sorted.flatMap((c) => c.reasons))];
    return { ...sorted[0], reasons };
  }

  /** The change of the route in use, as one RouteChange (what score.ts reads the BGP side from). */
  private viewChange(before: InUse | undefined, after: InUse | undefined, raw: readonly RouteChange[]): RouteChange | undefined {
    const ref = after ?? before;
    if (!ref || raw.length === 0) return undefined;
    const time = raw.reduce((m, c) => Math.max(m, c.time), -Infinity);
    const down = raw.find((c) => c.cause === 'peer-down' || c.cause === 'router-down');
    let kind: RouteChangeKind;
    if (!after) kind = 'withdraw';
    else if (!before) kind = 'new';
    else if (!sameAsPath(before.route.attrs.asPath, after.route.attrs.asPath)) kind = 'path-change';
    else if (!sameForwarding(before, after)) kind = 'next-hop-change';
    else kind = 'attribute-change';
    const r = ref.route;
    return {
      kind,
      cause: down ? down.cause : !after ? 'withdraw' : 'update',
      source: r.source,
      router: r.router,
      peer: r.peer,
      table: r.table,
      prefix: ref.prefix,
      ...(r.pathId !== undefined ? { pathId: r.pathId } : {}),
      ...(before ? { before: before.route.attrs } : {}),
      ...(after ? { after: after.route.attrs } : {}),
      ...(kind === 'path-change' && before && after ? { nextHopChanged: !sameNextHop(before, after) } : {}),
      ...(down?.reason !== undefined ? { reason: down.reason } : {}),
      time: Number.isFinite(time) ? time : this.clock.now(),
    };
  }

  private verdictFor(t: TargetEntry, e: Evidence): TargetVerdict {
    const { before, after, raw, beforeTrace, afterTrace, info } = e;
    const vc = this.viewChange(before, after, raw);
    const pc = this.merged(e.pcs);
    const prefix = after?.prefix ?? before?.prefix ?? t.inUse?.prefix;
    let baselineSummary: PathSummary | undefined;
    let currentSummary: PathSummary | undefined;
    // The path was off its baseline when the route moved: what the move did is the trace
    // before it against the trace after, not the baseline. A baseline pathdiff adopted
    // (the slow path held for `adoptAfter` traces) would make a move back onto it read as
    // 'recovered' when the path just got slower, and a clean trace as 'same' when it got faster.
    const fromBefore = e.offBaseline === true && beforeTrace !== undefined && afterTrace !== undefined && (!pc || pc.kind === 'recovered');
    if (fromBefore) {
      baselineSummary = this.opts.probe.summarize(beforeTrace);
      currentSummary = this.opts.probe.summarize(afterTrace);
    } else if (!pc && afterTrace) {
      baselineSummary = this.opts.probe.baseline(t.id);
      currentSummary = this.opts.probe.summarize(afterTrace);
    }
    const clean = info !== undefined && info.assessed && info.candidates.length === 0;
    const verdict = scoreVerdict({
      routeChanges: vc ? [vc] : [],
      ...(pc ? { pathChange: pc } : {}),
      ...(baselineSummary ? { baselineSummary } : {}),
      ...(currentSummary ? { currentSummary } : {}),
      ...(!pc && !fromBefore && clean ? { withinNoise: true } : {}),
      ...(!pc && clean && info.clearing.length > 0 ? { backOnBaseline: true } : {}),
      thresholds: this.thresholds,
      target: t.address,
      ...(prefix ? { prefix: formatPrefix(prefix) } : {}),
      localAsns: this.opts.localAsns ?? [],
      traceHops: {
        ...(beforeTrace ? { before: traceAsHops(beforeTrace, this.opts.asOf) } : {}),
        ...(afterTrace ? { after: traceAsHops(afterTrace, this.opts.asOf) } : {}),
      },
    });
    const reasons = [...verdict.reasons];
    if (e.untraced) {
      reasons.splice(1, 0, `not measured: more than ${this.maxPending} targets were waiting for confirmation traces at once (the correlator's limit), so this one was decided on BGP alone`);
    }
    if (before && after && raw.length > 1 && sameForwarding(before, after)) {
      reasons.splice(1, 0, `the route in use moved and came back (${raw.length} route changes); the trace is of the route in use now`);
    }
    if (before && after && !prefixEquals(before.prefix, after.prefix)) {
      reasons.splice(1, 0, `the route in use moved from ${formatPrefix(before.prefix)} to ${formatPrefix(after.prefix)} (a more-specific ${after.prefix.len > before.prefix.len ? 'appeared' : 'went away'})`);
    }
    if (raw.length > 1) reasons.push(`${raw.length} route changes joined (${[...new Set(raw.map((c) => `${formatPrefix(c.prefix)} AS${c.peer.asn}@${c.router}`))].join(', ')})`);
    return {
      targetId: t.id,
      targetName: t.name,
      address: t.address,
      ...(prefix ? { prefix: formatPrefix(prefix) } : {}),
      verdict: { ...verdict, reasons, routeChanges: [...raw] },
      ...(beforeTrace ? { before: beforeTrace } : {}),
      ...(afterTrace ? { after: afterTrace } : {}),
    };
  }

  private decide(p: Pending): void {
    if (p.result) return;
    if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
    p.timer = undefined;
    try {
      const untraced = p.untraced ? { untraced: true } : {};
      const seen = { beforeTrace: p.beforeTrace, afterTrace: p.lastTrace, info: p.lastInfo, offBaseline: p.offBaseline };
      p.result = this.verdictFor(p.t, { before: p.before, after: p.after, raw: p.changes, pcs: p.pathChanges, ...seen, ...untraced });
    } catch (e) {
      this.opts.logger?.error({ err: e, target: p.t.id }, 'scoring a verdict failed');
      p.result = this.verdictFor(p.t, { before: p.before, after: p.after, raw: p.changes, pcs: [], beforeTrace: p.beforeTrace });
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
    if (ep.closed || !this.running) return;
    for (const p of ep.targets) {
      if (p.result) continue;
      this.counters.timeouts++;
      this.decide(p);
    }
    if (ep.joinTimer !== undefined) this.clock.clearTimeout(ep.joinTimer);
    ep.joinTimer = undefined;
    this.tryClose(ep);
  }

  private close(ep: Episode): void {
    ep.closed = true;
    if (ep.timer !== undefined) this.clock.clearTimeout(ep.timer);
    ep.timer = undefined;
    this.episodes.delete(ep.id);
    if (this.openByKey.get(ep.key) === ep) this.openByKey.delete(ep.key);
    const verdicts = ep.targets.map((p) => p.result!);
    const n = verdicts.length;
    const cause: Cause = {
      id: ep.id,
      kind: ep.kind,
      at: Math.min(...[...ep.changes].map((c) => c.time)),
      summary: ep.kind === 'peer-down' ? peerDownSummary(ep.first, n) : routeChangeSummary(ep.first, n),
      routeChanges: [...ep.changes],
      verdicts,
    };
    this.emit(cause);
  }

  private pathChangeCause(t: TargetEntry, trace: Trace, changes: readonly PathChange[], beforeTrace: Trace | undefined): void {
    const since = this.clock.now() - this.lookbackMs;
    const hist = t.history.filter((h) => h.at >= since);
    const raw = hist.flatMap((h) => h.changes);
    const before = hist.length > 0 ? hist[0].before : undefined;
    const after = hist.length > 0 ? t.inUse : undefined;
    const tv = this.verdictFor(t, { before, after, raw, pcs: changes, beforeTrace, afterTrace: trace });
    const pc = this.merged(changes)!;
    const key = `path-change|${t.id}`;
    let id = causeId('path-change', key, pc.at);
    for (let n = 2; this.usedIds.has(id); n++) id = causeId('path-change', `${key}#${n}`, pc.at);
    this.useId(id);
    const prefix = tv.prefix ? ` (${tv.prefix})` : '';
    const routing = raw.length > 0 ? `after a routing change ${Math.round((this.clock.now() - hist[0].at) / 1000)} s earlier` : 'no routing change seen';
    this.emit({
      id,
      kind: 'path-change',
      at: pc.at,
      summary: `${t.name} ${t.address}${prefix}: path ${pc.kind === 'recovered' || pc.recovers ? `back on its baseline (${pc.kind})` : `changed (${changes.map((c) => c.kind).join(', ')})`}, ${routing}`,
      routeChanges: raw,
      verdicts: [tv],
    });
  }

  private emit(cause: Cause): void {
    this.counters.causes++;
    this.counters.verdicts += cause.verdicts.length;
    const run = (async () => {
      let stored = cause;
      if (this.opts.store) {
        try {
          const ids = await this.opts.store.insert(cause);
          stored = { ...cause, verdicts: cause.verdicts.map((v, i) => (ids[i] !== undefined ? { ...v, id: ids[i] } : v)) };
        } catch (e) {
          this.counters.storeErrors++;
          this.opts.logger?.error({ err: e, cause: cause.id }, 'storing verdicts failed; the cause still goes to alerting');
        }
      }
      this.opts.logger?.info({ cause: stored.id, kind: stored.kind, verdicts: stored.verdicts.map((v) => `${v.targetId}:${v.verdict.kind}`) }, `cause: ${stored.summary}`);
      try {
        this.opts.onCause?.(stored);
      } catch (e) {
        this.counters.consumerErrors++;
        this.opts.logger?.error({ err: e, cause: stored.id }, 'a cause consumer failed');
      }
      for (const v of stored.verdicts) this.publish('verdict', verdictJson(v, stored));
    })();
    this.finishing.add(run);
    void run.finally(() => this.finishing.delete(run));
  }

  /** Resolves when the causes decided so far are stored and handed on. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.finishing]);
  }

  private publish(type: LiveEventType, data: unknown): void {
    try {
      this.opts.publish?.(type, data);
    } catch {
      // The hub never throws; a replaced publisher might. Nothing to do about it here.
    }
  }
}
