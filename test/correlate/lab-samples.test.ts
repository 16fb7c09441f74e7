// The correlator on real mtr --json outputs from the FRR lab (../shared/lab/samples): the
// baseline path r1-r2-r4, `lab.sh flap prepend` (best path moves to r1-r3-r4, slower),
// `lab.sh restore`, and `lab.sh impair r2-r4 delay` (slower with no BGP change). mtr's JSON
// has no per-probe samples, only Avg/StDev: the figures the verdicts must get right anyway.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { needLabSamplePath } from '../helpers/requirements.ts';
import { A, B, SETTLE, at, announce, attrs, harness } from './harness.ts';

test('lab samples: prepend moves the best path to the slower one (worse), restore (better), impair with no BGP change', async (t) => {
  const files = ['base.mtr.json', 'flap.mtr.json', 'restored.mtr.json', 'impair.mtr.json'].map((f) => needLabSamplePath(t, f));
  if (files.some((f) => f === undefined)) return;
  const [base, flap, restored, impair] = files.map((f) => readFileSync(f!, 'utf8'));
  const h = await harness(t, {}, [{ name: 'lab', address: '198.51.100.1' }]);
  // r3's route as a backup of equal length: r2's stays best (lower router id), nothing moves.
  h.apply(announce(B, '198.51.100.0/24', attrs([65003, 65004]), at(0, h.clock)));
  h.backend.scripts.set('198.51.100.1', { path: [], rttMs: 0, mtrJson: base });
  await h.learn();
  assert.equal(h.causes.length, 0, 'a backup route and a steady path are nothing');

  // lab.sh flap prepend: r4 prepends towards r2, so r1 prefers r3.
  h.backend.scripts.set('198.51.100.1', { path: [], rttMs: 0, mtrJson: flap });
  h.apply(announce(A, '198.51.100.0/24', attrs([65002, 65004, 65004, 65004, 65004]), at(0, h.clock)));
  await h.advance(SETTLE);
  assert.equal(h.causes.length, 1);
  const worse = h.causes[0].verdicts[0].verdict;
  assert.equal(worse.kind, 'worse', worse.reasons.join('; '));
  assert.ok(worse.deltas.rttMs !== null && Math.abs(worse.deltas.rttMs - (41.384 - 5.823)) < 0.01, `RTT delta ${worse.deltas.rttMs}`);
  assert.deepEqual(worse.bgp.before, [65002, 65004]);
  assert.deepEqual(worse.bgp.after, [65003, 65004]);
  assert.ok(!worse.findings.includes('control-data-mismatch'), 'private middle hops hide r2/r3; not a mismatch');
  assert.match(worse.reasons[0], /^BGP moved 198\.51\.100\.0\/24 from 65002 65004 to 65003 65004 at .*; the path is now 35\.6 ms slower \(\+611 %\)$/);
  assert.ok(worse.reasons.some((r) => r.includes('10.77.13.2')), `the new hop is named: ${worse.reasons.join('; ')}`);

  // lab.sh restore: back on r2, back on the baseline.
  h.backend.scripts.set('198.51.100.1', { path: [], rttMs: 0, mtrJson: restored });
  h.apply(announce(A, '198.51.100.0/24', attrs([65002, 65004]), at(0, h.clock)));
  await h.advance(SETTLE);
  assert.equal(h.causes.length, 2);
  const better = h.causes[1].verdicts[0].verdict;
  assert.equal(better.kind, 'better', better.reasons.join('; '));
  assert.equal(better.pathChange?.kind, 'recovered');

  // Quiet for longer than the look-back, then lab.sh impair r2-r4 delay: slower, no BGP change.
  for (let i = 0; i < 11; i++) await h.advance(60_000);
  assert.equal(h.causes.length, 2, 'nothing while quiet');
  h.backend.scripts.set('198.51.100.1', { path: [], rttMs: 0, mtrJson: impair });
  await h.advance(60_000);
  await h.advance(60_000);
  assert.equal(h.causes.length, 3);
  const congested = h.causes[2].verdicts[0].verdict;
  assert.equal(h.causes[2].kind, 'path-change');
  assert.equal(congested.kind, 'worse');
  assert.deepEqual(congested.findings, ['no-routing-change']);
  assert.match(congested.reasons[0], /^the path is now 40\.2 ms slower \(\+708 %\); no routing change was seen for 198\.51\.100\.0\/24/);
});
