// probe/pathdiff on REAL outputs: the lab's mtr/scamper/traceroute samples
// (../shared/lab/samples, made by lab.sh selftest) and a RIPE Atlas series
// (../shared/fixtures/pantrace/atlas.jsonl). Synthetic rules and properties are in
// pathdiff-rules.test.ts.
//
// Text and mtr outputs carry no times, so each is given one (a trace every 5 minutes);
// a sample fed twice is the same real output seen twice, as a stable path looks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { decodeAtlasResults, decodeMtrJson, decodeScamperJson, decodeTracerouteTexts } from '../../src/codec/trace/index.ts';
import type { Trace } from '../../src/model/trace.ts';
import type { PathChange } from '../../src/model/path-change.ts';
import { type ObserveOptions, type ObserveResult, PathTracker } from '../../src/probe/pathdiff.ts';
import { needFixtureText, needLabSample } from '../codec/trace/util.ts';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
let clock = 0;
/** The trace again, at the next 5-minute slot. */
function next(tr: Trace): Trace {
  clock++;
  return { ...tr, start: T0 + clock * 300_000, end: T0 + clock * 300_000 + 5000 };
}

function mtr(t: TestContext, name: string): Trace | undefined {
  const text = needLabSample(t, `${name}.mtr.json`);
  return text === undefined ? undefined : decodeMtrJson(text);
}
function tr(t: TestContext, name: string): Trace[] | undefined {
  const text = needLabSample(t, name);
  return text === undefined ? undefined : decodeTracerouteTexts(text);
}
function scamper(t: TestContext, name: string): Trace[] | undefined {
  const text = needLabSample(t, name);
  return text === undefined ? undefined : decodeScamperJson(text).traces;
}

/** Owner of each lab interface (test/lab/README.md): an operator's table, since the link nets are RFC 1918 and not in BGP. */
const LAB_AS = new Map<string, number>([
  ['192.0.2.1', 65001],
  ['10.77.12.2', 65002],
  ['10.77.13.2', 4200000003],
  ['10.77.24.2', 65004],
  ['10.77.34.2', 65004],
  ['198.51.100.1', 65004],
  ['203.0.113.1', 65004],
]);
const labAs = (a: string) => LAB_AS.get(a);
/** What a RIB lookup gives in the lab: announced prefixes only; 10.77/16 is private -> null. */
const ribAs = (a: string) => (a.startsWith('192.0.2.') ? 65001 : a.startsWith('198.51.100.') || a.startsWith('203.0.113.') ? 65004 : a.startsWith('10.') ? null : undefined);

function feed(tk: PathTracker, traces: readonly Trace[], opts: ObserveOptions = {}): ObserveResult[] {
  return traces.map((x) => tk.observe(next(x), opts));
}
const kinds = (cs: readonly PathChange[]) => cs.map((c) => c.kind);
const allChanges = (rs: readonly ObserveResult[]) => rs.flatMap((r) => r.changes);

test('mtr base -> flap (slow path): ip-path, as-path and rtt after 2 of 3; rate limiting on the way is not loss; restored recovers', (t) => {
  const [base, off, restored, ratelimit, flap] = ['base', 'ratelimit-off', 'restored', 'ratelimit', 'flap'].map((n) => mtr(t, n));
  if (!base || !off || !restored || !ratelimit || !flap) return;
  const tk = new PathTracker('198.51.100.1');
  const learn = feed(tk, [base, off, restored], { asOf: labAs });
  assert.deepEqual(learn.map((r) => r.learning), [true, true, true]);

  // ratelimit: hop 2 answered 1 of 20 (95 %), the destination 20 of 20.
  const [rl] = feed(tk, [ratelimit], { asOf: labAs });
  assert.deepEqual(rl.changes, []);
  assert.deepEqual(rl.assessment?.candidates, []);
  assert.deepEqual(rl.assessment?.notes, ['hop 2 (10.77.12.2) shows 95 % loss but later hops do not (destination 0 %): ICMP rate limiting, not forwarding loss']);

  const [f1, f2] = feed(tk, [flap, flap], { asOf: labAs });
  assert.deepEqual(f1.changes, [], 'one slow trace is a candidate, not a change');
  assert.deepEqual(f1.assessment?.candidates.map((c) => c.kind), ['ip-path', 'as-path', 'rtt']);
  assert.deepEqual(kinds(f2.changes), ['ip-path', 'as-path', 'rtt']);
  const [ip, as, rtt] = f2.changes;
  assert.deepEqual(ip.reasons, ["hop 2: 10.77.13.2, not in the baseline's 10.77.12.2 (4 traces)", "hop 3: 10.77.34.2, not in the baseline's 10.77.24.2 (4 traces)"]);
  assert.deepEqual(as.reasons, ['AS path 65001 4200000003 65004 vs baseline 65001 65002 65004']);
  // Baseline: Avg 5.823, 5.806, 5.684, 5.771 -> median 5.7885; spread = median StDev (0.13, 0.164, 0.095, 0.094) = 0.1125.
  assert.equal(
    rtt.reasons[0],
    "destination RTT 41.4 ms vs baseline 5.8 ms (+35.6 ms, +615 %), beyond the baseline's spread of 0.1 ms; mtr --json has no samples, its Avg stands in for the median",
  );
  assert.equal(rtt.deltas.rttMs?.toFixed(4), '35.5955');
  assert.equal(Math.round(rtt.deltas.rttPct ?? 0), 615);
  assert.deepEqual({ hops: rtt.deltas.hops, asHops: rtt.deltas.asHops, lossPts: rtt.deltas.lossPts }, { hops: 0, asHops: 0, lossPts: 0 });
  assert.deepEqual(rtt.persistence, { seen: 2, window: 3 });
  assert.equal(rtt.confirmed, false);
  assert.deepEqual(rtt.traces.map((x) => x.start), [f1.state.window.at(-1)?.digest.start, f2.state.window.at(-1)?.digest.start]);
  assert.equal(rtt.since, rtt.traces[0].start);
  assert.deepEqual(rtt.baseline.ipPath.map((h) => h.addresses), [['192.0.2.1'], ['10.77.12.2'], ['10.77.24.2'], ['198.51.100.1']]);
  assert.deepEqual(rtt.baseline.rtt, { medianMs: 5.7885, spreadMs: 0.1125, source: 'mtr-avg' });
  assert.deepEqual(rtt.current.asPaths, [[[65001], [4200000003], [65004]]]);

  const [f3, r1, r2] = feed(tk, [flap, restored, restored], { asOf: labAs });
  assert.deepEqual(f3.changes, [], 'an open change is reported once');
  assert.deepEqual(r1.changes, []);
  assert.deepEqual(kinds(r2.changes), ['recovered']);
  assert.deepEqual(r2.changes[0].recovers, ['ip-path', 'as-path', 'rtt']);
  assert.equal(r2.changes[0].reasons[0], 'back on the baseline: ip-path, as-path, rtt no longer differ');
  assert.equal(r2.state.open, null);
});

test('mtr flap with RIB-derived AS numbers: the private 10.77/16 hops are skipped, so no AS-path change (65001 65004 both ways)', (t) => {
  const [base, flap] = ['base', 'flap'].map((n) => mtr(t, n));
  if (!base || !flap) return;
  const tk = new PathTracker('198.51.100.1');
  const rs = feed(tk, [base, base, base, flap, flap], { asOf: ribAs });
  assert.deepEqual(kinds(allChanges(rs)), ['ip-path', 'rtt']);
  assert.deepEqual(rs[4].changes[0].baseline.asPaths, [[[65001], [65004]]]);
  assert.deepEqual(rs[4].changes[0].current.asPaths, [[[65001], [65004]]]);
});

test('scamper icmp-paris v4 and v6: base -> flap is ip-path + rtt; restored v6 with a 10.8 ms destination spike is noise under the thresholds', (t) => {
  const [base, flap, restored] = ['base', 'flap', 'restored'].map((n) => scamper(t, `${n}.scamper.json`));
  if (!base || !flap || !restored) return;
  for (const i of [0, 1]) {
    const target: string = base[i].target;
    const tk = new PathTracker(target);
    const rs = feed(tk, [base[i], restored[i], base[i], flap[i], flap[i]]);
    assert.deepEqual(kinds(allChanges(rs)), ['ip-path', 'rtt'], target);
    assert.equal(rs[4].changes[1].current.rtt?.source, 'samples');
  }
  // v6 baseline 5.889, 10.764 (restored: one probe, one spike), 5.889: median 5.889, spread 0.
  const tk = new PathTracker(base[1].target);
  const rs = feed(tk, [base[1], base[1], base[1], restored[1]]);
  assert.deepEqual(rs[3].changes, []);
  assert.deepEqual(rs[3].assessment?.candidates, []);
  assert.deepEqual(rs[3].assessment?.notes, ["destination RTT 10.8 ms vs baseline 5.9 ms (+4.9 ms, +83 %): beyond the baseline's spread of 0.0 ms but under the 20 ms and 20 % thresholds"]);
});

test('traceroute text: flap and session (both via r3) make the change, restored recovers; v6 the same', (t) => {
  const names = ['base', 'flap', 'session', 'restored'];
  const v4 = names.map((n) => tr(t, `${n}.traceroute.txt`)?.[0]);
  const v6 = ['base', 'flap', 'restored'].map((n) => tr(t, `${n}.traceroute6.txt`)?.[0]);
  if (v4.some((x) => !x) || v6.some((x) => !x)) return;
  const [base, flap, session, restored] = v4 as Trace[];
  const tk = new PathTracker('198.51.100.1');
  const rs = feed(tk, [base, restored, base, flap, session, restored, restored], { asOf: labAs });
  assert.deepEqual(rs.map((r) => kinds(r.changes)), [[], [], [], [], ['ip-path', 'as-path', 'rtt'], [], ['recovered']]);
  const [b6, f6, r6] = v6 as Trace[];
  const tk6 = new PathTracker('2001:db8:100::1');
  const rs6 = feed(tk6, [b6, r6, b6, f6, f6, r6, r6]);
  assert.deepEqual(rs6.map((r) => kinds(r.changes)), [[], [], [], [], ['ip-path', 'rtt'], [], ['recovered']]);
  assert.deepEqual(rs6[4].changes[0].reasons, ["hop 2: fd77:13::2, not in the baseline's fd77:12::2 (3 traces)", "hop 3: fd77:34::2, not in the baseline's fd77:24::2 (3 traces)"]);
});

test('ECMP: hop 2 alternating r2/r3 is never a change (traceroute runs, scamper udp-paris per-run branches, icmp-paris)', (t) => {
  const ecmp = tr(t, 'ecmp.traceroute.txt');
  const off = tr(t, 'ecmp-off.traceroute.txt');
  const udp = scamper(t, 'ecmp.udp-paris.json');
  const icmp = scamper(t, 'ecmp.icmp-paris.json');
  if (!ecmp || !off || !udp || !icmp) return;
  assert.equal(ecmp.length, 5);
  // Baseline of the ECMP-off runs (r2 only), then five runs with both branches inside each.
  const tk = new PathTracker('198.51.100.1');
  const rs = feed(tk, [off[0], off[0], off[0], ...ecmp], { asOf: labAs });
  assert.deepEqual(allChanges(rs), []);
  // The first run says why r3 is no change; being clean, it joins the baseline, whose
  // hop-2 set is then {r2, r3}: the next runs have nothing to explain.
  assert.deepEqual(rs[3].assessment?.notes, ['hop 2: 10.77.13.2 answered alongside baseline 10.77.12.2 in the same trace: ECMP, not a path change']);
  assert.deepEqual(rs.slice(4).map((r) => r.assessment?.notes), [[], [], [], []]);
  // scamper udp-paris: one branch per run (r3 r3 r2 r2 ...), 16 runs; the baseline learns both.
  const tu = new PathTracker('198.51.100.1');
  assert.deepEqual(allChanges(udp.map((x) => tu.observe(x, { asOf: labAs }))), []);
  assert.deepEqual(buildSets(tu), [['192.0.2.1'], ['10.77.12.2', '10.77.13.2']]);
  // icmp-paris: one branch (ICMP has no ports), 3 runs of learning then nothing to say.
  const ti = new PathTracker('198.51.100.1');
  assert.deepEqual(allChanges(feed(ti, [...icmp, ...icmp])), []);
  // Only 2 hops probed (-m 2 / hoplimit), so against a baseline that reached the target
  // it is a short trace, not an outage.
  const base = tr(t, 'base.traceroute.txt')?.[0];
  if (!base) return;
  const tb = new PathTracker('198.51.100.1');
  const rb = feed(tb, [base, base, base, ...ecmp]);
  assert.deepEqual(allChanges(rb), []);
  assert.deepEqual(rb[3].assessment?.notes, [
    "the trace stopped at its max TTL 2, short of the baseline's destination hop 4: reachability, RTT and loss not compared",
    'hop 2: 10.77.13.2 answered alongside baseline 10.77.12.2 in the same trace: ECMP, not a path change',
  ]);
});

function buildSets(tk: PathTracker): string[][] {
  const sets = new Map<number, Set<string>>();
  for (const d of tk.state.baseline) for (const h of d.hops) for (const a of h.addresses) sets.set(h.ttl, (sets.get(h.ttl) ?? new Set()).add(a));
  return [...sets.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => [...s].sort());
}

test('impair r2-r4 (delay 21.25 ms, loss 0.1 %): the real sample lost nothing (5 probes), so it is an rtt change and not a loss change', (t) => {
  const [base, off, restored, impair] = ['base', 'ratelimit-off', 'restored', 'impair'].map((n) => mtr(t, n));
  if (!base || !off || !restored || !impair) return;
  const tk = new PathTracker('198.51.100.1');
  const rs = feed(tk, [base, off, restored, impair, impair]);
  assert.deepEqual(kinds(allChanges(rs)), ['rtt']);
  assert.equal(rs[4].changes[0].deltas.lossPts, 0);
  assert.equal(rs[4].changes[0].deltas.hops, 0);
  assert.match(rs[4].changes[0].reasons[0], /^destination RTT 45\.9 ms vs baseline 5\.8 ms \(\+40\.1 ms, \+691 %\)/);
});

test('loss carried to the destination is a loss change; the same loss at a middle hop only is rate limiting (impair sample with Loss% edited)', (t) => {
  const text = needLabSample(t, 'impair.mtr.json');
  const [base, off, restored] = ['base', 'ratelimit-off', 'restored'].map((n) => mtr(t, n));
  if (text === undefined || !base || !off || !restored) return;
  // Loss on r2-r4 forwards: hop 3 and the destination both lose 2 of 5.
  const edited = (hops: number[], loss = 40) => {
    const j = JSON.parse(text) as { report: { hubs: { count: number; 'Loss%': number }[] } };
    for (const h of j.report.hubs) if (hops.includes(h.count)) h['Loss%'] = loss;
    return decodeMtrJson(JSON.stringify(j));
  };
  const carried = edited([3, 4]);
  const tk = new PathTracker('198.51.100.1', { rttAbsMs: 1000 }); // isolate loss from the +40 ms
  const rs = feed(tk, [base, off, restored, carried, carried]);
  assert.deepEqual(kinds(allChanges(rs)), ['loss']);
  assert.deepEqual(rs[4].changes[0].reasons, [
    'destination loss 40 % (2 of 5 probes) vs baseline 0 % (+40 points): end-to-end loss',
    "destination RTT 45.9 ms vs baseline 5.8 ms (+40.1 ms, +691 %): beyond the baseline's spread of 0.1 ms but under the 1000 ms and 20 % thresholds",
  ]);
  assert.equal(rs[4].changes[0].deltas.lossPts, 40);

  // Real loss, clearly significant: 3 of 5 lost twice (p = 1.2e-6 each at the 0.5 % floor).
  const heavy = edited([3, 4], 60);
  const th = new PathTracker('198.51.100.1', { rttAbsMs: 1000 });
  const rh = feed(th, [base, off, restored, heavy, heavy]);
  assert.deepEqual(rh.map((r) => kinds(r.changes)), [[], [], [], [], ['loss']]);
  assert.equal(rh[4].changes[0].reasons[0], 'destination loss 60 % (3 of 5 probes) vs baseline 0 % (+60 points): end-to-end loss');

  const middle = edited([3]);
  const tm = new PathTracker('198.51.100.1', { rttAbsMs: 1000 });
  const rm = feed(tm, [base, off, restored, middle, middle, middle]);
  assert.deepEqual(allChanges(rm), []);
  assert.deepEqual(rm[5].assessment?.candidates.map((c) => c.kind), []);
  assert.equal(rm[5].assessment?.notes[0], 'hop 3 (10.77.24.2) shows 40 % loss but later hops do not (destination 0 %): ICMP rate limiting, not forwarding loss');
});

test('withdraw 203.0.113.0/24: !N at hop 1 is unreachable after 2 of 3, stays open (never adopted), announce brings a reachable recovery', (t) => {
  const announce = tr(t, 'announce.traceroute.txt')?.[0];
  const withdraw = tr(t, 'withdraw.traceroute.txt')?.[0];
  if (!announce || !withdraw) return;
  const tk = new PathTracker('203.0.113.1');
  const rs = feed(tk, [announce, announce, announce, withdraw, withdraw, withdraw, withdraw, withdraw, withdraw, withdraw, announce, announce]);
  assert.deepEqual(
    rs.map((r) => kinds(r.changes)),
    [[], [], [], [], ['unreachable'], [], [], [], [], [], [], ['reachable']],
  );
  const down = rs[4].changes[0];
  assert.deepEqual(down.reasons, ['destination not reached (stopped: unreachable; last answer from hop 1 192.0.2.1 answered !N); the baseline reached it in 3 of 3 traces at hop 4']);
  assert.equal(down.current.reached, false);
  assert.equal(down.baseline.hopCount, 4);
  assert.equal(rs[9].state.open?.streak, 7, 'seven unreachable traces in a row, still open');
  assert.deepEqual(rs[11].changes[0].recovers, ['unreachable']);
});

test('RIPE Atlas msm 29792007 (pantrace): a RIS beacon re-announced at 20:00 UTC; unreachable baseline (gaplimit after hop 7), then reachable at 9 then 7 hops', (t) => {
  const text = needFixtureText(t, 'pantrace/atlas.jsonl');
  if (text === undefined) return;
  const series = decodeAtlasResults(text);
  assert.equal(series.length, 14);
  // 84.205.77.0/24 is a flapping /24 of RIS's 84.205.64.0/19 beacon block (announced at
  // 20:00, withdrawn at 18:00 UTC): ten traces die in silence after hop 7, then it answers.
  assert.deepEqual(series.map((x) => (x.reached ? destHop(x) : 0)), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 7, 7, 7]);
  const tk = new PathTracker('84.205.77.1');
  const rs = series.map((x) => tk.observe(x));
  assert.deepEqual(rs.map((r) => kinds(r.changes)), [[], [], [], [], [], [], [], [], [], [], [], ['reachable'], [], []]);
  const up = rs[11].changes[0];
  assert.equal(up.recovers, undefined, 'the baseline never reached it: a new reachability, not a recovery');
  assert.deepEqual(up.reasons, [
    'destination answers at hop 7, 123.9 ms; the baseline (10 traces) did not reach it (last answer from hop 7, stopped: gaplimit)',
    'hop 6 did not answer (*) but later hops did: no time-exceeded from that router (filtered or rate limited), not forwarding loss',
  ]);
  assert.deepEqual(up.traces.map((x) => new Date(x.start).toISOString()), ['2021-04-22T20:00:26.000Z', '2021-04-22T20:05:27.000Z']);
  // The 10 -> 7 hop difference is the outage (no destination hop at all), never a hop-count change.
  assert.ok(rs.every((r) => r.assessment === null || r.assessment.candidates.every((c) => c.kind === 'reachable')), 'only reachability is a candidate');

  // Adopting after 3 traces on the new path: 20:10 makes the reachable path the baseline
  // (hops 7-9, RTT median 48.5 ms), and 20:15 is simply the path.
  const ta = new PathTracker('84.205.77.1', { adoptAfter: 3 });
  const ra = series.map((x) => ta.observe(x));
  assert.deepEqual(ra.map((r) => r.adopted), [...Array<boolean>(12).fill(false), true, false]);
  assert.deepEqual(ra[13].assessment?.candidates, []);
  assert.deepEqual(ra[13].state.baseline.map((d) => d.hopCount), [9, 7, 7, 7]);
  // ... and the beacon withdrawn again (the first traces, two hours on) is an outage.
  const again = series.slice(0, 3).map((x) => ({ ...x, start: x.start + 4 * 3600_000, end: x.end + 4 * 3600_000 }));
  const rw = again.map((x) => ta.observe(x));
  assert.deepEqual(rw.map((r) => kinds(r.changes)), [[], ['unreachable'], []]);
  assert.match(rw[1].changes[0].reasons[0], /^destination not reached \(stopped: gaplimit; last answer from hop 7 178\.208\.11\.250\); the baseline reached it in 4 of 4 traces at hop 7$/);
});

test('RIPE Atlas: the 20:05 trace lost 1 of 3 at the destination (123.9 ms); twice against the 7-9 hop baseline it is an rtt change, NOT a loss change', (t) => {
  const text = needFixtureText(t, 'pantrace/atlas.jsonl');
  if (text === undefined) return;
  const s = decodeAtlasResults(text);
  const tk = new PathTracker('84.205.77.1');
  const rs = [s[10], s[12], s[13], s[11], s[11]].map((x, i) => tk.observe(x, { id: `atlas-${i}` }));
  assert.deepEqual(rs[3].changes, [], 'one slow trace is a candidate only');
  // One lost probe of 3 is +33 points, but one probe is what 1 % real loss costs a few
  // times a day per target: under loss_min_probes (2) it is never a loss candidate.
  assert.ok(rs[3].assessment?.notes.includes('destination lost 1 of 3 probes (+33 points): fewer than 2 lost probes, not taken as loss'), `notes: ${rs[3].assessment?.notes.join(' | ')}`);
  // The same trace again: 2 of 6 over the two is unlikely at the baseline's rate, so it
  // is a loss suspect (kept out of the baseline), still no loss candidate or change.
  assert.deepEqual(kinds(rs[4].changes), ['rtt']);
  assert.deepEqual(rs[4].assessment?.candidates.map((c) => c.kind), ['rtt']);
  assert.deepEqual(rs[4].assessment?.suspects, ['loss']);
  assert.match(rs[4].changes[0].reasons[0], /^destination RTT 123\.9 ms vs baseline 48\.5 ms \(\+75\.4 ms, \+155 %\)/);
  assert.deepEqual(rs[4].changes[0].traces.map((x) => x.id), ['atlas-3', 'atlas-4']);
});

function destHop(x: Trace): number {
  return x.hops.find((h) => h.responders.some((r) => r.address === x.target && r.received > 0))?.ttl ?? 0;
}

test('a triggered confirmation trace confirms at once (N=3 of 3 otherwise); a triggered trace alone is only a candidate', (t) => {
  const [base, flap] = ['base', 'flap'].map((n) => mtr(t, n));
  if (!base || !flap) return;
  const tk = new PathTracker('198.51.100.1', { required: 3, window: 3 });
  feed(tk, [base, base, base]);
  const [alone] = feed(tk, [flap], { triggered: true });
  assert.deepEqual(alone.changes, []);
  const [conf] = feed(tk, [flap], { triggered: true });
  assert.deepEqual(kinds(conf.changes), ['ip-path', 'rtt']);
  // Only two traces were assessed since learning: 2 of the last 2.
  assert.deepEqual(conf.changes.map((c) => [c.confirmed, c.persistence.seen, c.persistence.window]), [[true, 2, 2], [true, 2, 2]]);
  assert.deepEqual(conf.changes[0].traces.map((x) => x.triggered), [true, true]);
});

test('a permanent reroute is reported once: after 5 traces on the slow path it is the baseline; going back is a new change', (t) => {
  const [base, flap] = ['base', 'flap'].map((n) => mtr(t, n));
  if (!base || !flap) return;
  const tk = new PathTracker('198.51.100.1');
  const rs = feed(tk, [base, base, base, flap, flap, flap, flap, flap, flap, flap, flap, base, base]);
  assert.deepEqual(
    rs.map((r) => kinds(r.changes).join('+')),
    ['', '', '', '', 'ip-path+rtt', '', '', '', '', '', '', '', 'ip-path+rtt'],
  );
  assert.deepEqual(rs.map((r) => r.adopted), [false, false, false, false, false, false, false, true, false, false, false, false, false]);
  const back = rs[12].changes[1];
  assert.ok((back.deltas.rttMs ?? 0) < -35, 'the way back is faster');
  assert.equal(back.baseline.rtt?.medianMs, 41.384);
  // The state is plain JSON: a tracker rebuilt from it carries on identically.
  const copy = new PathTracker('198.51.100.1', {}, JSON.parse(JSON.stringify(tk.state)) as typeof tk.state);
  for (const x of [next(flap), next(flap), next(base)]) assert.deepEqual(copy.observe(x), tk.observe(x));
});
