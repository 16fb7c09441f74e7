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
// - A target the route moved goes into an episode (episodes.ts: grouping, confirmation
//   and settle traces, time limits) and is decided there (target-verdict.ts): baseline vs
//   the settle trace (`withinNoise` when pathdiff saw no departure); when the path was
//   already off its baseline (an open PathChange) and that says not worse, also the trace
//   before the change vs after (worse than before is worse, whatever baseline pathdiff adopted).
//   Traces that fail or never come: score.ts's verdict on BGP alone ('unreachable' +
//   'withdrawn' for a withdrawal; otherwise 'same' with finding 'no-trace', low confidence).
//
// PathChanges with no episode are a cause of their own (path-change-cause.ts).
//
// A cause is complete when every target in it is decided: its verdicts are stored (ids),
// then it goes to `onCause`, then each verdict is published ('verdict' on the live hub).
// Time and timers come from the injected clock; stop() clears every timer and drops the
// episodes still open (their targets have no verdict).
import { type Component, type ComponentHealth, systemClock } from '../component.ts';
import type { LiveEventType } from '../live.ts';
import type { Logger } from '../log.ts';
import { type Address, parseAddress } from '../model/address.ts';
import type { Cause, TargetVerdict } from '../model/cause.ts';
import type { RouteChange } from '../model/route-change.ts';
import type { Trace } from '../model/trace.ts';
import { routeChangeJson, verdictJson } from '../model/verdict-json.ts';
import type { Rib } from '../rib/rib.ts';
import { CauseIds } from './cause-id.ts';
import { type EpisodeTarget, Episodes } from './episodes.ts';
import type { CorrelatorClock, ProbeLink, TraceInfo, VerdictSink } from './links.ts';
import { type RouteHistory, pathChangeCause } from './path-change-cause.ts';
import { type ScoreThresholds, scoreThresholds } from './score.ts';
import { type Evidence, type VerdictContext, type VerdictTarget, targetVerdict } from './target-verdict.ts';
import { TargetIndex } from './target-index.ts';
import type { AsWhy } from './trace-hops.ts';
import { type InUse, type ViewConfig, describeView, routeInUse, sameForwarding, viewAccepts, viewRouter } from './view.ts';

export type { CorrelatorClock, CorrelatorTarget, ProbeLink, TraceInfo, VerdictSink } from './links.ts';

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
  /** Traces beyond the two when the settle trace departs (or clears) but is not yet a change (a recovery). Default 1. */
  readonly extraTraces?: number;
  readonly maxEpisodes?: number;
  readonly maxPending?: number;
  /** How often the target list is re-read from the prober (API and auto targets come and go). Default 10 s. */
  readonly refreshTargetsMs?: number;
  readonly onCause?: (cause: Cause) => void;
  readonly publish?: (type: LiveEventType, data: unknown) => void;
  readonly logger?: Logger;
}

interface TargetEntry extends EpisodeTarget {
  name: string;
  readonly addr: Address;
  inUse: InUse | undefined;
  /** Changes since the last evaluation, with whether their table was in sync. */
  batch: { c: RouteChange; live: boolean }[];
  /** Episodes' changes of the route in use, for joining later PathChanges (bounded, `lookbackMs`). */
  history: RouteHistory[];
  /** The latest trace pathdiff found on the baseline, and the latest that departed from it. */
  onBaseline?: Trace;
  offBaseline?: Trace;
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

const HISTORY_MAX = 32;
/** A stored trace older than this is not taken as the path before a change (after a restart). */
const STORED_TRACE_MAX_AGE_MS = 60 * 60_000;
const BATCH_MAX = 256;

export class Correlator implements Component {
  readonly name = 'correlator';
  private readonly clock: CorrelatorClock;
  private readonly view: ViewConfig;
  private readonly settleMs: number;
  private readonly lookbackMs: number;
  private readonly targets = new Map<string, TargetEntry>();
  private readonly index = new TargetIndex<TargetEntry>();
  private readonly ids = new CauseIds();
  private readonly episodes: Episodes;
  private readonly verdictContext: VerdictContext;
  private readonly touched = new Set<TargetEntry>();
  private readonly finishing = new Set<Promise<void>>();
  private scheduled = false;
  private running = false;
  private refreshTimer: unknown;
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
    const maxPending = opts.maxPending ?? 2000;
    this.verdictContext = {
      probe: opts.probe,
      thresholds: scoreThresholds(opts.thresholds ?? {}),
      localAsns: opts.localAsns ?? [],
      ...(opts.asOf ? { asOf: opts.asOf } : {}),
      maxPending,
      now: () => this.clock.now(),
    };
    this.episodes = new Episodes({
      clock: this.clock,
      probe: opts.probe,
      ids: this.ids,
      settleMs: this.settleMs,
      traceTimeoutMs: opts.traceTimeoutMs ?? 120_000,
      extraTraces: opts.extraTraces ?? 1,
      maxPending,
      maxEpisodes: opts.maxEpisodes ?? 1000,
      counters: this.counters,
      verdict: (t, e) => this.verdict(t, e),
      emit: (cause) => this.emit(cause),
      running: () => this.running,
      logger: opts.logger,
    });
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
    this.episodes.stop();
    for (const t of this.targets.values()) {
      t.pending = undefined;
      t.batch = [];
    }
    this.touched.clear();
    await Promise.allSettled([...this.finishing]);
  }

  health(): ComponentHealth {
    const storeTrouble = this.counters.storeErrors > 0 ? { detail: `storing verdicts failed ${this.counters.storeErrors} time(s); see the log` } : {};
    return {
      state: !this.running ? 'stopped' : this.counters.storeErrors > 0 ? 'degraded' : 'ok',
      ...storeTrouble,
      counters: { targets: this.targets.size, openEpisodes: this.episodes.open, pendingTargets: this.episodes.pending, ...this.counters },
    };
  }

  /** Open episodes (for tests and the health page). */
  get openEpisodes(): number {
    return this.episodes.open;
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
      const entry: TargetEntry = { id: t.id, name: t.name, address: t.address, addr, inUse: routeInUse(this.opts.rib, addr, this.view, router), batch: [], history: [] };
      this.targets.set(t.id, entry);
      this.loadLastTrace(entry);
    }
    for (const id of [...this.targets.keys()]) if (!seen.has(id)) this.targets.delete(id);
    this.index.set(this.targets.values());
  }

  /**
   * A target new to us (at start, after a restart) has no trace in memory until its first
   * one; a route change before that would be mailed with no "before". The newest stored
   * trace stands in, if it is recent (an older one is no picture of the path before).
   */
  private loadLastTrace(t: TargetEntry): void {
    const load = this.opts.probe.lastTrace;
    if (!load) return;
    load(t.id).then(
      (trace) => {
        if (!trace || t.lastTrace || this.targets.get(t.id) !== t || trace.target !== t.address) return;
        if (this.clock.now() - trace.start > STORED_TRACE_MAX_AGE_MS) return;
        t.lastTrace = trace;
      },
      (e: unknown) => this.opts.logger?.warn({ err: e, target: t.id }, 'reading the last stored trace failed'),
    );
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
      this.episodes.moved(t, before, after, mine);
    }
  }

  private remember(t: TargetEntry, h: RouteHistory): void {
    const since = this.clock.now() - this.lookbackMs;
    t.history = [...t.history.filter((x) => x.at >= since), h].slice(-HISTORY_MAX);
  }

  // ---------------------------------------------------------------- traces

  /** Every trace the prober finishes, with its PathChanges. */
  onTrace(trace: Trace, info: TraceInfo): void {
    if (!this.running) return;
    const t = this.targets.get(info.targetId);
    if (!t) return;
    const prev = t.lastTrace;
    // The trace "before" a PathChange of its own is the path it left: for a departure the
    // last trace on the baseline (the one just before may already show the departure that
    // persistence waited for), for a recovery the last one that departed (the bad path).
    const recovery = info.changes.every((c) => c.recovers !== undefined);
    const before = (recovery ? t.offBaseline : t.onBaseline) ?? prev;
    t.lastTrace = trace;
    t.lastInfo = info;
    if (info.assessed) {
      // Off: it showed the change that is open after it (a one-off candidate of another
      // kind is not the bad path). On: no candidate, no suspect, nothing open.
      if ([...info.candidates, ...info.suspects].some((k) => info.open.includes(k))) t.offBaseline = trace;
      else if (info.candidates.length === 0 && info.suspects.length === 0 && info.open.length === 0) t.onBaseline = trace;
    }
    if (this.episodes.traced(t, trace, info)) return;
    if (info.changes.length === 0) return;
    const ctx = { now: this.clock.now(), lookbackMs: this.lookbackMs, ids: this.ids, verdict: (x: VerdictTarget, e: Evidence) => this.verdict(x, e) };
    this.emit(pathChangeCause(t, trace, info.changes, before, ctx));
  }

  // ---------------------------------------------------------------- causes

  private verdict(t: VerdictTarget, e: Evidence): TargetVerdict {
    return targetVerdict(t, e, this.verdictContext);
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
