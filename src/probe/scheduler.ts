// The probe scheduler: which target is traced when, with which backend, within which
// limits. Traces go to a sink callback (store and path-diff are wired by service.ts).
//
// - Targets come from the config and the API (add/remove/list). Each is validated
//   (targets/validate.ts); a host name is resolved ONCE, when added, never on the probe
//   path; the address used must be inside probe.allowed, and is checked again before
//   every run (the allowed list can shrink on reload).
// - Each target runs every `interval` (per target, else the default). The first run is
//   placed uniformly at random within one interval and every later one moves by up to
//   ±jitter of it, so 10,000 targets never fire together and do not fall into step.
//   A target still running when due skips that turn (counted), it is not queued twice.
// - Limits: a global concurrency cap, optional per-backend caps, and a packets-per-second
//   budget (budget.ts) spent at each backend's estimate for the target's last path length.
// - Triggered traces (`trigger(id, reason)`, the correlator's confirmation) go through a
//   priority lane: they take the next free slot before the regular queue, may use
//   `prioritySlots` beyond the cap and may spend the pps budget into debt, so they start
//   at once even when the regular queue is full. One trigger per target per cooldown;
//   a trigger while one is pending gets the same promise.
// - A backend that is missing or lacks permission is marked unavailable with the tool's
//   message, its targets show it, the others keep running; it is tried again after
//   `backendRecheckMs`. Time and timers come from an injected clock.
import { lookup } from 'node:dns/promises';
import type { Method, Trace } from '../model/trace.ts';
import { type Address, formatAddress, parseAddress } from '../model/address.ts';
import type { Prefix } from '../model/prefix.ts';
import type { ComponentHealth } from '../component.ts';
import { notAllowedReason, validateTarget, type Invalid, type Validated } from '../targets/validate.ts';
import { type Clock, systemClock } from './clock.ts';
import { PacketBudget } from './budget.ts';
import { ProbeError } from './runner.ts';
import { type BackendName, type TraceBackend, DEFAULT_HOPS_GUESS } from './backends/types.ts';

export type TargetSource = 'config' | 'api' | 'auto';
export type TargetState = 'waiting' | 'queued' | 'running' | 'ok' | 'failing' | 'refused' | 'backend-unavailable';

export interface TargetStatus {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  /** The host name it was added as (resolved once, at that time). */
  readonly host?: string;
  readonly interval: number;
  readonly backend: BackendName;
  readonly source: TargetSource;
  readonly state: TargetState;
  readonly nextRun?: number;
  readonly lastRun?: number;
  readonly lastError?: { readonly kind: string; readonly message: string };
  readonly runs: number;
  readonly failures: number;
  readonly skipped: number;
}

export interface TraceMeta {
  readonly targetId: string;
  readonly name: string;
  readonly reason: 'scheduled' | 'trigger';
  readonly triggerReason?: string;
}

export type SchedulerErrorKind = 'unknown-target' | 'cooldown' | 'not-allowed' | 'stopped';

export class SchedulerError extends Error {
  override readonly name = 'SchedulerError';
  constructor(
    readonly kind: SchedulerErrorKind,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface SchedulerOptions {
  readonly backends: Partial<Record<BackendName, TraceBackend>>;
  readonly allowed: readonly Prefix[];
  readonly defaultInterval: number;
  readonly defaultBackend: BackendName;
  readonly sink: (trace: Trace, meta: TraceMeta) => void;
  readonly onError?: (target: TargetStatus, err: ProbeError | SchedulerError) => void;
  /** Method for every target (default: the backend's own, ICMP / ICMP-Paris). */
  readonly method?: Method;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Traces at once, all backends together. Default 16. */
  readonly concurrency?: number;
  readonly backendConcurrency?: Partial<Record<BackendName, number>>;
  /** Extra slots only triggered traces may use. Default 2. */
  readonly prioritySlots?: number;
  /** Packets per second, all backends together. Default 200. */
  readonly pps?: number;
  readonly burstS?: number;
  /** ± fraction of the interval each run moves by. Default 0.1. */
  readonly jitter?: number;
  readonly triggerCooldownMs?: number;
  readonly backendRecheckMs?: number;
  /** Host name -> addresses; default getaddrinfo. Called only by add(). */
  readonly resolve?: (host: string) => Promise<string[]>;
  readonly resolveTimeoutMs?: number;
  /** Shortest per-target interval add() accepts (probe.min_interval). Default 10 s. */
  readonly minIntervalMs?: number;
  /**
   * How long stop() waits for the aborted traces to settle: the runner's kill grace
   * (SIGTERM, then SIGKILL after 2 s) and a little more. Default 2.5 s.
   */
  readonly stopWaitMs?: number;
}

interface Entry {
  status: { -readonly [K in keyof TargetStatus]: TargetStatus[K] };
  addr: Address;
  timer?: unknown;
  due: number;
  queued: boolean;
  running: number;
  hops?: number;
  lastTriggerAt?: number;
  trigger?: Promise<Trace>;
}

interface Job {
  readonly entry: Entry;
  readonly priority: boolean;
  readonly triggerReason?: string;
  readonly resolve?: (t: Trace) => void;
  readonly reject?: (e: Error) => void;
}

interface BackendMark {
  error: ProbeError;
  until: number;
}

const defaultResolve = async (host: string): Promise<string[]> => (await lookup(host, { all: true, verbatim: true })).map((r) => r.address);

export class Scheduler {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly targets = new Map<string, Entry>();
  private readonly regular: Job[] = [];
  private readonly priority: Job[] = [];
  private readonly active = new Map<BackendName, number>();
  private readonly unavailable = new Map<BackendName, BackendMark>();
  private readonly aborts = new Set<AbortController>();
  /** Running traces: stop() waits for them, so what they report reaches the sink before the flush. */
  private readonly inFlight = new Set<Promise<void>>();
  private allowed: readonly Prefix[];
  private budget?: PacketBudget;
  private pumpTimer?: unknown;
  private running = false;
  private activeTotal = 0;
  private readonly hopsSeen = { sum: 0, n: 0 };
  readonly counters = { traces: 0, failures: 0, refused: 0, skipped: 0, triggers: 0 };

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.allowed = opts.allowed;
  }

  // ------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.budget = new PacketBudget(this.opts.pps ?? 200, this.opts.burstS ?? 1, this.clock.now());
    for (const [name, b] of Object.entries(this.opts.backends) as [BackendName, TraceBackend][]) {
      if (!b.start) continue;
      try {
        await b.start();
      } catch (e) {
        this.markBackend(name, toProbeError(e));
      }
    }
    const now = this.clock.now();
    for (const e of this.targets.values()) this.arm(e, now + this.random() * e.status.interval);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const e of this.targets.values()) this.disarm(e);
    if (this.pumpTimer !== undefined) this.clock.clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    const stopped = new SchedulerError('stopped', 'the prober is stopping');
    for (const j of this.priority.splice(0)) j.reject?.(stopped);
    for (const j of this.regular.splice(0)) j.entry.queued = false;
    for (const a of this.aborts) a.abort();
    if (this.inFlight.size > 0) {
      // Real time on purpose: the grace is the child processes', not the schedule's clock.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const bound = new Promise<void>((r) => {
        timer = setTimeout(r, this.opts.stopWaitMs ?? 2_500);
      });
      await Promise.race([Promise.allSettled([...this.inFlight]), bound]);
      clearTimeout(timer);
    }
    for (const b of Object.values(this.opts.backends)) await b?.stop?.().catch(() => {});
  }

  health(): ComponentHealth {
    const marks = [...this.unavailable.entries()].map(([b, m]) => `${b}: ${m.error.message}`);
    return {
      state: !this.running ? 'stopped' : marks.length > 0 ? 'degraded' : 'ok',
      ...(marks.length > 0 ? { detail: marks.join('; ') } : {}),
      counters: { targets: this.targets.size, running: this.activeTotal, queued: this.regular.length + this.priority.length, ...this.counters },
    };
  }

  /** Takes effect before the next run of every target (config reload). */
  setAllowed(allowed: readonly Prefix[]): void {
    this.allowed = allowed;
  }

  // ------------------------------------------------------------ targets

  /**
   * Validates, resolves a host name once, checks probe.allowed, and schedules.
   * `requireBackend` (a new API target): refuse a backend this prober did not build
   * (400 naming the ones it has) instead of a target that stays unavailable forever.
   */
  async add(input: unknown, source: TargetSource = 'api', opts: { readonly requireBackend?: boolean } = {}): Promise<Validated<TargetStatus>> {
    const v = validateTarget(input, { allowed: this.allowed, minIntervalMs: this.opts.minIntervalMs });
    if (!v.ok) return v;
    const t = v.value;
    if (this.targets.has(t.name)) return invalid('name', `a target named ${JSON.stringify(t.name)} exists already`);
    let text = t.address;
    if (text === undefined) {
      const r = await this.resolveHost(t.host!);
      if (!r.ok) return r;
      text = r.value;
    }
    if (this.targets.has(t.name)) return invalid('name', `a target named ${JSON.stringify(t.name)} exists already`);
    const addr = parseAddress(text)!;
    const backend = t.backend ?? this.opts.defaultBackend;
    if (opts.requireBackend && !this.opts.backends[backend]) {
      const have = (Object.keys(this.opts.backends) as BackendName[]).filter((n) => this.opts.backends[n]).sort();
      return invalid('backend', `${backend} is not configured on this prober (configured: ${have.join(', ') || 'none'}; scamper is built only when probe.backend or a [[targets]] entry uses it)`);
    }
    if (backend === 'tcptraceroute' && addr.family === 6) return invalid('backend', 'tcptraceroute is IPv4 only');
    const e: Entry = {
      status: {
        id: t.name,
        name: t.name,
        address: text,
        ...(t.host ? { host: t.host } : {}),
        interval: t.interval ?? this.opts.defaultInterval,
        backend,
        source,
        state: 'waiting',
        runs: 0,
        failures: 0,
        skipped: 0,
      },
      addr,
      due: 0,
      queued: false,
      running: 0,
    };
    this.targets.set(e.status.id, e);
    if (this.running) this.arm(e, this.clock.now() + this.random() * e.status.interval);
    return { ok: true, value: this.snapshot(e) };
  }

  remove(id: string): boolean {
    const e = this.targets.get(id);
    if (!e) return false;
    this.disarm(e);
    this.targets.delete(id);
    const drop = (q: Job[]) => {
      for (let i = q.length - 1; i >= 0; i--) {
        if (q[i].entry === e) q.splice(i, 1)[0].reject?.(new SchedulerError('unknown-target', `target ${id} was removed`));
      }
    };
    drop(this.regular);
    drop(this.priority);
    return true;
  }

  list(): TargetStatus[] {
    return [...this.targets.values()].map((e) => this.snapshot(e));
  }

  get(id: string): TargetStatus | undefined {
    const e = this.targets.get(id);
    return e ? this.snapshot(e) : undefined;
  }

  /**
   * A trace now, ahead of the regular queue (the correlator's confirmation trace).
   * `force` passes the per-target cooldown (the correlator's settle trace, seconds after
   * its first one); it still counts as the target's last trigger for everyone else.
   */
  trigger(id: string, reason: string, opts: { readonly force?: boolean } = {}): Promise<Trace> {
    const e = this.targets.get(id);
    if (!this.running) return Promise.reject(new SchedulerError('stopped', 'the prober is not running'));
    if (!e) return Promise.reject(new SchedulerError('unknown-target', `no target ${JSON.stringify(id)}`));
    if (e.trigger) return e.trigger;
    const now = this.clock.now();
    const cooldown = this.opts.triggerCooldownMs ?? 60_000;
    if (!opts.force && e.lastTriggerAt !== undefined && now - e.lastTriggerAt < cooldown) {
      const wait = cooldown - (now - e.lastTriggerAt);
      return Promise.reject(new SchedulerError('cooldown', `target ${id} was traced on demand ${Math.round((now - e.lastTriggerAt) / 1000)} s ago; next in ${Math.ceil(wait / 1000)} s`, wait));
    }
    e.lastTriggerAt = now;
    this.counters.triggers++;
    const p = new Promise<Trace>((resolve, reject) => {
      this.priority.push({ entry: e, priority: true, triggerReason: reason, resolve, reject });
    });
    e.trigger = p;
    const clear = () => {
      if (e.trigger === p) e.trigger = undefined;
    };
    p.then(clear, clear);
    this.pump();
    return p;
  }

  // ------------------------------------------------------------ timing

  private arm(e: Entry, at: number): void {
    this.disarm(e);
    e.due = at;
    e.status.nextRun = Math.round(at);
    e.timer = this.clock.setTimeout(() => this.onDue(e), Math.max(0, at - this.clock.now()));
  }

  private disarm(e: Entry): void {
    if (e.timer !== undefined) this.clock.clearTimeout(e.timer);
    e.timer = undefined;
    e.status.nextRun = undefined;
  }

  private onDue(e: Entry): void {
    e.timer = undefined;
    if (!this.running || this.targets.get(e.status.id) !== e) return;
    const now = this.clock.now();
    const iv = e.status.interval;
    const jitter = this.opts.jitter ?? 0.1;
    // Phase is kept from the previous due time, not from when the run ended: no drift.
    let next = e.due + iv * (1 + jitter * (2 * this.random() - 1));
    if (next <= now) next = now + iv * (1 - jitter + jitter * this.random());
    this.arm(e, next);
    if (e.queued || e.running > 0) {
      e.status.skipped++;
      this.counters.skipped++;
      return;
    }
    e.queued = true;
    e.status.state = 'queued';
    this.regular.push({ entry: e, priority: false });
    this.pump();
  }

  // ------------------------------------------------------------ running

  private backendLimit(b: BackendName): number {
    return this.opts.backendConcurrency?.[b] ?? Infinity;
  }

  private cost(e: Entry): number {
    const b = this.opts.backends[e.status.backend];
    // A target never traced is guessed at the mean path length seen so far: a cold start
    // with 10,000 targets would otherwise be budgeted at 16 hops each and crawl.
    const guess = this.hopsSeen.n > 0 ? Math.ceil(this.hopsSeen.sum / this.hopsSeen.n) : DEFAULT_HOPS_GUESS;
    return b ? b.estimatePackets({ target: e.status.address, method: this.opts.method }, e.hops ?? guess) : 1;
  }

  private pump(): void {
    if (!this.running) return;
    const now = this.clock.now();
    const cap = this.opts.concurrency ?? 16;
    // Priority lane: ahead of everything, with slots of its own, and the budget may go into debt.
    while (this.priority.length > 0 && this.activeTotal < cap + (this.opts.prioritySlots ?? 2)) {
      const job = this.priority.shift()!;
      this.budget!.force(this.cost(job.entry), now);
      this.launch(job);
    }
    while (this.regular.length > 0 && this.activeTotal < cap) {
      const i = this.regular.findIndex((j) => (this.active.get(j.entry.status.backend) ?? 0) < this.backendLimit(j.entry.status.backend));
      if (i === -1) return; // every queued target waits on a full backend; a finishing run pumps again
      const job = this.regular[i];
      const r = this.budget!.take(this.cost(job.entry), now);
      if (!r.ok) {
        if (this.pumpTimer === undefined) {
          this.pumpTimer = this.clock.setTimeout(() => {
            this.pumpTimer = undefined;
            this.pump();
          }, r.waitMs);
        }
        return;
      }
      this.regular.splice(i, 1);
      job.entry.queued = false;
      this.launch(job);
    }
  }

  /** Checks that may refuse a run, then starts it. */
  private launch(job: Job): void {
    const e = job.entry;
    const b = e.status.backend;
    const why = notAllowedReason(e.addr, this.allowed);
    if (why) {
      this.counters.refused++;
      return this.fail(job, new SchedulerError('not-allowed', `not probing ${e.status.name}: ${why}`), 'refused');
    }
    const backend = this.opts.backends[b];
    const mark = this.unavailable.get(b);
    if (!backend) return this.fail(job, new ProbeError('backend-missing', `backend ${b} is not configured on this prober`), 'backend-unavailable');
    if (mark && mark.until > this.clock.now()) return this.fail(job, mark.error, 'backend-unavailable');
    const run = this.runJob(job, backend);
    this.inFlight.add(run);
    const done = () => void this.inFlight.delete(run);
    run.then(done, done);
  }

  private async runJob(job: Job, backend: TraceBackend): Promise<void> {
    const e = job.entry;
    const b = backend.name;
    this.activeTotal++;
    this.active.set(b, (this.active.get(b) ?? 0) + 1);
    e.running++;
    e.status.state = 'running';
    const abort = new AbortController();
    this.aborts.add(abort);
    try {
      const trace = await backend.trace({ target: e.status.address, method: this.opts.method, signal: abort.signal });
      this.unavailable.delete(b);
      e.hops = Math.max(1, trace.hops.length);
      if (this.hopsSeen.n >= 100_000) {
        // Halve the history now and then, so the mean follows a changing target list.
        this.hopsSeen.sum /= 2;
        this.hopsSeen.n /= 2;
      }
      this.hopsSeen.sum += e.hops;
      this.hopsSeen.n++;
      e.status.runs++;
      e.status.lastRun = trace.end;
      e.status.lastError = undefined;
      e.status.state = 'ok';
      this.counters.traces++;
      if (this.targets.get(e.status.id) === e) {
        try {
          this.opts.sink(trace, { targetId: e.status.id, name: e.status.name, reason: job.priority ? 'trigger' : 'scheduled', ...(job.triggerReason !== undefined ? { triggerReason: job.triggerReason } : {}) });
        } catch {
          // A consumer's bug must not stop the prober; the consumer logs its own errors.
        }
      }
      job.resolve?.(trace);
    } catch (err) {
      const pe = toProbeError(err);
      if (pe.kind === 'backend-missing' || pe.kind === 'backend-permission') this.markBackend(b, pe);
      this.fail(job, pe, pe.kind === 'backend-missing' || pe.kind === 'backend-permission' ? 'backend-unavailable' : 'failing');
    } finally {
      this.aborts.delete(abort);
      this.activeTotal--;
      this.active.set(b, (this.active.get(b) ?? 1) - 1);
      e.running--;
      this.pump();
    }
  }

  private fail(job: Job, err: ProbeError | SchedulerError, state: TargetState): void {
    const e = job.entry;
    e.queued = false;
    e.status.state = state;
    e.status.failures++;
    e.status.lastError = { kind: err.kind, message: err.message };
    this.counters.failures++;
    this.opts.onError?.(this.snapshot(e), err);
    job.reject?.(err);
  }

  private markBackend(b: BackendName, error: ProbeError): void {
    this.unavailable.set(b, { error, until: this.clock.now() + (this.opts.backendRecheckMs ?? 300_000) });
  }

  /** Which backends are marked unavailable, and why. */
  unavailableBackends(): { backend: BackendName; kind: string; message: string; recheckAt: number }[] {
    return [...this.unavailable.entries()].map(([backend, m]) => ({ backend, kind: m.error.kind, message: m.error.message, recheckAt: m.until }));
  }

  private async resolveHost(host: string): Promise<Validated<string>> {
    const ms = this.opts.resolveTimeoutMs ?? 5_000;
    let timer: unknown;
    let addrs: string[];
    try {
      addrs = await Promise.race([
        (this.opts.resolve ?? defaultResolve)(host),
        new Promise<never>((_, reject) => {
          timer = this.clock.setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
        }),
      ]);
    } catch (err) {
      return invalid('address', `host name ${host} could not be resolved: ${(err as Error).message}`);
    } finally {
      if (timer !== undefined) this.clock.clearTimeout(timer);
    }
    const parsed = addrs.map((a) => parseAddress(a)).filter((a): a is Address => a !== undefined);
    if (parsed.length === 0) return invalid('address', `host name ${host} has no IP address`);
    for (const a of parsed) {
      const v = validateTarget({ address: formatAddress(a) }, { allowed: this.allowed });
      if (v.ok) return { ok: true, value: v.value.address! };
    }
    return invalid('address', `${host} resolves to ${addrs.slice(0, 4).join(', ')}: ${notAllowedReason(parsed[0], this.allowed) ?? 'not a unicast address'}`);
  }

  private snapshot(e: Entry): TargetStatus {
    const s = { ...e.status };
    if (s.state !== 'running' && e.queued) s.state = 'queued';
    return s;
  }
}

function invalid(field: string, reason: string): Invalid {
  return { ok: false, status: 400, field, reason };
}

function toProbeError(e: unknown): ProbeError {
  if (e instanceof ProbeError) return e;
  return new ProbeError('backend-failed', (e as Error)?.message ?? String(e));
}
