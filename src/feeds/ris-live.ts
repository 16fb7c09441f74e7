// RIPE RIS Live websocket client: one connection, our subscriptions, FeedEvents out.
//
// Why it is shaped like this:
// - The URL carries `?client=<id>`: RIS Live asks every client to identify itself so the
//   operators can reach whoever misbehaves instead of blocking an address.
// - Subscriptions go out one every `subscribeSpacingMs`: a burst of ris_subscribe frames
//   on a fresh connection is what gets a client dropped.
// - Websocket ping frames every `pingIntervalMs`; no pong by the next ping means the TCP
//   path is dead even if the kernel has not noticed (NAT timeouts, half-open sessions).
// - A silence canary: no ris_message for `silenceTimeoutMs` means the server's pipeline
//   stalled while the socket stayed up (RIS Live has done this; pings still answer).
//   A quiet subscription (one prefix) is legitimately silent for hours, so by default a
//   low-volume canary subscription is added: KEEPALIVEs of rrc00's peers, a few per
//   second, never turned into events. `canary: false` drops it (then size the timeout).
// - Reconnects forever with capped, jittered exponential backoff (reset once a connection
//   was healthy for `healthyAfterMs`), resubscribing each time. RIS Live has no table dump,
//   so nothing is withdrawn on a disconnect (the RIB would empty for days); instead the
//   interval we were not listening is one `gap` event (router 'ris-live'), emitted once
//   the new connection has sent all its subscriptions, plus router-down/router-up for the
//   feed itself (router 'ris-live', which no RouteEvent carries, so it withdraws nothing).
// - Never drops an event: the queue to the consumer is bounded by pausing the socket
//   (`ws.pause()`) above `maxQueue` and resuming at half; while paused, the ping and silence
//   checks hold off, since a slow consumer is not a dead feed.
// - The iterable ends only when the signal aborts (or the consumer stops iterating).
import WebSocket from 'ws';
import { FEED_ROUTER, type RisLiveFrame, type RisSubscription, buildSubscribe, decodeRisLiveFrame } from '../codec/rislive/index.ts';
import type { Feed, FeedEvent } from '../model/feed-event.ts';

export interface Clock {
  now(): number;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The subset of a pino logger this uses. */
export interface RisLiveLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** A connection that listened this long resets the backoff to initialMs. */
  readonly healthyAfterMs?: number;
}

export interface RisLiveOptions {
  readonly url?: string;
  /** The `client` query parameter, e.g. "smoketrace-<host>". */
  readonly client: string;
  readonly subscriptions: readonly RisSubscription[];
  readonly subscribeSpacingMs?: number;
  readonly pingIntervalMs?: number;
  /** 0 turns the silence canary off. */
  readonly silenceTimeoutMs?: number;
  /** Extra subscription that keeps the canary fed; false for none. */
  readonly canary?: RisSubscription | false;
  readonly connectTimeoutMs?: number;
  readonly backoff?: Partial<BackoffOptions>;
  /** Queued events above which reading pauses. */
  readonly maxQueue?: number;
  readonly clock?: Clock;
  readonly timers?: Timers;
  /** [0, 1), for the backoff jitter. */
  readonly random?: () => number;
  readonly logger?: RisLiveLogger;
}

export interface RisLiveStats {
  /** ris_message frames, any type. */
  messages: number;
  routeEvents: number;
  /** Frames that were not JSON, not RIS Live, or carried a malformed part. */
  invalid: number;
  /** ris_error frames. */
  errors: number;
  /** OPEN/NOTIFICATION/KEEPALIVE, pongs and the like. */
  ignored: number;
  subscribeAcks: number;
  /** Connection attempts after the first. */
  reconnects: number;
  pauses: number;
  connected: boolean;
  lastMessageAt?: number;
}

export const RIS_LIVE_URL = 'wss://ris-live.ripe.net/v1/ws/';
/** The default canary: every KEEPALIVE rrc00 gets; small and steady. */
export const RIS_KEEPALIVE_CANARY: RisSubscription = { host: 'rrc00', type: 'KEEPALIVE' };

const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Equal jitter: half the exponential step fixed, half random, so retries never bunch at zero. */
export function backoffDelay(attempt: number, b: BackoffOptions, random: () => number): number {
  const step = Math.min(b.maxMs, b.initialMs * b.factor ** attempt);
  return Math.round(step / 2 + random() * (step / 2));
}

interface SessionEnd {
  /** All subscriptions were sent: we were listening. */
  readonly listened: boolean;
  readonly listenedAt: number;
  readonly lostAt: number;
  /** Since when nothing can be vouched for (depends on how the connection was lost). */
  readonly gapFrom: number;
  readonly reason: string;
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
}

/** FIFO with an index head, so draining a long queue is not quadratic. */
class EventQueue {
  private items: FeedEvent[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(e: FeedEvent): void {
    this.items.push(e);
  }
  shift(): FeedEvent | undefined {
    if (this.head >= this.items.length) return undefined;
    const e = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return e;
  }
}

export class RisLiveClient implements Feed {
  private readonly o: Required<Omit<RisLiveOptions, 'logger' | 'backoff' | 'canary'>> & { backoff: Required<BackoffOptions> };
  private readonly subs: readonly RisSubscription[];
  private readonly log?: RisLiveLogger;
  private readonly counters: RisLiveStats = { messages: 0, routeEvents: 0, invalid: 0, errors: 0, ignored: 0, subscribeAcks: 0, reconnects: 0, pauses: 0, connected: false };
  private readonly queue = new EventQueue();
  private wake?: () => void;
  private running = false;
  private socket?: WebSocket;
  private paused = false;
  private resumedAt = 0;

  constructor(opts: RisLiveOptions) {
    if (!opts.client) throw new Error('RIS Live needs a client id (the `client` query parameter)');
    const b = opts.backoff ?? {};
    this.o = {
      url: opts.url ?? RIS_LIVE_URL,
      client: opts.client,
      subscriptions: opts.subscriptions,
      subscribeSpacingMs: opts.subscribeSpacingMs ?? 1000,
      pingIntervalMs: opts.pingIntervalMs ?? 30_000,
      silenceTimeoutMs: opts.silenceTimeoutMs ?? 300_000,
      connectTimeoutMs: opts.connectTimeoutMs ?? 15_000,
      maxQueue: opts.maxQueue ?? 10_000,
      clock: opts.clock ?? Date,
      timers: opts.timers ?? REAL_TIMERS,
      random: opts.random ?? Math.random,
      backoff: { initialMs: b.initialMs ?? 1000, maxMs: b.maxMs ?? 60_000, factor: b.factor ?? 2, healthyAfterMs: b.healthyAfterMs ?? 60_000 },
    };
    const canary = opts.canary === undefined ? RIS_KEEPALIVE_CANARY : opts.canary;
    this.subs = canary ? [...opts.subscriptions, canary] : opts.subscriptions;
    this.log = opts.logger;
  }

  stats(): Readonly<RisLiveStats> {
    return { ...this.counters };
  }

  /** The websocket URL with the client identification. */
  url(): string {
    const u = new URL(this.o.url);
    u.searchParams.set('client', this.o.client);
    return u.toString();
  }

  events(signal: AbortSignal): AsyncIterable<FeedEvent> {
    return { [Symbol.asyncIterator]: () => this.run(signal) };
  }

  private async *run(outer: AbortSignal): AsyncGenerator<FeedEvent> {
    if (this.running) throw new Error('RisLiveClient.events() is already being consumed');
    this.running = true;
    // Our own controller also fires when the consumer stops early (break/return).
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    outer.addEventListener('abort', onAbort, { once: true });
    if (outer.aborted) ac.abort();
    let loopDone = false;
    const loop = this.loop(ac.signal).finally(() => {
      loopDone = true;
      this.wake?.();
    });
    try {
      for (;;) {
        const e = this.queue.shift();
        if (e) {
          this.maybeResume();
          yield e;
          continue;
        }
        if (loopDone) return;
        await new Promise<void>((r) => {
          this.wake = r;
        });
        this.wake = undefined;
      }
    } finally {
      outer.removeEventListener('abort', onAbort);
      ac.abort();
      await loop;
      this.running = false;
    }
  }

  private push(e: FeedEvent): void {
    this.queue.push(e);
    this.wake?.();
  }

  private maybeResume(): void {
    if (this.paused && this.queue.length <= this.o.maxQueue / 2) {
      this.paused = false;
      this.resumedAt = this.o.clock.now();
      this.socket?.resume();
    }
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.o.timers.clearTimeout(h);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const h = this.o.timers.setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const clock = this.o.clock;
    const startedAt = clock.now();
    let attempt = 0;
    // The interval we are not listening in, open until a connection has subscribed again.
    let outage: { from: number; reason: string } | undefined;
    const onListening = (at: number) => {
      this.push({ kind: 'router-up', source: 'ris-live', router: FEED_ROUTER, info: { url: this.url(), subscriptions: String(this.subs.length) }, time: at });
      if (outage) {
        this.push({ kind: 'gap', source: 'ris-live', router: FEED_ROUTER, from: outage.from, to: at, reason: outage.reason });
        outage = undefined;
      }
    };
    for (let first = true; !signal.aborted; first = false) {
      if (!first) this.counters.reconnects++;
      const end = await this.session(signal, onListening);
      if (end.reason === 'stopped') break; // our own stop is neither a disconnect nor a gap
      if (end.listened) {
        if (end.lostAt - end.listenedAt >= this.o.backoff.healthyAfterMs) attempt = 0;
        outage = { from: end.gapFrom, reason: end.reason };
        this.push({ kind: 'router-down', source: 'ris-live', router: FEED_ROUTER, reason: `feed-disconnected: ${end.reason}`, time: end.lostAt });
      } else if (!outage) {
        // Never listened yet: the feed has been missing since we were asked to start.
        outage = { from: startedAt, reason: end.reason };
      }
      if (signal.aborted) break;
      const delay = backoffDelay(attempt++, this.o.backoff, this.o.random);
      this.log?.warn({ component: 'ris-live', reason: end.reason, delayMs: delay }, 'RIS Live connection lost; reconnecting');
      await this.sleep(delay, signal);
    }
    // Stopped while not listening: that interval is still a gap the store should know of.
    if (outage) {
      this.push({ kind: 'gap', source: 'ris-live', router: FEED_ROUTER, from: outage.from, to: clock.now(), reason: `${outage.reason}; stopped before reconnecting` });
    }
  }

  /** One connection, from dialling to its end; never rejects. */
  private session(signal: AbortSignal, onListening: (at: number) => void): Promise<SessionEnd> {
    const { clock, timers } = this.o;
    return new Promise((resolve) => {
      const handles = new Set<unknown>();
      const later = (ms: number, fn: () => void) => {
        const h = timers.setTimeout(() => {
          handles.delete(h);
          fn();
        }, ms);
        handles.add(h);
      };
      let ended = false;
      let listenedAt = 0;
      let lastData = 0;
      let lastPong = 0;
      let awaitingPong = false;
      // RIS Live frames are a few KiB; a 1 MiB cap keeps one bad frame from costing 100 MiB.
      const ws = new WebSocket(this.url(), { handshakeTimeout: this.o.connectTimeoutMs, maxPayload: 1 << 20 });
      this.socket = ws;
      this.paused = false;

      const end = (reason: string, gapFrom?: number) => {
        if (ended) return;
        ended = true;
        for (const h of handles) timers.clearTimeout(h);
        signal.removeEventListener('abort', onAbort);
        this.socket = undefined;
        this.counters.connected = false;
        ws.removeAllListeners();
        ws.on('error', () => {}); // late errors of a socket we have let go of
        // A polite close when we stop; a dead or stalled peer would only make close() wait.
        if (reason === 'stopped' && ws.readyState === WebSocket.OPEN) ws.close(1000, 'smoketrace stopping');
        else if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
        const lostAt = clock.now();
        resolve({ listened: listenedAt > 0, listenedAt, lostAt, gapFrom: gapFrom ?? lostAt, reason });
      };
      const onAbort = () => end('stopped');
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) return end('stopped');

      const subscribe = (i: number) => {
        if (ended) return;
        if (i < this.subs.length) {
          ws.send(buildSubscribe(this.subs[i]));
          this.log?.debug({ component: 'ris-live', subscription: this.subs[i] }, 'ris_subscribe sent');
        }
        if (i + 1 < this.subs.length) later(this.o.subscribeSpacingMs, () => subscribe(i + 1));
        else {
          listenedAt = clock.now();
          this.log?.info({ component: 'ris-live', subscriptions: this.subs.length }, 'RIS Live listening');
          onListening(listenedAt);
        }
      };
      const ping = () => {
        if (ended) return;
        // A paused socket reads no pongs either: skip this round and start afresh after it.
        if (this.paused) awaitingPong = false;
        else {
          if (awaitingPong) return end('ping-timeout: no pong', lastPong || listenedAt || clock.now());
          awaitingPong = true;
          ws.ping();
        }
        later(this.o.pingIntervalMs, ping);
      };
      const silence = () => {
        if (ended) return;
        const since = Math.max(lastData, this.resumedAt);
        const left = since + this.o.silenceTimeoutMs - clock.now();
        if (this.paused) later(this.o.silenceTimeoutMs, silence);
        else if (left > 0) later(left, silence);
        else end(`silence: no message for ${this.o.silenceTimeoutMs} ms`, lastData);
      };

      ws.on('open', () => {
        this.counters.connected = true;
        lastData = clock.now();
        this.log?.info({ component: 'ris-live', url: this.url() }, 'RIS Live connected');
        subscribe(0);
        later(this.o.pingIntervalMs, ping);
        if (this.o.silenceTimeoutMs > 0) later(this.o.silenceTimeoutMs, silence);
      });
      ws.on('pong', () => {
        awaitingPong = false;
        lastPong = clock.now();
      });
      ws.on('message', (data, isBinary) => {
        const now = clock.now();
        // RIS Live sends text frames; a binary one is reported like any other non-JSON frame.
        const frame = decodeRisLiveFrame(isBinary ? '' : rawText(data), now);
        if (frame.kind === 'message') lastData = now;
        this.count(frame, now);
        for (const e of frame.events) this.push(e);
        if (!this.paused && this.queue.length >= this.o.maxQueue) {
          this.paused = true;
          this.counters.pauses++;
          ws.pause();
        }
      });
      ws.on('close', (code, why) => end(`closed ${code}${why.length ? ` ${why.toString('utf8').slice(0, 100)}` : ''}`));
      ws.on('error', (err) => end(`error: ${err.message}`));
    });
  }

  private count(frame: RisLiveFrame, now: number): void {
    const c = this.counters;
    switch (frame.kind) {
      case 'message':
        c.messages++;
        c.lastMessageAt = now;
        if (!frame.handled) c.ignored++;
        break;
      case 'ris-error':
        c.errors++;
        this.log?.warn({ component: 'ris-live', error: frame.message }, 'RIS Live server error');
        return;
      case 'subscribe-ok':
        c.subscribeAcks++;
        return;
      case 'pong':
        c.ignored++;
        return;
      case 'invalid':
        c.invalid++;
        return;
    }
    let routes = 0;
    let bad = false;
    for (const e of frame.events) {
      if (e.kind === 'route') routes++;
      else if (e.kind === 'decode-error') bad = true;
    }
    c.routeEvents += routes;
    if (bad) c.invalid++;
  }
}
