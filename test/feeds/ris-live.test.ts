// The RIS Live client against a websocket server on 127.0.0.1 that this test starts and
// scripts: it replays real RIS Live frames from ../shared/fixtures, kills connections,
// goes silent, stops answering pings, refuses handshakes. Intervals are tens of ms.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type WebSocket, WebSocketServer } from 'ws';
import { buildSubscribe } from '../../src/codec/rislive/index.ts';
import { type RisLiveLogger, RisLiveClient, type RisLiveOptions, type Timers, backoffDelay } from '../../src/feeds/ris-live.ts';
import type { Logger } from '../../src/log.ts';
import type { FeedEvent } from '../../src/model/feed-event.ts';
import { formatPrefix } from '../../src/model/prefix.ts';
import { needFixture } from '../helpers/requirements.ts';
import { lines } from '../codec/rislive/util.ts';

interface Conn {
  readonly ws: WebSocket;
  readonly url: URL;
  readonly subs: { data: Record<string, unknown>; at: number }[];
  /** Resolves once `n` subscriptions have arrived. */
  subscribed(n: number): Promise<void>;
}

interface Server {
  readonly port: number;
  readonly url: string;
  readonly conns: Conn[];
  readonly attempts: number[];
  onConn?: (c: Conn) => void | Promise<void>;
  refuse: number;
  close(): Promise<void>;
}

const servers: Server[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function startServer(opts: { ack?: boolean } = {}): Promise<Server> {
  const server: Server = {
    port: 0,
    url: '',
    conns: [],
    attempts: [],
    refuse: 0,
    close: () => new Promise((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => r());
    }),
  };
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (_info, cb) => {
      server.attempts.push(Date.now());
      if (server.refuse > 0) {
        server.refuse--;
        cb(false, 401, 'refused by the test');
      } else cb(true);
    },
  });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const addr = wss.address();
  if (addr === null || typeof addr === 'string') throw new Error('unexpected address');
  Object.assign(server, { port: addr.port, url: `ws://127.0.0.1:${addr.port}/v1/ws/` });
  wss.on('connection', (ws, req) => {
    const waiters: { n: number; r: () => void }[] = [];
    const conn: Conn = {
      ws,
      url: new URL(req.url ?? '/', 'ws://x'),
      subs: [],
      subscribed: (n) => new Promise((r) => (conn.subs.length >= n ? r() : waiters.push({ n, r }))),
    };
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      if (msg.type !== 'ris_subscribe') return;
      conn.subs.push({ data: msg.data, at: Date.now() });
      if (opts.ack) ws.send(JSON.stringify({ type: 'ris_subscribe_ok', data: { subscription: msg.data } }));
      for (const w of waiters.filter((x) => conn.subs.length >= x.n)) w.r();
    });
    server.conns.push(conn);
    void server.onConn?.(conn);
  });
  servers.push(server);
  return server;
}

/** Real timers that remember every delay asked for: what the client meant, free of load jitter. */
function recordingTimers(): Timers & { delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    setTimeout: (fn, ms) => {
      delays.push(ms);
      return setTimeout(fn, ms);
    },
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
}

const quietLog: RisLiveLogger = { info() {}, warn() {}, debug() {} };

function client(server: Server, o: Partial<RisLiveOptions> = {}): RisLiveClient {
  return new RisLiveClient({
    url: server.url,
    client: 'smoketrace-test',
    subscriptions: [{ prefix: '84.205.64.0/24', moreSpecific: true }],
    subscribeSpacingMs: 10,
    pingIntervalMs: 1000,
    silenceTimeoutMs: 0,
    canary: false,
    backoff: { initialMs: 30, maxMs: 200, factor: 2 },
    random: () => 1,
    logger: quietLog,
    ...o,
  });
}

/** Iterates until `done(events)` or 5 s; breaking out stops the client. */
async function collect(c: RisLiveClient, done: (es: FeedEvent[]) => boolean, onEvent?: (e: FeedEvent) => Promise<void>): Promise<FeedEvent[]> {
  const out: FeedEvent[] = [];
  const signal = AbortSignal.timeout(5000);
  for await (const e of c.events(signal)) {
    out.push(e);
    if (onEvent) await onEvent(e);
    if (done(out)) break;
  }
  return out;
}

const routes = (es: FeedEvent[]) => es.filter((e) => e.kind === 'route');
const UPDATE = (i: number) =>
  JSON.stringify({
    type: 'ris_message',
    data: { timestamp: 1700000000 + i, peer: '192.0.2.1', peer_asn: '64500', host: 'rrc00.ripe.net', type: 'UPDATE', path: [64500, 64501], origin: 'IGP', announcements: [{ next_hop: '192.0.2.1', prefixes: [`10.${i >> 8}.${i & 255}.0/24`] }] },
  });

test('backoffDelay: exponential, capped, equal jitter', () => {
  const b = { initialMs: 100, maxMs: 1000, factor: 2 };
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, b, () => 1)), [100, 200, 400, 800, 1000, 1000]);
  assert.deepEqual([0, 3, 9].map((a) => backoffDelay(a, b, () => 0)), [50, 400, 500]);
});

test('a pino logger fits the logger option', () => {
  const fits = (l: Logger): RisLiveLogger => l;
  assert.equal(typeof fits, 'function');
});

test('constructor starts nothing; the URL carries the client id', () => {
  const c = new RisLiveClient({ client: 'smoketrace-noc1', subscriptions: [] });
  assert.equal(c.url(), 'wss://ris-live.ripe.net/v1/ws/?client=smoketrace-noc1');
  assert.equal(c.stats().connected, false);
  assert.throws(() => new RisLiveClient({ client: '', subscriptions: [] }), /client id/);
});

test('identifies itself, subscribes spaced out, replays real frames; bad frames counted, the stream goes on', async (t) => {
  const f10 = needFixture(t, 'rislive-morrowc/10-msg.jsonl');
  const fStream = needFixture(t, 'libbgpstream/ris-live-stream.json');
  if (!f10 || !fStream) return;
  const server = await startServer({ ack: true });
  const subscriptions = [{ prefix: '84.205.64.0/24', moreSpecific: true, lessSpecific: false }, { path: '12654$' }, { host: 'rrc07', peer: '194.68.123.226' }];
  const canary = { host: 'rrc00', type: 'KEEPALIVE' as const };
  server.onConn = async (c) => {
    await c.subscribed(4);
    // The 10 UPDATEs, libbgpstream's 7 lines (the last one cut), then one more good frame.
    for (const l of [...lines(f10), ...lines(fStream), UPDATE(1)]) c.ws.send(l);
  };
  const spacing = 40;
  const timers = recordingTimers();
  const rl = client(server, { subscriptions, canary, subscribeSpacingMs: spacing, timers });
  const events = await collect(rl, (es) => routes(es).length === 12);
  const [conn] = server.conns;
  assert.equal(server.conns.length, 1);
  assert.equal(conn.url.searchParams.get('client'), 'smoketrace-test');
  assert.equal(conn.url.pathname, '/v1/ws/');
  assert.deepEqual(conn.subs.map((s) => JSON.stringify({ type: 'ris_subscribe', data: s.data })), [...subscriptions, canary].map(buildSubscribe));
  // The client waited `spacing` before each subscription after the first (ping is 1000 ms) ...
  assert.deepEqual(timers.delays.filter((d) => d !== 1000), [spacing, spacing, spacing]);
  // ... and the server saw them spread out (loosely: its own receive times jitter under load).
  const span = conn.subs[3].at - conn.subs[0].at;
  assert.ok(span >= 2 * spacing, `4 subscriptions over ${span} ms`);
  assert.equal(events[0].kind, 'router-up');
  assert.equal(events.filter((e) => e.kind === 'gap').length, 0, 'no gap on a first connection that worked');
  const rs = routes(events);
  assert.equal(rs.filter((e) => e.kind === 'route' && e.event.kind === 'withdraw').length, 2);
  const last = rs[11];
  assert.ok(last.kind === 'route' && last.event.kind === 'announce', 'the last event should be a route announce');
  assert.equal(formatPrefix(last.event.prefix), '10.0.1.0/24');
  assert.equal(last.event.router, 'rrc00');
  assert.equal(last.event.attrs.origin, 'igp');
  assert.equal(events.filter((e) => e.kind === 'peer-down').length, 1);
  const problems = events.flatMap((e) => (e.kind === 'decode-error' ? [e.problem.code] : []));
  assert.deepEqual(problems, ['ris-error', 'invalid-json']);
  const s = rl.stats();
  assert.equal(s.messages, 10 + 5 + 1);
  assert.equal(s.routeEvents, 12);
  assert.equal(s.invalid, 1);
  assert.equal(s.errors, 1);
  assert.equal(s.ignored, 3); // OPEN, NOTIFICATION, KEEPALIVE
  assert.equal(s.subscribeAcks, 4);
  assert.equal(s.reconnects, 0);
  assert.ok(s.lastMessageAt !== undefined, 'lastMessageAt is not set after a message');
});

test('server kills the connection: reconnect after backoff, resubscribe, a gap covers the outage', async () => {
  const server = await startServer();
  let killedAt = 0;
  server.onConn = async (c) => {
    await c.subscribed(2);
    c.ws.send(UPDATE(server.conns.length));
    if (server.conns.length === 1) {
      await new Promise((r) => setTimeout(r, 20));
      killedAt = Date.now();
      c.ws.terminate();
    }
  };
  const subscriptions = [{ prefix: '192.0.2.0/24' }, { path: '64500$' }];
  const rl = client(server, { subscriptions, backoff: { initialMs: 60, maxMs: 500, factor: 2 } });
  const events = await collect(rl, (es) => routes(es).length === 2);
  assert.deepEqual(events.map((e) => e.kind), ['router-up', 'route', 'router-down', 'router-up', 'gap', 'route']);
  const down = events[2];
  assert.ok(down.kind === 'router-down', `expected router-down, got ${down.kind}`);
  assert.match(down.reason, /^feed-disconnected: closed 1006/);
  const gap = events[4];
  assert.ok(gap.kind === 'gap', `expected a gap, got ${gap.kind}`);
  assert.equal(gap.router, 'ris-live');
  assert.equal(gap.source, 'ris-live');
  assert.ok(gap.from >= killedAt - 1 && gap.from <= killedAt + 500, `gap starts at the kill (${gap.from - killedAt} ms off)`);
  const second = server.conns[1];
  assert.ok(gap.to >= second.subs[1].at - 1, 'the gap closes when the last subscription is out again');
  assert.ok(gap.to - gap.from >= 58, `backoff of 60 ms respected (${gap.to - gap.from} ms)`);
  assert.deepEqual(second.subs.map((s) => s.data), server.conns[0].subs.map((s) => s.data));
  assert.equal(rl.stats().reconnects, 1);
});

test('silence canary: no message for silenceTimeoutMs -> reconnect; the gap starts at the last message', async () => {
  const server = await startServer();
  server.onConn = async (c) => {
    await c.subscribed(1);
    c.ws.send(UPDATE(server.conns.length)); // then nothing, though pings are answered
  };
  // An injected clock a day ahead: every time the client reports comes from it.
  const DAY = 86_400_000;
  const rl = client(server, { silenceTimeoutMs: 150, pingIntervalMs: 40, clock: { now: () => Date.now() + DAY } });
  const events = await collect(rl, (es) => routes(es).length === 2);
  const first = routes(events)[0];
  const gap = events.find((e) => e.kind === 'gap');
  assert.ok(gap?.kind === 'gap' && first.kind === 'route', 'expected a silence gap and a route');
  assert.match(gap.reason, /^silence/);
  assert.equal(gap.from, first.event.received);
  assert.ok(first.event.received > Date.now() + DAY / 2, 'received time should come from the injected clock (a day ahead)');
  assert.ok(gap.to - gap.from >= 150, `gap of ${gap.to - gap.from} ms is shorter than the 150 ms silence timeout`);
  assert.equal(server.conns.length, 2);
});

test('no pong: ping timeout -> reconnect', async () => {
  const server = await startServer();
  server.onConn = async (c) => {
    await c.subscribed(1);
    c.ws.send(UPDATE(server.conns.length));
    if (server.conns.length === 1) c.ws.pause(); // reads nothing more, so answers no ping
  };
  const rl = client(server, { pingIntervalMs: 40 });
  const events = await collect(rl, (es) => routes(es).length === 2);
  const gap = events.find((e) => e.kind === 'gap');
  assert.ok(gap?.kind === 'gap', 'expected a gap event');
  assert.match(gap.reason, /^ping-timeout/);
  assert.equal(server.conns.length, 2);
});

test('refused handshakes: backoff grows, the gap runs from start to the first subscription', async () => {
  const server = await startServer();
  server.refuse = 2;
  server.onConn = async (c) => {
    await c.subscribed(1);
    c.ws.send(UPDATE(1));
  };
  const started = Date.now();
  const timers = recordingTimers();
  const rl = client(server, { backoff: { initialMs: 40, maxMs: 1000, factor: 2 }, timers });
  const events = await collect(rl, (es) => routes(es).length === 1);
  const [a1, , a3] = server.attempts;
  assert.equal(server.attempts.length, 3);
  // Backoff sleeps of 40 then 80 ms (jitter pinned by random = 1), then the ping timer.
  assert.deepEqual(timers.delays, [40, 80, 1000]);
  assert.ok(a3 - a1 >= 100, `retries spread over ${a3 - a1} ms`);
  assert.deepEqual(events.map((e) => e.kind), ['router-up', 'gap', 'route'], 'no router-down: it never was up');
  const gap = events[1];
  assert.ok(gap.kind === 'gap', `expected a gap, got ${gap.kind}`);
  assert.ok(gap.from >= started && gap.from <= a1, `gap.from ${gap.from} is outside [${started}, ${a1}]`);
  assert.match(gap.reason, /401/);
  assert.equal(rl.stats().reconnects, 2);
});

test('slow consumer: reading pauses instead of dropping; every event arrives in order', async () => {
  const server = await startServer();
  const N = 300;
  server.onConn = async (c) => {
    await c.subscribed(1);
    for (let i = 0; i < N; i++) c.ws.send(UPDATE(i));
  };
  const rl = client(server, { maxQueue: 8, pingIntervalMs: 30, silenceTimeoutMs: 60 });
  const events = await collect(
    rl,
    (es) => routes(es).length === N,
    async (e) => {
      if (e.kind === 'route') await new Promise((r) => setTimeout(r, 1));
    },
  );
  const got = routes(events).map((e) => (e.kind === 'route' ? formatPrefix(e.event.prefix) : ''));
  assert.deepEqual(got, Array.from({ length: N }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`));
  assert.ok(rl.stats().pauses >= 1, 'the socket was paused at least once');
  // Being paused is not silence and not a dead peer: one connection throughout.
  assert.equal(server.conns.length, 1);
  assert.equal(events.filter((e) => e.kind === 'gap').length, 0);
});

test('abort ends the iterable and closes the socket politely; events() twice at once is refused', async () => {
  const server = await startServer();
  const closed = new Promise<number>((r) => {
    server.onConn = (c) => {
      c.ws.on('close', (code) => r(code));
    };
  });
  const rl = client(server);
  const ac = new AbortController();
  const it = rl.events(ac.signal)[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.value?.kind, 'router-up');
  await assert.rejects(rl.events(ac.signal)[Symbol.asyncIterator]().next(), /already being consumed/);
  ac.abort();
  assert.equal((await it.next()).done, true);
  assert.equal(await closed, 1000);
  assert.equal(rl.stats().connected, false);
});
