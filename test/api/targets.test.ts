// /api/targets on a real Service (store, scheduler, path-change detection) with a
// scripted backend: validation and hostile strings, the token, config targets that
// cannot be deleted, traces as Trace JSON, path changes, and the state kept by a restart.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startService, tempDir, waitFor } from '../service/helpers.ts';
import { ProbeError, ScriptedBackend } from '../service/probe-helpers.ts';

const TOKEN = 'test-token-0123456789abcdef';
const BASE = [
  `api.token=${TOKEN}`,
  'bmp.enabled=false',
  'probe.allowed=["198.51.100.0/24", "2001:db8:100::/48"]',
  'probe.min_interval=1s',
  'probe.cooldown=1s',
];

async function call(url: string, method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

test('POST/GET/DELETE /api/targets: validation, token, config targets are 409', async (t) => {
  const backend = new ScriptedBackend({ path: ['10.0.0.1'], lossPct: 0, rttMs: 5 });
  const s = await startService(t, [...BASE, 'probe.interval=1h'], { backends: { mtr: backend } }, { targets: [{ address: '198.51.100.7', name: 'cfg' }] });

  const list0 = await call(s.url, 'GET', '/api/targets');
  assert.equal(list0.status, 200, 'list');
  assert.deepEqual(list0.body.targets.map((x: { id: string; source: string }) => [x.id, x.source]), [['cfg', 'config']]);

  assert.equal((await call(s.url, 'POST', '/api/targets', { address: "198.51.100.1" }, null)).status, 401, 'POST needs the token');
  assert.equal((await call(s.url, 'POST', '/api/targets', { address: '198.51.100.1' }, 'wrong-token-0123456789')).status, 401, 'a wrong token is 401');

  const hostile = [
    { address: '-oProxyCommand=x' },
    { address: '198.51.100.1; rm -rf /' },
    { address: 'http://198.51.100.1/' },
    { address: '198.51.100.0/24' },
    { address: '203.0.113.1' },
    { address: '224.0.0.1' },
    { address: 'a'.repeat(301) },
    { address: 'host\nname' },
    { address: '$(id)' },
    { address: '198.51.100.1', extra: 1 },
    { address: '198.51.100.1', backend: 'bash' },
    { address: '198.51.100.1', interval: '100ms' },
    { address: 42 },
    {},
  ];
  for (const body of hostile) {
    const r = await call(s.url, 'POST', '/api/targets', body);
    assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 60)} must be 400, got ${r.status}`);
    assert.ok(typeof r.body?.error?.message === 'string' && r.body.error.message.length > 5, `a reason for ${JSON.stringify(body).slice(0, 60)}`);
  }
  const outside = await call(s.url, 'POST', '/api/targets', { address: '203.0.113.1' });
  assert.match(outside.body.error.message, /outside probe\.allowed/, 'the reason names probe.allowed');

  const made = await call(s.url, 'POST', '/api/targets', { address: '198.51.100.1', name: 'web', interval: '30s', backend: 'mtr' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.equal(made.body.id, 'web');
  assert.equal(made.body.address, '198.51.100.1');
  assert.equal(made.body.interval, '30s');
  assert.equal(made.body.source, 'api');
  assert.equal((await call(s.url, 'POST', '/api/targets', { address: '198.51.100.2', name: 'web' })).status, 400, 'duplicate name');
  assert.equal((await call(s.url, 'GET', '/api/targets/web')).body.name, 'web');
  assert.equal((await call(s.url, 'GET', '/api/targets/nope')).status, 404, 'unknown target');

  const del = await call(s.url, 'DELETE', '/api/targets/cfg');
  assert.equal(del.status, 409, 'config targets are not deleted through the API');
  assert.equal(del.body.error.code, 'CONFLICT');
  assert.match(del.body.error.message, /config/);
  assert.equal((await call(s.url, 'DELETE', '/api/targets/web', undefined, null)).status, 401, 'DELETE needs the token');
  assert.equal((await call(s.url, 'DELETE', '/api/targets/web')).status, 204, 'deleted');
  assert.equal((await call(s.url, 'DELETE', '/api/targets/web')).status, 404, 'gone');
  assert.deepEqual((await call(s.url, 'GET', '/api/targets')).body.targets.map((x: { id: string }) => x.id), ['cfg']);
});

test('API targets survive a restart; traces are Trace JSON; the path-diff baseline is kept', async (t) => {
  const dir = tempDir(t, 'probe-restart');
  const db = `storage.path=${join(dir, 'db.sqlite')}`;
  const backend = new ScriptedBackend({ path: ['10.0.0.1', '10.0.0.2'], lossPct: 0, rttMs: 5 });
  const sets = [...BASE, db, 'probe.interval=1h', 'probe.pathdiff.window=2', 'probe.pathdiff.required=2'];
  const a = await startService(t, sets, { backends: { mtr: backend }, probeFlushEveryMs: 20 });
  assert.equal((await call(a.url, 'POST', '/api/targets', { address: '198.51.100.1', name: 'web', interval: '1s' })).status, 201, 'made');
  const traces = await waitFor('4 traces', async () => {
    const r = await call(a.url, 'GET', '/api/targets/web/traces?from=1h');
    return r.body.traces.length >= 4 && r.body.traces;
  });
  const tr = traces[0];
  assert.equal(tr.target, '198.51.100.1');
  assert.equal(tr.backend, 'mtr');
  assert.match(tr.start, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(tr.hops.map((h: { responders: { address: string }[] }) => h.responders[0].address), ['10.0.0.1', '10.0.0.2', '198.51.100.1']);
  assert.equal(tr.hops[0].responders[0].asn, null, 'no route for 10/8 here: asn null');
  assert.equal((await call(a.url, 'GET', '/api/targets/web/path-changes')).body.changes.length, 0, 'no change on a stable path');
  const health = (await call(a.url, 'GET', '/api/health')).body;
  assert.equal(health.components.prober.state, 'ok', JSON.stringify(health.components.prober));
  await a.service.stop();

  // The new path shows at once after the restart: the baseline came back from the store.
  backend.script.path = ['10.0.0.1', '10.0.0.9'];
  const b = await startService(t, sets, { backends: { mtr: backend }, probeFlushEveryMs: 20 });
  const listed = (await call(b.url, 'GET', '/api/targets')).body.targets;
  assert.deepEqual(listed.map((x: { id: string; source: string; intervalMs: number }) => [x.id, x.source, x.intervalMs]), [['web', 'api', 1000]]);
  const changes = await waitFor('an ip-path change', async () => {
    const r = await call(b.url, 'GET', '/api/targets/web/path-changes');
    return r.body.changes.length > 0 && r.body.changes;
  });
  assert.equal(changes[0].kind, 'ip-path', JSON.stringify(changes[0]));
  assert.ok(changes[0].reasons.some((x: string) => x.includes('10.0.0.9')), `reasons name the new hop: ${changes[0].reasons.join(' | ')}`);
  const after = (await call(b.url, 'GET', '/api/targets/web/traces?from=1h')).body.traces;
  assert.ok(after.length >= 6, `traces from before and after the restart: ${after.length}`);
});

test('a missing backend binary: clear message in the target and /api/health, the service keeps running', async (t) => {
  const backend = new ScriptedBackend({ path: [], lossPct: 0, rttMs: 5, fail: new ProbeError('backend-missing', 'mtr is not installed (apt install mtr-tiny)') });
  const s = await startService(t, [...BASE, 'probe.interval=1h'], { backends: { mtr: backend } });
  assert.equal((await call(s.url, 'POST', '/api/targets', { address: '198.51.100.1', name: 'x', interval: '1s' })).status, 201, 'made');
  const st = await waitFor('the target marked', async () => {
    const r = await call(s.url, 'GET', '/api/targets/x');
    return r.body.state === 'backend-unavailable' && r.body;
  });
  assert.match(st.lastError.message, /mtr is not installed/);
  const h = await call(s.url, 'GET', '/api/health');
  assert.equal(h.status, 503, 'health says degraded');
  assert.equal(h.body.components.prober.state, 'degraded');
  assert.match(h.body.components.prober.detail, /mtr: mtr is not installed/);
  assert.equal(h.body.components.api.state, 'ok', 'the rest runs on');
  // A backend this prober does not have at all (scamper is made only when the config uses
  // it): refused with 400 naming the configured ones, not a target unavailable forever.
  const y = await call(s.url, 'POST', '/api/targets', { address: '198.51.100.2', name: 'y', backend: 'scamper', interval: '1s' });
  assert.equal(y.status, 400, `an unconfigured backend is 400, got ${y.status} ${JSON.stringify(y.body)}`);
  assert.match(y.body.error.message, /scamper is not configured on this prober \(configured: mtr, tcptraceroute, traceroute;/);
  assert.equal((await call(s.url, 'GET', '/api/targets/y')).status, 404, 'nothing was made');
  assert.equal((await call(s.url, 'POST', '/api/targets', { address: '198.51.100.2', name: 'y', backend: 'traceroute', interval: '1h' })).status, 201, 'a configured backend is fine');
});
