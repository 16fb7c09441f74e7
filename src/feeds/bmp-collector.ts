// The BMP collector: a TCP server (RFC 7854 3.2: routers connect to us) that turns every
// router's stream into FeedEvents (feeds/bmp-session.ts does the per-router work).
//
// Flow control is pull-based, so nothing grows without bound when the consumer is slow:
// socket chunks are queued per router as they arrive, and bytes are only decoded when the
// consumer asks for events. A router whose queued bytes reach `maxBufferedBytes` has its
// socket paused (TCP then pushes back on the router) until the consumer has taken its
// queue below half of that. Routers with queued bytes are served round robin, one chunk at
// a time, so one busy router does not starve the others. Memory per router is therefore
// about maxBufferedBytes plus one chunk plus one message in progress (maxMessageBytes).
//
// Router identity is the TCP source address (IPv4-mapped IPv6 shown as IPv4); the
// Initiation's sysName goes into the router-up info. A second connection from an address
// that already has one replaces it: the old one is closed with router-down
// 'replaced-by-new-connection' (a router that restarted its BMP session while the old TCP
// connection is half-open looks exactly like this), so one router string never has two
// live sessions whose routes would be mixed.
//
// Constructors start nothing; start() listens, stop() closes the server and every
// session (router-down 'collector-stopped') and ends events() once those are delivered.
import { type Server, type Socket, createServer } from 'node:net';
import type { Logger } from '../log.ts';
import type { FeedEvent } from '../model/feed-event.ts';
import { type Address, formatAddress, parseAddress } from '../model/address.ts';
import { type Prefix, prefixContains } from '../model/prefix.ts';
import { BmpSession, type BmpSessionCounters } from './bmp-session.ts';

export interface BmpCollectorOptions {
  readonly host: string;
  /** 0 picks a free port (tests); see address(). */
  readonly port: number;
  /** Router addresses allowed to connect; undefined lets everyone in. */
  readonly allow?: readonly Prefix[] | undefined;
  /** Largest BMP message accepted from a router; a larger one loses that session's framing. */
  readonly maxMessageBytes: number;
  /** Bytes queued per router before its socket is paused. */
  readonly maxBufferedBytes: number;
  readonly clock?: () => number;
  readonly logger?: Logger;
}

/** One router connection, as the collector reports it. */
export interface BmpRouterStatus {
  readonly router: string;
  readonly remotePort: number;
  /** Bytes received and not yet decoded. */
  readonly queuedBytes: number;
  readonly paused: boolean;
  readonly counters: Readonly<BmpSessionCounters>;
}

interface Connection {
  readonly router: string;
  readonly socket: Socket;
  readonly session: BmpSession;
  readonly log: Logger | undefined;
  chunks: Uint8Array[];
  /** Index of the next chunk to decode (the array is compacted when drained). */
  head: number;
  queuedBytes: number;
  paused: boolean;
  inReady: boolean;
  /** Socket closed; once the queue is drained the session ends with `closeReason`. */
  closed: boolean;
  closeReason: string;
  finished: boolean;
}

/** "::ffff:10.0.0.1" -> "10.0.0.1"; other addresses as node gives them. */
function routerAddress(remote: string | undefined): { text: string; addr: Address | undefined } {
  const raw = remote ?? 'unknown';
  const text = raw.startsWith('::ffff:') && raw.indexOf('.') !== -1 ? raw.slice(7) : raw;
  const addr = parseAddress(text);
  return { text: addr !== undefined ? formatAddress(addr) : text, addr };
}

export class BmpCollector {
  private readonly opts: BmpCollectorOptions;
  private readonly clock: () => number;
  private readonly log: Logger | undefined;
  private server: Server | undefined;
  private readonly conns = new Map<string, Connection>();
  /** Connections with work for the consumer (queued chunks, or a close to report). */
  private ready: Connection[] = [];
  private wake: (() => void) | undefined;
  private consuming = false;
  private stopping = false;
  private rejectedCount = 0;

  constructor(opts: BmpCollectorOptions) {
    if (!(opts.maxMessageBytes >= 6)) throw new RangeError('maxMessageBytes must be at least 6');
    if (!(opts.maxBufferedBytes >= 1)) throw new RangeError('maxBufferedBytes must be positive');
    this.opts = opts;
    this.clock = opts.clock ?? Date.now;
    this.log = opts.logger?.child({ component: 'bmp-collector' });
  }

  /** Listens on host:port. Resolves once listening. */
  async start(): Promise<void> {
    if (this.server) return;
    this.stopping = false;
    const server = createServer({ noDelay: true }, (s) => this.accept(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => this.log?.error({ err: e }, 'BMP listener error'));
    this.log?.info({ address: this.address() }, 'BMP collector listening');
  }

  /** Closes the listener and every session; events() ends after their router-down events. */
  async stop(): Promise<void> {
    this.stopping = true;
    const server = this.server;
    this.server = undefined;
    for (const c of this.conns.values()) this.closeConnection(c, 'collector-stopped');
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.notify();
  }

  /** Where the server listens (after start()). */
  address(): { host: string; port: number } | undefined {
    const a = this.server?.address();
    if (a === null || a === undefined || typeof a === 'string') return undefined;
    return { host: a.address, port: a.port };
  }

  /** Connections refused by the allow-list so far. */
  get rejected(): number {
    return this.rejectedCount;
  }

  routers(): BmpRouterStatus[] {
    const out: BmpRouterStatus[] = [];
    for (const c of this.conns.values()) {
      out.push({ router: c.router, remotePort: c.socket.remotePort ?? 0, queuedBytes: c.queuedBytes, paused: c.paused, counters: c.session.counters });
    }
    return out;
  }

  /** Every router's events, one at a time. One consumer at a time (see eventBatches). */
  async *events(signal: AbortSignal): AsyncIterable<FeedEvent> {
    for await (const batch of this.eventBatches(signal)) for (const e of batch) yield e;
  }

  /**
   * The events in batches (one router chunk's worth each): cheaper per event for a
   * high-rate consumer. Only one consumer may iterate at a time; a second call throws.
   */
  async *eventBatches(signal: AbortSignal): AsyncIterable<readonly FeedEvent[]> {
    if (this.consuming) throw new Error('BmpCollector: events() already has a consumer');
    this.consuming = true;
    const onAbort = () => this.notify();
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        const c = this.ready.shift();
        if (c === undefined) {
          if (this.stopping && this.conns.size === 0) return;
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          this.wake = undefined;
          continue;
        }
        c.inReady = false;
        const out: FeedEvent[] = [];
        this.work(c, out);
        if (this.hasWork(c)) this.enqueue(c);
        if (out.length > 0) yield out;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.consuming = false;
    }
  }

  // --- connections ------------------------------------------------------------------

  private accept(socket: Socket): void {
    const { text, addr } = routerAddress(socket.remoteAddress);
    const allow = this.opts.allow;
    if (this.stopping || (allow !== undefined && (addr === undefined || !allow.some((p) => prefixContains(p, addr))))) {
      this.rejectedCount++;
      this.log?.warn({ router: text, port: socket.remotePort }, this.stopping ? 'BMP connection refused: collector stopping' : 'BMP connection refused: router not in the allow-list');
      socket.destroy();
      return;
    }
    const old = this.conns.get(text);
    if (old !== undefined) {
      this.log?.warn({ router: text }, 'second BMP connection from this router: the old one is closed');
      // Its unread bytes are stale, and dropping them puts its router-down ahead of
      // anything the new connection sends (it is already queued; the new one is not yet).
      old.chunks = [];
      old.head = 0;
      old.queuedBytes = 0;
      this.closeConnection(old, 'replaced-by-new-connection');
    }
    const c: Connection = {
      router: text,
      socket,
      session: new BmpSession(text, { clock: this.clock, maxMessageBytes: this.opts.maxMessageBytes }),
      log: this.log?.child({ router: text }),
      chunks: [],
      head: 0,
      queuedBytes: 0,
      paused: false,
      inReady: false,
      closed: false,
      closeReason: 'connection-closed',
      finished: false,
    };
    this.conns.set(text, c);
    c.log?.info({ port: socket.remotePort }, 'BMP router connected');
    socket.setKeepAlive(true, 60_000);
    socket.on('data', (chunk: Buffer) => this.onData(c, chunk));
    socket.on('error', (e) => {
      c.log?.warn({ err: e }, 'BMP socket error');
      if (!c.closed) c.closeReason = `connection-error: ${(e as NodeJS.ErrnoException).code ?? e.message}`;
    });
    socket.on('close', () => {
      c.closed = true;
      this.enqueue(c);
    });
  }

  private onData(c: Connection, chunk: Buffer): void {
    if (c.closed || c.finished) return;
    c.chunks.push(chunk);
    c.queuedBytes += chunk.length;
    if (c.queuedBytes >= this.opts.maxBufferedBytes && !c.paused) {
      c.paused = true;
      c.socket.pause();
      c.log?.debug({ queued: c.queuedBytes }, 'BMP socket paused: consumer behind');
    }
    this.enqueue(c);
  }

  private closeConnection(c: Connection, reason: string): void {
    if (!c.closed) c.closeReason = reason;
    c.closed = true;
    c.socket.destroy();
    this.enqueue(c);
  }

  private hasWork(c: Connection): boolean {
    return !c.finished && (c.head < c.chunks.length || c.closed);
  }

  private enqueue(c: Connection): void {
    if (c.inReady || !this.hasWork(c)) return;
    c.inReady = true;
    this.ready.push(c);
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    if (w) {
      this.wake = undefined;
      w();
    }
  }

  /** Decodes one queued chunk of `c`, or reports its end. */
  private work(c: Connection, out: FeedEvent[]): void {
    if (c.head < c.chunks.length) {
      const chunk = c.chunks[c.head];
      c.chunks[c.head] = EMPTY;
      c.head++;
      if (c.head === c.chunks.length) {
        c.chunks = [];
        c.head = 0;
      }
      c.queuedBytes -= chunk.length;
      if (c.paused && c.queuedBytes < this.opts.maxBufferedBytes / 2 && !c.closed) {
        c.paused = false;
        c.socket.resume();
      }
      if (!c.session.feed(chunk, out)) {
        // Framing lost or Termination: the session already reported router-down.
        c.log?.warn({ counters: c.session.counters }, 'BMP session ended by the router or by lost framing; closing');
        this.finish(c, out);
      }
      return;
    }
    if (c.closed) {
      c.session.close(c.closeReason, out);
      c.log?.info({ reason: c.closeReason, counters: c.session.counters }, 'BMP router disconnected');
      this.finish(c, out);
    }
  }

  private finish(c: Connection, out: FeedEvent[]): void {
    c.session.close(c.closeReason, out); // no-op when the session already ended
    c.finished = true;
    c.chunks = [];
    c.head = 0;
    c.queuedBytes = 0;
    c.closed = true;
    c.socket.destroy();
    if (this.conns.get(c.router) === c) this.conns.delete(c.router);
  }
}

const EMPTY = new Uint8Array(0);
