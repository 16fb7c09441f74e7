// The prober as a service component: the Scheduler, per-target path-change detection
// (PathTracker) and the writes that keep both across a restart.
//
// - A finished trace is annotated with origin ASes (annotate.ts, from the injected
//   AsSource: no network lookups), given to its target's PathTracker, and queued with
//   the tracker's new state and any PathChanges. The queue is written in one batch
//   every `flushEveryMs` (and on stop), through the injected ProbeStore.
// - At start the stored path states are loaded, so a restart keeps each baseline; then
//   config targets (source 'config') and API targets kept in the store (source 'api')
//   are added. A stored target that is no longer allowed is logged and left out.
// - `requestTrace(id, reason)` is the small interface the correlator gets: a trace now
//   through the scheduler's priority lane (per-target cooldown applies, unless `force`:
//   the correlator's settle trace). `onTrace` tells it of every trace with its
//   PathChanges and pathdiff's reading; `baseline()`/`summarize()` give the figures a
//   'same' verdict needs without the correlator importing pathdiff.
// - A missing backend or permission is logged once per target and shown by health().
// The store is reached only through ProbeStore (structural), so probe/ never imports store/.
import type { Component, ComponentHealth } from '../component.ts';
import type { Logger } from '../log.ts';
import type { PathChange, PathChangeKind, PathSummary } from '../model/path-change.ts';
import type { Trace } from '../model/trace.ts';
import { type AsSource, annotateTrace, pathAsLookup } from './annotate.ts';
import { baselineSummary, buildBaseline, digestSummary, digestTrace } from './baseline.ts';
import { type PathDiffConfig, type PathState, PathTracker, pathDiffConfig } from './pathdiff.ts';
import { ProbeError } from './runner.ts';
import { Scheduler, SchedulerError, type SchedulerOptions, type TargetStatus, type TraceMeta } from './scheduler.ts';
import type { Validated } from '../targets/validate.ts';

export interface ProbeStoreTarget {
  readonly id: string;
  readonly address: string;
  readonly intervalMs?: number;
  readonly backend?: string;
  readonly createdAt: number;
}

export interface ProbeStore {
  write(b: {
    readonly traces: readonly { targetId: string; trace: Trace; reason: string }[];
    readonly changes: readonly { targetId: string; change: PathChange }[];
    readonly states: readonly { targetId: string; address: string; state: unknown }[];
    readonly now: number;
  }): Promise<void>;
  states(): Promise<{ targetId: string; address: string; state: unknown }[]>;
  targets(): Promise<ProbeStoreTarget[]>;
  putTarget(t: ProbeStoreTarget): Promise<void>;
  deleteTarget(id: string): Promise<boolean>;
}

export interface ConfigTarget {
  readonly address: string;
  readonly name: string;
  /** Only when it differs from the default (probe.interval). */
  readonly interval?: number;
  readonly backend?: string;
}

export interface ProberOptions {
  readonly scheduler: Omit<SchedulerOptions, 'sink' | 'onError'>;
  readonly as: AsSource;
  readonly pathdiff?: Partial<PathDiffConfig>;
  readonly store: ProbeStore;
  readonly configTargets: readonly ConfigTarget[];
  readonly logger: Logger;
  readonly now?: () => number;
  /** How often queued traces, changes and states are written (default 1 s). */
  readonly flushEveryMs?: number;
  /** Called with every PathChange once queued (the correlator, later). */
  readonly onChange?: (change: PathChange, targetId: string) => void;
  /** Called with every annotated trace after its PathChanges went to onChange (the correlator). */
  readonly onTrace?: (trace: Trace, info: ProbeTraceInfo) => void;
}

/** What the prober knows about one finished trace. */
export interface ProbeTraceInfo {
  readonly targetId: string;
  readonly reason: TraceMeta['reason'];
  readonly triggerReason?: string;
  /** The PathChanges this trace made (also given to onChange one by one). */
  readonly changes: readonly PathChange[];
  /** pathdiff compared it with a baseline (false while learning or for a failed run). */
  readonly assessed: boolean;
  /** Kinds it departed in, change or not yet (a candidate waits for persistence). */
  readonly candidates: readonly PathChangeKind[];
  /** Kinds with evidence short of a candidate (loss pooled over recent traces): not on the baseline either. */
  readonly suspects: readonly PathChangeKind[];
  /** Kinds of the reported change still open after it (the path is off its baseline). */
  readonly open: readonly PathChangeKind[];
  /**
   * Open kinds this trace no longer shows, not yet a recovery (pathdiff wants another
   * clean trace): the correlator spends its extra trace on them as on candidates.
   */
  readonly clearing: readonly PathChangeKind[];
}

export type RemoveResult = 'removed' | 'not-found' | 'config';

interface Pending {
  traces: { targetId: string; trace: Trace; reason: string }[];
  changes: { targetId: string; change: PathChange }[];
  states: { targetId: string; address: string; state: unknown }[];
}

const empty = (): Pending => ({ traces: [], changes: [], states: [] });

export class Prober implements Component {
  readonly name = 'prober';
  readonly scheduler: Scheduler;
  private readonly config: PathDiffConfig;
  private readonly trackers = new Map<string, PathTracker>();
  private readonly stored = new Map<string, { address: string; state: unknown }>();
  private readonly lastErrors = new Map<string, string>();
  private readonly now: () => number;
  private pending: Pending = empty();
  private flushing: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;
  private problems: string[] = [];
  readonly counters = { traces: 0, pathChanges: 0, writeErrors: 0 };

  constructor(private readonly opts: ProberOptions) {
    this.now = opts.now ?? Date.now;
    this.config = pathDiffConfig(opts.pathdiff);
    this.scheduler = new Scheduler({
      ...opts.scheduler,
      sink: (trace, meta) => this.onTrace(trace, meta),
      onError: (target, err) => this.onError(target, err),
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    const log = this.opts.logger;
    this.problems = [];
    for (const s of await this.opts.store.states()) this.stored.set(s.targetId, { address: s.address, state: s.state });
    for (const t of this.opts.configTargets) {
      const r = await this.scheduler.add({ address: t.address, name: t.name, ...(t.interval !== undefined ? { interval: t.interval } : {}), ...(t.backend ? { backend: t.backend } : {}) }, 'config');
      if (!r.ok) this.problem(`config target ${t.name}: ${r.field} ${r.reason}`);
    }
    for (const t of await this.opts.store.targets()) {
      const r = await this.scheduler.add(storedInput(t), 'api');
      if (!r.ok) this.problem(`stored API target ${t.id} not scheduled: ${r.field} ${r.reason}`);
    }
    await this.scheduler.start();
    this.running = true;
    this.timer = setInterval(() => void this.flush(), this.opts.flushEveryMs ?? 1000);
    this.timer.unref();
    log.info({ targets: this.scheduler.list().length, pathdiff: this.config }, 'prober started');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.scheduler.stop();
    await this.flush();
  }

  health(): ComponentHealth {
    const h = this.scheduler.health();
    const details = [h.detail, ...this.problems].filter((d): d is string => d !== undefined && d !== '');
    const state = h.state === 'ok' && this.problems.length > 0 ? 'degraded' : h.state;
    return { state, ...(details.length > 0 ? { detail: details.join('; ') } : {}), counters: { ...h.counters, ...this.counters } };
  }

  /** The correlator's confirmation trace: now, through the priority lane (cooldown per target unless `force`). */
  requestTrace(targetId: string, reason: string, opts: { readonly force?: boolean } = {}): Promise<Trace> {
    return this.scheduler.trigger(targetId, reason, opts);
  }

  /** The target's baseline as pathdiff sees it now; undefined before its first trace. */
  baseline(targetId: string): PathSummary | undefined {
    const t = this.trackers.get(targetId);
    if (!t || t.state.baseline.length === 0) return undefined;
    return baselineSummary(buildBaseline(t.state.baseline));
  }

  /** One (annotated) trace of the target as a one-trace summary, digested as pathdiff does. */
  summarize(trace: Trace): PathSummary {
    return digestSummary(digestTrace(trace, `${trace.backend}@${new Date(trace.start).toISOString()}`, pathAsLookup(this.opts.as)));
  }

  // ---------------------------------------------------------------- targets (API)

  list(): TargetStatus[] {
    return this.scheduler.list();
  }

  get(id: string): TargetStatus | undefined {
    return this.scheduler.get(id);
  }

  /** Validates, schedules and stores an API target. */
  async add(input: unknown): Promise<Validated<TargetStatus>> {
    const r = await this.scheduler.add(input, 'api', { requireBackend: true });
    if (!r.ok) return r;
    const t = r.value;
    const o = input as { interval?: unknown };
    try {
      await this.opts.store.putTarget({
        id: t.id,
        address: t.host ?? t.address,
        ...(o.interval !== undefined && o.interval !== null ? { intervalMs: t.interval } : {}),
        backend: t.backend,
        createdAt: this.now(),
      });
    } catch (e) {
      this.scheduler.remove(t.id);
      throw e;
    }
    this.opts.logger.info({ target: t.id, address: t.address, host: t.host }, 'target added');
    return r;
  }

  async remove(id: string): Promise<RemoveResult> {
    const t = this.scheduler.get(id);
    if (!t) return 'not-found';
    if (t.source === 'config') return 'config';
    this.scheduler.remove(id);
    this.trackers.delete(id);
    this.stored.delete(id);
    this.lastErrors.delete(id);
    await this.opts.store.deleteTarget(id);
    this.opts.logger.info({ target: id }, 'target removed');
    return 'removed';
  }

  // ---------------------------------------------------------------- traces

  private onTrace(trace: Trace, meta: TraceMeta): void {
    const annotated = annotateTrace(trace, this.opts.as);
    const id = meta.targetId;
    this.counters.traces++;
    this.lastErrors.delete(id);
    let tracker = this.trackers.get(id);
    if (!tracker || tracker.state.target !== annotated.target) {
      const s = this.stored.get(id);
      const state = s && s.address === annotated.target && isPathState(s.state, annotated.target) ? s.state : undefined;
      tracker = new PathTracker(annotated.target, this.config, state);
      this.trackers.set(id, tracker);
      this.stored.delete(id);
    }
    let changes: readonly PathChange[] = [];
    let candidates: readonly PathChangeKind[] = [];
    let suspects: readonly PathChangeKind[] = [];
    let open: readonly PathChangeKind[] = [];
    let clearing: readonly PathChangeKind[] = [];
    let assessed = false;
    try {
      const r = tracker.observe(annotated, { asOf: pathAsLookup(this.opts.as), triggered: meta.reason === 'trigger' });
      changes = r.changes;
      assessed = r.assessment !== null;
      candidates = r.assessment?.candidates.map((c) => c.kind) ?? [];
      suspects = r.assessment?.suspects ?? [];
      open = r.state.open?.kinds.map((o) => o.kind) ?? [];
      // A loss suspect still shows the open loss change: not clearing.
      const showing = [...candidates, ...suspects];
      clearing = assessed ? open.filter((k) => !showing.includes(k)) : [];
    } catch (e) {
      this.opts.logger.error({ err: e, target: id }, 'path-diff failed on a trace');
    }
    this.pending.traces.push({ targetId: id, trace: annotated, reason: meta.reason });
    this.pending.states.push({ targetId: id, address: annotated.target, state: tracker.state });
    for (const c of changes) {
      this.counters.pathChanges++;
      this.pending.changes.push({ targetId: id, change: c });
      this.opts.logger.info({ target: id, kind: c.kind, reasons: c.reasons }, `path change: ${id} ${c.kind}`);
      try {
        this.opts.onChange?.(c, id);
      } catch (e) {
        this.opts.logger.error({ err: e }, 'path change consumer failed');
      }
    }
    try {
      this.opts.onTrace?.(annotated, {
        targetId: id,
        reason: meta.reason,
        ...(meta.triggerReason !== undefined ? { triggerReason: meta.triggerReason } : {}),
        changes,
        assessed,
        candidates,
        suspects,
        open,
        clearing,
      });
    } catch (e) {
      this.opts.logger.error({ err: e }, 'trace consumer failed');
    }
  }

  private onError(target: TargetStatus, err: ProbeError | SchedulerError): void {
    const key = `${err.kind}: ${err.message}`;
    if (this.lastErrors.get(target.id) === key) return;
    this.lastErrors.set(target.id, key);
    const level = err instanceof ProbeError && (err.kind === 'backend-missing' || err.kind === 'backend-permission') ? 'error' : 'warn';
    this.opts.logger[level]({ target: target.id, backend: target.backend, kind: err.kind }, `trace of ${target.name} failed: ${err.message}`);
  }

  private problem(text: string): void {
    this.problems.push(text);
    this.opts.logger.error(text);
  }

  /** Writes what is queued (one transaction). Resolves once it is stored. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const batch = this.pending;
      if (batch.traces.length === 0 && batch.changes.length === 0 && batch.states.length === 0) return;
      this.pending = empty();
      try {
        await this.opts.store.write({ ...batch, now: this.now() });
      } catch (e) {
        this.counters.writeErrors++;
        this.opts.logger.error({ err: e, traces: batch.traces.length }, 'writing traces failed; they are lost');
      }
    });
    return this.flushing;
  }
}

function storedInput(t: ProbeStoreTarget): Record<string, unknown> {
  return { address: t.address, name: t.id, ...(t.intervalMs !== undefined ? { interval: t.intervalMs } : {}), ...(t.backend ? { backend: t.backend } : {}) };
}

function isPathState(s: unknown, target: string): s is PathState {
  const o = s as Partial<PathState> | null;
  return typeof o === 'object' && o !== null && o.version === 1 && o.target === target && Array.isArray(o.baseline) && Array.isArray(o.window);
}
