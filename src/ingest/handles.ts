// The feeds as FeedHandles for SupervisedFeed: the BMP collector and the RIS Live client.
import type { Logger } from '../log.ts';
import { BmpCollector, type BmpCollectorOptions } from '../feeds/bmp-collector.ts';
import { RisLiveClient, type RisLiveOptions } from '../feeds/ris-live.ts';
import type { FeedEvent } from '../model/feed-event.ts';
import type { FeedHandle } from './supervise.ts';

export class BmpFeedHandle implements FeedHandle {
  readonly collector: BmpCollector;

  constructor(
    private readonly opts: BmpCollectorOptions,
    private readonly log?: Logger,
  ) {
    this.collector = new BmpCollector(opts);
  }

  async start(): Promise<void> {
    try {
      await this.collector.start();
    } catch (e) {
      const o = this.opts;
      throw new Error(`cannot listen on ${o.host}:${o.port} (bmp.listen): ${(e as Error).message}`, { cause: e });
    }
    const a = this.collector.address();
    if (a) {
      const host = a.host.includes(':') ? `[${a.host}]` : a.host;
      // Port 0 picks a free port: this line is how operators and tests learn it.
      this.log?.info({ host: a.host, port: a.port }, `bmp listening on ${host}:${a.port}`);
    }
  }

  stop(): Promise<void> {
    return this.collector.stop();
  }

  batches(signal: AbortSignal): AsyncIterable<readonly FeedEvent[]> {
    return this.collector.eventBatches(signal);
  }

  counters(): Record<string, number> {
    const routers = this.collector.routers();
    let queued = 0;
    let paused = 0;
    let messages = 0;
    for (const r of routers) {
      queued += r.queuedBytes;
      if (r.paused) paused++;
      messages += r.counters.messages;
    }
    return { routersConnected: routers.length, routersPaused: paused, queuedBytes: queued, messagesConnected: messages, rejectedConnections: this.collector.rejected };
  }
}

export class RisFeedHandle implements FeedHandle {
  readonly client: RisLiveClient;
  private readonly ac = new AbortController();
  private gaps = 0;

  constructor(opts: RisLiveOptions) {
    this.client = new RisLiveClient(opts);
  }

  async start(): Promise<void> {
    // RisLiveClient connects (and reconnects) as events() is consumed.
  }

  async stop(): Promise<void> {
    this.ac.abort();
  }

  async *batches(signal: AbortSignal): AsyncIterable<readonly FeedEvent[]> {
    const both = AbortSignal.any([signal, this.ac.signal]);
    for await (const e of this.client.events(both)) {
      if (e.kind === 'gap') this.gaps++;
      yield [e];
    }
  }

  counters(): Record<string, number> {
    const s = this.client.stats();
    return { connected: s.connected ? 1 : 0, messages: s.messages, routeEvents: s.routeEvents, invalid: s.invalid, risErrors: s.errors, reconnects: s.reconnects, gaps: this.gaps };
  }

  problem(): string | undefined {
    return this.client.stats().connected ? undefined : 'RIS Live is not connected (reconnecting with backoff)';
  }
}
