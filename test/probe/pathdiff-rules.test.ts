// probe/pathdiff rules on small synthetic traces (each rule is also shown on real
// outputs in pathdiff.test.ts), the persistence table, and properties.
//
// A path is written like traceroute reads: "a b|c * T" = hop 1 a, hop 2 b and c (ECMP
// inside one trace), hop 3 silent, hop 4 the target T. Addresses are plain labels:
// pathdiff compares strings and never parses them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Hop, Trace } from '../../src/model/trace.ts';
import type { PathChange } from '../../src/model/path-change.ts';
import { buildBaseline, digestTrace } from '../../src/probe/baseline.ts';
import { binomialTail } from '../../src/probe/path-diff-rules.ts';
import { type ObserveOptions, type ObserveResult, PathTracker, initialPathState, observePath, pathDiffConfig } from '../../src/probe/pathdiff.ts';

const T = 'T';
let clock = Date.UTC(2026, 0, 1);

interface Spec {
  /** Destination RTT samples (default [10, 10, 10]). */
  rtt?: number[];
  /** Answers per TTL out of `sent` (default all). */
  got?: Record<number, number>;
  sent?: number;
  stopReason?: string;
}

function mk(path: string, o: Spec = {}): Trace {
  const sent = o.sent ?? 3;
  const hops: Hop[] = path.split(' ').map((tok, i) => {
    const ttl = i + 1;
    const got = o.got?.[ttl] ?? sent;
    if (tok === '*') return { ttl, sent, responders: [], received: 0 };
    const addrs = tok.split('|');
    return {
      ttl,
      sent,
      received: got,
      responders: addrs.map((a, j) => {
        const n = Math.floor(got / addrs.length) + (j < got % addrs.length ? 1 : 0);
        const rtts = a === T ? (o.rtt ?? [10, 10, 10]).slice(0, Math.max(1, n)) : Array<number>(n).fill(ttl);
        return { address: a, rtts: n > 0 ? rtts : [], received: n };
      }),
    };
  });
  const reached = hops.some((h) => h.responders.some((r) => r.address === T && r.received > 0));
  clock += 300_000;
  return { target: T, backend: 'scamper', method: 'icmp-paris', start: clock, end: clock + 1000, reached, stopReason: o.stopReason ?? (reached ? 'completed' : 'gaplimit'), hops };
}

const kinds = (cs: readonly PathChange[]) => cs.map((c) => c.kind);
function run(tk: PathTracker, traces: readonly Trace[], opts: ObserveOptions = {}): ObserveResult[] {
  return traces.map((x) => tk.observe(x, opts));
}
const BASE = 'a b c T';
const learnt = (cfg = {}, path = BASE, o: Spec = {}) => {
  const tk = new PathTracker(T, cfg);
  run(tk, [mk(path, o), mk(path, o), mk(path, o)]);
  return tk;
};

// ---------------------------------------------------------------- persistence

// x: a deviating trace (hop 2 z), .: baseline, X: deviating and triggered, t: clean and triggered.
const TABLE: [string, number, number, string][] = [
  // pattern, N, M, what each trace reports ('' none, 'C' change, 'c' confirmed change, 'R' recovery)
  ['x', 2, 3, ''],
  ['x..', 2, 3, '...'],
  ['xx', 2, 3, '.C'],
  ['x.x', 2, 3, '..C'],
  ['x..x', 2, 3, '....'],
  ['xx.', 2, 3, '.C.'],
  ['xx..', 2, 3, '.C.R'],
  ['xxx', 3, 3, '..C'],
  ['xx.', 3, 3, '...'],
  ['xX', 3, 3, '.c'],
  ['X', 3, 3, '.'],
  ['.X', 3, 3, '..'],
  ['x..X', 3, 3, '....'],
  ['x', 1, 1, 'C'],
  ['x.x.x', 3, 5, '....C'],
  ['xxx.t', 3, 3, '..C.R'],
  // After a recovery the old candidates are spent: one new x does not reopen it.
  ['xx..x', 2, 5, '.C.R.'],
  ['xx..xx', 2, 5, '.C.R.C'],
];

test('persistence: N of the last M traces, a triggered trace confirms an earlier candidate at once, recovery the same way', () => {
  for (const [pattern, required, window, want] of TABLE) {
    const tk = learnt({ required, window });
    const got = [...pattern]
      .map((ch) => {
        const r = tk.observe(mk(ch.toLowerCase() === 'x' ? 'a z c T' : BASE), { triggered: ch === 'X' || ch === 't' });
        if (r.changes.length === 0) return '.';
        if (r.changes[0].kind === 'recovered') return 'R';
        return r.changes[0].confirmed ? 'c' : 'C';
      })
      .join('');
    assert.equal(got, want.padEnd(pattern.length, '.'), `${pattern} with N=${required} M=${window}`);
  }
});

test('a change carries its traces, persistence and times; the recovery lists what cleared', () => {
  const tk = learnt();
  const [, r1, r2] = run(tk, [mk(BASE), mk('a z c T'), mk('a z c T')]);
  assert.deepEqual(r1.changes, []);
  const c = r2.changes[0];
  assert.deepEqual([c.kind, c.persistence, c.confirmed, c.traces.length, c.since < c.at], ['ip-path', { seen: 2, window: 3 }, false, 2, true]);
  assert.deepEqual(c.reasons, ["hop 2: z, not in the baseline's b (4 traces)"], 'the clean trace joined the baseline');
  const [, back] = run(tk, [mk(BASE), mk(BASE)]);
  assert.deepEqual([back.changes[0].kind, back.changes[0].recovers], ['recovered', ['ip-path']]);
});

// ---------------------------------------------------------------- IP path

test('`*` is a wildcard on either side; an ECMP set member is no change; an address outside the set is', () => {
  const silent = learnt({}, 'a * c T');
  assert.deepEqual(silent.observe(mk('a z c T')).assessment?.candidates, []);
  assert.deepEqual(learnt().observe(mk('a * c T')).assessment?.candidates, []);

  const tk = new PathTracker(T);
  run(tk, [mk('a b c T'), mk('a d c T'), mk('a b c T')]);
  assert.deepEqual(tk.observe(mk('a d c T')).assessment?.candidates, []);
  assert.deepEqual(tk.observe(mk('a e c T')).assessment?.candidates, [{ kind: 'ip-path', reasons: ["hop 2: e, not in the baseline's {b, d} (4 traces)"] }]);
  const both = tk.observe(mk('a b|e c T')).assessment;
  assert.deepEqual(both?.candidates, []);
  assert.deepEqual(both?.notes, ['hop 2: e answered alongside baseline b in the same trace: ECMP, not a path change']);
});

test('a candidate that never persisted joins the baseline when it leaves the window (a rare ECMP branch is learnt)', () => {
  const tk = learnt();
  run(tk, [mk('a e c T'), mk(BASE), mk(BASE)]);
  assert.deepEqual(tk.state.baseline.map((d) => d.hops[1].addresses[0]), ['b', 'b', 'b', 'b', 'b']);
  tk.observe(mk(BASE)); // 'a e c T' leaves the 3-trace window
  assert.ok(tk.state.baseline.some((d) => d.hops[1].addresses[0] === 'e'), 'e learnt');
  assert.deepEqual(tk.observe(mk('a e c T')).assessment?.candidates, []);
});

// ---------------------------------------------------------------- AS path

test('AS path: collapsed, unknown/private/IXP hops skipped, ECMP hop is a set; a different transit AS is a candidate', () => {
  const AS: Record<string, number | null> = { a: 1, b: null, c: 2, c2: 2, e: 5, x: 3, T: 3 };
  const asOf = (addr: string) => AS[addr];
  assert.deepEqual(digestTrace(mk('a b c c2 * x T'), 'id', asOf).asPath, [[1], [2], [3]]);
  assert.deepEqual(digestTrace(mk('a c|e x T'), 'id', asOf).asPath, [[1], [2, 5], [3]]);
  assert.deepEqual(digestTrace(mk('a zz c T'), 'id', asOf).asPath, [[1], [2], [3]], 'an unlooked-up address (undefined) is skipped too');

  const tk = new PathTracker(T);
  run(tk, [mk('a b c T'), mk('a b c T'), mk('a b c T')], { asOf });
  const r = tk.observe(mk('a b e T'), { asOf }).assessment;
  assert.deepEqual(r?.candidates.map((c) => [c.kind, c.reasons]), [
    ['ip-path', ["hop 3: e, not in the baseline's c (3 traces)"]],
    ['as-path', ['AS path 1 5 3 vs baseline 1 2 3']],
  ]);
  assert.equal(r?.deltas.asHops, 0);
  assert.deepEqual(tk.observe(mk('a b c|e T'), { asOf }).assessment?.candidates, [], 'ECMP {2 5} overlaps 2');
  // A private hop changing address is an IP change only.
  const priv = tk.observe(mk('a b2 c T'), { asOf: (x) => (x === 'b2' ? null : AS[x]) }).assessment;
  assert.deepEqual(priv?.candidates.map((c) => c.kind), ['ip-path']);
});

// ---------------------------------------------------------------- hop count, RTT, loss

test('hop count: one more hop is not a hop-count change (it is an IP change at that TTL); two more is', () => {
  const tk = learnt();
  assert.deepEqual(tk.observe(mk('a b c d T')).assessment?.candidates.map((c) => c.kind), ['ip-path']);
  const two = tk.observe(mk('a b c d e T')).assessment;
  assert.deepEqual(two?.candidates.map((c) => c.kind), ['ip-path', 'hop-count']);
  assert.deepEqual(two?.candidates[1].reasons, ['destination at hop 6 vs baseline hop 4 (+2 hops)']);
});

test('RTT needs the absolute AND the relative threshold AND to exceed the baseline noise; faster counts too', () => {
  const rows: [number[], number[][], number, boolean][] = [
    // current samples, baseline traces' samples, (unused), rtt candidate?
    [[65, 65, 65], [[50, 50, 50]], 0, false], // +15 ms < 20 ms
    [[225, 225, 225], [[200, 200, 200]], 0, false], // +25 ms = +12.5 % < 20 %
    [[75, 75, 75], [[40, 50, 60], [35, 50, 65], [45, 50, 55]], 0, false], // +25 ms, +50 %, but spread 14.8 x 3 = 44
    [[90, 90, 90], [[50, 50, 50]], 0, true], // +40 ms, +80 %
    [[60, 60, 60], [[100, 100, 100]], 0, true], // -40 ms, -40 %
  ];
  for (const [cur, baseTraces, , want] of rows) {
    const tk = new PathTracker(T);
    for (let i = 0; i < 3; i++) tk.observe(mk(BASE, { rtt: baseTraces[i % baseTraces.length] }));
    const a = tk.observe(mk(BASE, { rtt: cur })).assessment;
    assert.equal(a?.candidates.some((c) => c.kind === 'rtt'), want, `${cur[0]} vs ${baseTraces.map((b) => b.join('/')).join(' ')}`);
  }
  const tk = new PathTracker(T);
  run(tk, [mk(BASE, { rtt: [50, 50, 50] }), mk(BASE, { rtt: [50, 50, 50] }), mk(BASE, { rtt: [50, 50, 50] })]);
  assert.deepEqual(tk.observe(mk(BASE, { rtt: [90, 91, 89] })).assessment?.candidates[0].reasons, [
    "destination RTT 90.0 ms vs baseline 50.0 ms (+40.0 ms, +80 %), beyond the baseline's spread of 0.0 ms",
  ]);
});

test('loss: only end to end; a middle hop losing more than the end is rate limiting; a loss fall is no change', () => {
  const tk = learnt({}, BASE, { sent: 10 });
  const rl = tk.observe(mk(BASE, { sent: 10, got: { 2: 3 } })).assessment;
  assert.deepEqual(rl?.candidates, []);
  assert.deepEqual(rl?.notes, ['hop 2 (b) shows 70 % loss but later hops do not (destination 0 %): ICMP rate limiting, not forwarding loss']);
  // Hop 2 loses 70 %, hop 3 30 %, the destination 30 %: only the 30 % is forwarding loss.
  const fw = tk.observe(mk(BASE, { sent: 10, got: { 2: 3, 3: 7, 4: 7 } })).assessment;
  assert.deepEqual(fw?.candidates.map((c) => c.reasons[0]), ['destination loss 30 % (3 of 10 probes) vs baseline 0 % (+30 points): end-to-end loss']);
  assert.deepEqual(fw?.notes, ['hop 2 (b) shows 70 % loss but later hops do not (destination 30 %): ICMP rate limiting, not forwarding loss']);
  assert.equal(fw?.deltas.lossPts, 30);

  const lossy = learnt({}, BASE, { sent: 10, got: { 4: 8 } });
  assert.deepEqual(lossy.observe(mk(BASE, { sent: 10 })).assessment?.candidates, [], 'loss falling from 20 % to 0 % is no change');
  // One probe in 10 (10 points) is over the 2-point threshold but under loss_min_probes: a note, not a candidate.
  const one = learnt({}, BASE, { sent: 10 });
  const [c1, c2, c3] = run(one, [mk(BASE, { sent: 10, got: { 4: 9 } }), mk(BASE, { sent: 10 }), mk(BASE, { sent: 10 })]);
  assert.deepEqual([c1.assessment?.candidates.map((c) => c.kind), c1.changes, c2.changes, c3.changes], [[], [], [], []]);
  assert.deepEqual(c1.assessment?.notes, ['destination lost 1 of 10 probes (+10 points): fewer than 2 lost probes, not taken as loss']);
  // With loss_min_probes 1 it is still no candidate: 1 of 10 at the 0.5 % floor is 4.9 % likely, over loss_p 0.01.
  const [p1] = run(learnt({ lossMinProbes: 1 }, BASE, { sent: 10 }), [mk(BASE, { sent: 10, got: { 4: 9 } })]);
  assert.deepEqual(p1.assessment?.candidates, []);
  assert.deepEqual(p1.assessment?.notes, ["destination lost 1 of 10 probes (+10 points): 0.049 likely at the baseline's 1 % loss rate (threshold 0.01), not taken as loss"]);
  // A lossy baseline (20 % pooled) makes 3 of 10 lost unremarkable (p = 0.32) although it is +10 points.
  const [p2] = run(learnt({}, BASE, { sent: 10, got: { 4: 8 } }), [mk(BASE, { sent: 10, got: { 4: 7 } })]);
  assert.deepEqual(p2.assessment?.candidates, []);
  assert.match(p2.assessment?.notes[0] ?? '', /^destination lost 3 of 10 probes \(\+10 points\): 0\.32 likely at the baseline's 20 % loss rate/, 'lossy baseline note');
});

test('binomialTail: exact values and edges', () => {
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12 * Math.max(1, b), `${a} ~ ${b}`);
  close(binomialTail(2, 5, 0.005), 1 - 0.995 ** 5 - 5 * 0.005 * 0.995 ** 4);
  close(binomialTail(1, 3, 0.5), 7 / 8);
  close(binomialTail(3, 3, 0.5), 1 / 8);
  assert.equal(binomialTail(0, 5, 0.1), 1);
  assert.equal(binomialTail(6, 5, 0.1), 0);
  assert.equal(binomialTail(1, 5, 0), 0);
  assert.equal(binomialTail(1, 5, 1), 1);
  assert.ok(binomialTail(600, 10_000, 0.05) > 1e-6 && binomialTail(600, 10_000, 0.05) < 1e-5, 'large n (4.6 sigma over the mean) does not underflow');
});

test('property: baseline loss 0 and at most one lost probe per trace never yields a loss change (mtr 5, scamper 2-3, any window)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 10 }),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 20 }),
      (sent, losses, window, lossPts) => {
        const tk = learnt({ window, required: Math.min(2, window), lossPts }, BASE, { sent });
        for (const lose of losses) {
          const r = tk.observe(mk(BASE, { sent, got: lose ? { 4: sent - 1 } : {} }));
          if (r.changes.some((c) => c.kind === 'loss') || r.assessment?.candidates.some((c) => c.kind === 'loss')) return false;
        }
        return true;
      },
    ),
    { numRuns: 300 },
  );
});

test('unreached both ways: the last answering hop loss counts; reachability disagreement is the only candidate', () => {
  const tk = learnt({}, 'a b', { stopReason: 'gaplimit' });
  const a = tk.observe(mk('a b', { got: { 2: 1 }, stopReason: 'gaplimit' })).assessment;
  assert.deepEqual(a?.candidates.map((c) => c.reasons[0]), ['last answering hop 2 loss 67 % (2 of 3 probes) vs baseline 0 % (+67 points): end-to-end loss']);
  const up = tk.observe(mk('a z q T')).assessment;
  assert.deepEqual(up?.candidates.map((c) => c.kind), ['reachable'], 'not also ip-path');
  const down = learnt().observe(mk('a z', { stopReason: 'unreachable' })).assessment;
  assert.deepEqual(down?.candidates.map((c) => c.kind), ['unreachable']);
});

test('a trace that stopped on its max TTL short of the destination is not an outage; a failed trace is ignored', () => {
  const tk = learnt();
  const short = tk.observe(mk('a b', { stopReason: 'hoplimit' })).assessment;
  assert.deepEqual(short?.candidates, []);
  const before = tk.state;
  const err = tk.observe(mk('a', { stopReason: 'error' }));
  assert.equal(err.assessment, null);
  assert.equal(tk.state, before);
});

test('config is validated; a trace to another target is refused', () => {
  assert.throws(() => pathDiffConfig({ required: 4, window: 3 }), /required \(4\) exceeds window \(3\)/);
  assert.throws(() => pathDiffConfig({ adoptAfter: 2 }), /adoptAfter must be an integer >= 3/);
  assert.throws(() => pathDiffConfig({ rttAbsMs: -1 }), /rttAbsMs must be >= 0/);
  assert.throws(() => pathDiffConfig({ window: 0 }), /window must be an integer >= 1/);
  assert.deepEqual(pathDiffConfig(), { window: 3, required: 2, baselineLength: 10, baselineMin: 3, adoptAfter: 5, rttAbsMs: 20, rttPct: 20, rttNoiseK: 3, lossPts: 2, lossMinProbes: 2, lossP: 0.01, hops: 2 });
  assert.throws(() => pathDiffConfig({ lossP: 0 }), /lossP must be in \(0, 1\]/);
  assert.throws(() => pathDiffConfig({ lossMinProbes: 0 }), /lossMinProbes must be an integer >= 1/);
  assert.throws(() => observePath(initialPathState('U'), mk(BASE)), /trace to T given to the tracker of U/);
  assert.throws(() => new PathTracker('U', {}, initialPathState(T)), /state of T given to the tracker of U/);
});

// ---------------------------------------------------------------- properties

const hopTok = fc.oneof(
  fc.constant('*'),
  fc.constantFrom('a', 'b', 'c', 'd', 'e'),
  fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 2, maxLength: 3 }).map((xs) => xs.join('|')),
);

test('property: a run of identical traces never yields a change (any path shape, loss, RTT, window)', () => {
  fc.assert(
    fc.property(
      fc.array(hopTok, { minLength: 0, maxLength: 6 }),
      fc.boolean(),
      fc.array(fc.double({ min: 0.01, max: 500, noNaN: true }), { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 1, max: 30 }),
      fc.integer({ min: 1, max: 4 }),
      (hops, reached, rtt, lost, count, window) => {
        const path = [...hops, ...(reached ? [T] : [])].join(' ') || 'a';
        const tk = new PathTracker(T, { window, required: Math.min(2, window) });
        for (let i = 0; i < count; i++) {
          const r = tk.observe(mk(path, { rtt, got: { [path.split(' ').length]: 3 - lost } }), { asOf: (x) => x.charCodeAt(0) });
          if (r.changes.length > 0) return false;
        }
        return true;
      },
    ),
    { numRuns: 300 },
  );
});

test('property: destination RTT within the baseline spread never yields an rtt candidate', () => {
  fc.assert(
    fc.property(
      fc.double({ min: 0.5, max: 400, noNaN: true }),
      fc.array(fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 1, maxLength: 5 }), { minLength: 3, maxLength: 10 }),
      fc.double({ min: -1, max: 1, noNaN: true }),
      (m, noise, f) => {
        const tk = new PathTracker(T);
        for (const n of noise) tk.observe(mk(BASE, { rtt: n.map((v) => Math.max(0.01, m + v)) }));
        const b = buildBaseline(tk.state.baseline);
        if (!b.rtt) return false;
        const r = Math.max(0.01, b.rtt.medianMs + f * b.rtt.spreadMs);
        const a = tk.observe(mk(BASE, { rtt: [r] })).assessment;
        return a !== null && !a.candidates.some((c) => c.kind === 'rtt');
      },
    ),
    { numRuns: 500 },
  );
});

test('property: one deviating trace among stable ones never becomes a change (N=2 of M=3)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }), (before, after) => {
      const tk = learnt();
      const seq = [...Array<string>(before).fill(BASE), 'a z c T', ...Array<string>(after).fill(BASE)];
      return seq.every((p) => tk.observe(mk(p, { rtt: p === BASE ? [10, 10, 10] : [90, 90, 90] })).changes.length === 0);
    }),
    { numRuns: 100 },
  );
});

test('the state is plain JSON: a tracker restored from it gives the same answers', () => {
  const a = learnt();
  const traces = [mk('a z c T'), mk('a z c T', { rtt: [80, 80, 80] }), mk(BASE), mk('a z c T'), mk(BASE), mk(BASE)];
  for (const x of traces) {
    const b = new PathTracker(T, {}, JSON.parse(JSON.stringify(a.state)) as typeof a.state);
    assert.deepEqual(b.observe(x), a.observe(x));
  }
  const kindsSeen = kinds(run(learnt(), traces).flatMap((r) => r.changes));
  assert.deepEqual(kindsSeen, ['ip-path', 'recovered']);
});

// ---------------------------------------------------------------- sustained loss, pooled

/** Traces of BASE with 5 probes, `lost` of them lost at the destination. */
const lossy = (lost: readonly number[]) => lost.map((n) => mk(BASE, { sent: 5, got: n > 0 ? { 4: 5 - n } : {} }));

test('sustained loss that a trace alone often under-shows is reported; the baseline does not learn it one 1-of-5 trace at a time', () => {
  // Lost probes per 5-probe mtr trace seen in a CI run with netem 30 % loss each way on
  // r2-r4 (43 % of the probes here). Judged trace by trace, the 1-of-5 traces joined the
  // baseline and the un-persisted 3-of-5 ones followed them out of the window, so the
  // baseline's loss rate climbed with the loss and 31 traces made no change.
  const seenInCi = [3, 1, 1, 4, 2, 3, 1, 3, 2, 2, 2, 1, 3, 1, 3, 2, 2, 2, 3, 3, 3, 0, 3, 4, 3, 1, 3, 0, 2, 3, 1];
  const tk = learnt({}, BASE, { sent: 5 });
  // Ten clean traces: a baseline of 50 probes, none lost.
  run(tk, lossy(Array<number>(7).fill(0)));
  const rs = run(tk, lossy(seenInCi));
  const at = rs.findIndex((r) => r.changes.some((c) => c.kind === 'loss'));
  assert.ok(at >= 0 && at <= 5, `a loss change within 6 traces, got ${at}`);
  const change = rs[at].changes.find((c) => c.kind === 'loss')!;
  // Pooled over the change's traces (4 and 2 of 5 here), not the last trace's alone.
  assert.equal(change.deltas.lossPts, 60);
  assert.equal(change.current.lossPct, 60);
  assert.equal(change.baseline.lossPct, 0);
  // Until then the baseline learnt no loss: the 1-of-5 traces were suspects, held back.
  assert.equal(rs[at - 1].state.baseline.reduce((n, d) => n + d.terminalSent - d.terminalReceived, 0), 0, 'no lost probe in the baseline before the change');
  assert.deepEqual(rs[1].assessment?.suspects, ['loss'], 'the first 1-of-5 trace after a 3-of-5 one is a suspect');
  assert.match(rs[1].assessment?.notes.at(-1) ?? '', /^destination lost 1 of 5 probes \(\+20 points\): with the 2 traces before, 4 of 15 probes \(27 %\), .* likely at the baseline's 1 % loss rate: loss suspected, not yet a candidate$/);
  // The loss goes on: no recovery while it lasts (1-of-5 traces keep it open), and it is
  // never adopted as the baseline (its end would go unreported).
  const after = rs.slice(at + 1).flatMap((r) => r.changes.map((c) => c.kind));
  assert.deepEqual(after, [], 'no recovery during the loss');
  assert.ok(rs.every((r) => !r.adopted), 'lossy traces never become the baseline');
  assert.ok(rs.at(-1)!.state.open?.kinds.some((k) => k.kind === 'loss'), 'loss still open after 31 traces');
  // It ends: two clean traces are the recovery.
  const back = run(tk, lossy([0, 0]));
  assert.deepEqual(back.map((r) => kinds(r.changes)), [[], ['recovered']]);
  assert.deepEqual(back[1].changes[0].recovers, ['loss']);
});

test('an open loss change: 1-of-5 traces in the loss are not a recovery; two clean traces are', () => {
  const tk = learnt({ adoptAfter: 50 }, BASE, { sent: 5 });
  run(tk, lossy(Array<number>(7).fill(0)));
  const onset = run(tk, lossy([3, 3]));
  assert.deepEqual(kinds(onset[1].changes), ['loss']);
  const during = run(tk, lossy([1, 1, 2, 1, 1, 2, 1]));
  assert.deepEqual(during.flatMap((r) => kinds(r.changes)), [], 'still open');
  assert.ok(during.every((r) => r.state.open?.kinds.some((k) => k.kind === 'loss')), 'loss stays open');
  // Old behaviour: the two 1-of-5 traces were "clean" and recovered it (then it reopened).
  const back = run(tk, lossy([0, 0]));
  assert.deepEqual(kinds(back[1].changes), ['recovered']);
  assert.equal(back[1].changes[0].deltas.lossPts, 0);
  // The traces of the loss never joined the baseline.
  assert.equal(back[1].state.baseline.reduce((n, d) => n + d.terminalSent - d.terminalReceived, 0), 0);
});

test('a path change carries loss pooled over its traces: an rtt change on traces losing 3 and 0 of 5 says +30 points', () => {
  const tk = learnt({}, BASE, { sent: 5 });
  run(tk, lossy(Array<number>(7).fill(0)));
  const slow = (n: number) => mk(BASE, { sent: 5, rtt: [60, 60, 60, 60, 60], got: n > 0 ? { 4: 5 - n } : {} });
  const rs = run(tk, [slow(3), slow(0)]);
  const c = rs[1].changes.find((x) => x.kind === 'rtt');
  assert.ok(c, `an rtt change: ${JSON.stringify(rs.map((r) => kinds(r.changes)))}`);
  assert.equal(c.deltas.lossPts, 30, 'pooled: 3 of 10 probes');
  assert.equal(c.current.lossPct, 30);
  assert.deepEqual(c.loss, { lost: 3, sent: 10, significant: true });
  // One lost probe in ten: +10 points, not significant (under loss_min_probes).
  const tk2 = learnt({}, BASE, { sent: 5 });
  run(tk2, lossy(Array<number>(7).fill(0)));
  const c2 = run(tk2, [slow(1), slow(0)])[1].changes.find((x) => x.kind === 'rtt');
  assert.deepEqual([c2?.deltas.lossPts, c2?.loss], [10, { lost: 1, sent: 10, significant: false }]);
});

test('an isolated 1-of-5 trace in a clean run is neither a candidate nor a suspect, and the baseline learns it', () => {
  const tk = learnt({}, BASE, { sent: 5 });
  run(tk, lossy(Array<number>(7).fill(0)));
  const [r] = run(tk, lossy([1]));
  assert.deepEqual([r.assessment?.candidates, r.assessment?.suspects], [[], []]);
  assert.equal(r.state.baseline.at(-1)?.terminalReceived, 4, 'learnt with its loss');
});

test('a lossy reroute is not adopted while the loss lasts; when the loss ends it recovers, then the slow path is adopted without it', () => {
  const tk = learnt({}, BASE, { sent: 5 });
  run(tk, lossy(Array<number>(7).fill(0)));
  const slow = (n: number) => mk(BASE, { sent: 5, rtt: [60, 60, 60, 60, 60], got: n > 0 ? { 4: 5 - n } : {} });
  const onset = run(tk, [slow(3), slow(2)]);
  assert.deepEqual(kinds(onset[1].changes).sort(), ['loss', 'rtt']);
  const lossy8 = run(tk, [3, 2, 4, 3, 2, 3, 2, 3].map(slow));
  assert.ok(lossy8.every((r) => !r.adopted), 'not adopted while loss is open');
  const ended = run(tk, [0, 0].map(slow));
  assert.deepEqual(ended[1].changes.map((c) => [c.kind, c.recovers]), [['recovered', ['loss']]]);
  assert.match(ended[1].changes[0].reasons[0], /still open: rtt/);
  // The slow, now clean, path holds for adoptAfter (5) traces counted from the recovery: it becomes the baseline, lossless.
  const held = run(tk, [0, 0, 0, 0].map(slow));
  assert.deepEqual(held.map((r) => r.adopted), [false, false, false, true]);
  assert.equal(held[3].state.baseline.reduce((n, d) => n + d.terminalSent - d.terminalReceived, 0), 0, 'no lossy trace in the adopted baseline');
});
