// correlate/score: one row per rule, on the lab's ASes (65001 r1 ours, 65002 r2,
// 4200000003 r3, 65004 r4) and the prefix 198.51.100.0/24 behind r4, plus a property.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_SCORE_THRESHOLDS, type ScoreInput, scoreThresholds, scoreVerdict } from '../../src/correlate/score.ts';
import { parseAddress } from '../../src/model/address.ts';
import type { AsPath as TraceAsPath, PathChange, PathChangeKind, PathSummary } from '../../src/model/path-change.ts';
import { parsePrefix } from '../../src/model/prefix.ts';
import type { RouteChange, RouteChangeKind } from '../../src/model/route-change.ts';
import type { AsPath, RouteAttributes } from '../../src/model/route-event.ts';
import type { VerdictFinding, VerdictKind } from '../../src/model/verdict.ts';

const R3 = 4200000003;
const T = '198.51.100.10';
const AT = Date.UTC(2026, 3, 2, 4, 12, 3);
const local = [65001];

function attrs(asPath: AsPath): RouteAttributes {
  return { asPath, nextHop: parseAddress('10.0.12.2')!, communities: [], largeCommunities: [] };
}

function rc(kind: RouteChangeKind, before: AsPath | undefined, after: AsPath | undefined, o: Partial<RouteChange> = {}): RouteChange {
  return {
    kind,
    cause: kind === 'withdraw' ? 'withdraw' : 'update',
    source: 'bmp',
    router: 'r1',
    peer: { address: parseAddress('10.0.12.2')!, asn: 65002 },
    table: 'loc-rib',
    prefix: parsePrefix('198.51.100.0/24')!,
    ...(before ? { before: attrs(before) } : {}),
    ...(after ? { after: attrs(after) } : {}),
    time: AT,
    ...o,
  };
}

function summary(asPath: number[], o: Partial<Omit<PathSummary, 'rtt'>> & { rtt?: number; spread?: number } = {}): PathSummary {
  const reached = o.reached ?? true;
  const hops = o.hopCount === undefined ? (reached ? asPath.length + 1 : null) : o.hopCount;
  return {
    traces: o.traces ?? 1,
    reached,
    ipPath: asPath.map((_, i) => ({ ttl: i + 1, addresses: [`10.0.${i}.1`] })),
    asPaths: asPath.length > 0 ? [asPath.map((a) => [a]) as TraceAsPath] : [],
    hopCount: hops,
    rtt: reached ? { medianMs: o.rtt ?? 5.7, spreadMs: o.spread ?? 0.2, source: 'samples' } : null,
    lossPct: o.lossPct ?? 0,
  };
}

function pathChange(kind: PathChangeKind, baseline: PathSummary, current: PathSummary, o: Partial<PathChange> = {}): PathChange {
  return {
    target: T,
    kind,
    baseline,
    current,
    deltas: { rttMs: null, rttPct: null, hops: null, asHops: null, lossPts: null },
    reasons: [],
    traces: [{ id: 't1', start: AT + 30_000, triggered: false }],
    persistence: { seen: 2, window: 3 },
    confirmed: false,
    at: AT + 30_000,
    since: AT,
    ...o,
  };
}

const VIA_R2 = [65001, 65002, 65004];
const VIA_R3 = [65001, R3, 65004];
const base = (o: Parameters<typeof summary>[1] = {}) => summary(VIA_R2, { traces: 10, ...o });

interface Row {
  name: string;
  input: ScoreInput;
  kind: VerdictKind;
  findings?: VerdictFinding[];
  confidence?: 'low' | 'medium' | 'high';
  /** Words that must appear in the reasons. */
  says: string[];
}

const rows: Row[] = [
  {
    name: 'reroute via r3, slower and an AS longer: worse, high (persisted and BGP agrees)',
    input: {
      routeChanges: [rc('path-change', [65002, 65004], [R3, 65005, 65004])],
      baselineSummary: base(),
      currentSummary: summary([65001, R3, 65005, 65004], { rtt: 41.0 }),
      pathChange: pathChange('rtt', base(), summary([65001, R3, 65005, 65004], { rtt: 41.0 })),
      localAsns: local,
    },
    kind: 'worse',
    findings: [],
    confidence: 'high',
    says: ['BGP moved 198.51.100.0/24 from 65002 65004 to 4200000003 65005 65004 at 04:12:03Z; the path is now 35.3 ms slower (+619 %) and 1 AS longer'],
  },
  {
    name: 'reroute that is faster: better',
    input: {
      routeChanges: [rc('path-change', [R3, 65004], [65002, 65004])],
      pathChange: pathChange('rtt', summary(VIA_R3, { rtt: 41, traces: 10 }), summary(VIA_R2, { rtt: 5.7 }), { confirmed: true }),
      localAsns: local,
    },
    kind: 'better',
    confidence: 'high',
    says: ['35.3 ms faster (-86 %)'],
  },
  {
    name: 'RTT up 10 ms: under the 20 ms threshold, same',
    input: { routeChanges: [rc('path-change', [65002, 65004], [R3, 65004])], baselineSummary: base(), currentSummary: summary(VIA_R3, { rtt: 15.7 }), localAsns: local },
    kind: 'same',
    says: ['no worse (RTT, loss and hops within thresholds)'],
  },
  {
    name: 'RTT up 25 ms but inside the baseline noise: same',
    input: { routeChanges: [rc('path-change', [65002, 65004], [R3, 65004])], baselineSummary: base({ rtt: 50, spread: 10 }), currentSummary: summary(VIA_R3, { rtt: 75 }), localAsns: local },
    kind: 'same',
    says: ['no worse'],
  },
  {
    name: 'loss up 2 points: worse',
    input: { routeChanges: [rc('path-change', [65002, 65004], [R3, 65004])], baselineSummary: base(), currentSummary: summary(VIA_R3, { lossPct: 2 }), localAsns: local },
    kind: 'worse',
    says: ['end-to-end loss up 2 points'],
  },
  {
    name: 'loss up 1 point: same',
    input: { routeChanges: [rc('path-change', [65002, 65004], [R3, 65004])], baselineSummary: base(), currentSummary: summary(VIA_R3, { lossPct: 1 }), localAsns: local },
    kind: 'same',
    says: ['no worse'],
  },
  {
    name: 'two more hops: worse',
    input: { routeChanges: [rc('path-change', [65002, 65004], [R3, 65004])], baselineSummary: base(), currentSummary: summary(VIA_R3, { hopCount: 6 }), localAsns: local },
    kind: 'worse',
    says: ['2 hops longer'],
  },
  {
    name: 'prepend only, forwarding path unchanged: same, no alert',
    input: {
      routeChanges: [rc('path-change', [65002, 65004], [65002, 65004, 65004, 65004])],
      baselineSummary: base(),
      currentSummary: summary(VIA_R2),
      localAsns: local,
    },
    kind: 'same',
    findings: ['prepend-only'],
    says: ['only AS prepending changed; the forwarding path is the same, nothing to alert', 'from 65002 65004 to 65002 65004 65004 65004'],
  },
  {
    name: 'withdrawn, no trace yet: unreachable carrying the withdrawal',
    input: { routeChanges: [rc('withdraw', [65002, 65004], undefined)], target: T },
    kind: 'unreachable',
    findings: ['withdrawn'],
    confidence: 'medium',
    says: ['BGP withdrew 198.51.100.0/24 (was 65002 65004) from peer AS65002 on r1 at 04:12:03Z: no route left; no trace has checked 198.51.100.10 since'],
  },
  {
    name: 'withdrawn and the trace confirms: unreachable, high',
    input: {
      routeChanges: [rc('withdraw', [65002, 65004], undefined, { cause: 'peer-down', kind: 'withdraw' })],
      pathChange: pathChange('unreachable', base(), summary([65001], { reached: false }), { confirmed: true }),
      localAsns: local,
    },
    kind: 'unreachable',
    findings: ['withdrawn'],
    confidence: 'high',
    says: ['the BGP session went down', 'no longer answers'],
  },
  {
    name: 'withdrawn but the destination still answers: the data plane decides',
    input: { routeChanges: [rc('withdraw', [65002, 65004], undefined)], baselineSummary: base(), currentSummary: summary(VIA_R2), localAsns: local },
    kind: 'same',
    findings: ['withdrawn'],
    says: ['still answers (a covering or default route carries it)'],
  },
  {
    name: 'withdraw on one peer, failover to another: not unreachable',
    input: {
      routeChanges: [rc('withdraw', [65002, 65004], undefined), rc('new', undefined, [R3, 65004], { peer: { address: parseAddress('10.0.13.3')!, asn: R3 }, time: AT + 1000 })],
      baselineSummary: base(),
      currentSummary: summary(VIA_R3, { rtt: 41 }),
      localAsns: local,
    },
    kind: 'worse',
    says: ['BGP announced 198.51.100.0/24 via 4200000003 65004', '2 route changes joined'],
  },
  {
    name: 'congestion with no BGP change: worse, no-routing-change',
    input: { routeChanges: [], prefix: '198.51.100.0/24', pathChange: pathChange('rtt', base(), summary(VIA_R2, { rtt: 80, lossPct: 5 }), { confirmed: true }) },
    kind: 'worse',
    findings: ['no-routing-change'],
    confidence: 'high',
    says: ['the path is now 74.3 ms slower', 'no routing change was seen for 198.51.100.0/24'],
  },
  {
    name: 'unreachable with no BGP change',
    input: { routeChanges: [], prefix: '198.51.100.0/24', pathChange: pathChange('unreachable', base(), summary([65001, 65002], { reached: false }), { persistence: { seen: 1, window: 3 } }) },
    kind: 'unreachable',
    findings: ['no-routing-change'],
    confidence: 'low',
    says: ['198.51.100.10 stopped answering; the trace stops after hop 2; no routing change was seen for 198.51.100.0/24'],
  },
  {
    name: 'recovery: better',
    input: { routeChanges: [], prefix: '198.51.100.0/24', pathChange: pathChange('recovered', base(), summary(VIA_R2), { recovers: ['rtt'] }) },
    kind: 'better',
    findings: ['no-routing-change'],
    says: ['back on its baseline'],
  },
  {
    name: 'BGP says r3 but the traces still go via r2: control-data-mismatch',
    input: {
      routeChanges: [rc('path-change', [65002, 65004], [R3, 65004])],
      pathChange: pathChange('rtt', base(), summary(VIA_R2, { rtt: 41 }), { confirmed: true }),
      localAsns: local,
    },
    kind: 'worse',
    findings: ['control-data-mismatch'],
    confidence: 'medium',
    says: ['control plane and data plane disagree', 'BGP says AS 4200000003'],
  },
  {
    name: 'one trace disagreeing with BGP is not yet a finding',
    input: { routeChanges: [rc('path-change', [65002, 65004], [R3, 65004])], baselineSummary: base(), currentSummary: summary(VIA_R2), localAsns: local },
    kind: 'same',
    findings: [],
    confidence: 'low',
    says: ['one trace disagrees with BGP (not yet persistent)'],
  },
  {
    name: 'route change with no trace: same, no-trace, low',
    input: { routeChanges: [rc('path-change', [65002, 65004], [R3, 65004])], target: T },
    kind: 'same',
    findings: ['no-trace'],
    confidence: 'low',
    says: ['no trace has measured 198.51.100.10 around it yet'],
  },
  {
    name: 'single unconfirmed trace that agrees with BGP: medium',
    input: {
      routeChanges: [rc('path-change', [65002, 65004], [R3, 65004])],
      pathChange: pathChange('rtt', base(), summary(VIA_R3, { rtt: 41 }), { persistence: { seen: 1, window: 3 } }),
      localAsns: local,
    },
    kind: 'worse',
    confidence: 'medium',
    says: ['35.3 ms slower'],
  },
];

for (const r of rows) {
  test(`score: ${r.name}`, () => {
    const v = scoreVerdict(r.input);
    const ctx = `reasons: ${v.reasons.join(' | ')}; findings: ${v.findings.join(',')}; confidence ${v.confidence}`;
    assert.equal(v.kind, r.kind, ctx);
    if (r.findings) assert.deepEqual([...v.findings].sort(), [...r.findings].sort(), ctx);
    if (r.confidence) assert.equal(v.confidence, r.confidence, ctx);
    for (const w of r.says) assert.ok(v.reasons.some((x) => x.includes(w)), `reasons should include "${w}"; ${ctx}`);
    assert.deepEqual(v.routeChanges, [...r.input.routeChanges], 'the route changes are joined to the verdict');
  });
}

test('score: the verdict carries both AS paths, the deltas and the target', () => {
  const pc = pathChange('rtt', base(), summary([65001, R3, 65004], { rtt: 41 }));
  const v = scoreVerdict({ routeChanges: [rc('path-change', [65002, 65004], [R3, 65004])], pathChange: pc, localAsns: local });
  assert.equal(v.target, T);
  assert.equal(v.at, pc.at);
  assert.deepEqual(v.bgp.before, [65002, 65004]);
  assert.deepEqual(v.bgp.after, [R3, 65004]);
  assert.equal(v.bgp.prefix, '198.51.100.0/24');
  assert.equal(v.bgp.peer?.asn, 65002);
  assert.deepEqual(v.trace.beforeAs, [65001, 65002, 65004]);
  assert.deepEqual(v.trace.afterAs, [65001, R3, 65004]);
  assert.equal(v.pathChange, pc);
  assert.equal(v.deltas.asHops, 0);
  assert.ok(Math.abs((v.deltas.rttMs ?? 0) - 35.3) < 1e-9, `rttMs ${v.deltas.rttMs}`);
});

test('score: the PathChange deltas are used as given when no summaries override them', () => {
  const pc = pathChange('loss', base(), summary(VIA_R2), { deltas: { rttMs: null, rttPct: null, hops: null, asHops: null, lossPts: 7 } });
  const v = scoreVerdict({ routeChanges: [], pathChange: pc, prefix: '198.51.100.0/24' });
  assert.equal(v.kind, 'worse', v.reasons.join(' | '));
  assert.equal(v.deltas.lossPts, 7);
});

test('score: thresholds come from config and are checked', () => {
  const input = { routeChanges: [rc('path-change', [65002, 65004], [R3, 65004])], baselineSummary: base(), currentSummary: summary(VIA_R3, { rtt: 15.7 }), localAsns: local };
  assert.equal(scoreVerdict({ ...input, thresholds: { rttAbsMs: 5 } }).kind, 'worse');
  assert.deepEqual(scoreThresholds(), DEFAULT_SCORE_THRESHOLDS);
  assert.throws(() => scoreThresholds({ lossPts: -1 }), RangeError);
  assert.throws(() => scoreThresholds({ hops: Number.NaN }), RangeError);
});

test('score: a RouteChange with identical before and after and no PathChange is always same', () => {
  const asn = fc.oneof(fc.constantFrom(65001, 65002, R3, 65004), fc.integer({ min: 1, max: 4294967295 }));
  const path = fc.array(fc.oneof({ weight: 4, arbitrary: asn }, { weight: 1, arbitrary: fc.array(asn, { minLength: 1, maxLength: 3 }) }), { maxLength: 8 });
  const kind = fc.constantFrom<RouteChangeKind>('path-change', 'next-hop-change', 'attribute-change');
  fc.assert(
    fc.property(path, kind, fc.integer({ min: 0, max: 2 ** 42 }), fc.boolean(), (p, k, time, withTrace) => {
      const s = withTrace ? summary(VIA_R2) : undefined;
      const v = scoreVerdict({ routeChanges: [rc(k, p, p, { time })], baselineSummary: s, currentSummary: s, localAsns: local });
      return v.kind === 'same' && v.reasons.length > 0;
    }),
  );
});

test('backOnBaseline: a clean trace off an open change is better (a recovery not yet confirmed); the figures still win when worse', () => {
  const base = summary([65002, 65004], { traces: 5 });
  const input = { routeChanges: [rc('path-change', [R3, 65004], [65002, 65004])], baselineSummary: base, currentSummary: summary([65002, 65004]), target: T, localAsns: local };
  assert.equal(scoreVerdict({ ...input, withinNoise: true }).kind, 'same', 'without it: same');
  const v = scoreVerdict({ ...input, withinNoise: true, backOnBaseline: true });
  assert.equal(v.kind, 'better');
  assert.match(v.reasons[0], /the path is back on its baseline$/);
  assert.equal(scoreVerdict({ ...input, currentSummary: summary([65002, 65004], { rtt: 60 }), backOnBaseline: true }).kind, 'worse');
});

test('score: a loss rise pathdiff did not find significant is reported, not counted: a reroute losing 1 probe in 10 is same, 4 in 10 is worse', () => {
  const move = [rc('path-change', [65002, 65004], [R3, 65004])];
  const deltas = (lossPts: number) => ({ rttMs: 0.3, rttPct: 5, hops: 0, asHops: 0, lossPts });
  const one = pathChange('as-path', base(), summary(VIA_R3, { lossPct: 10 }), { deltas: deltas(10), loss: { lost: 1, sent: 10, significant: false } });
  const v1 = scoreVerdict({ routeChanges: move, pathChange: one, localAsns: local });
  assert.equal(v1.kind, 'same', v1.reasons.join(' | '));
  assert.equal(v1.deltas.lossPts, 10, 'the figure is still reported');
  assert.ok(v1.reasons.includes("end-to-end loss up 10 points (1 of 10 probes), too few lost probes to tell from the baseline's loss: not counted"), v1.reasons.join(' | '));
  const four = pathChange('as-path', base(), summary(VIA_R3, { lossPct: 40 }), { deltas: deltas(40), loss: { lost: 4, sent: 10, significant: true } });
  const v4 = scoreVerdict({ routeChanges: move, pathChange: four, localAsns: local });
  assert.equal(v4.kind, 'worse', v4.reasons.join(' | '));
  assert.match(v4.reasons[0], /end-to-end loss up 40 points/);
  // Figures of single traces (no PathChange): the caller says whether the loss was a candidate.
  const input = { routeChanges: move, baselineSummary: base(), currentSummary: summary(VIA_R3, { lossPct: 20 }), localAsns: local };
  assert.equal(scoreVerdict({ ...input, lossNoise: true }).kind, 'same');
  assert.equal(scoreVerdict(input).kind, 'worse');
});
