// The composition root: builds every component from a Config and wires them. The
// only module that knows them all. Constructing starts nothing; start() starts the
// components in order and stop() stops them in reverse (the API stops taking requests
// first, then the feeds, whose last router-downs still reach the RIB, then the ingest
// writes what is pending, and the store closes last).
//
// BGP ingest: the BMP collector ([bmp] enabled) and the RIS Live client ([ris] enabled)
// each run under a SupervisedFeed (restarted with backoff if they fail) and feed ONE Rib
// through the RibIngest, which stores route changes of monitored prefixes, churn counts
// and feed gaps. The BGP API resources read the live RIB and the store.
//
// The data plane and the join: the Prober traces targets (config, API, and auto targets
// from AutoTargets); the Correlator hears every RouteChange from the ingest and every
// trace from the prober, asks the prober for confirmation traces, stores verdicts and
// hands each Cause to the Alerter, which commits alerts to its outbox and sends them.
// What happens is also published on the LiveHub, which the console's /api/live relays.
import { resolve } from 'node:path';
import { ApiServer } from './api/server.ts';
import type { Resource } from './api/app.ts';
import { latencyRoutes } from './api/latency.ts';
import { liveRoutes } from './api/live.ts';
import { lookupRoutes } from './api/lookup.ts';
import { routeChangesRoutes } from './api/route-changes.ts';
import { routersRoutes } from './api/routers.ts';
import { routesRoutes } from './api/routes.ts';
import { targetJson, targetRoutes } from './api/targets.ts';
import { webRoutes } from './api/web.ts';
import { autoTargetRoutes } from './api/auto-targets.ts';
import type { AutoTargets } from './targets/auto/auto-targets.ts';
import { buildAutoTargets } from './targets/auto/build.ts';
import { verdictRoutes } from './api/verdicts.ts';
import { Correlator, type CorrelatorOptions } from './correlate/correlator.ts';
import { type Alerter, alerterFromConfig } from './alert/alerter.ts';
import { alertsSource, silencesSource } from './alert/sources.ts';
import { alertRoutes } from './api/alerts.ts';
import { silenceRoutes } from './api/silences.ts';
import type { Cause } from './model/cause.ts';
import type { Component, ComponentHealth } from './component.ts';
import type { Config } from './config/schema.ts';
import type { RisSubscription } from './codec/rislive/index.ts';
import type { RisLiveOptions } from './feeds/ris-live.ts';
import { BmpFeedHandle, RisFeedHandle } from './ingest/handles.ts';
import { RibIngest } from './ingest/ingest.ts';
import { MonitorSet } from './ingest/monitor.ts';
import { SupervisedFeed, type Timers } from './ingest/supervise.ts';
import type { Logger } from './log.ts';
import { type Address, formatAddress, parseAddress } from './model/address.ts';
import type { FeedEvent } from './model/feed-event.ts';
import { formatPrefix } from './model/prefix.ts';
import { asSource } from './probe/annotate.ts';
import { MtrBackend } from './probe/backends/mtr.ts';
import { ScamperBackend } from './probe/backends/scamper.ts';
import { TcptracerouteBackend } from './probe/backends/tcptraceroute.ts';
import { TracerouteBackend } from './probe/backends/traceroute.ts';
import type { BackendName, TraceBackend } from './probe/backends/types.ts';
import { run as runCommand } from './probe/runner.ts';
import { Prober } from './probe/tracking.ts';
import { type Trace, traceToJson } from './model/trace.ts';
import { LiveHub } from './live.ts';
import { Rib } from './rib/rib.ts';
import { Store } from './store/store.ts';

export interface ServiceDeps {
  readonly logger: Logger;
  readonly version: string;
  /** Milliseconds; injected so uptime, rates, retention and stored times are testable without sleeping. */
  readonly now?: () => number;
  /** Overrides for the RIS Live client (tests: timers, backoff, canary). */
  readonly ris?: Partial<Omit<RisLiveOptions, 'url' | 'client' | 'subscriptions'>>;
  /** How often the ingest writes pending route changes and churn (default 1 s). */
  readonly flushEveryMs?: number;
  /** Restart backoff of a failed feed (default 1 s doubling to 60 s). */
  readonly feedBackoff?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly timers?: Timers;
  /** Overrides of the prober's trace backends (tests). */
  readonly backends?: Partial<Record<BackendName, TraceBackend>>;
  /** How often the prober writes queued traces, changes and path states (default 1 s). */
  readonly probeFlushEveryMs?: number;
  /** Overrides the auto-target address check (a short mtr run) in tests without probes. */
  readonly verify?: (address: string) => Promise<boolean>;
  /** Overrides for the correlator (tests: a trace timeout, a clock, how often targets are re-read). */
  readonly correlator?: Partial<Pick<CorrelatorOptions, 'traceTimeoutMs' | 'refreshTargetsMs' | 'clock' | 'extraTraces'>>;
}

/**
 * The trace backends. scamper is a long-running process, so it is made only when the
 * config uses it (probe.backend or a [[targets]] backend); an API target asking for it
 * otherwise gets "backend scamper is not configured on this prober".
 */
function probeBackends(config: Config): Partial<Record<BackendName, TraceBackend>> {
  const netns = config.probe.netns;
  const out: Partial<Record<BackendName, TraceBackend>> = {
    mtr: new MtrBackend({ netns }),
    traceroute: new TracerouteBackend({ netns }),
    tcptraceroute: new TcptracerouteBackend({ netns }),
  };
  if (config.probe.backend === 'scamper' || config.targets.some((t) => t.backend === 'scamper')) {
    out.scamper = new ScamperBackend({ netns, pps: Math.min(10_000, config.probe.pps) });
  }
  return out;
}

function risSubscriptions(config: Config): RisSubscription[] {
  return config.ris.subscribe.map((s) => {
    const sub: { -readonly [K in keyof RisSubscription]: RisSubscription[K] } = {};
    if (s.host !== undefined) sub.host = s.host;
    if (s.prefix !== undefined) {
      sub.prefix = formatPrefix(s.prefix);
      sub.moreSpecific = s.more_specific;
      sub.lessSpecific = s.less_specific;
    }
    if (s.path !== undefined) sub.path = s.path;
    if (s.peer !== undefined) sub.peer = formatAddress(s.peer);
    if (s.type !== undefined) sub.type = s.type;
    return sub;
  });
}

export class Service {
  readonly store: Store;
  readonly api: ApiServer;
  /** The one RIB every feed writes into. */
  readonly rib: Rib;
  readonly ingest: RibIngest;
  /** The BMP collector's supervisor, when [bmp] enabled. */
  readonly bmp: SupervisedFeed | undefined;
  /** The RIS Live client's supervisor, when [ris] enabled. */
  readonly ris: SupervisedFeed | undefined;
  /** The scheduler, path-change detection and their writes. A component when probe.allowed lists something. */
  readonly prober: Prober;
  /** Targets smoketrace picks itself, when auto_targets.enabled (and probe.allowed lists something). */
  readonly autoTargets: AutoTargets | undefined;
  /** What happened, for GET /api/live (the console): route changes, traces, verdicts, alerts. */
  readonly live: LiveHub;
  /** Joins route changes with traces per target; its causes go to every onCause() listener. */
  readonly correlator: Correlator;
  /** Turns causes into alerts (rules, silences), stores them and sends them (email, webhook). */
  readonly alerter: Alerter;
  private readonly causeListeners = new Set<(cause: Cause) => void>();
  private readonly components: readonly Component[];
  private readonly now: () => number;
  private startedAt: number | undefined;
  private started: Component[] = [];

  constructor(config: Config, deps: ServiceDeps) {
    this.now = deps.now ?? Date.now;
    const now = this.now;
    this.live = new LiveHub({ now });
    const { logger, version } = deps;
    this.store = new Store({
      path: resolve(config.storage.path),
      version,
      logger: logger.child({ component: 'store' }),
      retentionMs: config.storage.retention,
      now,
    });
    this.rib = new Rib();
    // Every target's covering prefixes are monitored: config targets from the start, API
    // and auto targets as the prober gets them (so GET /api/route-changes and the console
    // show the route changes behind any target's verdicts).
    const configAddresses = config.targets.map((t) => t.address);
    const monitor = new MonitorSet(
      config.rib.monitor,
      () => [
        ...configAddresses,
        ...this.prober
          .list()
          .map((t) => parseAddress(t.address))
          .filter((a): a is Address => a !== undefined),
      ],
      { now },
    );
    const ingestLog = logger.child({ component: 'rib' });
    this.ingest = new RibIngest({
      rib: this.rib,
      monitor,
      writer: { write: (b) => this.store.ingest.write(b) },
      now,
      logger: ingestLog,
      flushEveryMs: deps.flushEveryMs,
      onRouteChange: (c, inSync) => this.correlator.onRouteChange(c, inSync),
    });
    const apply = (events: readonly FeedEvent[]) => this.ingest.apply(events);

    if (config.bmp.enabled) {
      const log = logger.child({ component: 'bmp' });
      this.bmp = new SupervisedFeed({
        name: 'bmp',
        create: () =>
          new BmpFeedHandle(
            {
              host: config.bmp.listen.host,
              port: config.bmp.listen.port,
              allow: config.bmp.allow,
              maxMessageBytes: config.bmp.max_message_bytes,
              maxBufferedBytes: config.bmp.max_buffered_bytes,
              clock: now,
              logger: log,
            },
            log,
          ),
        onBatch: apply,
        // The failed collector's sessions are gone: nothing they announced can stay.
        onFailure: (why) => this.dropRouters('bmp', `collector-failed: ${why}`),
        logger: log,
        now,
        timers: deps.timers,
        backoff: deps.feedBackoff,
      });
    }
    if (config.ris.enabled) {
      const log = logger.child({ component: 'ris' });
      this.ris = new SupervisedFeed({
        name: 'ris',
        create: () =>
          new RisFeedHandle({
            url: config.ris.url.toString(),
            client: config.ris.client,
            subscriptions: risSubscriptions(config),
            canary: config.ris.canary ? undefined : false,
            clock: { now },
            logger: log,
            ...deps.ris,
          }),
        onBatch: apply,
        logger: log,
        now,
        timers: deps.timers,
        backoff: deps.feedBackoff,
      });
    }

    const pd = config.probe.pathdiff;
    this.prober = new Prober({
      scheduler: {
        backends: { ...probeBackends(config), ...deps.backends },
        allowed: config.probe.allowed,
        defaultInterval: config.probe.interval,
        defaultBackend: config.probe.backend,
        method: config.probe.method,
        concurrency: config.probe.concurrency,
        pps: config.probe.pps,
        triggerCooldownMs: config.probe.cooldown,
        minIntervalMs: config.probe.min_interval,
      },
      // The origin AS of a hop: the live RIB's longest-prefix match, no network lookups.
      as: asSource((a) => {
        const r = this.rib.lookup(a);
        return r && { prefix: formatPrefix(r.prefix), origins: r.origins };
      }, config.probe.ixp),
      pathdiff: {
        window: pd.window,
        required: pd.required,
        baselineMin: pd.baseline_min,
        baselineLength: pd.baseline_length,
        adoptAfter: pd.adopt_after,
        rttAbsMs: pd.rtt_abs_ms,
        rttPct: pd.rtt_pct,
        rttNoiseK: pd.rtt_noise_k,
        lossPts: pd.loss_pts,
        lossMinProbes: pd.loss_min_probes,
        lossP: pd.loss_p,
        hops: pd.hops,
      },
      store: {
        write: (b) => this.store.probe.write(b),
        states: () => this.store.probe.states(),
        targets: () => this.store.probe.targets(),
        putTarget: (t) => this.store.probe.putTarget(t),
        deleteTarget: (id) => this.store.probe.deleteTarget(id),
      },
      configTargets: config.targets.map((t) => ({
        address: formatAddress(t.address),
        name: t.name,
        ...(t.interval !== config.probe.interval ? { interval: t.interval } : {}),
        backend: t.backend,
      })),
      logger: logger.child({ component: 'probe' }),
      now,
      flushEveryMs: deps.probeFlushEveryMs,
      // The console's live view of every trace (GET /api/live, event 'trace'): Trace JSON and its target.
      onTrace: (trace, info) => {
        this.live.publish('trace', { targetId: info.targetId, reason: info.reason, ...traceToJson(trace) });
        this.correlator.onTrace(trace, info);
      },
      onChange: (c, targetId) => this.live.publish('path-change', { targetId, ...c, at: new Date(c.at).toISOString(), since: new Date(c.since).toISOString() }),
    });

    const cc = config.correlate;
    this.correlator = new Correlator({
      rib: this.rib,
      probe: {
        targets: () => this.prober.list(),
        requestTrace: (id, reason, o) => this.prober.requestTrace(id, reason, o),
        baseline: (id) => this.prober.baseline(id),
        summarize: (trace) => this.prober.summarize(trace),
        lastTrace: async (id) => (await this.store.probe.traces(id, { limit: 1, order: 'desc' }))[0]?.trace,
      },
      store: { insert: (cause) => this.store.verdicts.insertCause(cause) },
      view: { ...(cc.router !== undefined ? { router: cc.router } : {}), peers: cc.peers },
      settleMs: cc.settle,
      lookbackMs: cc.lookback,
      localAsns: cc.local_asns,
      thresholds: { rttAbsMs: cc.rtt_abs_ms, rttPct: cc.rtt_pct, rttNoiseK: cc.rtt_noise_k, lossPts: cc.loss_pts, hops: cc.hops },
      // Why a hop that answered has no AS (private, IXP, unannounced), for the control/data plane words.
      asOf: (() => {
        const src = asSource((a) => {
          const r = this.rib.lookup(a);
          return r && { prefix: formatPrefix(r.prefix), origins: r.origins };
        }, config.probe.ixp);
        return (a: string) => src.asOf(a);
      })(),
      onCause: (cause) => {
        for (const fn of this.causeListeners) {
          try {
            fn(cause);
          } catch (e) {
            logger.error({ err: e, cause: cause.id }, 'a cause listener failed');
          }
        }
      },
      publish: (type, data) => this.live.publish(type, data),
      logger: logger.child({ component: 'correlate' }),
      ...deps.correlator,
    });

    // Alerting listens to the causes like any other listener; handle() never rejects.
    // Each alert, and each change of its deliveries, goes to the console as 'alert'.
    this.alerter = alerterFromConfig(config, {
      repo: () => this.store.alerts,
      logger: logger.child({ component: 'alert' }),
      now,
      onAlert: (a) => this.live.publish('alert', a),
    });
    this.causeListeners.add((cause) => void this.alerter.handle(cause));

    this.api = new ApiServer({
      listen: config.api.listen,
      token: config.api.token,
      version,
      logger: logger.child({ component: 'api' }),
      health: {
        version,
        uptimeSeconds: () => (this.startedAt === undefined ? 0 : (this.now() - this.startedAt) / 1000),
        components: () => this.health(),
      },
      resources: this.resources(),
    });
    const feeds = [this.bmp, this.ris].filter((f): f is SupervisedFeed => f !== undefined);
    // Without a feed there is nothing to ingest: no 'rib' component (the BGP endpoints
    // still answer, from an empty RIB and the store).
    // Without probe.allowed nothing may be probed: no 'prober' component (the target
    // endpoints still answer; POST says why it refuses).
    const probing: Component[] = config.probe.allowed.length > 0 ? [this.prober] : [];
    if (config.auto_targets.enabled && probing.length > 0) {
      // The cheap probe that picks an address: one short mtr (or traceroute) run.
      const check = config.probe.backend === 'traceroute' ? new TracerouteBackend({ netns: config.probe.netns, queries: 1, waitS: 1 }) : new MtrBackend({ netns: config.probe.netns, count: 2, intervalS: 1, graceS: 1 });
      this.autoTargets = buildAutoTargets({
        config,
        prober: this.prober,
        store: { list: () => this.store.autoTargets.list(), put: (t) => this.store.autoTargets.put(t), checks: () => this.store.autoTargets.checks(), putCheck: (c) => this.store.autoTargets.putCheck(c), forget: (f) => this.store.autoTargets.forget(f) },
        busiest: (f) => this.store.churn.busiest(f),
        rib: this.rib,
        verify: async (a) => (deps.verify ?? (async (x: string) => (await check.trace({ target: x, ...(config.probe.method ? { method: config.probe.method } : {}) })).reached))(a),
        run: runCommand,
        logger: logger.child({ component: 'auto-targets' }),
        now,
        // As for API targets: the correlator hears at once, the console by a live 'target' event.
        onChange: (id, change) => {
          this.correlator.refreshTargets();
          if (change === 'removed') return this.live.publish('target', { id, source: 'auto', removed: true });
          const t = this.prober.get(id);
          if (t) this.live.publish('target', targetJson(this.withAutoReason(t)));
        },
      });
      probing.push(this.autoTargets);
    }
    // The correlator needs traces: it runs with the prober, after it (its targets are loaded by then).
    const correlating = config.probe.allowed.length > 0 ? [this.correlator] : [];
    this.components = [this.store, this.alerter, ...(feeds.length > 0 ? [this.ingest] : []), ...feeds, ...probing, ...correlating, this.api];
    if (monitor.size > 0) ingestLog.debug({ monitor: monitor.describe() }, 'monitored prefixes');
  }

  private resources(): Resource[] {
    const rib = this.rib;
    return [
      async (app) => {
        await app.register(routesRoutes, { rib });
      },
      async (app) => {
        await app.register(lookupRoutes, { rib });
      },
      async (app) => {
        await app.register(routersRoutes, {
          source: {
            routers: () => rib.routers(),
            decodeErrors: (source, router) => this.ingest.decodeErrorsByRouter.get(`${source} ${router}`) ?? 0,
            connection: (source, router) => {
              if (source !== 'bmp') return undefined;
              const h = this.bmp?.current;
              const c = h instanceof BmpFeedHandle ? h.collector.routers().find((r) => r.router === router) : undefined;
              return c && { remotePort: c.remotePort, queuedBytes: c.queuedBytes, paused: c.paused, messages: c.counters.messages };
            },
          },
        });
      },
      async (app, ctx) => {
        const prober = this.prober;
        await app.register(targetRoutes, {
          requireToken: ctx.requireToken,
          now: this.now,
          targets: {
            list: () => prober.list().map((t) => this.withAutoReason(t)),
            get: (id) => {
              const t = prober.get(id);
              return t && this.withAutoReason(t);
            },
            // The correlator re-reads targets every 10 s; an API change is news now. The
            // console hears of it as a live 'target' event (removed: true when it went).
            add: async (input) => {
              const r = await prober.add(input);
              if (r.ok) {
                this.correlator.refreshTargets();
                this.live.publish('target', targetJson(this.withAutoReason(r.value)));
              }
              return r;
            },
            remove: async (id) => {
              const before = prober.get(id);
              const r = await prober.remove(id);
              if (r === 'removed') {
                this.correlator.refreshTargets();
                if (before) this.live.publish('target', { ...targetJson(this.withAutoReason(before)), removed: true });
              }
              return r;
            },
            traces: async (id, f) => {
              await prober.flush();
              return (await this.store.probe.traces(id, f)).map((t) => t.trace);
            },
            pathChanges: async (id, f) => {
              await prober.flush();
              return (await this.store.probe.pathChanges(id, f)).map((c) => c.change);
            },
          },
        });
      },
      async (app, ctx) => {
        await app.register(autoTargetRoutes, {
          requireToken: ctx.requireToken,
          source: {
            suggestions: async () => this.autoTargets?.suggestions(),
            accept: async (input) => this.autoTargets?.accept(input) ?? { ok: false, status: 503, reason: 'auto targets are off: set auto_targets.enabled = true' },
          },
        });
      },
      async (app) => {
        await app.register(routeChangesRoutes, { changes: { list: (f) => this.store.routeChanges.list(f) }, now: this.now });
      },
      async (app, ctx) => {
        const repo = () => this.store.alerts;
        await app.register(alertRoutes, { alerts: alertsSource(repo, this.now, (a) => this.live.publish('alert', a)), requireToken: ctx.requireToken, now: this.now });
        await app.register(silenceRoutes, { silences: silencesSource(repo, this.now), requireToken: ctx.requireToken, now: this.now });
      },
      async (app) => {
        await app.register(verdictRoutes, { verdicts: { list: (f) => this.store.verdicts.list(f), get: (id) => this.store.verdicts.get(id) }, now: this.now });
      },
      // The console's data beyond the resources above, its live stream and its files.
      async (app) => {
        const prober = this.prober;
        await app.register(latencyRoutes, {
          now: this.now,
          source: {
            list: () => prober.list(),
            get: (id) => prober.get(id),
            traces: async (id, f) => {
              await prober.flush();
              return (await this.store.probe.traces(id, f)).map((t) => t.trace);
            },
            sample: async (id, f) => {
              await prober.flush();
              return (await this.store.probe.sampleTraces(id, f)).map((t) => t.trace);
            },
          },
        });
      },
      async (app) => {
        await app.register(liveRoutes, { live: this.live });
      },
      async (app) => {
        await app.register(webRoutes, {});
      },
    ];
  }

  /**
   * Every Cause the correlator hands on (stored verdicts with their ids), in order; alerting
   * subscribes here. A listener that throws is logged and the others still get the cause.
   * Returns the unsubscribe function.
   */
  onCause(fn: (cause: Cause) => void): () => void {
    this.causeListeners.add(fn);
    return () => this.causeListeners.delete(fn);
  }

  /** A target as the API shows it; auto ones with why they exist. */
  private withAutoReason<T extends { id: string; source: string }>(t: T): T & { reason?: string; pinned?: boolean } {
    const a = t.source === 'auto' ? this.autoTargets?.get(t.id) : undefined;
    return a ? { ...t, reason: a.reason, pinned: a.pinned } : t;
  }

  /** router-down for every router of `source` the RIB still has up. */
  private dropRouters(source: 'bmp' | 'ris-live', reason: string): void {
    const events: FeedEvent[] = [];
    for (const r of this.rib.routers()) {
      if (r.source === source && r.state === 'up') events.push({ kind: 'router-down', source, router: r.router, reason, time: this.now() });
    }
    this.ingest.apply(events);
  }

  /** A trace of `targetId` now, ahead of the queue (the correlator's confirmation; cooldown per target). */
  requestTrace(targetId: string, reason: string): Promise<Trace> {
    return this.prober.requestTrace(targetId, reason);
  }

  /** Where the BMP collector listens (after start(); port 0 in the config picks a free port). */
  bmpAddress(): { host: string; port: number } | undefined {
    const h = this.bmp?.current;
    return h instanceof BmpFeedHandle ? h.collector.address() : undefined;
  }

  /** Starts each component in order; if one fails, stops those already started and throws. */
  async start(): Promise<void> {
    this.startedAt = this.now();
    for (const c of this.components) {
      try {
        await c.start();
      } catch (e) {
        await this.stop();
        throw e;
      }
      this.started.push(c);
    }
  }

  async stop(): Promise<void> {
    const started = this.started.reverse();
    this.started = [];
    for (const c of started) await c.stop();
  }

  health(): Record<string, ComponentHealth> {
    return Object.fromEntries(this.components.map((c) => [c.name, c.health()]));
  }
}
