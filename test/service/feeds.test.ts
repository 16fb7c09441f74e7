// The feeds as components: RIS Live into the same RIB (and its gaps into the store), a
// feed that throws marked failed and restarted with backoff, and a BMP port that cannot be
// bound failing the start with a line naming bmp.listen.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
import { SupervisedFeed, type FeedHandle } from '../../src/ingest/supervise.ts';
import type { FeedEvent } from '../../src/model/feed-event.ts';
import { startService, waitFor } from './helpers.ts';

/** A RIS Live UPDATE frame (documentation addresses). */
function risUpdate(seq: number): string {
  return JSON.stringify({
    type: 'ris_message',
    data: {
      timestamp: 1_700_000_000 + seq,
      peer: '192.0.2.1',
      peer_asn: '64500',
      id: `x-${seq}`,
      host: 'rrc00',
      type: 'UPDATE',
      path: [64500, 64501, [64502, 64503]],
      community: [[64500, 100]],
      origin: 'igp',
      announcements: [{ next_hop: '192.0.2.1', prefixes: ['198.51.100.0/24'] }],
    },
  });
}

test('RIS Live feeds the same RIB; a reconnect is a gap in the store and in health', async (t) => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  t.after(() => new Promise<void>((r) => {
    for (const c of wss.clients) c.terminate();
    wss.close(() => r());
  }));
  const port = (wss.address() as { port: number }).port;
  let conns = 0;
  wss.on('connection', (ws) => {
    const n = ++conns;
    ws.on('message', (raw) => {
      if (JSON.parse(raw.toString()).type !== 'ris_subscribe') return;
      ws.send(risUpdate(n));
      if (n === 1) setTimeout(() => ws.terminate(), 30);
    });
  });
  const s = await startService(
    t,
    ['bmp.enabled=false', 'ris.enabled=true', `ris.url=ws://127.0.0.1:${port}/v1/ws/`, 'ris.canary=false', 'rib.monitor=["198.51.100.0/24"]'],
    { ris: { subscribeSpacingMs: 5, silenceTimeoutMs: 0, backoff: { initialMs: 30, maxMs: 100, factor: 2 }, random: () => 1 } },
    { ris: { subscribe: [{ prefix: '198.51.100.0/24' }] } },
  );
  await waitFor('a gap after the reconnect, and the second announcement', async () => {
    const h = (await s.get('/api/health')).body.components;
    return h.ris?.counters.gaps === 1 && h.ris.counters.routeEvents === 2 && h.rib.counters.events >= 5;
  });
  // RIS Live withdraws nothing on a disconnect; the same announcement again changes nothing, so `since` stays.
  const route = (await s.get('/api/routes?prefix=198.51.100.0/24&exact=true')).body.routes[0];
  assert.equal(route.since, new Date(1_700_000_001 * 1000).toISOString());
  assert.deepEqual({ ...route, since: undefined }, {
    router: 'rrc00',
    peer: { address: '192.0.2.1', asn: 64500 },
    table: 'adj-rib-in-pre',
    asPath: [64500, 64501, [64502, 64503]],
    nextHop: '192.0.2.1',
    origin: 'igp',
    med: null,
    localPref: null,
    communities: ['64500:100'],
    largeCommunities: [],
    since: undefined,
  });
  const lookup = await s.get('/api/lookup?ip=198.51.100.7');
  assert.deepEqual(lookup.body.origins, [64502, 64503], 'an AS_SET at the end: every member is an origin');
  const h = await s.get('/api/health');
  assert.equal(h.status, 200);
  assert.deepEqual(Object.keys(h.body.components), ['store', 'alerter', 'rib', 'ris', 'api']);
  assert.equal(h.body.components.ris.state, 'ok');
  assert.equal(h.body.components.ris.counters.connected, 1);
  assert.equal(h.body.components.ris.counters.reconnects, 1);
  await s.service.ingest.flush();
  const gaps = await s.service.store.feedGaps.list();
  assert.equal(gaps.length, 1);
  assert.equal(gaps[0].source, 'ris-live');
  assert.match(gaps[0].reason, /closed|disconnect/);
  assert.ok(gaps[0].endedAt !== undefined && gaps[0].endedAt.getTime() >= gaps[0].startedAt.getTime(), 'the gap should be closed, ending no earlier than it started');
  // The first and second announcements differ only in time: the route changed once ('new').
  const changes = await s.service.store.routeChanges.list({ since: 0 });
  assert.deepEqual(changes.map((c) => [c.source, c.router, c.kind, c.prefix]), [['ris-live', 'rrc00', 'new', '198.51.100.0/24']]);
});

class FakeFeed implements FeedHandle {
  started = 0;
  stopped = 0;
  constructor(private readonly script: (readonly FeedEvent[] | Error)[]) {}
  async start(): Promise<void> {
    this.started++;
  }
  async stop(): Promise<void> {
    this.stopped++;
  }
  async *batches(signal: AbortSignal): AsyncIterable<readonly FeedEvent[]> {
    for (const step of this.script) {
      if (step instanceof Error) throw step;
      yield step;
    }
    // Then quiet, like a feed with nothing to say, until stopped.
    await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
  }
  counters(): Record<string, number> {
    return { routersConnected: 1 };
  }
}

test('a feed that throws is logged, reported failed, cleaned up after, and restarted with growing backoff', async () => {
  const up: FeedEvent = { kind: 'router-up', source: 'bmp', router: 'r1', info: {}, time: 1 };
  const feeds: FakeFeed[] = [];
  const scripts: (readonly FeedEvent[] | Error)[][] = [[[up], new Error('socket exploded')], [new Error('again')], [[up]]];
  const timers: { fn: () => void; ms: number }[] = [];
  const applied: FeedEvent[] = [];
  const failures: string[] = [];
  const logged: string[] = [];
  const logger = { error: (_o: unknown, msg: string) => logged.push(msg), info() {}, warn() {} } as unknown as import('../../src/log.ts').Logger;
  const f = new SupervisedFeed({
    name: 'bmp',
    create: () => {
      const x = new FakeFeed(scripts[feeds.length]);
      feeds.push(x);
      return x;
    },
    onBatch: (b) => applied.push(...b),
    onFailure: (why) => failures.push(why),
    logger,
    timers: { setTimeout: (fn, ms) => timers.push({ fn, ms }), clearTimeout() {} },
    backoff: { initialMs: 1000, maxMs: 60_000 },
  });
  await f.start();
  await waitFor('the first failure', () => failures.length === 1);
  assert.deepEqual(applied, [up]);
  assert.deepEqual(failures, ['socket exploded']);
  assert.equal(feeds[0].stopped, 1, 'the failed feed is stopped');
  assert.deepEqual(logged, ['bmp feed failed; restarting with backoff']);
  const h1 = f.health();
  assert.equal(h1.state, 'failed');
  assert.equal(h1.detail, 'socket exploded (restarting in 1 s)');
  assert.equal(timers[0].ms, 1000);

  timers[0].fn();
  await waitFor('the second failure', () => failures.length === 2);
  assert.equal(timers[1].ms, 2000, 'the backoff doubles');
  assert.equal(f.health().detail, 'again (restarting in 2 s)');

  timers[1].fn();
  await waitFor('running again', () => applied.length === 2);
  const h3 = f.health();
  assert.equal(h3.state, 'ok');
  assert.equal(h3.counters?.restarts, 2);
  assert.equal(h3.counters?.routersConnected, 1);
  await f.stop();
  assert.equal(f.health().state, 'stopped');
});

test('a BMP port that cannot be bound fails the start, naming bmp.listen; nothing stays open', async (t) => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => blocker.close(() => r())));
  const port = (blocker.address() as { port: number }).port;
  await assert.rejects(startService(t, [`bmp.listen=127.0.0.1:${port}`]), /cannot listen on 127\.0\.0\.1:\d+ \(bmp\.listen\): listen EADDRINUSE/);
});
