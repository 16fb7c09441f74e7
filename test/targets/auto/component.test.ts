// The AutoTargets component on a manual clock, with a real SQLite store: address choice
// (hitlist first, then probing, an unresponsive prefix re-checked only after
// recheck_unresponsive), caps, expiry (withdrawn or out of the top list for
// expire_after), pinning, an operator's delete, and a restart that keeps everything.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parsePrefix } from '../../../src/model/prefix.ts';
import { AutoTargets } from '../../../src/targets/auto/auto-targets.ts';
import { InputFormatError } from '../../../src/targets/auto/traffic-format.ts';
import { MIN, autoConfig, logger, setup } from './helpers.ts';

test('probe-and-verify picks the first answering candidate; an unresponsive prefix waits recheck_unresponsive', async (t) => {
  const answers = new Set(['198.51.100.1']);
  const s = await setup(t, { asn: [{ asn: 65004, role: 'customer' }], candidates: 3, recheck_unresponsive: '1h' }, answers);
  s.routes.table.set('198.51.100.0/24', [[65002, 65004]]);
  s.routes.table.set('203.0.113.0/24', [[65002, 65004], [65003, 65004]]);
  const a = s.make();
  await a.start();
  t.after(() => a.stop());
  await s.clock.advance(MIN);
  // 203.0.113.0/24 (two peers) ranks first; none of its 3 candidates answers.
  assert.deepEqual(s.probed.filter((x) => x.startsWith('203.')).length, 3, s.probed.join(' '));
  assert.equal(s.probed.filter((x) => x.startsWith('203.'))[0], '203.0.113.1', 'the first usable address first');
  assert.deepEqual([...s.sched.targets.keys()], ['auto-198.51.100.0/24']);
  assert.equal(s.sched.targets.get('auto-198.51.100.0/24')!.address, '198.51.100.1');
  const stored = await s.store.autoTargets.list();
  assert.equal(stored[0].reason, 'originated by AS65004 (customer)');
  assert.equal(stored[0].state, 'added');
  // Ten more refreshes within the hour: the unresponsive prefix is not probed again.
  const before = s.probed.length;
  await s.clock.advance(10 * MIN);
  assert.equal(s.probed.length, before, 'no probes while the check is fresh');
  // A scheduled trace succeeded: confirmed.
  s.sched.targets.get('auto-198.51.100.0/24')!.runs = 1;
  s.sched.targets.get('auto-198.51.100.0/24')!.state = 'ok';
  await s.clock.advance(MIN);
  assert.equal((await s.store.autoTargets.list())[0].state, 'confirmed');
  // After recheck_unresponsive it is tried again, and now .1 answers.
  answers.add('203.0.113.1');
  await s.clock.advance(60 * MIN);
  assert.ok(s.sched.targets.has('auto-203.0.113.0/24'), 're-checked and added');
  assert.equal(s.probed.filter((x) => x === '203.0.113.1').length, 2, 'probed once per recheck');
  await a.stop();
  assert.equal(s.clock.pending, 0, 'no timer left after stop()');
});

test('hitlist first; caps; the config target prefix is left alone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-hit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const hitlist = join(dir, 'hitlist.txt');
  // ISI style: c0000207 = 192.0.2.7 (score 90); 203.0.113.9 as text; a zero score is skipped.
  writeFileSync(hitlist, '# hitlist\nc0000207 90\nc6336414 0\n203.0.113.9\n');
  const s = await setup(
    t,
    { hitlist, expire_after: '1m', max_targets: 2, max_per_origin: 1, static: ['198.51.100.0/24', '203.0.113.0/24', '192.0.2.0/24'], asn: [{ asn: 65009 }] },
    new Set(['198.51.100.1', '2001:db8:5::1']),
  );
  s.routes.table.set('198.51.100.0/24', [[65001]]);
  s.routes.table.set('203.0.113.0/24', [[65001]]);
  s.routes.table.set('2001:db8:5::/48', [[65009]]);
  const a = s.make();
  await a.start();
  t.after(() => a.stop());
  await s.clock.advance(MIN);
  const sug = await a.suggestions();
  // 192.0.2.0/24 covers the config target 192.0.2.55; 203.0.113.0/24 shares AS65001 with the first.
  assert.deepEqual(
    sug.suggestions.map((x) => [x.prefix, x.address ?? null]),
    [
      ['198.51.100.0/24', '198.51.100.1'],
      ['2001:db8:5::/48', '2001:db8:5::1'],
    ],
  );
  assert.deepEqual(
    sug.skipped.map((x) => [x.prefix, x.why]),
    [
      ['203.0.113.0/24', 'AS65001 has 1 auto targets already (max_per_origin)'],
      ['192.0.2.0/24', 'covered by config target cfg (192.0.2.55)'],
    ],
  );
  assert.equal(s.sched.targets.size, 2);
  // With room (the v6 prefix withdrawn for expire_after), the hitlist address is used without probing.
  s.routes.table.delete('2001:db8:5::/48');
  s.routes.table.set('203.0.113.0/24', [[65007]]);
  await s.clock.advance(2 * MIN);
  assert.ok(!s.sched.targets.has('auto-2001:db8:5::/48'), 'the withdrawn one expired');
  assert.equal(s.sched.targets.get('auto-203.0.113.0/24')?.address, '203.0.113.9', 'the hitlist address');
  assert.ok(!s.probed.includes('203.0.113.1'), 'a hitlist prefix is not probed');
});

test('withdrawn or out of the top list for expire_after: expired; pinned stays; an operator delete sticks; a restart keeps the rest', async (t) => {
  const answers = new Set(['198.51.100.1', '203.0.113.1', '192.0.2.129']);
  const s = await setup(t, { asn: [{ asn: 65004 }], expire_after: '10m' }, answers);
  for (const p of ['198.51.100.0/24', '203.0.113.0/24', '192.0.2.128/25']) s.routes.table.set(p, [[65004]]);
  let a = s.make();
  await a.start();
  await s.clock.advance(MIN);
  assert.equal(s.sched.targets.size, 3);
  const pin = await a.accept({ target: 'auto-203.0.113.0/24' });
  assert.ok(pin.ok && pin.target.pinned, JSON.stringify(pin));
  // Withdraw 198.51.100.0/24 and 203.0.113.0/24 (pinned); the operator deletes 192.0.2.0/25.
  s.routes.table.delete('198.51.100.0/24');
  s.routes.table.delete('203.0.113.0/24');
  await s.sched.remove('auto-192.0.2.128/25');
  await s.clock.advance(9 * MIN);
  assert.ok(s.sched.targets.has('auto-198.51.100.0/24'), 'not yet: withdrawn 9 min < 10 min');
  await s.clock.advance(2 * MIN);
  assert.ok(!s.sched.targets.has('auto-198.51.100.0/24'), 'expired after 10 min withdrawn');
  assert.ok(s.sched.targets.has('auto-203.0.113.0/24'), 'pinned stays');
  const rows = new Map((await s.store.autoTargets.list()).map((r) => [r.id, r]));
  assert.match(rows.get('auto-198.51.100.0/24')!.expiredWhy!, /^prefix withdrawn for 1[01]m \(expire_after 10m\)$/);
  assert.equal(rows.get('auto-192.0.2.128/25')!.state, 'expired');
  // The deleted one is ranked again but not re-made.
  assert.ok(!s.sched.targets.has('auto-192.0.2.128/25'), 'an operator delete sticks');
  // Re-announced: a new auto target for the expired prefix.
  s.routes.table.set('198.51.100.0/24', [[65004]]);
  await s.clock.advance(MIN);
  assert.ok(s.sched.targets.has('auto-198.51.100.0/24'), 'back when announced again');
  // Out of the top list (the AS rule no longer matches) for 10 min: expired.
  s.routes.table.set('198.51.100.0/24', [[65099]]);
  await s.clock.advance(11 * MIN);
  assert.ok(!s.sched.targets.has('auto-198.51.100.0/24'), 'expired: in no top list for expire_after');
  assert.match((await s.store.autoTargets.list()).find((r) => r.id === 'auto-198.51.100.0/24')!.expiredWhy!, /^in no top list for 1\dm/);
  await a.stop();
  // Restart: the scheduler starts empty; the live (pinned) target comes back from the store.
  s.sched.targets.clear();
  a = s.make();
  await a.start();
  t.after(() => a.stop());
  assert.deepEqual([...s.sched.targets.keys()], ['auto-203.0.113.0/24']);
  assert.equal(a.get('auto-203.0.113.0/24')?.pinned, true);
});

test('a failing traffic source degrades health with the reason; the other sources still make targets', async (t) => {
  const s = await setup(t, { static: ['198.51.100.0/24'] }, new Set(['198.51.100.1']), {
    traffic: async () => {
      throw new InputFormatError('/var/flows/top.csv', 7, 'ibyt is not a number: "x"');
    },
  });
  s.routes.table.set('198.51.100.0/24', [[65001]]);
  const a = s.make();
  await a.start();
  t.after(() => a.stop());
  await s.clock.advance(MIN);
  assert.ok(s.sched.targets.has('auto-198.51.100.0/24'), 'the static prefix is a target');
  const h = a.health();
  assert.equal(h.state, 'degraded');
  assert.equal(h.detail, 'traffic: /var/flows/top.csv:7: ibyt is not a number: "x"');
});

test('a static-list prefix is probed announced or not, and never expires for a withdrawal', async (t) => {
  const s = await setup(t, { static: ['198.51.100.0/24'], asn: [{ asn: 65004 }], expire_after: '2m' }, new Set(['198.51.100.1', '203.0.113.1']));
  s.routes.table.set('203.0.113.0/24', [[65004]]);
  s.routes.table.set('192.0.2.0/24', [[65001]]); // the RIB has routes, none for the static prefix
  const a = s.make();
  await a.start();
  t.after(() => a.stop());
  await s.clock.advance(MIN);
  assert.deepEqual([...s.sched.targets.keys()].sort(), ['auto-198.51.100.0/24', 'auto-203.0.113.0/24']);
  s.routes.table.delete('203.0.113.0/24');
  await s.clock.advance(5 * MIN);
  assert.deepEqual([...s.sched.targets.keys()], ['auto-198.51.100.0/24'], 'the ASN one expired; the static one stays');
});

test("churn: the store's busiest prefixes over the window, with the count in the reason", async (t) => {
  const asked: number[] = [];
  const s = await setup(t, { churn: { enabled: true, window: '24h', top: 2 } }, new Set(['198.51.100.1', '203.0.113.1', '192.0.2.1']), {
    churn: async (since) => {
      asked.push(since);
      return [
        { prefix: '203.0.113.0/24', changes: 412 },
        { prefix: '198.51.100.0/24', changes: 97 },
        { prefix: '192.0.2.128/25', changes: 5 },
      ];
    },
  });
  for (const p of ['203.0.113.0/24', '198.51.100.0/24', '192.0.2.128/25']) s.routes.table.set(p, [[65010]]);
  const a = s.make();
  const t0 = s.clock.now();
  await a.start();
  t.after(() => a.stop());
  await s.clock.advance(MIN);
  // The first refresh runs 30 s after start (the feeds get a moment to fill the RIB).
  assert.equal(asked[0], t0 + 30_000 - 24 * 60 * MIN, 'counts since the refresh time minus the window');
  const rows = (await s.store.autoTargets.list()).map((r) => [r.prefix, r.source, r.score, r.reason]);
  assert.deepEqual(rows.sort(), [
    ['198.51.100.0/24', 'churn', 97, 'top 2 by churn: 97 updates in 24h'],
    ['203.0.113.0/24', 'churn', 412, 'top 1 by churn: 412 updates in 24h'],
  ]);
});

test('an address check that cannot run (tool missing) caches nothing and shows in health', async (t) => {
  const s = await setup(t, { static: ['198.51.100.0/24'] }, new Set());
  s.routes.table.set('198.51.100.0/24', [[65001]]);
  let broken = true;
  const a = new AutoTargets({
    config: autoConfig({ static: ['198.51.100.0/24'] }),
    allowed: () => [parsePrefix('198.51.100.0/24')!],
    store: s.store.autoTargets,
    scheduler: s.sched,
    routing: s.routes,
    churn: async () => [],
    verify: async () => {
      if (broken) throw new Error('mtr is not installed or not on PATH');
      return true;
    },
    logger,
    now: () => s.clock.now(),
    timers: s.clock,
  });
  await a.start();
  t.after(() => a.stop());
  await s.clock.advance(MIN);
  assert.equal(s.sched.targets.size, 0);
  assert.deepEqual(await s.store.autoTargets.checks(), [], 'nothing cached as unresponsive');
  assert.equal(a.health().detail, 'address check failed: mtr is not installed or not on PATH');
  broken = false;
  await s.clock.advance(MIN);
  assert.equal(s.sched.targets.get('auto-198.51.100.0/24')?.address, '198.51.100.1', 'tried again at the next refresh');
  assert.equal(a.health().state, 'ok');
});
