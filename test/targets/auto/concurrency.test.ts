// What runs at once: API suggestion requests before the first refresh share one ranking
// (each would spawn the traffic command and walk the RIB), and an API accept/pin made
// while a refresh is applying its plan is not undone by that refresh.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTraffic } from '../../../src/targets/auto/traffic-format.ts';
import { MIN, setup } from './helpers.ts';

test('suggestions before the first refresh: concurrent requests share one ranking, later ones reuse it', async (t) => {
  let churnReads = 0;
  let trafficReads = 0;
  const s = await setup(t, { churn: { enabled: true, window: '1h', top: 5 }, traffic: { file: '/nonexistent/top.csv' } }, new Set(), {
    churn: async () => {
      churnReads++;
      return [{ prefix: '198.51.100.0/24', changes: 40 }];
    },
    traffic: async () => {
      trafficReads++;
      return parseTraffic('dst_ip,bytes\n203.0.113.7,1000\n', { name: 'top.csv', format: 'csv', side: 'dst', metric: 'bytes' });
    },
  });
  s.routes.table.set('198.51.100.0/24', [[65001]]);
  s.routes.table.set('203.0.113.0/24', [[65002]]);
  const a = s.make();
  await a.start();
  t.after(() => a.stop());
  // No clock advance: the first refresh (30 s after start) has not run.
  const all = await Promise.all([a.suggestions(), a.suggestions(), a.suggestions()]);
  assert.equal(churnReads, 1, 'one churn read for three concurrent requests');
  assert.equal(trafficReads, 1, 'one traffic read for three concurrent requests');
  assert.deepEqual(all[1], all[0]);
  assert.deepEqual(all[2], all[0]);
  assert.deepEqual(all[0].suggestions.map((x) => x.prefix), ['198.51.100.0/24']);
  await a.suggestions();
  assert.equal(churnReads, 1, 'a later request reuses the ranking');
  // The refresh ranks afresh.
  await s.clock.advance(MIN);
  assert.equal(churnReads, 2);
});

test('an accept/pin while a refresh applies its plan is not undone by it', async (t) => {
  const A = '198.51.100.0/24';
  const B = '203.0.113.0/24';
  const s = await setup(t, { asn: [{ asn: 65004 }], interval: '1h', expire_after: '1m' }, new Set(['198.51.100.1', '203.0.113.1']));
  s.routes.table.set(A, [[65004]]);
  s.routes.table.set(B, [[65004]]);
  const a = s.make();
  await a.start();
  t.after(() => a.stop());
  await s.clock.advance(MIN);
  assert.deepEqual([...s.sched.targets.keys()].sort(), [`auto-${A}`, `auto-${B}`]);
  // A is withdrawn: the next refresh notes it, the one after expires it (and re-ranks B).
  s.routes.table.delete(A);
  await a.refresh();
  await s.clock.advance(2 * MIN);
  let release!: () => void;
  s.sched.gate = new Promise<void>((r) => (release = r));
  const removing = new Promise<string>((r) => (s.sched.onRemove = r));
  const refresh = a.refresh();
  assert.equal(await removing, `auto-${A}`, 'the refresh is taking A off the scheduler');
  // Meanwhile an operator pins both through the API.
  const pinB = a.accept({ target: `auto-${B}` });
  const pinA = a.accept({ prefix: A });
  await new Promise<void>((r) => setImmediate(r));
  s.sched.gate = undefined;
  release();
  await refresh;
  const [rb, ra] = await Promise.all([pinB, pinA]);
  assert.ok(rb.ok && rb.target.pinned, JSON.stringify(rb));
  assert.ok(ra.ok && ra.target.pinned, JSON.stringify(ra));
  assert.equal(a.get(`auto-${B}`)?.pinned, true, 'B is still pinned after the refresh');
  assert.equal(a.get(`auto-${A}`)?.pinned, true, 'A is a pinned target after the refresh');
  assert.ok(s.sched.targets.has(`auto-${A}`), 'A is on the scheduler');
  const stored = new Map((await s.store.autoTargets.list()).map((r) => [r.prefix, r]));
  assert.deepEqual(
    [A, B].map((p) => [p, stored.get(p)?.state, stored.get(p)?.pinned]),
    [
      [A, 'added', true],
      [B, 'added', true],
    ],
  );
  // And the next refresh keeps both (pinned targets do not expire).
  await s.clock.advance(2 * MIN);
  await a.refresh();
  assert.deepEqual([...s.sched.targets.keys()].sort(), [`auto-${A}`, `auto-${B}`]);
});
