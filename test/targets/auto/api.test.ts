// The auto-target API on a running Service (scripted trace backend, the address check
// replaced by a set of answering addresses): GET /api/targets?source=auto with reasons,
// GET /api/targets/suggestions, POST /api/targets/suggestions/accept (token), an
// operator's DELETE that sticks, and 503 when auto_targets is off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startService, waitFor } from '../../service/helpers.ts';
import { ScriptedBackend } from '../../service/probe-helpers.ts';

const TOKEN = 'test-token-0123456789abcdef';
const SETS = [`api.token=${TOKEN}`, 'probe.allowed=["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"]', 'probe.min_interval=1s', 'probe.interval=1h'];

async function call(url: string, method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

test('auto targets through the API: reasons, source filter, suggestions, accept/pin, delete', async (t) => {
  const backend = new ScriptedBackend({ path: ['10.0.0.1'], lossPct: 0, rttMs: 5 });
  const answers = new Set(['203.0.113.1']);
  const probed: string[] = [];
  const s = await startService(
    t,
    SETS,
    {
      backends: { mtr: backend },
      probeFlushEveryMs: 20,
      verify: async (a) => {
        probed.push(a);
        return answers.has(a);
      },
    },
    {
      targets: [{ address: '198.51.100.7', name: 'cfg' }],
      auto_targets: { enabled: true, interval: '1s', probe_interval: '1s', churn: { enabled: false }, static: ['198.51.100.0/24', '203.0.113.0/24', '192.0.2.0/24'] },
    },
  );
  // Waits until the component has refreshed `k` more times (its health counter).
  const refreshes = async (k: number) => {
    const count = () => s.service.health()['auto-targets']?.counters?.refreshes ?? 0;
    const from = count();
    await waitFor(`${k} more refreshes`, () => count() >= from + k);
  };
  const auto = await waitFor('the static prefix that answers becomes a traced auto target', async () => {
    const r = await s.get('/api/targets?source=auto');
    return r.body.targets.length === 1 && r.body.targets[0].runs > 0 ? r.body.targets : undefined;
  });
  assert.deepEqual(
    { id: auto[0].id, address: auto[0].address, source: auto[0].source, reason: auto[0].reason, pinned: auto[0].pinned },
    { id: 'auto-203.0.113.0/24', address: '203.0.113.1', source: 'auto', reason: 'static list (auto_targets.static)', pinned: false },
  );
  assert.deepEqual((await s.get('/api/targets?source=config')).body.targets.map((x: { id: string }) => x.id), ['cfg']);
  assert.equal((await s.get('/api/targets?source=bogus')).status, 400);
  assert.deepEqual(probed.filter((a) => a.startsWith('192.0.2.')).length, 3, `three candidates of 192.0.2.0/24 tried: ${probed.join(' ')}`);
  assert.equal(probed.filter((a) => a.startsWith('198.51.100.')).length, 0, "the config target's prefix is never probed");

  const sug = await waitFor('confirmed in the suggestions', async () => {
    const b = (await s.get('/api/targets/suggestions')).body;
    return b.suggestions[0]?.state === 'confirmed' ? b : undefined;
  });
  assert.deepEqual(
    sug.suggestions.map((x: Record<string, unknown>) => [x.rank, x.prefix, x.address, x.source, x.targetId, x.state]),
    [
      [1, '203.0.113.0/24', '203.0.113.1', 'static', 'auto-203.0.113.0/24', 'confirmed'],
      [2, '192.0.2.0/24', null, 'static', null, null],
    ],
  );
  assert.deepEqual(sug.skipped, [{ prefix: '198.51.100.0/24', why: 'covered by config target cfg (198.51.100.7)' }]);
  // A refresh later the unresponsive prefix is not probed again (recheck_unresponsive is 24h).
  const n = probed.length;
  await refreshes(2);
  assert.equal(probed.length, n, 'no new probes of the unresponsive prefix');

  const url = s.url;
  assert.equal((await call(url, 'POST', '/api/targets/suggestions/accept', { prefix: '192.0.2.0/24' }, null)).status, 401);
  const bad = await call(url, 'POST', '/api/targets/suggestions/accept', { prefix: 'nonsense' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
  assert.equal((await call(url, 'POST', '/api/targets/suggestions/accept', { target: 'auto-nope' })).status, 404);
  const cfg = await call(url, 'POST', '/api/targets/suggestions/accept', { prefix: '198.51.100.0/24' });
  assert.equal(cfg.status, 409);
  assert.match(cfg.body.error.message, /covered by config target cfg/);
  const outside = await call(url, 'POST', '/api/targets/suggestions/accept', { prefix: '192.0.2.0/24', address: '203.0.113.5' });
  assert.equal(outside.status, 400);
  // The console hears of an auto target as of an API one: a live 'target' event.
  const live: { type: string; data: { id?: string; source?: string; address?: string; reason?: string } }[] = [];
  t.after(s.service.live.subscribe((e) => live.push(e as (typeof live)[number])));
  const acc = await call(url, 'POST', '/api/targets/suggestions/accept', { prefix: '192.0.2.0/24', address: '192.0.2.77' });
  assert.equal(acc.status, 201, JSON.stringify(acc.body));
  const ev = await waitFor('a live target event', () => live.find((e) => e.type === 'target' && e.data.id === 'auto-192.0.2.0/24'));
  assert.deepEqual([ev.data.source, ev.data.address, ev.data.reason], ['auto', '192.0.2.77', 'static list (auto_targets.static); accepted'], 'as GET /api/targets/:id has it');
  assert.deepEqual(acc.body, { id: 'auto-192.0.2.0/24', prefix: '192.0.2.0/24', address: '192.0.2.77', source: 'static', reason: 'static list (auto_targets.static); accepted', state: 'added', pinned: true });
  const pin = await call(url, 'POST', '/api/targets/suggestions/accept', { target: 'auto-203.0.113.0/24' });
  assert.equal(pin.status, 200);
  assert.equal(pin.body.pinned, true);
  const listed = (await s.get('/api/targets?source=auto')).body.targets.map((x: { id: string; pinned: boolean }) => [x.id, x.pinned]);
  assert.deepEqual(listed.sort(), [
    ['auto-192.0.2.0/24', true],
    ['auto-203.0.113.0/24', true],
  ]);

  // An operator's DELETE removes it, and refreshes do not bring it back.
  assert.equal((await call(url, 'DELETE', '/api/targets/auto-203.0.113.0%2F24')).status, 204);
  await refreshes(2);
  assert.deepEqual((await s.get('/api/targets?source=auto')).body.targets.map((x: { id: string }) => x.id), ['auto-192.0.2.0/24']);
  assert.equal((await s.get('/api/targets/cfg')).body.source, 'config', 'the config target is untouched');
  assert.equal(s.service.health()['auto-targets']?.state, 'ok');
});

test('auto_targets off: suggestions and accept are 503 with the key to set', async (t) => {
  const s = await startService(t, SETS);
  const g = await s.get('/api/targets/suggestions');
  assert.equal(g.status, 503);
  assert.match(g.body.error.message, /auto_targets\.enabled = true/);
  assert.equal((await call(s.url, 'POST', '/api/targets/suggestions/accept', { prefix: '192.0.2.0/24' })).status, 503);
  assert.equal(s.service.health()['auto-targets'], undefined);
});
