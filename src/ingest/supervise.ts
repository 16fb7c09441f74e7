// Runs one feed as a component: starts it, hands its event batches to the ingest, and if
// it throws (or its iterable ends while it should run) logs why, reports 'failed' with the
// reason in /api/health, and builds a fresh feed after a capped exponential backoff. The
// loop yields to the event loop (setImmediate) at least every `yieldEveryMs` of work, so
// a flood from one feed never starves the API or the other feeds.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Component, type ComponentHealth, type Timers, UNREF_TIMERS } from '../component.ts';
import type { Logger } from '../log.ts';
import type { FeedEvent } from '../model/feed-event.ts';
import { RateMeter } from './rate.ts';

/** One incarnation of a feed (a BMP collector, a RIS Live client). */
export interface FeedHandle {
  /** Starts listening / connecting. A throw here at the first start fails the service start. */
  start(): Promise<void>;
  /** Stops it; the batches iterable then ends (after any final events, e.g. router-downs). */
  stop(): Promise<void>;
  batches(signal: AbortSignal): AsyncIterable<readonly FeedEvent[]>;
  /** The feed's own numbers for /api/health. */
  counters(): Record<string, number>;
  /** Why the feed is not fully ok while it runs (e.g. "RIS Live disconnected"), if so. */
  problem?(): string | undefined;
}

// Timers lives in component.ts (alerting and others use it too); re-exported for old importers.
export type { Timers } from '../component.ts';

export interface SupervisedFeedOptions {
  readonly name: string;
  readonly create: () => FeedHandle;
  readonly onBatch: (events: readonly FeedEvent[]) => void;
  /** Called after a failed feed is stopped: withdraw what it can no longer vouch for. */
  readonly onFailure?: (why: string) => void;
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly timers?: Timers;
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly yieldEveryMs?: number;
}

export class SupervisedFeed implements Component {
  readonly name: string;
  private handle: FeedHandle | undefined;
  private ac: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private restartTimer: unknown;
  private running = false;
  private failure: string | undefined;
  private attempt = 0;
  private restarts = 0;
  private events = 0;
  private decodeErrors = 0;
  private lastCounters: Record<string, number> = {};
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly rate: RateMeter;

  constructor(private readonly o: SupervisedFeedOptions) {
    this.name = o.name;
    this.now = o.now ?? Date.now;
    this.timers = o.timers ?? UNREF_TIMERS;
    this.rate = new RateMeter(this.now);
  }

  /** The feed running now (undefined while stopped or waiting to restart). */
  get current(): FeedHandle | undefined {
    return this.handle;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const h = this.o.create();
    try {
      await h.start();
    } catch (e) {
      this.failure = (e as Error).message;
      throw e;
    }
    this.running = true;
    this.run(h);
  }

  private run(h: FeedHandle): void {
    this.handle = h;
    this.failure = undefined;
    const ac = new AbortController();
    this.ac = ac;
    this.loop = this.consume(h, ac.signal);
  }

  private async consume(h: FeedHandle, signal: AbortSignal): Promise<void> {
    const every = this.o.yieldEveryMs ?? 20;
    let since = performance.now();
    const startedAt = this.now();
    try {
      for await (const batch of h.batches(signal)) {
        this.events += batch.length;
        this.rate.add(batch.length);
        for (const e of batch) if (e.kind === 'decode-error') this.decodeErrors++;
        this.o.onBatch(batch);
        // A feed that ran for a minute is healthy again: the next failure starts the backoff over.
        if (this.attempt > 0 && this.now() - startedAt > 60_000) this.attempt = 0;
        if (performance.now() - since >= every) {
          await nextTurn();
          since = performance.now();
        }
      }
      if (!this.running) return;
      throw new Error('the feed ended on its own');
    } catch (e) {
      if (!this.running) return;
      await this.failed(h, e as Error);
    }
  }

  private async failed(h: FeedHandle, e: Error): Promise<void> {
    const why = e.message;
    this.lastCounters = h.counters();
    this.handle = undefined;
    try {
      await h.stop();
    } catch (stopErr) {
      this.o.logger?.warn({ err: stopErr }, `${this.name}: stopping the failed feed failed too`);
    }
    this.o.onFailure?.(why);
    const b = this.o.backoff ?? {};
    const delay = Math.min(b.maxMs ?? 60_000, (b.initialMs ?? 1000) * 2 ** this.attempt);
    this.attempt++;
    this.failure = `${why} (restarting in ${Math.round(delay / 100) / 10} s)`;
    this.o.logger?.error({ err: e, restartInMs: delay }, `${this.name} feed failed; restarting with backoff`);
    this.restartTimer = this.timers.setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    this.restartTimer = undefined;
    if (!this.running) return;
    const h = this.o.create();
    try {
      await h.start();
    } catch (e) {
      await this.failed(h, e as Error);
      return;
    }
    if (!this.running) {
      await h.stop();
      return;
    }
    this.restarts++;
    this.o.logger?.info({ restarts: this.restarts }, `${this.name} feed restarted`);
    this.run(h);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.restartTimer !== undefined) this.timers.clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const h = this.handle;
    if (h) {
      this.lastCounters = h.counters();
      await h.stop();
    }
    // The feed's last events (router-downs) are applied if they come within a moment;
    // then the loop is aborted, and a feed that ignores even that is left behind (logged).
    const loop = this.loop;
    if (loop) {
      if (!(await settlesWithin(loop, 2000))) {
        this.ac?.abort();
        if (!(await settlesWithin(loop, 2000))) this.o.logger?.warn(`${this.name}: the feed did not end within 4 s of stop(); left behind`);
      }
    }
    this.handle = undefined;
    this.loop = undefined;
  }

  health(): ComponentHealth {
    const counters = {
      ...(this.handle?.counters() ?? this.lastCounters),
      events: this.events,
      eventsPerSecond: this.rate.perSecond(),
      decodeErrors: this.decodeErrors,
      restarts: this.restarts,
    };
    if (!this.running) return this.failure !== undefined ? { state: 'failed', detail: this.failure, counters } : { state: 'stopped', counters };
    if (this.failure !== undefined) return { state: 'failed', detail: this.failure, counters };
    const p = this.handle?.problem?.();
    return p === undefined ? { state: 'ok', counters } : { state: 'degraded', detail: p, counters };
  }
}

async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = await Promise.race([p.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
  clearTimeout(timer);
  return done;
}
