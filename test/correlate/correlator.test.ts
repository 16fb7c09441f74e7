// The correlator end to end on a real Rib and a real Prober (scripted traces, manual
// clock): what a routing change, a peer going down, a withdrawal, a prepend, congestion
// with no routing change and a recovery each come out as, in the causes alerting gets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAddress } from '../../src/model/address.ts';
import type { Cause } from '../../src/model/cause.ts';
import { destinationRtt, recoveryText } from '../../src/alert/render/recovery.ts';
import { A, B, FAST, SETTLE, SLOW, T0, at, announce, attrs, harness, peer, withdraw } from './harness.ts';
import { type Trace, hopReceived } from '../../src/model/trace.ts';

function only(causes: readonly Cause[]): Cause {
  assert.equal(causes.length, 1, `one cause, got ${causes.length}: ${causes.map((c) => c.summary).join(' | ')}`);
  return causes[0];
}

test('best path moves to a slower path: one worse verdict with the RTT delta, joined to the BGP withdrawal', async (t) => {
  const h = await harness(t);
  await h.learn();
  const before = h.backend.requests.length;
  h.backend.scripts.set('203.0.113.10', { path: SLOW, rttMs: 80 });
  h.backend.scripts.set('203.0.113.20', { path: SLOW, rttMs: 81 });
  h.apply(withdraw(A, '203.0.113.0/24', at(0, h.clock)));
  await h.advance(0);
  assert.equal(h.backend.requests.length - before, 2, 'a confirmation trace for each target under 203.0.113.0/24 at once');
  assert.equal(h.causes.length, 0, 'nothing decided before the settle trace');
  await h.advance(SETTLE);
  const c = only(h.causes);
  assert.equal(c.kind, 'route-change');
  assert.equal(c.summary, '203.0.113.0/24 from 10.0.0.2 AS65002: withdrawn (was 65002 65004) (2 targets)');
  assert.deepEqual(c.verdicts.map((v) => [v.targetId, v.verdict.kind]).sort(), [
    ['mail', 'worse'],
    ['web', 'worse'],
  ]);
  const web = c.verdicts.find((v) => v.targetId === 'web')!;
  const v = web.verdict;
  assert.equal(web.prefix, '203.0.113.0/24');
  assert.ok(v.deltas.rttMs !== null && Math.abs(v.deltas.rttMs - 60) < 0.5, `RTT +60 ms, got ${v.deltas.rttMs}`);
  assert.equal(v.deltas.hops, 1, 'one hop longer');
  assert.deepEqual(v.bgp.before, [65002, 65004]);
  assert.deepEqual(v.bgp.after, [65003, 65003, 65003, 65003, 65004], 'the backup route now in use');
  assert.equal(formatAddress(v.bgp.peer!.address), '10.0.0.3');
  assert.deepEqual(
    v.routeChanges.map((rc) => [rc.kind, formatAddress(rc.peer.address)]),
    [['withdraw', '10.0.0.2']],
    'the RouteChange joined is the withdrawal itself',
  );
  assert.match(v.reasons[0], /^BGP moved 203\.0\.113\.0\/24 from 65002 65004 to 65003 65003 65003 65003 65004 at 04:\d\d:\d\dZ; the path is now 60\.\d ms slower \(\+29\d %\)/);
  assert.equal(v.confidence, 'high', 'confirmed by the triggered traces, and BGP and the trace agree');
  assert.ok(web.before && web.after, 'the traces before and after travel with the verdict');
  assert.equal(web.after.hops.length, 4);
  assert.equal(h.correlator.openEpisodes, 0);
});

test('a prepend that changes the AS path but not the forwarding path: same, prepend-only', async (t) => {
  const h = await harness(t);
  await h.learn();
  h.apply(announce(A, '203.0.113.0/24', attrs([65002, 65002, 65002, 65004]), at(0, h.clock)));
  await h.advance(SETTLE);
  await h.advance(10_000);
  const c = only(h.causes);
  for (const tv of c.verdicts) {
    assert.equal(tv.verdict.kind, 'same', tv.verdict.reasons.join('; '));
    assert.deepEqual(tv.verdict.findings, ['prepend-only']);
    assert.match(tv.verdict.reasons[0], /only AS prepending changed; the forwarding path is the same, nothing to alert/);
  }
});

test('a change of the backup route that does not change the route in use: no episode, no trace', async (t) => {
  const h = await harness(t);
  await h.learn();
  const before = h.backend.requests.length;
  h.apply(announce(B, '203.0.113.0/24', attrs([65003, 65007, 65008, 65009, 65004]), at(0, h.clock)));
  await h.advance(0);
  assert.equal(h.correlator.openEpisodes, 0, 'no episode');
  assert.equal(h.backend.requests.length, before, 'no trace requested');
  await h.advance(SETTLE * 3);
  assert.equal(h.causes.length, 0);
  assert.equal(
    h.published.filter((p) => p.type === 'route-change').length,
    1,
    'the change is still shown live (it touches the targets), just not correlated',
  );
});

test('the initial table transfer is learnt, not news: no episode before End-of-RIB', async (t) => {
  const h = await harness(t);
  await h.learn();
  const c = peer('10.0.0.9', 65010);
  h.apply({ kind: 'peer-up', source: 'bmp', router: 'r1', peer: c, table: 'adj-rib-in-post', time: h.clock.now() });
  // A more-specific from the new peer during its transfer moves web's route, quietly.
  h.apply(announce(c, '203.0.113.0/25', attrs([65010, 65004]), at(0, h.clock)));
  await h.advance(SETTLE * 2);
  assert.equal(h.causes.length, 0);
  assert.equal(h.correlator.counters.episodes, 0);
  // After its End-of-RIB, the same peer's next change is news.
  h.apply({ kind: 'end-of-rib', source: 'bmp', router: 'r1', peer: c, table: 'adj-rib-in-post', afi: 1, safi: 1, time: h.clock.now() });
  h.apply(withdraw(c, '203.0.113.0/25', at(0, h.clock)));
  await h.advance(SETTLE * 2);
  const cause = only(h.causes);
  assert.deepEqual(cause.verdicts.map((v) => v.targetId).sort(), ['mail', 'web'], 'both targets lose the /25 they used');
  assert.match(cause.verdicts[0].verdict.reasons.join(' '), /the route in use moved from 203\.0\.113\.0\/25 to 203\.0\.113\.0\/24 \(a more-specific went away\)/);
});

test('a peer going down that moves 3 targets is ONE cause listing all 3', async (t) => {
  const h = await harness(t);
  await h.learn();
  h.backend.scripts.set('203.0.113.10', { path: SLOW, rttMs: 80 });
  h.backend.scripts.set('203.0.113.20', { path: SLOW, rttMs: 80 });
  h.backend.scripts.set('198.51.100.10', { path: ['10.77.1.1'], rttMs: 0, reached: false });
  h.apply({ kind: 'peer-down', source: 'bmp', router: 'r1', peer: A, reason: 'remote-notification', time: h.clock.now() });
  await h.advance(SETTLE);
  await h.advance(10_000);
  const c = only(h.causes);
  assert.equal(c.kind, 'peer-down');
  assert.equal(c.summary, 'peer 10.0.0.2 AS65002 on r1 went down (remote-notification): 3 targets moved');
  assert.deepEqual(c.verdicts.map((v) => [v.targetName, v.verdict.kind]).sort(), [
    ['dns', 'unreachable'],
    ['mail', 'worse'],
    ['web', 'worse'],
  ]);
  assert.equal(c.routeChanges.length, 2, "both of the peer's routes went");
  assert.ok(c.routeChanges.every((rc) => rc.cause === 'peer-down'), 'with their cause');
  assert.match(c.id, /^pd-[0-9a-f]{16}$/);
});

test('a withdrawn prefix: unreachable, carrying the withdrawal', async (t) => {
  const h = await harness(t);
  await h.learn();
  h.backend.scripts.set('198.51.100.10', { path: ['10.77.1.1'], rttMs: 0, reached: false });
  h.apply(withdraw(A, '198.51.100.0/24', at(0, h.clock)));
  await h.advance(SETTLE);
  const c = only(h.causes);
  const v = c.verdicts[0].verdict;
  assert.equal(c.verdicts.length, 1);
  assert.equal(v.kind, 'unreachable');
  assert.ok(v.findings.includes('withdrawn'), `findings ${v.findings}`);
  assert.equal(v.routeChanges.length, 1);
  assert.equal(v.routeChanges[0].kind, 'withdraw');
  assert.match(v.reasons[0], /^BGP withdrew 198\.51\.100\.0\/24 \(was 65002 65004\) from peer AS65002 on r1 at .*: no route left; the destination 198\.51\.100\.10 no longer answers/);
  assert.equal(c.verdicts[0].prefix, '198.51.100.0/24', 'the prefix it had before');
});

test('a path change with no routing change: no-routing-change; its recovery: better', async (t) => {
  const h = await harness(t);
  await h.learn();
  h.backend.scripts.set('203.0.113.10', { path: FAST, rttMs: 95 });
  await h.advance(60_000);
  await h.advance(60_000);
  const c = only(h.causes);
  assert.equal(c.kind, 'path-change');
  assert.match(c.id, /^pc-/);
  const v = c.verdicts[0].verdict;
  assert.equal(v.kind, 'worse');
  assert.ok(v.findings.includes('no-routing-change'), `findings ${v.findings}`);
  assert.match(v.reasons[0], /no routing change was seen for 203\.0\.113\.0\/24/);
  assert.deepEqual(v.routeChanges, []);

  h.backend.scripts.set('203.0.113.10', { path: FAST, rttMs: 20 });
  await h.advance(60_000);
  await h.advance(60_000);
  assert.equal(h.causes.length, 2, h.causes.map((x) => x.summary).join(' | '));
  const r = h.causes[1].verdicts[0].verdict;
  assert.equal(r.kind, 'better', r.reasons.join('; '));
  assert.equal(r.pathChange?.kind, 'recovered');
  assert.match(h.causes[1].summary, /back on its baseline/);
  // The traces a mail shows: the departure's "before" is the last trace on the baseline
  // (the trace just before it already showed the 95 ms that persistence waited for), and
  // the recovery's "before" is the last trace on the bad path, so it reads "(was +75 ms)".
  const rtt = (x: Cause['verdicts'][number]['before']) => Math.round(destinationRtt(x) ?? NaN);
  assert.deepEqual([rtt(c.verdicts[0].before), rtt(c.verdicts[0].after)], [20, 95], 'departure: before on the baseline, after on the slow path');
  assert.deepEqual([rtt(h.causes[1].verdicts[0].before), rtt(h.causes[1].verdicts[0].after)], [95, 20], 'recovery: before on the slow path, after back');
  assert.match(recoveryText(h.causes[1].verdicts[0], 'worse') ?? '', /^back to baseline, RTT 20\.\d ms \(was \+75 ms\)$/);
});

test('a later path change joins the routing change seen within the look-back', async (t) => {
  const h = await harness(t);
  await h.learn();
  // The route moves but the traces do not show it at first (the verdict is 'same') ...
  h.apply(announce(A, '203.0.113.0/24', attrs([65002, 65005, 65004]), at(0, h.clock)));
  await h.advance(SETTLE);
  await h.advance(5_000);
  assert.equal(h.causes.length, 1);
  assert.deepEqual(h.causes[0].verdicts.map((v) => v.verdict.kind), ['same', 'same']);
  // ... then the periodic traces do.
  h.backend.scripts.set('203.0.113.10', { path: SLOW, rttMs: 70 });
  await h.advance(60_000);
  await h.advance(60_000);
  assert.equal(h.causes.length, 2);
  const v = h.causes[1].verdicts[0].verdict;
  assert.equal(v.kind, 'worse');
  assert.ok(!v.findings.includes('no-routing-change'), `findings ${v.findings}`);
  assert.equal(v.routeChanges.length, 1, 'joined to the path change of 203.0.113.0/24');
  assert.match(h.causes[1].summary, /after a routing change \d+ s earlier/);
});

test('traces that fail: the target is still decided, on BGP alone, with finding no-trace', async (t) => {
  const h = await harness(t);
  await h.learn();
  h.backend.scripts.set('203.0.113.10', { path: FAST, rttMs: 20, fail: true });
  h.backend.scripts.set('203.0.113.20', { path: FAST, rttMs: 20, fail: true });
  h.apply(withdraw(A, '203.0.113.0/24', at(0, h.clock)));
  await h.advance(SETTLE);
  const c = only(h.causes);
  for (const tv of c.verdicts) {
    assert.equal(tv.verdict.kind, 'same');
    assert.deepEqual(tv.verdict.findings, ['no-trace']);
    assert.equal(tv.verdict.confidence, 'low');
    assert.equal(tv.after, undefined, 'no trace after');
  }
  assert.equal(h.correlator.counters.traceFailures, 4, 'first and settle trace of each target');
});

test('traces that never come: decided at settle + trace timeout', async (t) => {
  const h = await harness(t, { traceTimeoutMs: 30_000 });
  await h.learn();
  h.backend.scripts.set('198.51.100.10', { path: FAST, rttMs: 20, hang: true });
  h.apply(withdraw(A, '198.51.100.0/24', at(0, h.clock)));
  await h.advance(SETTLE + 29_000);
  assert.equal(h.causes.length, 0, 'still waiting');
  await h.advance(1_000);
  const c = only(h.causes);
  const v = c.verdicts[0].verdict;
  assert.equal(v.kind, 'unreachable', 'a withdrawal with no trace is still unreachable');
  assert.deepEqual(v.findings, ['withdrawn']);
  assert.match(v.reasons[0], /no trace has checked 198\.51\.100\.10 since/);
  assert.equal(h.correlator.counters.timeouts, 1);
});

test('an AS silent mid-trace is not a control/data-plane mismatch; a real detour is', async (t) => {
  const h = await harness(t);
  // 65005's router stays silent: hop 2 is '*'.
  for (const a of ['203.0.113.10', '203.0.113.20']) h.backend.scripts.set(a, { path: ['192.0.2.1', '192.0.2.129'], silent: [2], rttMs: 20 });
  // Transit addresses in announced space, so the trace has ASes: 65002 then 65004.
  h.apply(
    announce(A, '192.0.2.0/25', attrs([65002]), at(0, h.clock)),
    announce(A, '192.0.2.128/25', attrs([65002, 65005]), at(0, h.clock)),
    announce(A, '203.0.113.0/24', attrs([65002, 65005, 65004]), at(0, h.clock)),
  );
  await h.advance(SETTLE * 2);
  h.causes.length = 0;
  await h.learn();
  assert.equal(h.causes.length, 0, 'a steady path');
  h.apply(announce(A, '203.0.113.0/24', attrs([65002, 65002, 65005, 65004]), at(0, h.clock)));
  await h.advance(SETTLE);
  await h.advance(5_000);
  const v = only(h.causes).verdicts[0].verdict;
  assert.ok(!v.findings.includes('control-data-mismatch'), v.reasons.join('; '));
  assert.ok(!v.reasons.some((r) => /disagree/.test(r)), v.reasons.join('; '));
  assert.deepEqual(v.trace.afterAs, [65002, 65004], 'the trace saw 65002 then 65004');

  // Now hop 2 answers, from AS65099, which is on no BGP path: the packets go elsewhere.
  h.apply(announce(A, '198.18.0.0/15', attrs([65002, 65099]), at(0, h.clock)));
  for (const a of ['203.0.113.10', '203.0.113.20']) h.backend.scripts.set(a, { path: ['192.0.2.1', '198.18.0.1'], rttMs: 20 });
  h.apply(announce(A, '203.0.113.0/24', attrs([65002, 65005, 65004]), at(0, h.clock)));
  await h.advance(SETTLE);
  await h.advance(5_000);
  assert.equal(h.causes.length, 2);
  const d = h.causes[1].verdicts[0].verdict;
  assert.ok(d.findings.includes('control-data-mismatch'), `findings ${d.findings}: ${d.reasons.join('; ')}`);
  assert.ok(
    d.reasons.some((r) => r.startsWith('control plane and data plane disagree: after 65002 the trace goes to AS 65099, but BGP says AS 65005')),
    d.reasons.join('; '),
  );
});

test('a BMP router lost (router-down) is our view going dark, not news: no episode, no trace', async (t) => {
  const h = await harness(t);
  await h.learn();
  const before = h.backend.requests.length;
  h.apply({ kind: 'router-down', source: 'bmp', router: 'r1', reason: 'connection-closed', time: h.clock.now() });
  await h.advance(SETTLE * 3);
  assert.equal(h.causes.length, 0);
  assert.equal(h.backend.requests.length - before, 0, 'no confirmation traces');
  assert.equal(h.correlator.counters.episodes, 0);
});

test('a router monitoring pre- and post-policy reports each UPDATE twice: the verdict joins the table in use only', async (t) => {
  const h = await harness(t);
  // A's pre-policy table, in sync, beside the post-policy one the view uses.
  const pre = { table: 'adj-rib-in-pre' as const };
  h.apply(
    { kind: 'peer-up', source: 'bmp', router: 'r1', peer: A, table: 'adj-rib-in-pre', time: h.clock.now() },
    announce(A, '203.0.113.0/24', attrs([65002, 65004]), { ...at(0, h.clock), ...pre }),
    { kind: 'end-of-rib', source: 'bmp', router: 'r1', peer: A, table: 'adj-rib-in-pre', afi: 1, safi: 1, time: h.clock.now() },
  );
  await h.learn();
  h.apply(announce(A, '203.0.113.0/24', attrs([65002, 65006, 65004]), { ...at(0, h.clock), ...pre }), announce(A, '203.0.113.0/24', attrs([65002, 65006, 65004]), at(0, h.clock)));
  await h.advance(SETTLE);
  const c = only(h.causes);
  assert.deepEqual(
    c.verdicts[0].verdict.routeChanges.map((rc) => rc.table),
    ['adj-rib-in-post'],
  );
});

test('after a restart, a change before the target is traced again has the newest stored trace (if recent) as its "before"', async (t) => {
  // What the store holds of 203.0.113.10 from before the restart: the fast path, 20 ms.
  const hop = (ttl: number, address: string, rtt: number) => ({ ttl, sent: 10, received: 10, responders: [{ address, rtts: Array<number>(10).fill(rtt), received: 10 }] });
  const stored = (start: number): Trace => ({
    target: '203.0.113.10',
    backend: 'mtr',
    method: 'icmp',
    start,
    end: start + 2000,
    reached: true,
    hops: [hop(1, FAST[0], 1), hop(2, FAST[1], 2), hop(3, '203.0.113.10', 20)],
  });
  for (const [ageMs, kept] of [[10 * 60_000, true], [3 * 60 * 60_000, false]] as const) {
    const h = await harness(t, {}, undefined, { lastTrace: async (id) => (id === 'web' ? stored(T0 - ageMs) : undefined) });
    await h.advance(0);
    h.backend.scripts.set('203.0.113.10', { path: SLOW, rttMs: 80 });
    h.apply(withdraw(A, '203.0.113.0/24', at(0, h.clock)));
    await h.advance(SETTLE);
    await h.advance(SETTLE);
    const v = h.causes.flatMap((c) => c.verdicts).find((x) => x.targetId === 'web');
    assert.ok(v, `a verdict for web: ${h.causes.map((c) => c.summary).join(' | ')}`);
    if (kept) assert.equal(v.before?.start, T0 - ageMs, 'the stored trace, 10 min old, is the before');
    else assert.equal(v.before, undefined, 'a 3-hour-old stored trace is no picture of the path before');
    await h.stop();
  }
});

test('a loss change with no routing change: its "before" is the last clean trace, not a 1-lost trace that pooled loss already suspected', async (t) => {
  const h = await harness(t);
  await h.learn();
  const lostAtDestination = (x: Cause['verdicts'][number]['before']) => {
    const dest = x?.hops.at(-1);
    return dest ? dest.sent - hopReceived(dest) : undefined;
  };
  // 10 probes a trace: 3 lost (a candidate), 1 lost (a suspect: 4 of 20 pooled), 3 lost (the change).
  for (const lost of [3, 1, 3]) {
    h.backend.scripts.set('203.0.113.10', { path: FAST, rttMs: 20, lost });
    await h.advance(60_000);
  }
  const c = h.causes.find((x) => x.verdicts.some((v) => v.targetId === 'web'));
  assert.ok(c, `a cause for web: ${h.causes.map((x) => x.summary).join(' | ')}`);
  const v = c.verdicts.find((x) => x.targetId === 'web')!;
  assert.equal(v.verdict.pathChange?.kind, 'loss', v.verdict.reasons.join('; '));
  assert.equal(lostAtDestination(v.before), 0, 'the before trace lost nothing');
  assert.equal(lostAtDestination(v.after), 3);
});
