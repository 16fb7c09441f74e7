// The sender: delivers what the alerts table's outbox holds. Each channel has its own
// lane (one broken channel never holds back the other), sending its due deliveries one
// after another, oldest alert first:
// - wake() (called when an alert is committed) sends at once: no polling delay;
// - a failed send is retried after retry_min, doubling to retry_max, until give_up_after
//   from the alert's creation, then the delivery is 'failed' (and stays visible);
// - a successful send is marked 'sent' right after the channel returns, in the same
//   step, so only a crash between the two can send a message twice (see channels/email.ts);
// - start() sends every pending delivery at once, whatever its retry time: a restart is
//   the moment the operator may have fixed the SMTP server.
// stop() stops scheduling, waits for the sends in flight (bounded by the channels'
// timeouts) and leaves the rest pending in the database.
import type { Timers } from '../component.ts';
import type { Logger } from '../log.ts';
import type { AlertRepository } from '../store/alerts.ts';
import type { Channel } from './channels/types.ts';
import { alertJson } from './json.ts';

export interface RetryPolicy {
  readonly minMs: number;
  readonly maxMs: number;
  readonly giveUpAfterMs: number;
}

export interface OutboxOptions {
  readonly repo: () => AlertRepository;
  readonly channels: readonly Channel[];
  readonly retry: RetryPolicy;
  readonly now: () => number;
  readonly timers: Timers;
  readonly logger: Logger;
  /** Called after a delivery's state changed (sent, retry scheduled, failed). */
  readonly onDelivery?: (alertId: number) => void;
}

interface Lane {
  readonly channel: Channel;
  running: Promise<void> | undefined;
  again: boolean;
  /** Send every pending delivery regardless of next_at (the first pass after start). */
  all: boolean;
  timer: unknown;
}

export function backoffMs(retry: RetryPolicy, attempts: number): number {
  return Math.min(retry.maxMs, retry.minMs * 2 ** Math.max(0, Math.min(30, attempts - 1)));
}

export class Outbox {
  private readonly lanes: Lane[];
  private started = false;
  readonly counters = { sent: 0, retries: 0, failed: 0 };
  /** Per channel, the last send error while it keeps failing (cleared by a success): for /api/health. */
  readonly failing = new Map<string, string>();

  constructor(private readonly opts: OutboxOptions) {
    this.lanes = opts.channels.map((channel) => ({ channel, running: undefined, again: false, all: false, timer: undefined }));
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const lane of this.lanes) {
      lane.all = true;
      this.run(lane);
    }
  }

  /** Something was committed: send what is due now. */
  wake(): void {
    if (!this.started) return;
    for (const lane of this.lanes) this.run(lane);
  }

  /** Resolves when no lane is sending (timers for later retries may still be set). */
  async idle(): Promise<void> {
    while (this.lanes.some((l) => l.running)) await Promise.all(this.lanes.map((l) => l.running));
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const lane of this.lanes) {
      if (lane.timer !== undefined) this.opts.timers.clearTimeout(lane.timer);
      lane.timer = undefined;
    }
    await Promise.all(this.lanes.map((l) => l.running));
    await Promise.all(this.lanes.map((l) => l.channel.close().catch(() => undefined)));
  }

  private run(lane: Lane): void {
    if (lane.running) {
      lane.again = true;
      return;
    }
    if (lane.timer !== undefined) this.opts.timers.clearTimeout(lane.timer);
    lane.timer = undefined;
    lane.running = (async () => {
      try {
        do {
          lane.again = false;
          const all = lane.all;
          lane.all = false;
          await this.pass(lane, all);
        } while (lane.again && this.started);
        if (this.started) await this.schedule(lane);
      } catch (e) {
        // The store failing (closed under us, disk full) must not kill the service; the
        // next wake() or start() tries again.
        this.opts.logger.error({ err: e, channel: lane.channel.name }, 'alert sender: store error');
      } finally {
        lane.running = undefined;
      }
    })();
  }

  private async pass(lane: Lane, all: boolean): Promise<void> {
    const { repo, now, retry, logger } = this.opts;
    const name = lane.channel.name;
    for (;;) {
      const due = await repo().due(name, now(), all);
      if (due.length === 0) return;
      for (const d of due) {
        if (!this.started) return;
        const alert = await repo().get(d.alertId);
        if (!alert) {
          await repo().markFailed(d.alertId, name, d.attempts, 'the alert is gone from the store');
          continue;
        }
        const attempts = d.attempts + 1;
        try {
          await lane.channel.send({ id: alert.id, subject: alert.subject, message: alert.message, json: alertJson(alert) });
        } catch (e) {
          const error = (e as Error).message;
          this.failing.set(name, error);
          const t = now();
          if (t - d.createdAt >= retry.giveUpAfterMs) {
            await repo().markFailed(d.alertId, name, attempts, error);
            this.counters.failed++;
            logger.error({ alert: d.alertId, channel: name, attempts, error }, 'alert delivery given up');
          } else {
            const wait = backoffMs(retry, attempts);
            await repo().markRetry(d.alertId, name, attempts, t + wait, error);
            this.counters.retries++;
            logger.warn({ alert: d.alertId, channel: name, attempts, retryInMs: wait, error }, 'alert delivery failed; will retry');
          }
          this.opts.onDelivery?.(d.alertId);
          continue;
        }
        await repo().markSent(d.alertId, name, attempts, now());
        this.failing.delete(name);
        this.counters.sent++;
        logger.info({ alert: d.alertId, channel: name, attempts }, 'alert delivered');
        this.opts.onDelivery?.(d.alertId);
      }
      // The first pass after start takes everything pending once; later loops only what is due.
      if (all) return;
    }
  }

  private async schedule(lane: Lane): Promise<void> {
    const next = await this.opts.repo().nextDue(lane.channel.name);
    if (next === undefined || !this.started) return;
    const wait = Math.max(0, next - this.opts.now());
    lane.timer = this.opts.timers.setTimeout(() => {
      lane.timer = undefined;
      if (this.started) this.run(lane);
    }, wait);
  }
}
