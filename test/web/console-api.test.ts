// What the console reads, on a real Service with a real SQLite file: reads that keep the
// NEWEST rows under a limit (order=desc on traces, path changes and route changes), the
// sparkline and graph bounded to a number of points however many traces there are (an
// outage kept), `latest` right with more traces than any limit, times Date cannot hold
// as 400, and the live 'target' event on add and remove.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeChangeRow } from '../../src/store/route-changes.ts';
import { startService } from '../service/helpers.ts';
import { ScriptedBackend } from '../service/probe-helpers.ts';
import { openStream, storedPathChange, storedRouteChange, storedTrace } from './helpers.ts';

const TOKEN = 'console-api-token-0123456789';
const ADDR = '198.51.100.7';
const PREFIX = '198.51.100.0/24';

const trace = (start: number, rttMs: number, reached = true) => storedTrace(ADDR, start, rttMs, reached);
const pathChange = (at: number, n: number) => storedPathChange(ADDR, at, n);
const routeChange = (time: number, n: number) => storedRouteChange(PREFIX, time, { router: '192.0.2.1', peer: '10.0.0.2', before: [65002, 64512], after: [65002, 64600 + n] });

test('console reads: newest first under a limit, bounded sparklines and graphs that keep outages, latest right past any limit, 400 for times Date cannot hold', async (t) => {
  // One config target probed once a week: its first scheduled run is almost surely not in this test.
  const backend = new ScriptedBackend({ path: ['10.0.0.1'], lossPct: 0, rttMs: 5 });
  const s = await startService(t, [`api.token=${TOKEN}`, 'bmp.enabled=false', `probe.allowed=["${PREFIX}"]`, 'probe.interval=1w'], { backends: { mtr: backend } }, { targets: [{ address: ADDR, name: 'web1' }] });
  const api = async (path: string) => {
    const r = await s.get(path);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };

  // 2500 traces over the last 20 h (one each 28.8 s), the RTT climbing with the index;
  // one outage (unreached) 10 h ago.
  const now = Date.now();
  const N = 2500;
  const step = (20 * 3_600_000) / N;
  const starts = Array.from({ length: N }, (_, i) => Math.floor(now - 60_000 - (N - 1 - i) * step));
  const outage = 1250;
  const traces = starts.map((st, i) => ({ targetId: 'web1', reason: 'scheduled', trace: trace(st, 10 + i / 100, i !== outage) }));
  const changes = starts.filter((_, i) => i % 10 === 0).map((st, k) => ({ targetId: 'web1', change: pathChange(st, k) }));
  await s.service.store.probe.write({ traces, changes, states: [], now });
  await s.service.store.ingest.write({ changes: starts.filter((_, i) => i % 50 === 0).map((st, k) => routeChangeRow(routeChange(st, k), now)), churn: [], gaps: [], now });
  const iso = (ms: number) => new Date(ms).toISOString();
  const newest = iso(starts[N - 1]);

  // The overview's call: latest is the newest trace, not the 2000th oldest; the sparkline is at most 60 points.
  const over = (await api('/api/latency?recent=24h')).targets.find((x: { targetId: string }) => x.targetId === 'web1');
  assert.equal(over.latest.start, newest, 'latest is the newest trace');
  assert.equal(over.latest.rttMs, 34.99, "its median");
  const spark = over.recent as { start: string; reached: boolean }[];
  assert.ok(spark.length <= 60 && spark.length >= 50, `the sparkline has 50..60 points, got ${spark.length}`);
  assert.deepEqual([...spark].sort((a, b) => a.start.localeCompare(b.start)), spark, 'oldest first');
  assert.equal(spark[spark.length - 1].start, newest, 'the newest trace is in the sparkline');
  assert.deepEqual(spark.filter((p) => !p.reached).map((p) => p.start), [iso(starts[outage])], 'the outage is kept');
  assert.equal((await s.get('/api/latency?recent=25h')).status, 400, 'recent is at most 24h');
  assert.match((await s.get('/api/latency?recent=25h')).body.error.message, /^recent: expected a duration up to 24h/);

  // The target page's graph: at most 1500 points spread over the window (a slice of a day is
  // 57.6 s, two traces), up to the newest, the outage kept.
  const graph = (await api('/api/targets/web1/latency?from=24h&points=1500')).points as { start: string; reached: boolean }[];
  assert.ok(graph.length <= 1500 && graph.length > 1000, `1000..1500 points, got ${graph.length}`);
  const week = (await api('/api/targets/web1/latency?from=7d&points=1500')).points as { start: string; reached: boolean }[];
  assert.ok(week.length <= 1500 && week.length > 100, `a week: at most 1500 points, got ${week.length}`);
  assert.equal(week[week.length - 1].start, newest, 'the week reaches the newest trace');
  assert.ok(week.some((p) => !p.reached), 'the outage is in the week');
  assert.equal(graph[graph.length - 1].start, newest, 'the graph reaches the newest trace');
  assert.ok(graph.some((p) => !p.reached), 'the outage is in the graph');
  // Fewer traces than points: every one.
  assert.equal((await api(`/api/targets/web1/latency?from=${iso(starts[N - 10])}&points=1500`)).points.length, 10);
  // Without points: limit keeps the oldest, or with order=desc the newest.
  assert.equal((await api('/api/targets/web1/latency?from=7d&limit=3')).points[0].start, iso(starts[0]));
  assert.deepEqual(
    (await api('/api/targets/web1/latency?from=7d&limit=3&order=desc')).points.map((p: { start: string }) => p.start),
    [N - 1, N - 2, N - 3].map((i) => iso(starts[i])),
  );

  // Traces, path changes and route changes: order=desc gives the newest under a limit, newest first.
  assert.deepEqual(
    (await api('/api/targets/web1/traces?from=7d&limit=2&order=desc')).traces.map((x: { start: string }) => x.start),
    [iso(starts[N - 1]), iso(starts[N - 2])],
  );
  assert.equal((await api('/api/targets/web1/traces?from=7d&limit=2')).traces[0].start, iso(starts[0]), 'oldest first by default');
  const pc = (await api('/api/targets/web1/path-changes?since=7d&limit=50&order=desc')).changes as { at: string; reasons: string[] }[];
  assert.equal(pc.length, 50);
  assert.deepEqual(pc.slice(0, 2).map((c) => c.reasons[0]), ['change 249', 'change 248'], 'the newest path changes first');
  const rc = (await api(`/api/route-changes?prefix=${encodeURIComponent(PREFIX)}&since=24h&limit=30&order=desc`)).changes as { time: string; after: { asPath: number[] } }[];
  assert.equal(rc.length, 30);
  assert.equal(rc[0].time, iso(starts[49 * 50]), 'the newest route change first');
  assert.deepEqual(rc[0].after.asPath, [65002, 64649]);
  assert.equal(rc[29].time, iso(starts[20 * 50]));
  assert.equal((await s.get('/api/targets/web1/traces?order=newest')).status, 400, 'order is asc or desc');

  // A time Date cannot hold is a 400 naming the parameter, not a 500.
  for (const [path, name] of [
    ['/api/targets/web1/latency?from=104000000d', 'from'],
    ['/api/targets/web1/latency?to=104000000d', 'to'],
    ['/api/targets/web1/traces?from=104000000d', 'from'],
    ['/api/targets/web1/path-changes?until=104000000d', 'until'],
    ['/api/route-changes?since=104000000d', 'since'],
  ]) {
    const r = await s.get(path);
    assert.equal(r.status, 400, `${path}: ${JSON.stringify(r.body)}`);
    assert.match(r.body.error.message, new RegExp(`^${name}: expected `), path);
  }
});

test("live 'target' event: a target added or removed through the API is published with its JSON", async (t) => {
  const backend = new ScriptedBackend({ path: ['10.0.0.1'], lossPct: 0, rttMs: 5 });
  const s = await startService(t, [`api.token=${TOKEN}`, 'bmp.enabled=false', `probe.allowed=["${PREFIX}"]`, 'probe.interval=1w', 'probe.min_interval=1s'], { backends: { mtr: backend } });
  const stream = await openStream(`${s.url}/api/live`);
  t.after(() => stream.close());
  await stream.next(/retry/);
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const added = await call('POST', '/api/targets', { address: '198.51.100.9', name: 'new1' });
  assert.equal(added.status, 201);
  const json = await added.json();
  const ev = await stream.next(/event: target\nid: \d+\ndata: .*\n\n/);
  assert.deepEqual(JSON.parse(/data: (.*)\n/.exec(ev)![1]), json, 'the event carries the JSON GET /api/targets/:id returns');
  assert.equal(json.id, 'new1');
  assert.equal((await call('DELETE', '/api/targets/new1')).status, 204);
  const gone = await stream.next(/event: target\nid: \d+\ndata: .*"removed":true.*\n\n/);
  const data = JSON.parse(/data: (.*)\n/.exec(gone)![1]);
  assert.equal(data.id, 'new1');
  assert.equal(data.address, '198.51.100.9');
});
