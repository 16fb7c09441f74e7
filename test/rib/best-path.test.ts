import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RouteAttributes } from '../../src/model/route-event.ts';
import { type Candidate, bestPath } from '../../src/rib/best-path.ts';
import { originAsns, originsOf } from '../../src/rib/origin.ts';
import { attrs, ip, peer } from './helpers.ts';

type C = Candidate & { name: string };
const c = (name: string, a: RouteAttributes, p = peer('192.0.2.1', 65001), pathId?: number): C => ({
  name,
  peer: p,
  attrs: a,
  ...(pathId !== undefined ? { pathId } : {}),
});

test('best path: each step decides when the earlier ones tie', () => {
  const P = (addr: string, asn: number, bgpId?: string) => peer(addr, asn, bgpId ? { bgpId: ip(bgpId) } : {});
  const cases: { step: string; cands: C[]; want: string; localAsn?: number }[] = [
    {
      step: 'highest local-pref (absent = 100)',
      cands: [c('lp100', attrs([1])), c('lp150', attrs([1, 2, 3], { localPref: 150 })), c('lp90', attrs([], { localPref: 90 }))],
      want: 'lp150',
    },
    { step: 'shortest AS path', cands: [c('long', attrs([1, 2, 3])), c('short', attrs([1, 2]))], want: 'short' },
    { step: 'an AS_SET counts as one', cands: [c('set', attrs([1, [2, 3, 4]])), c('seq', attrs([1, 2, 3]))], want: 'set' },
    {
      step: 'lowest origin',
      cands: [c('inc', attrs([1], { origin: 'incomplete' })), c('egp', attrs([2], { origin: 'egp' })), c('none', attrs([3], { origin: undefined }))],
      want: 'egp',
    },
    {
      step: 'lowest MED from the same neighbour AS (absent = 0)',
      cands: [c('med10', attrs([7, 1], { med: 10 })), c('med5', attrs([7, 2], { med: 5 }), P('192.0.2.9', 7))],
      want: 'med5',
    },
    {
      step: 'MED not compared across neighbour ASes: falls to router id',
      cands: [c('as8-med0', attrs([8, 1], { med: 0 }), P('192.0.2.9', 8)), c('as7-med50', attrs([7, 1], { med: 50 }), P('192.0.2.2', 7))],
      want: 'as7-med50',
    },
    {
      step: 'eBGP over iBGP when the local AS is known',
      cands: [c('ibgp', attrs([1]), P('192.0.2.1', 65000)), c('ebgp', attrs([2]), P('192.0.2.9', 65009))],
      localAsn: 65000,
      want: 'ebgp',
    },
    {
      step: 'lowest BGP identifier',
      cands: [c('id9', attrs([1]), P('192.0.2.1', 1, '10.0.0.9')), c('id2', attrs([2]), P('192.0.2.2', 2, '10.0.0.2'))],
      want: 'id2',
    },
    {
      step: 'ORIGINATOR_ID stands for the BGP identifier',
      cands: [
        c('orig1', attrs([1], { originatorId: ip('10.0.0.1') }), P('192.0.2.1', 1, '10.0.0.9')),
        c('id2', attrs([2]), P('192.0.2.2', 2, '10.0.0.2')),
      ],
      want: 'orig1',
    },
    {
      step: 'shortest cluster list',
      cands: [
        c('two', attrs([1], { originatorId: ip('10.0.0.1'), clusterList: [ip('1.1.1.1'), ip('2.2.2.2')] }), P('192.0.2.1', 1)),
        c('one', attrs([2], { originatorId: ip('10.0.0.1'), clusterList: [ip('1.1.1.1')] }), P('192.0.2.2', 1)),
      ],
      want: 'one',
    },
    {
      step: 'lowest peer address',
      cands: [c('b', attrs([1]), P('192.0.2.20', 1, '10.0.0.1')), c('a', attrs([1]), P('192.0.2.3', 1, '10.0.0.1'))],
      want: 'a',
    },
    {
      step: 'lowest path id',
      cands: [c('p7', attrs([1]), P('192.0.2.1', 1), 7), c('p3', attrs([1]), P('192.0.2.1', 1), 3)],
      want: 'p3',
    },
  ];
  for (const k of cases) {
    assert.equal(bestPath(k.cands, k.localAsn)?.name, k.want, k.step);
    assert.equal(bestPath([...k.cands].reverse(), k.localAsn)?.name, k.want, `${k.step} (order does not matter)`);
  }
  assert.equal(bestPath([]), undefined);
});

test('origin AS: last of the sequence, AS_SET members, empty path', () => {
  assert.deepEqual(originAsns([65001, 3356, 64500]), [64500]);
  assert.deepEqual(originAsns([65001, [64502, 64501, 64502]]), [64501, 64502]);
  assert.deepEqual(originAsns([65001, 64500, []]), [64500]);
  assert.deepEqual(originAsns([]), []);
  assert.deepEqual(originAsns([4200000000]), [4200000000]);
  assert.deepEqual(originsOf([[1, 2], [3, 2], [4, [5, 6]]]), [2, 5, 6]);
});
