// End to end in one Service: BMP over loopback TCP into the collector, the RIB, the
// correlator, a prober with a scripted trace backend (no packets), the store and the API.
// A withdrawal that moves the target onto a slower backup path comes out as one cause,
// handed to onCause() listeners with stored verdict ids, and served by GET /api/verdicts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cause } from '../../src/model/cause.ts';
import type { LiveEvent } from '../../src/live.ts';
import { ScriptedBackend } from '../service/probe-helpers.ts';
import { startService, waitFor } from '../service/helpers.ts';
import { twoPeerRouter } from '../service/bmp-router.ts';

test('service: a BMP withdrawal moving a target to a slower path -> one worse cause to onCause, stored, in GET /api/verdicts', async (t) => {
  const backend = new ScriptedBackend({ path: ['10.77.1.1', '10.77.12.2'], lossPct: 0, rttMs: 20 });
  const s = await startService(
    t,
    ['probe.allowed=203.0.113.0/24', 'probe.interval=1h', 'probe.cooldown=1s', 'correlate.settle=1s'],
    { backends: { mtr: backend }, probeFlushEveryMs: 50 },
    { targets: [{ address: '203.0.113.10', name: 'web' }] },
  );
  const causes: Cause[] = [];
  s.service.onCause((c) => causes.push(c));
  const verdictEvents: LiveEvent[] = [];
  s.service.live.subscribe((e) => {
    if (e.type === 'verdict') verdictEvents.push(e);
  });

  // The target's baseline: three traces on the fast path.
  for (let i = 0; i < 3; i++) await s.service.prober.requestTrace('web', 'learn', { force: true });

  // r1 (BMP, post-policy) with two peers; A's path is shorter, so it is our route.
  const router = await twoPeerRouter(t, s);
  assert.equal(causes.length, 0, 'the initial table is not news');
  await new Promise((r) => setTimeout(r, 1100)); // past probe.cooldown since the learning traces

  backend.script.path = ['10.77.1.1', '10.77.13.3', '10.77.34.4'];
  backend.script.rttMs = 85;
  const sentAt = Date.now();
  router.withdrawBest();
  const cause = await waitFor('a cause', () => causes[0], 10_000);
  const took = Date.now() - sentAt;
  t.diagnostic(`BGP withdrawal sent -> cause handed on: ${took} ms (settle 1 s, scripted traces)`);

  assert.equal(cause.kind, 'route-change');
  assert.equal(cause.summary, '203.0.113.0/24 from 10.0.0.2 AS65002: withdrawn (was 65002 65004)');
  assert.equal(cause.verdicts.length, 1);
  const v = cause.verdicts[0];
  assert.equal(v.targetId, 'web');
  assert.equal(v.verdict.kind, 'worse', v.verdict.reasons.join('; '));
  assert.ok(v.verdict.deltas.rttMs !== null && Math.abs(v.verdict.deltas.rttMs - 65) < 0.5, `RTT +65 ms, got ${v.verdict.deltas.rttMs}`);
  assert.deepEqual(v.verdict.bgp.after, [65003, 65005, 65004]);
  assert.equal(typeof v.id, 'number', 'stored before it was handed on');
  assert.ok(took < 5_000, `BGP update to cause in ${took} ms (settle 1 s)`);

  const list = await s.get('/api/verdicts?target=web');
  assert.equal(list.status, 200);
  assert.equal(list.body.verdicts.length, 1);
  assert.equal(list.body.verdicts[0].id, v.id);
  assert.equal(list.body.verdicts[0].kind, 'worse');
  assert.equal(list.body.verdicts[0].routeChanges[0].kind, 'withdraw');
  await waitFor('the live verdict', () => verdictEvents.length > 0);
  assert.deepEqual(verdictEvents[0].data, list.body.verdicts[0], 'the live event is the API JSON');
  assert.equal(s.service.health().correlator.state, 'ok');
});
