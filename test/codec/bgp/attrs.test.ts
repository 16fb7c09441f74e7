// Path attributes: every type decoded from hand-built bytes, AS4 merge, round trips.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writer } from '../../../src/codec/cursor.ts';
import { effectiveAggregator, effectiveAsPath, mergeAs4Path } from '../../../src/codec/bgp/as4.ts';
import { decodePathAttributes, encodePathAttributes } from '../../../src/codec/bgp/attrs/index.ts';
import type { DecodeContext, PathAttribute } from '../../../src/codec/bgp/types.ts';
import { addr, cur, hex, pfx } from './util.ts';

const AS4: DecodeContext = { as4: true };
const AS2: DecodeContext = { as4: false };

test('a full IPv6 RIS-like attribute block decodes', () => {
  const block = hex(`
    40 01 01 00
    50 02 00 0e 02 03 00 00 fd e9 00 00 0d 1c 00 03 00 00
    80 04 04 00 00 00 64
    40 05 04 00 00 00 c8
    40 06 00
    c0 07 08 00 00 fd e9 c0 00 02 01
    c0 08 08 fd e9 00 64 ff ff ff 01
    80 09 04 0a 00 00 01
    80 0a 08 0a 00 00 02 0a 00 00 03
    90 0e 00 2c 00 02 01 20 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 30 20 01 0d b8 00 01
    80 0f 08 00 02 01 20 20 01 0d b8
    c0 10 08 00 02 fd e9 00 00 00 64
    c0 20 0c 00 00 fd e9 00 00 00 01 00 00 00 02
    c0 23 04 00 00 fd ea
    e0 63 02 ab cd
  `);
  const r = decodePathAttributes(cur(block), AS4);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.treatAsWithdraw, false);
  const kinds = r.attributes.map((a) => a.kind);
  assert.deepEqual(kinds, [
    'origin', 'as-path', 'med', 'local-pref', 'atomic-aggregate', 'aggregator', 'communities', 'originator-id',
    'cluster-list', 'mp-reach', 'mp-unreach', 'extended-communities', 'large-communities', 'only-to-customer', 'unknown',
  ]);
  const by = <K extends PathAttribute['kind']>(k: K) => r.attributes.find((a) => a.kind === k) as Extract<PathAttribute, { kind: K }>;
  assert.deepEqual(by('as-path').segments, [{ kind: 'sequence', asns: [65001, 3356, 196608] }]);
  assert.equal(by('as-path').flags, 0x50);
  assert.equal(by('med').value, 100);
  assert.equal(by('aggregator').asn, 65001);
  assert.deepEqual(by('aggregator').address, addr('192.0.2.1'));
  assert.deepEqual(by('communities').values, [0xfde90064, 0xffffff01]);
  assert.deepEqual(by('cluster-list').ids, [addr('10.0.0.2'), addr('10.0.0.3')]);
  const mp = by('mp-reach');
  assert.deepEqual([mp.afi, mp.safi, mp.raw], [2, 1, undefined]);
  assert.deepEqual(mp.nextHops, [addr('2001:db8::1'), addr('fe80::1')]);
  assert.deepEqual(mp.nlri, [{ prefix: pfx('2001:db8:1::/48') }]);
  assert.deepEqual(by('mp-unreach').withdrawn, [{ prefix: pfx('2001:db8::/32') }]);
  assert.deepEqual(by('extended-communities').values, [hex('0002fde900000064')]);
  assert.deepEqual(by('large-communities').values, [[65001, 1, 2]]);
  assert.equal(by('only-to-customer').asn, 65002);
  assert.deepEqual(by('unknown'), { kind: 'unknown', flags: 0xe0, type: 0x63, raw: hex('abcd') });

  // Re-encoding gives back the same bytes.
  const w = new Writer();
  encodePathAttributes(r.attributes, w, AS4);
  assert.deepEqual(w.finish(), block);
});

test('AS4 merge, RFC 6793 4.2.3: AS_PATH "65001 23456 23456" + AS4_PATH "196608 196609"', () => {
  const block = hex(`
    40 01 01 00
    40 02 08 02 03 fd e9 5b a0 5b a0
    c0 11 0a 02 02 00 03 00 00 00 03 00 01
    40 03 04 c0 00 02 01
  `);
  const r = decodePathAttributes(cur(block), AS2);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(effectiveAsPath(r.attributes), [{ kind: 'sequence', asns: [65001, 196608, 196609] }]);
  // Between NEW speakers AS4_PATH is ignored.
  const asPath4: PathAttribute = { kind: 'as-path', flags: 0x40, segments: [{ kind: 'sequence', asns: [1, 2] }], as4: true };
  const as4Path: PathAttribute = { kind: 'as4-path', flags: 0xc0, segments: [{ kind: 'sequence', asns: [70000] }] };
  assert.deepEqual(effectiveAsPath([asPath4, as4Path]), [{ kind: 'sequence', asns: [1, 2] }]);
});

test('mergeAs4Path: AS4_PATH longer than AS_PATH is ignored; sets count 1; confed segments carried and dropped', () => {
  assert.deepEqual(
    mergeAs4Path([{ kind: 'sequence', asns: [23456] }], [{ kind: 'sequence', asns: [70000, 70001] }]),
    [{ kind: 'sequence', asns: [23456] }],
  );
  assert.deepEqual(
    mergeAs4Path(
      [{ kind: 'confed-sequence', asns: [64512] }, { kind: 'sequence', asns: [100, 23456] }, { kind: 'set', asns: [23456, 300] }],
      [{ kind: 'confed-sequence', asns: [99] }, { kind: 'sequence', asns: [70000] }, { kind: 'set', asns: [70001, 300] }],
    ),
    [
      { kind: 'confed-sequence', asns: [64512] },
      { kind: 'sequence', asns: [100, 70000] },
      { kind: 'set', asns: [70001, 300] },
    ],
  );
});

test('AGGREGATOR / AS4_AGGREGATOR, RFC 6793 4.2.3', () => {
  const agg = (asn: number): PathAttribute => ({ kind: 'aggregator', flags: 0xc0, asn, address: addr('192.0.2.9'), as4: false });
  const agg4: PathAttribute = { kind: 'as4-aggregator', flags: 0xc0, asn: 4200000000, address: addr('192.0.2.10') };
  const asPath: PathAttribute = { kind: 'as-path', flags: 0x40, segments: [{ kind: 'sequence', asns: [1, 23456] }], as4: false };
  const as4Path: PathAttribute = { kind: 'as4-path', flags: 0xc0, segments: [{ kind: 'sequence', asns: [4200000000] }] };
  assert.deepEqual(effectiveAggregator([agg(23456), agg4]), { asn: 4200000000, address: addr('192.0.2.10') });
  // A real 2-octet AGGREGATOR AS wins, and AS4_PATH is then ignored too.
  assert.deepEqual(effectiveAggregator([agg(65000), agg4]), { asn: 65000, address: addr('192.0.2.9') });
  assert.deepEqual(effectiveAsPath([asPath, agg(65000), agg4, as4Path]), asPath.segments);
  assert.deepEqual(effectiveAsPath([asPath, agg(23456), agg4, as4Path]), [{ kind: 'sequence', asns: [1, 4200000000] }]);
});

test('2-octet AS_PATH with all four segment types', () => {
  const r = decodePathAttributes(cur('40 02 12 01 02 00 01 00 02 02 01 00 03 03 01 00 04 04 01 00 05'), AS2);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual((r.attributes[0] as Extract<PathAttribute, { kind: 'as-path' }>).segments, [
    { kind: 'set', asns: [1, 2] },
    { kind: 'sequence', asns: [3] },
    { kind: 'confed-sequence', asns: [4] },
    { kind: 'confed-set', asns: [5] },
  ]);
});
