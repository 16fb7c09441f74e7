// storage.retention on auto targets: with a rotating source, expired targets and prefix
// checks must not pile up in memory, in the store or in every refresh's plan. An
// operator's delete is kept (it must keep holding); an unresponsive prefix's check is
// kept while recheck_unresponsive still holds it back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY, HOUR, MIN, setup } from './helpers.ts';

test('expired targets and old prefix checks are forgotten after storage.retention; an operator delete stays', async (t) => {
  const A = '198.51.100.0/24';
  const B = '203.0.113.0/24';
  const C = '192.0.2.128/25';
  const D = '2001:db8:1::/48';
  const s = await setup(
    t,
    { asn: [{ asn: 65004 }], interval: '1h', expire_after: '10m', recheck_unresponsive: '2d' },
    new Set(['198.51.100.1', '203.0.113.1', '192.0.2.129']),
    { retention: DAY },
  );
  for (const p of [A, B, C, D]) s.routes.table.set(p, [[65004]]);
  const a = s.make();
  await a.start();
  t.after(() => a.stop());
  await s.clock.advance(MIN);
  assert.deepEqual([...s.sched.targets.keys()].sort(), [`auto-${C}`, `auto-${A}`, `auto-${B}`].sort());
  assert.deepEqual((await s.store.autoTargets.checks()).map((c) => [c.prefix, c.responsive]).sort(), [
    [C, true],
    [A, true],
    [D, false],
    [B, true],
  ].sort());
  // The operator deletes C; A and D are withdrawn (the rotating list moves on).
  await s.sched.remove(`auto-${C}`);
  s.routes.table.delete(A);
  s.routes.table.delete(D);
  await s.clock.advance(3 * HOUR);
  assert.equal((await s.store.autoTargets.list()).find((r) => r.prefix === A)?.state, 'expired', 'A expired after expire_after');

  // A day after A expired: its row is gone from the component and the store.
  await s.clock.advance(DAY);
  const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort();
  assert.deepEqual(ids(a.list()), [`auto-${C}`, `auto-${B}`].sort(), 'in memory: the live one and the operator-deleted one');
  assert.deepEqual(ids(await s.store.autoTargets.list()), [`auto-${C}`, `auto-${B}`].sort(), 'in the store: the same');
  assert.equal((await s.store.autoTargets.list()).find((r) => r.prefix === C)?.expiredWhy, 'removed by an operator (DELETE /api/targets/:id)');
  assert.ok(!s.sched.targets.has(`auto-${C}`), 'the operator delete still holds (C is still ranked)');
  // Checks older than a day are gone, except D's: unresponsive, held back for 2 days.
  assert.deepEqual((await s.store.autoTargets.checks()).map((c) => c.prefix), [D]);
  assert.equal(a.health().counters?.forgotten, 1);

  // Past recheck_unresponsive too: D's check goes.
  await s.clock.advance(DAY);
  assert.deepEqual(await s.store.autoTargets.checks(), []);
  assert.ok(s.sched.targets.has(`auto-${B}`), 'the live target is untouched');

  // A restart reads back only what is left.
  await a.stop();
  s.sched.targets.clear();
  const b = s.make();
  await b.start();
  t.after(() => b.stop());
  assert.deepEqual(ids(b.list()), [`auto-${C}`, `auto-${B}`].sort());
});
