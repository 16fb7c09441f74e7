import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cursor } from '../../../src/codec/cursor.ts';
import { decodePathAttributes } from '../../../src/codec/bgp/attrs/index.ts';
import { toRouteAttributes } from '../../../src/codec/bgp/route-attributes.ts';
import { addr, hex } from './util.ts';

test('toRouteAttributes: AS4 merge, AS_SET nested, confed dropped, community forms, next hop by AFI', () => {
  const block = hex(`
    40 01 01 02
    40 02 16 03 01 fc00 02 03 fde9 5ba0 5ba0 01 02 0064 00c8 02 01 5ba0
    40 03 04 c0000201
    80 04 04 00000005
    40 05 04 00000064
    40 06 00
    c0 07 06 5ba0 c0000209
    c0 08 08 fde90064 ffffff01
    c0 10 08 0002fde900000064
    c0 11 16 02 01 00030000 01 02 00000064 000000c8 02 01 00030001
    c0 12 08 00030000 c000020a
    c0 20 0c 0000fde9 00000001 00000002
    80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8
    c0 23 04 0000fdea
  `);
  const r = decodePathAttributes(new Cursor(block), { as4: false });
  assert.deepEqual(r.warnings, []);
  const base = {
    // AS_PATH counts 3 + 1 + 1 = 5 (confed 0), AS4_PATH 1 + 1 + 1 = 3: the leading 2 ASes come from AS_PATH.
    asPath: [65001, 23456, 196608, [100, 200], 196609],
    origin: 'incomplete',
    med: 5,
    localPref: 100,
    atomicAggregate: true,
    aggregator: { asn: 196608, address: addr('192.0.2.10') },
    communities: ['65001:100', '65535:65281'],
    largeCommunities: ['65001:1:2'],
    extendedCommunities: ['0002fde900000064'],
    onlyToCustomer: 65002,
  };
  assert.deepEqual(toRouteAttributes(r.attributes, 1), { ...base, nextHop: addr('192.0.2.1') });
  assert.deepEqual(toRouteAttributes(r.attributes, 2), { ...base, nextHop: addr('2001:db8::1') });
});

test('toRouteAttributes of nothing: empty lists only', () => {
  assert.deepEqual(toRouteAttributes([]), { asPath: [], communities: [], largeCommunities: [] });
});
