// The console's server side without a browser: static files (types, cache headers, ETag,
// no traversal, nothing from the internet), the SSE relay of the LiveHub (framing,
// heartbeat, listener removed on disconnect, a client that does not read is dropped) and
// the latency summary of a trace.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { latencyPoint } from '../../src/api/latency.ts';
import { liveRoutes } from '../../src/api/live.ts';
import { webRoutes } from '../../src/api/web.ts';
import { LiveHub } from '../../src/live.ts';
import { createLogger } from '../../src/log.ts';
import type { Trace } from '../../src/model/trace.ts';
import { openStream } from './helpers.ts';

async function app(t: { after(fn: () => unknown): void }, hub: LiveHub, live: { heartbeatMs?: number; maxBufferedBytes?: number; maxClients?: number } = {}): Promise<FastifyInstance> {
  const a = await buildApp({
    logger: createLogger({ level: 'silent' }),
    version: 't',
    token: undefined,
    health: { version: 't', uptimeSeconds: () => 0, components: () => ({}) },
    resources: [
      async (x) => {
        await x.register(webRoutes, {});
      },
      async (x) => {
        await x.register(liveRoutes, { live: hub, ...live });
      },
    ],
  });
  t.after(() => a.close());
  return a;
}

test('static console: index, assets with types and immutable caching, ETag, no traversal, no external URLs', async (t) => {
  const a = await app(t, new LiveHub());
  const index = await a.inject({ url: '/' });
  assert.equal(index.statusCode, 200);
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(index.headers['cache-control'], 'no-cache');
  assert.match(String(index.headers['content-security-policy']), /default-src 'self'/);
  const build = /\/assets\/([0-9a-f]{12})\/app\.js/.exec(index.body)?.[1];
  assert.ok(build, 'index names the build');
  assert.doesNotMatch(index.body, /https?:\/\//, 'no external URL in the page');

  const assets: [string, string][] = [
    ['app.js', 'text/javascript; charset=utf-8'],
    ['style.css', 'text/css; charset=utf-8'],
    ['uplot.js', 'text/javascript; charset=utf-8'],
    ['uplot.css', 'text/css; charset=utf-8'],
  ];
  for (const [name, type] of assets) {
    const r: { statusCode: number; headers: Record<string, unknown>; body: string } = await a.inject({ url: `/assets/${build}/${name}` });
    assert.equal(r.statusCode, 200, name);
    assert.equal(r.headers['content-type'], type, name);
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable', name);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    if (name.endsWith('.js') && name !== 'uplot.js') assert.doesNotMatch(r.body, /(import|from)\s*['"]https?:/, `${name} imports nothing remote`);
    const again: { statusCode: number } = await a.inject({ url: `/assets/${build}/${name}`, headers: { 'if-none-match': String(r.headers.etag) } });
    assert.equal(again.statusCode, 304, `${name} revalidates`);
  }
  // Every module the console imports is served.
  const app1 = (await a.inject({ url: `/assets/${build}/app.js` })).body;
  for (const m of app1.matchAll(/from '\.\/([a-z-]+\.js)'/g)) assert.equal((await a.inject({ url: `/assets/${build}/${m[1]}` })).statusCode, 200, m[1]);
  // An old build's URL gets the current file, not cached for long.
  const old = await a.inject({ url: '/assets/000000000000/app.js' });
  assert.equal(old.statusCode, 200);
  assert.equal(old.headers['cache-control'], 'no-cache');

  for (const bad of ['/assets/x/..%2f..%2fpackage.json', '/assets/x/%2e%2e%2fapi%2fweb.ts', '/assets/x/../../package.json', '/assets/x/.env', '/assets/x/index.html', '/assets/x/web.ts', '/assets/x/nope.js', '/assets/x/app.js%00.css']) {
    const r = await a.inject({ url: bad });
    assert.equal(r.statusCode, 404, `${bad} must be 404, got ${r.statusCode}`);
    assert.doesNotMatch(r.body, /"name": "smoketrace"|import /, `${bad} leaks nothing`);
  }
});

test('console files missing: GET / is 503 saying why, the API itself goes on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-noweb-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = await buildApp({
    logger: createLogger({ level: 'silent' }),
    version: 't',
    token: undefined,
    health: { version: 't', uptimeSeconds: () => 0, components: () => ({}) },
    resources: [
      async (x) => {
        await x.register(webRoutes, { dir });
      },
    ],
  });
  t.after(() => a.close());
  const r = await a.inject({ url: '/' });
  assert.equal(r.statusCode, 503);
  assert.equal(r.json().error.code, 'UNAVAILABLE');
  assert.match(r.json().error.message, /the console cannot be served: .*index\.html/);
  assert.equal((await a.inject({ url: '/api/health' })).statusCode, 200, 'the API runs on');
});


test('GET /api/live: one event/data per hub event, heartbeat comments, listener removed on disconnect', async (t) => {
  const hub = new LiveHub({ now: () => 1 });
  const a = await app(t, hub, { heartbeatMs: 50 });
  const url = await a.listen({ host: '127.0.0.1', port: 0 });
  const s = await openStream(`${url}/api/live`);
  await s.next(/retry: 3000\n/);
  assert.equal(hub.size, 1, 'subscribed');
  hub.publish('trace', { targetId: 'web1', note: 'line\nbreak' });
  hub.publish('route-change', { prefix: '203.0.113.0/24' });
  assert.equal(await s.next(/event: trace\nid: 1\ndata: .*\n\n/), 'event: trace\nid: 1\ndata: {"targetId":"web1","note":"line\\nbreak"}\n\n');
  assert.equal(await s.next(/event: route-change\nid: 2\ndata: .*\n\n/), 'event: route-change\nid: 2\ndata: {"prefix":"203.0.113.0/24"}\n\n');
  await s.next(/: keep-alive\n\n/);
  s.close();
  for (let i = 0; i < 100 && hub.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(hub.size, 0, 'the listener went with the connection');
  // An open stream does not hold up close().
  const s2 = await openStream(`${url}/api/live`);
  await s2.next(/retry/);
  const t0 = Date.now();
  await a.close();
  assert.ok(Date.now() - t0 < 2000, `close() is not held up by the stream (${Date.now() - t0} ms)`);
  assert.equal(hub.size, 0, 'closing the server ends the streams');
});

test('GET /api/live: a client that does not read is disconnected, the others go on', async (t) => {
  const hub = new LiveHub();
  const a = await app(t, hub, { maxBufferedBytes: 64 * 1024 });
  const url = await a.listen({ host: '127.0.0.1', port: 0 });
  const reader = await openStream(`${url}/api/live`);
  const stalled = await openStream(`${url}/api/live`);
  await reader.next(/retry/);
  await stalled.next(/retry/);
  stalled.pause();
  const big = 'x'.repeat(16 * 1024);
  let i = 0;
  // Loopback socket buffers hold a few MB before the server's own buffer starts to grow.
  for (; i < 4000 && hub.size === 2; i++) {
    hub.publish('trace', { i, big });
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(hub.size, 1, `the stalled client was dropped (after ${i} events), the reader stays`);
  hub.publish('trace', { last: true });
  await reader.next(/"last":true/, 20_000);
  reader.close();
  stalled.close();
});

test('GET /api/live: at most 64 streams; the 65th is 503 UNAVAILABLE saying why, and a freed place is taken again', async (t) => {
  const hub = new LiveHub();
  const a = await app(t, hub);
  const url = await a.listen({ host: '127.0.0.1', port: 0 });
  const streams: Awaited<ReturnType<typeof openStream>>[] = [];
  for (let i = 0; i < 64; i++) streams.push(await openStream(`${url}/api/live`));
  t.after(() => streams.forEach((x) => x.close()));
  await Promise.all(streams.map((x) => x.next(/retry/)));
  assert.equal(hub.size, 64, '64 listeners');
  const refused = await fetch(`${url}/api/live`);
  assert.equal(refused.status, 503, 'the 65th stream is refused');
  assert.equal(refused.headers.get('retry-after'), '30');
  const body = (await refused.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'UNAVAILABLE');
  assert.match(body.error.message, /too many live streams open \(64, at most 64\)/);
  assert.equal(hub.size, 64, 'the refused one holds no listener');
  // Events still reach the 64.
  hub.publish('trace', { targetId: 'web1' });
  await streams[63].next(/"targetId":"web1"/);
  streams[0].close();
  for (let i = 0; i < 100 && hub.size > 63; i++) await new Promise((r) => setTimeout(r, 10));
  const again = await openStream(`${url}/api/live`);
  streams.push(again);
  await again.next(/retry/);
  assert.equal(hub.size, 64, 'the freed place is taken');
});

test('latency point: median and spread of the destination samples, loss, hops, AS sequence', () => {
  const trace: Trace = {
    target: '203.0.113.70',
    backend: 'mtr',
    method: 'icmp',
    start: Date.UTC(2026, 10, 22, 5, 0, 0) + 0.25,
    end: Date.UTC(2026, 10, 22, 5, 0, 1),
    reached: true,
    hops: [
      { ttl: 1, sent: 10, responders: [{ address: '10.0.0.1', rtts: [1], received: 1, asn: null }] },
      { ttl: 2, sent: 10, responders: [] },
      { ttl: 3, sent: 10, responders: [{ address: '198.51.100.1', rtts: [5], received: 1, asn: 65101 }, { address: '198.51.100.2', rtts: [6], received: 1, asn: 65102 }] },
      { ttl: 4, sent: 10, received: 8, responders: [{ address: '203.0.113.70', rtts: [10, 11, 12, 13, 14, 15, 16, 30], received: 8, asn: 65301 }] },
    ],
  };
  assert.deepEqual(latencyPoint(trace), {
    start: '2026-11-22T05:00:00.000Z',
    reached: true,
    rttMs: 13.5,
    minMs: 10,
    p10Ms: 10.7,
    p25Ms: 11.75,
    p75Ms: 15.25,
    p90Ms: 20.2,
    maxMs: 30,
    samples: 8,
    sent: 10,
    received: 8,
    lossPct: 20,
    hops: 4,
    asPath: [[65101, 65102], 65301],
  });
  const lost = latencyPoint({ ...trace, reached: false, hops: trace.hops.slice(0, 3) });
  assert.equal(lost.rttMs, null);
  assert.equal(lost.lossPct, 100, 'unreached: every probe lost');
  assert.equal(lost.hops, 3);
});
