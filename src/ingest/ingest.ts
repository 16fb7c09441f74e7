// The RIB ingest: every feed's events go through here into the one Rib. apply() is
// synchronous (the RIB is pure and fast); what the store keeps is gathered meanwhile and
// written by flush(), one transaction per flush, on a timer started by start():
// - route changes of monitored prefixes (monitor.ts), with attributes before and after;
// - per-prefix churn per hour of feed time, for every prefix, once the peer table is in
//   sync: BMP tables after their End-of-RIB, never MRT RIB dumps (snapshots, not churn),
//   RIS Live always (it has no table transfer). Only 'update'/'withdraw' causes count: a
//   session drop withdrawing a whole table is not churn of each prefix;
// - feed gaps (RIS Live reconnects).
// A bug met while applying one event is counted and logged, and the next event goes on.
// Pending writes are bounded: past maxPendingChanges, changes are dropped and counted.
import type { Component, ComponentHealth } from '../component.ts';
import type { Logger } from '../log.ts';
import type { FeedEvent } from '../model/feed-event.ts';
import { formatPrefix } from '../model/prefix.ts';
import type { RouteChange } from '../model/route-change.ts';
import type { Rib } from '../rib/rib.ts';
import type { ChurnIncrement, IngestBatch } from '../store/ingest-writes.ts';
import { routeChangeRow } from '../store/route-changes.ts';
import type { MonitorSet } from './monitor.ts';
import { RateMeter } from './rate.ts';

export interface IngestWriter {
  write(batch: IngestBatch): Promise<void>;
}

export interface RibIngestOptions {
  readonly rib: Rib;
  readonly monitor: MonitorSet;
  /** Where batches go; undefined keeps nothing (the RIB still learns). */
  readonly writer?: IngestWriter;
  /** Wall clock, ms. */
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly flushEveryMs?: number;
  readonly maxPendingChanges?: number;
  /**
   * Sees every RouteChange, synchronously, as the RIB makes it (the correlator). `inSync`:
   * the peer table is past its initial transfer (see inSync(); meaningless for
   * 'peer-down'/'router-down' causes, whose table is already marked down). A listener
   * that throws is counted (listenerErrors) and logged; the ingest goes on.
   */
  readonly onRouteChange?: (change: RouteChange, inSync: boolean) => void;
}

export interface IngestCounters {
  events: number;
  routeEvents: number;
  changes: number;
  decodeErrors: number;
  applyErrors: number;
  storedChanges: number;
  churnUpdates: number;
  /** Changes counted as churn (announcements + withdrawals after sync). */
  churnCounted: number;
  gaps: number;
  droppedChanges: number;
  writeErrors: number;
  listenerErrors: number;
}

const HOUR_MS = 3_600_000;

type Row = IngestBatch['changes'][number];

export class RibIngest implements Component {
  readonly name = 'rib';
  readonly counters: IngestCounters = {
    events: 0,
    routeEvents: 0,
    changes: 0,
    decodeErrors: 0,
    applyErrors: 0,
    storedChanges: 0,
    churnUpdates: 0,
    churnCounted: 0,
    gaps: 0,
    droppedChanges: 0,
    writeErrors: 0,
    listenerErrors: 0,
  };
  /** Decode errors per "source router", for GET /api/routers. */
  readonly decodeErrorsByRouter = new Map<string, number>();
  private readonly now: () => number;
  private readonly rate: RateMeter;
  private pendingChanges: Row[] = [];
  private churn = new Map<string, { prefix: string; bucket: number; announcements: number; withdrawals: number }>();
  private pendingGaps: IngestBatch['gaps'][number][] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private running = false;
  private lastWriteError: string | undefined;
  private readonly sink = (c: RouteChange) => this.onChange(c);

  constructor(private readonly o: RibIngestOptions) {
    this.now = o.now ?? Date.now;
    this.rate = new RateMeter(this.now);
  }

  get rib(): Rib {
    return this.o.rib;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const every = this.o.flushEveryMs ?? 1000;
    this.timer = setInterval(() => void this.flush(), every);
    this.timer.unref();
  }

  /** Stops the timer and writes what is pending. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Applies events to the RIB in order; synchronous. */
  apply(events: readonly FeedEvent[]): void {
    this.counters.events += events.length;
    this.rate.add(events.length);
    const rib = this.o.rib;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      if (ev.kind === 'route') this.counters.routeEvents++;
      else if (ev.kind === 'decode-error') {
        this.counters.decodeErrors++;
        const k = `${ev.source} ${ev.router}`;
        this.decodeErrorsByRouter.set(k, (this.decodeErrorsByRouter.get(k) ?? 0) + 1);
      } else if (ev.kind === 'gap') {
        this.counters.gaps++;
        this.pendingGaps.push({
          source: ev.router === ev.source ? ev.source : `${ev.source}:${ev.router}`,
          startedAt: new Date(ev.from),
          endedAt: new Date(Math.max(ev.from, ev.to)),
          reason: ev.reason,
        });
      }
      try {
        rib.apply(ev, this.sink);
      } catch (e) {
        this.counters.applyErrors++;
        if (this.counters.applyErrors <= 10 || this.counters.applyErrors % 1000 === 0) {
          this.o.logger?.error({ err: e, event: ev.kind, count: this.counters.applyErrors }, 'applying a feed event to the RIB failed; skipped');
        }
      }
    }
  }

  private onChange(c: RouteChange): void {
    this.counters.changes++;
    const listener = this.o.onRouteChange;
    if (listener !== undefined) {
      try {
        listener(c, c.cause === 'update' || c.cause === 'withdraw' ? this.inSync(c) : true);
      } catch (e) {
        this.counters.listenerErrors++;
        if (this.counters.listenerErrors <= 10 || this.counters.listenerErrors % 1000 === 0) {
          this.o.logger?.error({ err: e, count: this.counters.listenerErrors }, 'a route-change listener failed; the ingest goes on');
        }
      }
    }
    if (this.o.writer === undefined) return;
    if ((c.cause === 'update' || c.cause === 'withdraw') && this.inSync(c)) {
      const bucket = Math.floor(c.time / HOUR_MS) * HOUR_MS;
      const prefix = formatPrefix(c.prefix);
      const k = `${prefix} ${bucket}`;
      let e = this.churn.get(k);
      if (e === undefined) {
        e = { prefix, bucket, announcements: 0, withdrawals: 0 };
        this.churn.set(k, e);
      }
      if (c.kind === 'withdraw') e.withdrawals++;
      else e.announcements++;
      this.counters.churnCounted++;
    }
    if (this.o.monitor.size > 0 && this.o.monitor.matches(c.prefix)) {
      if (this.pendingChanges.length >= (this.o.maxPendingChanges ?? 200_000)) {
        this.counters.droppedChanges++;
        return;
      }
      this.pendingChanges.push(routeChangeRow(c, this.now()));
    }
  }

  /** Whether the peer table the change belongs to is past its initial transfer. */
  private inSync(c: RouteChange): boolean {
    if (c.source === 'ris-live') return true;
    if (c.source === 'mrt') return c.table !== 'adj-rib-in-post';
    const t = this.o.rib.tables;
    return t.all[t.index(c.source, c.router, c.peer, c.table)].endOfRib;
  }

  /** Writes everything pending in one transaction; flushes run one after another. */
  flush(): Promise<void> {
    const next = this.flushing.then(() => this.writePending());
    this.flushing = next;
    return next;
  }

  private async writePending(): Promise<void> {
    const writer = this.o.writer;
    if (writer === undefined) return;
    const changes = this.pendingChanges;
    const churn: ChurnIncrement[] = [...this.churn.values()];
    const gaps = this.pendingGaps;
    if (changes.length === 0 && churn.length === 0 && gaps.length === 0) return;
    this.pendingChanges = [];
    this.churn = new Map();
    this.pendingGaps = [];
    try {
      await writer.write({ changes, churn, gaps, now: this.now() });
      this.counters.storedChanges += changes.length;
      this.counters.churnUpdates += churn.length;
      this.lastWriteError = undefined;
    } catch (e) {
      this.counters.writeErrors++;
      this.lastWriteError = (e as Error).message;
      this.o.logger?.error({ err: e, changes: changes.length, churn: churn.length }, 'writing route changes to the store failed; that batch is lost');
    }
  }

  health(): ComponentHealth {
    const s = this.o.rib.stats();
    let routersUp = 0;
    for (const r of this.o.rib.tables.routers.values()) if (r.state === 'up') routersUp++;
    const counters = {
      routes: s.routes,
      prefixesV4: s.prefixes.v4,
      prefixesV6: s.prefixes.v6,
      routersUp,
      events: this.counters.events,
      eventsPerSecond: this.rate.perSecond(),
      changes: this.counters.changes,
      decodeErrors: this.counters.decodeErrors,
      applyErrors: this.counters.applyErrors,
      storedChanges: this.counters.storedChanges,
      pendingChanges: this.pendingChanges.length,
      droppedChanges: this.counters.droppedChanges,
      gaps: this.counters.gaps,
      writeErrors: this.counters.writeErrors,
      listenerErrors: this.counters.listenerErrors,
    };
    if (this.lastWriteError !== undefined) return { state: 'degraded', detail: `the last store write failed: ${this.lastWriteError}`, counters };
    return { state: this.running ? 'ok' : 'stopped', counters };
  }
}
