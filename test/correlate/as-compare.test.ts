// correlate/as-compare: the trace's AS sequence vs the BGP AS path, one row per rule.
// Lab ASes: 65001 r1 (ours, where traces start), 65002 r2, 4200000003 r3, 65004 r4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type TraceAsHop, collapseBgpPath, compareAsPaths } from '../../src/correlate/as-compare.ts';
import type { AsPath } from '../../src/model/route-event.ts';

const R3 = 4200000003;
const local = [65001];

interface Row {
  name: string;
  trace: TraceAsHop[];
  bgp: AsPath;
  reached?: boolean;
  match: boolean;
  /** A word that must appear in the explanation. */
  says: string;
}

const rows: Row[] = [
  { name: 'same path, own AS first', trace: [65001, 65002, 65002, 65004], bgp: [65002, 65004], reached: true, match: true, says: 'own AS 65001 (expected)' },
  { name: 'prepends collapsed', trace: [65001, 65002, 65004], bgp: [65002, 65002, 65002, 65004], reached: true, match: true, says: 'follows the BGP path 65002 65004' },
  { name: 'private hop skipped', trace: [65001, 'private', 65002, 65004], bgp: [65002, 65004], reached: true, match: true, says: 'private address space' },
  { name: 'silent hop skipped', trace: [65001, 65002, 'silent', 65004], bgp: [65002, 65004], reached: true, match: true, says: 'did not answer' },
  { name: 'IXP hop skipped', trace: [65001, { ixp: 'LAB-IX' }, R3, 65004], bgp: [R3, 65004], reached: true, match: true, says: 'IXP peering LAN LAB-IX' },
  { name: 'unannounced (null) hop skipped', trace: [65001, null, 65002, 65004], bgp: [65002, 65004], reached: true, match: true, says: 'no route covers' },
  { name: 'BGP AS hidden behind private hops', trace: [65001, 65002, 'private', 65004], bgp: [65002, R3, 65004], reached: true, match: true, says: `AS ${R3} on the BGP path was not seen` },
  { name: 'AS_SET origin, one member seen', trace: [65001, 65002, 65004], bgp: [65002, [65004, 65005]], reached: true, match: true, says: 'follows' },
  { name: 'AS_SET origin, two members seen', trace: [65001, 65002, 65005, 65004], bgp: [65002, [65004, 65005]], reached: true, match: true, says: 'follows' },
  { name: 'stopped before origin, destination silent', trace: [65001, 65002, 'silent', 'silent'], bgp: [65002, 65004], reached: false, match: true, says: 'not a mismatch by itself' },
  { name: 'stopped before origin, unreached, no gap', trace: [65001, 65002], bgp: [65002, 65004], reached: false, match: true, says: 'the destination did not answer' },
  { name: 'reached but ends before the origin', trace: [65001, 65002], bgp: [65002, 65004], reached: true, match: false, says: 'goes on through AS 65004' },
  { name: 'trace via r3, BGP via r2', trace: [65001, R3, 65004], bgp: [65002, 65004], reached: true, match: false, says: 'but BGP says AS 65002' },
  { name: 'peer AS hidden: its hop answered from our link space', trace: [65001, 65001, 65004], bgp: [65002, 65004], reached: true, match: true, says: 'first hops answered from the next AS' },
  { name: 'middle AS differs', trace: [65001, 65002, R3, 65004], bgp: [65002, 65004], reached: true, match: false, says: `goes to AS ${R3}, but BGP says AS 65004` },
  { name: 'BGP AS skipped without a gap', trace: [65001, 65002, 65004], bgp: [65002, R3, 65004], reached: true, match: false, says: `BGP says ${R3} lies between` },
  { name: 'trace goes past the origin', trace: [65001, 65002, 65004, 65009], bgp: [65002, 65004], reached: true, match: false, says: 'past the BGP origin' },
  { name: 'empty BGP path (ours) but the trace leaves', trace: [65001, 65002], bgp: [], reached: true, match: false, says: 'empty AS path' },
  { name: 'only our own AS', trace: [65001, 'private'], bgp: [65002, 65004], reached: false, match: true, says: 'nothing to compare' },
  { name: 'ECMP element overlapping', trace: [65001, [65002, R3], 65004], bgp: [65002, 65004], reached: true, match: true, says: 'follows' },
];

for (const r of rows) {
  test(`as-compare: ${r.name}`, () => {
    const c = compareAsPaths({ trace: r.trace, bgp: r.bgp, localAsns: local, reached: r.reached });
    assert.equal(c.match, r.match, c.explanation.join(' | '));
    assert.ok(c.explanation.some((e) => e.includes(r.says)), `explanation should say "${r.says}": ${c.explanation.join(' | ')}`);
  });
}

test('as-compare: without localAsns, our own AS at the start is a mismatch', () => {
  const c = compareAsPaths({ trace: [65001, 65002, 65004], bgp: [65002, 65004], reached: true });
  assert.equal(c.match, false, c.explanation.join(' | '));
});

test('as-compare: collapseBgpPath collapses prepends, keeps sets, drops empty sets', () => {
  assert.deepEqual(collapseBgpPath([65002, 65002, R3, R3, 65004, [65005, 65004], []]), [[65002], [R3], [65004], [65004, 65005]]);
});
