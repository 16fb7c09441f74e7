// The BMP collector over real loopback TCP: recorded streams replayed in random segment
// sizes give exactly the events of a direct decode; several routers at once (each its own
// 127.0.0.x source address); a bad message mid-stream is an event and later messages
// still arrive; lost framing closes only that router's session; TCP close is router-down;
// the allow-list refuses; the per-router buffer limit pauses the socket and holds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { test } from 'node:test';
import { BmpCollector, type BmpCollectorOptions } from '../../src/feeds/bmp-collector.ts';
import { BmpSession } from '../../src/feeds/bmp-session.ts';
import type { FeedEvent } from '../../src/model/feed-event.ts';
import { parsePrefix } from '../../src/model/prefix.ts';
import { announceMsg, bytesOf, initiation, peerHeader, peerUp } from '../codec/bmp/util.ts';
import { tcpStreams } from '../helpers/pcap.ts';
import { needFixture } from '../helpers/requirements.ts';

const CLOCK = () => 42;

interface Harness {
  collector: BmpCollector;
  port: number;
  events: FeedEvent[];
  waitFor(what: string, pred: (ev: FeedEvent[]) => boolean, ms?: number): Promise<void>;
  close(): Promise<void>;
}

async function harness(opts: Partial<BmpCollectorOptions> = {}, consume = true): Promise<Harness & { consume(): void }> {
  const collector = new BmpCollector({ host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20, maxBufferedBytes: 1 << 20, clock: CLOCK, ...opts });
  await collector.start();
  const port = collector.address()?.port ?? 0;
  const events: FeedEvent[] = [];
  const ac = new AbortController();
  let waiter: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  const consumeNow = () => {
    loop ??= (async () => {
      for await (const e of collector.events(ac.signal)) {
        events.push(e);
        waiter?.();
      }
    })();
  };
  if (consume) consumeNow();
  return {
    collector,
    port,
    events,
    consume: consumeNow,
    async waitFor(what, pred, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (!pred(events)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; have ${events.length} events: ${events.slice(-5).map((e) => e.kind).join(',')}`);
        await new Promise<void>((resolve) => {
          waiter = resolve;
          setTimeout(resolve, 50);
        });
      }
    },
    async close() {
      await collector.stop();
      consumeNow();
      await loop;
      ac.abort();
    },
  };
}

function client(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

/** Deterministic "random" segment sizes. */
function sizes(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return 1 + (x % 1600);
  };
}

/** Writes `bytes` in random-sized segments, waiting for each write to be flushed. */
async function send(s: Socket, bytes: Uint8Array, seed = 7): Promise<void> {
  const next = sizes(seed);
  for (let p = 0; p < bytes.length; ) {
    const n = Math.min(next(), bytes.length - p);
    await new Promise<void>((resolve, reject) => s.write(bytes.subarray(p, p + n), (e) => (e ? reject(e) : resolve())));
    p += n;
  }
}

function end(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    s.once('close', () => resolve());
    s.end();
  });
}

function direct(router: string, payload: Uint8Array): FeedEvent[] {
  const s = new BmpSession(router, { clock: CLOCK });
  const out: FeedEvent[] = [];
  s.feed(payload, out);
  s.close('connection-closed', out);
  return out;
}

const of = (ev: FeedEvent[], router: string) => ev.filter((e) => ('router' in e ? e.router : e.event.router) === router);

const REPLAYS = [
  'pmacct/204-BMP-CISCO-peer_down__traffic-00.pcap',
  'pmacct/202-BMP-CISCO-HUAWEI-multiple-sources__traffic-02.pcap', // ends inside a message
  'traffic-reproducer/ipfix-bmp-scenario-PART2-bmp-route-monitoring-updates.pcap',
  'traffic-reproducer/bmp-traffic.pcap',
  'NetGauze/unreachable-prefix-announcement__upa.pcap',
  'NetGauze/stateless-with-add-path__ipv4_unicast_all.pcap', // BMP v4: framing lost at once
];

test('pcap replays over loopback TCP, several routers at once, give exactly the direct decode', async (t) => {
  const streams: Uint8Array[] = [];
  for (const f of REPLAYS) {
    const path = needFixture(t, f);
    if (!path) return;
    for (const s of tcpStreams(new Uint8Array(readFileSync(path)))) if (s.payload.length > 0) streams.push(s.payload);
  }
  const h = await harness();
  try {
    // One router address per stream, all connected and sending at the same time.
    const routers = streams.map((_, i) => `127.0.0.${10 + i}`);
    await Promise.all(
      streams.map(async (payload, i) => {
        const s = await client(h.port, routers[i]);
        await send(s, payload, i + 1);
        await end(s);
      }),
    );
    // (The v4 stream never gets a router-up, so there is no router-down to wait for.)
    const wants = streams.map((payload, i) => direct(routers[i], payload));
    await h.waitFor('every router to finish', (ev) => routers.every((r, i) => of(ev, r).length >= wants[i].length));
    let routes = 0;
    for (let i = 0; i < streams.length; i++) {
      assert.deepEqual(of(h.events, routers[i]), wants[i], `router ${routers[i]}`);
      routes += wants[i].filter((e) => e.kind === 'route').length;
    }
    assert.ok(routes > 500, `${routes} route events`);
  } finally {
    await h.close();
  }
});

test('a bad message mid-stream is a decode-error and later messages still arrive; TCP close is router-down', async () => {
  const h = await harness();
  try {
    const p = peerHeader();
    const s = await client(h.port, '127.0.0.2');
    const bad = new Uint8Array([3, 0, 0, 0, 12, 3, 0, 0, 0, 0, 0, 0]); // a Peer Up of 6 body bytes
    await send(s, bytesOf(initiation(), peerUp(p), announceMsg(p, ['198.51.100.0/24'], [65002])));
    await send(s, bad);
    await send(s, bytesOf(announceMsg(p, ['203.0.113.0/24'], [65002])));
    await end(s);
    await h.waitFor('router-down', (ev) => ev.some((e) => e.kind === 'router-down'));
    const kinds = h.events.map((e) => (e.kind === 'route' ? e.event.kind : e.kind));
    assert.deepEqual(kinds, ['router-up', 'peer-up', 'announce', 'decode-error', 'announce', 'router-down']);
    const err = h.events[3];
    assert.equal(err.kind === 'decode-error' && err.problem.code, 'per-peer-header-truncated');
    const down = h.events[5];
    assert.equal(down.kind === 'router-down' && down.reason, 'connection-closed');
    assert.equal(down.kind === 'router-down' && down.router, '127.0.0.2');
  } finally {
    await h.close();
  }
});

test('lost framing closes only that router; the other session carries on', async () => {
  const h = await harness();
  try {
    const p = peerHeader();
    const a = await client(h.port, '127.0.0.3');
    const b = await client(h.port, '127.0.0.4');
    const aClosed = new Promise<void>((resolve) => a.once('close', () => resolve()));
    a.on('error', () => {}); // the collector resets it
    await send(a, bytesOf(initiation('x', 'a'), announceMsg(p, ['10.0.0.0/8'], [65002])));
    await send(b, bytesOf(initiation('y', 'b'), announceMsg(p, ['10.0.0.0/8'], [65002])));
    await send(a, new Uint8Array([3, 0xff, 0xff, 0xff, 0xff, 0])); // length beyond maxMessageBytes
    await aClosed;
    await send(b, bytesOf(announceMsg(p, ['10.1.0.0/16'], [65002])));
    await end(b);
    await h.waitFor('both router-downs', (ev) => ev.filter((e) => e.kind === 'router-down').length === 2);
    const ka = of(h.events, '127.0.0.3').map((e) => (e.kind === 'route' ? e.event.kind : e.kind));
    const kb = of(h.events, '127.0.0.4').map((e) => (e.kind === 'route' ? e.event.kind : e.kind));
    assert.deepEqual(ka, ['router-up', 'announce', 'decode-error', 'router-down']);
    assert.deepEqual(kb, ['router-up', 'announce', 'announce', 'router-down']);
    const down = of(h.events, '127.0.0.3').at(-1);
    assert.equal(down?.kind === 'router-down' && down.reason, 'framing-lost: length-too-long');
  } finally {
    await h.close();
  }
});

test('the allow-list refuses other routers', async () => {
  const allow = [parsePrefix('127.0.0.5/32')].filter((x) => x !== undefined);
  const h = await harness({ allow });
  try {
    const refused = await client(h.port, '127.0.0.6');
    await new Promise<void>((resolve) => {
      refused.on('error', () => {});
      refused.once('close', () => resolve());
    });
    const ok = await client(h.port, '127.0.0.5');
    await send(ok, bytesOf(initiation()));
    await end(ok);
    await h.waitFor('router-down', (ev) => ev.some((e) => e.kind === 'router-down'));
    assert.equal(h.collector.rejected, 1);
    assert.deepEqual(
      h.events.map((e) => 'router' in e && e.router),
      ['127.0.0.5', '127.0.0.5'],
    );
  } finally {
    await h.close();
  }
});

test('a slow consumer: the socket is paused at maxBufferedBytes, and everything arrives once it reads', async () => {
  const max = 64 * 1024;
  const h = await harness({ maxBufferedBytes: max }, false);
  try {
    const p = peerHeader();
    const msgs = [initiation()];
    for (let i = 0; i < 20_000; i++) msgs.push(announceMsg(p, [`10.${i >> 8}.${i & 255}.0/24`], [65002, 65004]));
    const bytes = bytesOf(...msgs); // about 1.4 MB: far more than the limit and the socket buffers
    const s = await client(h.port, '127.0.0.7');
    const sent = new Promise<void>((resolve) => s.write(bytes, () => resolve()));
    // Wait (no consumer yet) until the collector paused the socket and stopped reading.
    const deadline = Date.now() + 10_000;
    let last = -1;
    for (;;) {
      const r = h.collector.routers()[0];
      if (r?.paused && r.queuedBytes === last) break;
      if (Date.now() > deadline) throw new Error(`never paused: ${JSON.stringify(r)}`);
      last = r?.queuedBytes ?? -1;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const r = h.collector.routers()[0];
    // One socket read (at most 64 KiB) may land after the limit is reached.
    assert.ok(r.queuedBytes >= max && r.queuedBytes <= max + 64 * 1024, `queued ${r.queuedBytes}`);
    assert.ok(s.writableLength > 0 || h.events.length === 0, 'TCP pushes back on the router');
    h.consume();
    await sent;
    await end(s);
    await h.waitFor('router-down', (ev) => ev.some((e) => e.kind === 'router-down'), 30_000);
    assert.equal(h.events.filter((e) => e.kind === 'route').length, 20_000);
    for (const st of h.collector.routers()) assert.ok(st.queuedBytes <= max + 64 * 1024, `router ${st.router} queued ${st.queuedBytes} bytes, over the ${max} byte limit (+64 KiB slack)`);
  } finally {
    await h.close();
  }
});

test('a second connection from the same router replaces the first; stop() ends events() after router-down', async () => {
  const h = await harness();
  const s1 = await client(h.port, '127.0.0.8');
  s1.on('error', () => {});
  await send(s1, bytesOf(initiation('FRRouting 8.4.4', 'old')));
  await h.waitFor('first router-up', (ev) => ev.length === 1);
  const s2 = await client(h.port, '127.0.0.8');
  await send(s2, bytesOf(initiation('FRRouting 8.4.4', 'new')));
  await h.waitFor('second router-up', (ev) => ev.length === 3);
  assert.deepEqual(
    h.events.map((e) => (e.kind === 'router-down' ? `down:${e.reason}` : e.kind === 'router-up' ? `up:${e.info.sysName}` : e.kind)),
    ['up:old', 'down:replaced-by-new-connection', 'up:new'],
  );
  s2.on('error', () => {});
  await h.close(); // resolves only once events() has ended
  const last = h.events.at(-1);
  assert.equal(last?.kind === 'router-down' && last.reason, 'collector-stopped');
});
