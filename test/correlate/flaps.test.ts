// Routes that move while the correlator is still measuring, and traces that began before
// the change they are read against: what the verdicts (what alerting mails) come out as.
// Real Rib, real Prober and pathdiff, scripted traces that take time on the manual clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cause, TargetVerdict } from '../../src/model/cause.ts';
import { A, FAST, type Harness, SETTLE, SLOW, at, announce, attrs, harness, withdraw } from './harness.ts';

const WEB = '203.0.113.10';
const MAIL = '203.0.113.20';

function verdictsOf(causes: readonly Cause[], target: string): { cause: Cause; tv: TargetVerdict }[] {
  return causes.flatMap((cause) => cause.verdicts.filter((tv) => tv.targetId === target).map((tv) => ({ cause, tv })));
}

function describe(causes: readonly Cause[]): string {
  return causes.map((c) => `${c.summary}: ${c.verdicts.map((v) => `${v.targetId} ${v.verdict.kind} (${v.verdict.reasons[0]})`).join(', ')}`).join(' | ');
}

const slow = (extra: object = {}) => ({ path: SLOW, rttMs: 80, ...extra });
const fast = (extra: object = {}) => ({ path: FAST, rttMs: 20, ...extra });
const moveToSlow = (h: Harness) => h.apply(withdraw(A, '203.0.113.0/24', at(0, h.clock)));
const moveBack = (h: Harness) => h.apply(announce(A, '203.0.113.0/24', attrs([65002, 65004]), at(0, h.clock)));

/** Advances to 1 s before the target's next scheduled trace. */
async function untilScheduled(h: Harness, id: string): Promise<void> {
  const next = h.prober.get(id)?.nextRun;
  assert.ok(next !== undefined && next - h.clock.now() > 1000, `a scheduled trace of ${id} ahead, got ${next}`);
  await h.advance(next - h.clock.now() - 1000);
}

test('slow and back while the settle trace runs: no WORSE verdict pairing the fast route with a trace of the slow path', async (t) => {
  const h = await harness(t);
  await h.learn();
  h.backend.scripts.set(WEB, slow());
  moveToSlow(h);
  await h.advance(0); // confirmation trace: slow
  h.backend.scripts.set(WEB, slow({ durationMs: 3000 }));
  await h.advance(SETTLE); // the settle trace starts on the slow path and takes 3 s
  await h.advance(1000);
  h.backend.scripts.set(WEB, fast());
  moveBack(h); // back on the fast path while the settle trace still runs
  await h.advance(2000); // the settle trace ends: it saw the slow path
  await h.advance(SETTLE * 3);
  const web = verdictsOf(h.causes, 'web');
  assert.equal(web.length, 1, describe(h.causes));
  const { tv } = web[0];
  assert.notEqual(tv.verdict.kind, 'worse', `a path already fast again is not worse: ${tv.verdict.reasons.join('; ')}`);
  assert.deepEqual(tv.verdict.bgp.after, [65002, 65004], 'the route in use at the end');
  assert.equal(tv.after?.hops.length, FAST.length + 1, 'the evidence is a trace of the fast path, taken after the move back');
  assert.equal(h.correlator.openEpisodes, 0);
});

test('a settle trace still running when the restarted one is due is not taken for it: a fresh trace is asked for', async (t) => {
  const h = await harness(t);
  await h.learn();
  h.backend.scripts.set(WEB, slow());
  moveToSlow(h);
  await h.advance(0);
  h.backend.scripts.set(WEB, slow({ durationMs: 8000 })); // outlasts the restarted settle time
  await h.advance(SETTLE);
  await h.advance(1000);
  h.backend.scripts.set(WEB, fast());
  moveBack(h);
  await h.advance(SETTLE * 4);
  const web = verdictsOf(h.causes, 'web');
  assert.equal(web.length, 1, describe(h.causes));
  const { tv } = web[0];
  assert.ok(tv.after !== undefined, `measured after the move back: ${tv.verdict.reasons.join('; ')}`);
  assert.equal(tv.after.hops.length, FAST.length + 1, 'a trace of the fast path');
  assert.notEqual(tv.verdict.kind, 'worse', tv.verdict.reasons.join('; '));
});

test('a scheduled trace begun before the routing change is neither its evidence nor what decides it', async (t) => {
  const h = await harness(t);
  await h.learn();
  // Congestion before any routing change: one slow scheduled trace (a candidate) ...
  await untilScheduled(h, 'web');
  h.backend.scripts.set(WEB, slow());
  await h.advance(2000);
  // ... and the next one starts slow, takes 3 s, and the route moves 1 s into it.
  await untilScheduled(h, 'web');
  h.backend.scripts.set(WEB, slow({ durationMs: 3000 }));
  await h.advance(1000);
  const started = h.clock.now();
  await h.advance(1000);
  const changed = h.clock.now();
  h.backend.scripts.set(WEB, fast({ fail: true })); // the confirmation traces fail
  moveToSlow(h);
  await h.advance(0);
  await h.advance(SETTLE * 3);
  const route = verdictsOf(h.causes, 'web').filter(({ cause }) => cause.kind === 'route-change');
  assert.equal(route.length, 1, describe(h.causes));
  const { tv } = route[0];
  assert.ok(tv.after === undefined || tv.after.start >= changed, `the after trace began ${tv.after ? (tv.after.start - started) / 1000 : '?'} s after the slow one started, before the change`);
  assert.deepEqual(tv.verdict.findings, ['no-trace'], `no trace measured the change: ${tv.verdict.reasons.join('; ')}`);
  assert.equal(tv.verdict.pathChange, undefined, 'the congestion seen before the change does not decide it');
});

test('moving back while the first confirmation trace still sees the old path: better (recovered), so the alert can close', async (t) => {
  const h = await harness(t);
  await h.learn();
  h.backend.scripts.set(WEB, slow());
  moveToSlow(h);
  await h.advance(SETTLE);
  await h.advance(5_000);
  assert.deepEqual(verdictsOf(h.causes, 'web').map(({ tv }) => tv.verdict.kind), ['worse'], describe(h.causes));
  // FRR announces over BMP before zebra moves the FIB: the first trace is still slow.
  moveBack(h);
  await h.advance(0);
  h.backend.scripts.set(WEB, fast());
  await h.advance(SETTLE);
  await h.advance(1_000);
  const back = verdictsOf(h.causes, 'web');
  assert.equal(back.length, 2, describe(h.causes));
  const v = back[1].tv.verdict;
  assert.equal(v.kind, 'better', v.reasons.join('; '));
  assert.equal(v.pathChange?.kind, 'recovered', 'pathdiff confirmed the recovery with the extra trace');
  assert.ok(v.deltas.rttMs !== null && Math.abs(v.deltas.rttMs) < 1, `a recovery's figures are against the baseline (alerting says where the path is now), got ${v.deltas.rttMs}`);
  assert.equal(back[1].tv.after?.hops.length, FAST.length + 1);
});

test('moving back with no extra trace to spend: a clean settle trace off an open change is still better', async (t) => {
  const h = await harness(t, { extraTraces: 0 });
  await h.learn();
  h.backend.scripts.set(WEB, slow());
  moveToSlow(h);
  await h.advance(0);
  await h.advance(SETTLE);
  // The settle trace agreed with the first: a change, worse.
  assert.deepEqual(verdictsOf(h.causes, 'web').map(({ tv }) => tv.verdict.kind), ['worse'], describe(h.causes));
  moveBack(h);
  await h.advance(0);
  h.backend.scripts.set(WEB, fast());
  await h.advance(SETTLE);
  await h.advance(1_000);
  const v = verdictsOf(h.causes, 'web')[1]?.tv.verdict;
  assert.equal(v?.kind, 'better', describe(h.causes));
  assert.match(v.reasons[0], /faster|back on its baseline/);
});

test('a target decided early by a PathChange that moves again within the grouping window has ONE verdict in the cause', async (t) => {
  const h = await harness(t);
  await h.learn();
  // A slow scheduled trace just before: the confirmation trace agreeing with it is a change at once.
  await untilScheduled(h, 'web');
  h.backend.scripts.set(WEB, slow());
  await h.advance(2000);
  moveToSlow(h);
  await h.advance(0);
  assert.equal(verdictsOf(h.causes, 'web').length, 0, 'the cause waits for the grouping window');
  await h.advance(2000);
  h.backend.scripts.set(WEB, fast());
  moveBack(h);
  await h.advance(SETTLE * 4);
  const web = verdictsOf(h.causes, 'web');
  const perCause = new Map<string, number>();
  for (const { cause } of web) perCause.set(cause.id, (perCause.get(cause.id) ?? 0) + 1);
  assert.deepEqual([...perCause.values()], [1], `one verdict for web in one cause: ${describe(h.causes)}`);
  const v = web[0].tv.verdict;
  assert.notEqual(v.kind, 'worse', `web is back on the fast path: ${v.reasons.join('; ')}`);
  assert.deepEqual(v.bgp.after, [65002, 65004]);
});

test('targets over the waiting limit are decided on BGP alone and say they were not measured', async (t) => {
  const h = await harness(t, { maxPending: 1 });
  await h.learn();
  h.backend.scripts.set(WEB, slow());
  h.backend.scripts.set(MAIL, slow());
  moveToSlow(h);
  await h.advance(SETTLE);
  await h.advance(1_000);
  assert.equal(h.causes.length, 1, describe(h.causes));
  const vs = h.causes[0].verdicts;
  assert.equal(vs.length, 2, 'both targets are in the cause');
  const unmeasured = vs.filter((v) => v.verdict.reasons.some((r) => r.startsWith('not measured: more than 1 targets were waiting for confirmation traces')));
  assert.equal(unmeasured.length, 1, vs.map((v) => v.verdict.reasons.join('; ')).join(' | '));
  assert.deepEqual(unmeasured[0].verdict.findings, ['no-trace']);
  assert.equal(unmeasured[0].after, undefined);
  assert.equal(h.correlator.counters.untraced, 1);
});

test('repeated moves between the fast and the slow path: every move to the slow path is worse, every move back better', async (t) => {
  const h = await harness(t);
  await h.learn();
  // How long each path holds (ms; traces every 60 s, pathdiff adopts a path after 5 in a
  // row) and whether the first confirmation trace still sees the old path (the FIB moves
  // after BMP tells of the change).
  const rounds: { slowMs: number; fastMs: number; lag: boolean }[] = [
    { slowMs: 70_000, fastMs: 70_000, lag: false },
    { slowMs: 130_000, fastMs: 250_000, lag: true },
    { slowMs: 330_000, fastMs: 130_000, lag: false },
    { slowMs: 130_000, fastMs: 70_000, lag: true },
    { slowMs: 250_000, fastMs: 330_000, lag: true },
    { slowMs: 70_000, fastMs: 130_000, lag: false },
  ];
  const seen: string[] = [];
  const move = async (to: 'slow' | 'fast', lag: boolean): Promise<void> => {
    const from = h.causes.length;
    const script = to === 'slow' ? slow() : fast();
    (to === 'slow' ? moveToSlow : moveBack)(h);
    if (!lag) h.backend.scripts.set(WEB, script);
    await h.advance(0);
    if (lag) h.backend.scripts.set(WEB, script);
    await h.advance(SETTLE);
    await h.advance(1_000);
    const got = verdictsOf(h.causes.slice(from), 'web').filter(({ cause }) => cause.kind === 'route-change');
    seen.push(`${to}${lag ? ' (lag)' : ''}: ${got.map(({ tv }) => tv.verdict.kind).join(', ') || 'nothing'}`);
  };
  for (const r of rounds) {
    await move('slow', r.lag);
    await h.advance(r.slowMs);
    await move('fast', r.lag);
    await h.advance(r.fastMs);
  }
  const want = rounds.flatMap((r) => [`slow${r.lag ? ' (lag)' : ''}: worse`, `fast${r.lag ? ' (lag)' : ''}: better`]);
  assert.deepEqual(seen, want);
});

test('traces on the slow path while its change is open never join the fast baseline (no slow "ECMP branch" learnt)', async (t) => {
  const h = await harness(t);
  await h.learn();
  h.backend.scripts.set(WEB, slow());
  moveToSlow(h);
  await h.advance(SETTLE);
  await h.advance(130_000); // 2 scheduled traces on the slow path, 4 in all: short of adoption (5)
  h.backend.scripts.set(WEB, fast());
  moveBack(h);
  await h.advance(SETTLE);
  await h.advance(130_000);
  const base = h.prober.baseline('web');
  const hops = base?.ipPath.flatMap((x) => x.addresses) ?? [];
  assert.deepEqual(hops.filter((a) => SLOW.includes(a) && !FAST.includes(a)), [], `baseline hops ${JSON.stringify(base?.ipPath)}`);
  assert.ok(base?.rtt && base.rtt.medianMs < 30, `the baseline RTT is the fast path's, got ${base?.rtt?.medianMs}`);
  assert.deepEqual(verdictsOf(h.causes, 'web').map(({ tv }) => tv.verdict.kind), ['worse', 'better'], describe(h.causes));
});

test('a route flapping every 3 s for minutes is still decided, with a trace, once its restarts run out', async (t) => {
  const h = await harness(t); // settle 5 s, trace timeout 60 s
  await h.learn();
  const start = h.clock.now();
  let decidedAt: number | undefined;
  for (let i = 0; i < 40 && decidedAt === undefined; i++) {
    h.backend.scripts.set(WEB, i % 2 === 0 ? slow() : fast());
    (i % 2 === 0 ? moveToSlow : moveBack)(h);
    for (let s = 0; s < 3 && decidedAt === undefined; s++) {
      await h.advance(1000);
      if (verdictsOf(h.causes, 'web').length > 0) decidedAt = h.clock.now();
    }
  }
  assert.ok(decidedAt !== undefined && decidedAt - start <= 60_000 + SETTLE + 3000, `decided ${decidedAt === undefined ? 'never' : `after ${(decidedAt - start) / 1000} s`}`);
  const { tv } = verdictsOf(h.causes, 'web')[0];
  assert.ok(tv.after !== undefined && tv.after.start >= start + 60_000, `measured by a trace after the restarts ran out: ${tv.verdict.reasons.join('; ')}`);
});

test('unreachable after a move, then moved back while a scheduled trace begun before it sees the recovery: better, so the alert can close', async (t) => {
  const h = await harness(t);
  await h.learn();
  // The route moves and the destination stops answering: unreachable, confirmed by
  // pathdiff (an open 'unreachable').
  h.backend.scripts.set(WEB, fast({ reached: false }));
  moveToSlow(h);
  await h.advance(0);
  await h.advance(SETTLE * 3);
  const down = verdictsOf(h.causes, 'web');
  assert.deepEqual(down.map((x) => x.tv.verdict.kind), ['unreachable'], describe(h.causes));
  // Reachable again in the data plane before BGP tells us: a scheduled trace starts, and
  // 2 s into it the route moves back. That trace (begun before the change) makes
  // pathdiff's 'reachable' recovery, which the correlator must not lose: the traces after
  // the change are clean with nothing open, which alone reads as 'same'.
  await untilScheduled(h, 'web');
  h.backend.scripts.set(WEB, fast({ durationMs: 3000 }));
  await h.advance(2000);
  h.backend.scripts.set(WEB, fast());
  moveBack(h);
  await h.advance(0);
  await h.advance(SETTLE * 4);
  const back = verdictsOf(h.causes, 'web').slice(down.length);
  assert.equal(back.length, 1, describe(h.causes));
  assert.equal(back[0].tv.verdict.kind, 'better', back[0].tv.verdict.reasons.join('; '));
});

test('a route change while the path is slow and about to be adopted as the baseline: not better (the slow path is no recovery)', async (t) => {
  const h = await harness(t);
  await h.learn();
  // Congestion, no routing change: the rtt change opens on the 2nd slow trace, and each
  // slow trace after it brings the slow path nearer to adoption (adoptAfter 5).
  h.backend.scripts.set(WEB, fast({ rttMs: 80 }));
  for (let i = 0; i < 4; i++) await h.advance(60_000);
  const congestion = verdictsOf(h.causes, 'web');
  assert.deepEqual(congestion.map((x) => x.tv.verdict.kind), ['worse'], describe(h.causes));
  // A routing change that leaves the forwarding path as slow as it was: the confirmation
  // trace is the 5th slow one in a row, pathdiff adopts the slow path and nothing is open.
  moveToSlow(h);
  await h.advance(0);
  await h.advance(SETTLE * 3);
  const after = verdictsOf(h.causes, 'web').slice(congestion.length);
  assert.equal(after.length, 1, describe(h.causes));
  assert.notEqual(after[0].tv.verdict.kind, 'better', `still 80 ms: ${after[0].tv.verdict.reasons.join('; ')}`);
});
