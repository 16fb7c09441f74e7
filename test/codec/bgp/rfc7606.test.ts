// RFC 7606: a malformed attribute becomes a warning with the RFC's action; the other
// attributes and the NLRI are still decoded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cursor } from '../../../src/codec/cursor.ts';
import { decodePathAttributes } from '../../../src/codec/bgp/attrs/index.ts';
import { decodeUpdate } from '../../../src/codec/bgp/update.ts';
import { DecodeError } from '../../../src/codec/errors.ts';
import type { AttrAction, DecodeContext } from '../../../src/codec/bgp/types.ts';
import { hex, pfx } from './util.ts';

const AS4: DecodeContext = { as4: true };
const ORIGIN = '40 01 01 00';
const AS_PATH = '40 02 06 02 01 0000fde9';
const NEXT_HOP = '40 03 04 c0000201';
const GOOD = `${ORIGIN} ${AS_PATH} ${NEXT_HOP}`;

function update(attrs: string, nlri = '18 cb0071'): Uint8Array {
  const a = hex(attrs);
  return new Uint8Array([0, 0, a.length >> 8, a.length & 255, ...a, ...hex(nlri)]);
}

// [name, extra or replacing attribute bytes, type, action, code, kinds expected to survive]
const CASES: [string, string, number, AttrAction, string, string[]][] = [
  ['ORIGIN length 2 (7.1)', `40 01 02 0000 ${AS_PATH} ${NEXT_HOP}`, 1, 'treat-as-withdraw', 'origin-length', ['as-path', 'next-hop']],
  ['ORIGIN value 3 (7.1)', `40 01 01 03 ${AS_PATH} ${NEXT_HOP}`, 1, 'treat-as-withdraw', 'origin-value', ['as-path', 'next-hop']],
  ['AS_PATH segment overrun (7.2)', `${ORIGIN} 40 02 06 02 02 0000fde9 ${NEXT_HOP}`, 2, 'treat-as-withdraw', 'as-path-segment-overrun', ['origin', 'next-hop']],
  ['AS_PATH segment type 5 (7.2)', `${ORIGIN} 40 02 06 05 01 0000fde9 ${NEXT_HOP}`, 2, 'treat-as-withdraw', 'as-path-segment-type', ['origin', 'next-hop']],
  ['AS_PATH zero-length segment (7.2)', `${ORIGIN} 40 02 02 02 00 ${NEXT_HOP}`, 2, 'treat-as-withdraw', 'as-path-segment-empty', ['origin', 'next-hop']],
  ['AS_PATH lone trailing byte (7.2)', `${ORIGIN} 40 02 07 02 01 0000fde9 02 ${NEXT_HOP}`, 2, 'treat-as-withdraw', 'as-path-underrun', ['origin', 'next-hop']],
  ['NEXT_HOP length 5 (7.3)', `${ORIGIN} ${AS_PATH} 40 03 05 c000020100`, 3, 'treat-as-withdraw', 'next-hop-length', ['origin', 'as-path']],
  ['MED length 2 (7.4)', `${GOOD} 80 04 02 0001`, 4, 'treat-as-withdraw', 'med-length', ['origin', 'as-path', 'next-hop']],
  ['LOCAL_PREF length 3 (7.5)', `${GOOD} 40 05 03 000064`, 5, 'treat-as-withdraw', 'local-pref-length', ['origin', 'as-path', 'next-hop']],
  ['ATOMIC_AGGREGATE length 1 (7.6)', `${GOOD} 40 06 01 00`, 6, 'attribute-discard', 'atomic-aggregate-length', ['origin', 'as-path', 'next-hop']],
  ['AGGREGATOR 6 bytes on a 4-octet session (7.7)', `${GOOD} c0 07 06 fde9 c0000201`, 7, 'attribute-discard', 'aggregator-length', ['origin', 'as-path', 'next-hop']],
  ['COMMUNITIES length 6 (7.8)', `${GOOD} c0 08 06 fde90064 0001`, 8, 'treat-as-withdraw', 'communities-length', ['origin', 'as-path', 'next-hop']],
  ['COMMUNITIES length 0 (7.8)', `${GOOD} c0 08 00`, 8, 'treat-as-withdraw', 'communities-length', ['origin', 'as-path', 'next-hop']],
  ['ORIGINATOR_ID length 3 (7.9)', `${GOOD} 80 09 03 0a0000`, 9, 'treat-as-withdraw', 'originator-id-length', ['origin', 'as-path', 'next-hop']],
  ['CLUSTER_LIST length 5 (7.10)', `${GOOD} 80 0a 05 0a00000100`, 10, 'treat-as-withdraw', 'cluster-list-length', ['origin', 'as-path', 'next-hop']],
  ['MP_REACH next hop length 5 (7.11)', `${GOOD} 80 0e 0b 0002 01 05 2001db8000 00 00`, 14, 'session-reset', 'mp-reach-next-hop-length', ['origin', 'as-path', 'next-hop']],
  ['MP_REACH next hop overruns (7.11)', `${GOOD} 80 0e 06 0002 01 10 2001`, 14, 'session-reset', 'mp-reach-next-hop-overrun', ['origin', 'as-path', 'next-hop']],
  ['MP_REACH too short (7.11)', `${GOOD} 80 0e 03 000201`, 14, 'session-reset', 'mp-reach-truncated', ['origin', 'as-path', 'next-hop']],
  ['MP_REACH NLRI /129 (5.3)', `${GOOD} 80 0e 16 0002 01 10 20010db8000000000000000000000001 00 81`, 14, 'session-reset', 'prefix-too-long', ['origin', 'as-path', 'next-hop']],
  ['MP_UNREACH too short (7.12)', `${GOOD} 80 0f 02 0002`, 15, 'session-reset', 'mp-unreach-truncated', ['origin', 'as-path', 'next-hop']],
  ['MP_UNREACH NLRI cut (5.3)', `${GOOD} 80 0f 05 0002 01 30 20`, 15, 'session-reset', 'prefix-truncated', ['origin', 'as-path', 'next-hop']],
  ['EXTENDED_COMMUNITIES length 7 (7.14)', `${GOOD} c0 10 07 00020000000000`, 16, 'treat-as-withdraw', 'extended-communities-length', ['origin', 'as-path', 'next-hop']],
  ['AS4_PATH overrun (RFC 6793 6)', `${GOOD} c0 11 04 02 02 0000`, 17, 'attribute-discard', 'as-path-segment-overrun', ['origin', 'as-path', 'next-hop']],
  ['AS4_AGGREGATOR length 6 (RFC 6793 6)', `${GOOD} c0 12 06 fde9 c0000201`, 18, 'attribute-discard', 'as4-aggregator-length', ['origin', 'as-path', 'next-hop']],
  ['LARGE_COMMUNITY length 8 (RFC 8092 6)', `${GOOD} c0 20 08 0000fde9 00000001`, 32, 'treat-as-withdraw', 'large-communities-length', ['origin', 'as-path', 'next-hop']],
  ['OTC length 2 (RFC 9234 5)', `${GOOD} c0 23 02 fde9`, 35, 'treat-as-withdraw', 'otc-length', ['origin', 'as-path', 'next-hop']],
  ['ORIGIN marked optional (3(c))', `80 01 01 00 ${AS_PATH} ${NEXT_HOP}`, 1, 'treat-as-withdraw', 'attr-flags', ['origin', 'as-path', 'next-hop']],
  ['MED marked transitive (3(c))', `${GOOD} c0 04 04 00000001`, 4, 'treat-as-withdraw', 'attr-flags', ['origin', 'as-path', 'next-hop', 'med']],
  ['AGGREGATOR marked well-known (3(c), 7.7)', `${GOOD} 40 07 08 0000fde9 c0000201`, 7, 'attribute-discard', 'attr-flags', ['origin', 'as-path', 'next-hop']],
  ['duplicate ORIGIN (3(g))', `${GOOD} 40 01 01 02`, 1, 'attribute-discard', 'duplicate-attribute', ['origin', 'as-path', 'next-hop']],
  ['duplicate unknown type 200 (3(g))', `${GOOD} c0 c8 01 01 c0 c8 01 02`, 200, 'attribute-discard', 'duplicate-attribute', ['origin', 'as-path', 'next-hop', 'unknown']],
  ['duplicate MP_UNREACH (3(g))', `${GOOD} 80 0f 03 000201 80 0f 03 000201`, 15, 'session-reset', 'duplicate-mp-attribute', ['origin', 'as-path', 'next-hop', 'mp-unreach']],
  ['missing ORIGIN (3(d))', `${AS_PATH} ${NEXT_HOP}`, 1, 'treat-as-withdraw', 'missing-origin', ['as-path', 'next-hop']],
  ['missing AS_PATH (3(d))', `${ORIGIN} ${NEXT_HOP}`, 2, 'treat-as-withdraw', 'missing-as-path', ['origin', 'next-hop']],
  ['missing NEXT_HOP with IPv4 NLRI (3(d))', `${ORIGIN} ${AS_PATH}`, 3, 'treat-as-withdraw', 'missing-next-hop', ['origin', 'as-path']],
];

for (const [name, attrs, type, action, code, kinds] of CASES) {
  test(`RFC 7606: ${name} -> ${action} (${code})`, () => {
    const m = decodeUpdate(new Cursor(update(attrs)), AS4);
    assert.equal(m.warnings.length, 1, JSON.stringify(m.warnings));
    const w = m.warnings[0];
    assert.deepEqual([w.kind, w.type, w.action, w.code], ['attr-warning', type, action, code]);
    assert.equal(m.treatAsWithdraw, action === 'treat-as-withdraw');
    assert.deepEqual(m.attributes.map((a) => a.kind), kinds);
    assert.deepEqual(m.nlri, [{ prefix: pfx('203.0.113.0/24') }]);
  });
}

test('several malformed attributes: every warning reported, decoding carries on', () => {
  const r = decodePathAttributes(new Cursor(hex(`40 01 01 09 c0 08 03 000000 40 06 01 00 ${AS_PATH} c0 20 0c 0000fde9 00000001 00000002`)), AS4);
  assert.deepEqual(r.warnings.map((w) => [w.type, w.action]), [[1, 'treat-as-withdraw'], [8, 'treat-as-withdraw'], [6, 'attribute-discard']]);
  assert.deepEqual(r.attributes.map((a) => a.kind), ['as-path', 'large-communities']);
  assert.equal(r.treatAsWithdraw, true);
});

test('MP_REACH only (no IPv4 NLRI): NEXT_HOP is not mandatory; unknown AFI/SAFI kept raw', () => {
  const vpn = '80 0e 10 0001 80 0c 000000000000000000000000'; // VPNv4, next hop field not interpreted
  const m = decodeUpdate(new Cursor(update(`${ORIGIN} ${AS_PATH} ${vpn}`, '')), AS4);
  assert.deepEqual(m.warnings, []);
  const mp = m.attributes[2];
  assert.equal(mp.kind, 'mp-reach');
  if (mp.kind === 'mp-reach') {
    assert.deepEqual([mp.afi, mp.safi, mp.nextHops, mp.nlri], [1, 128, [], []]);
    assert.deepEqual(mp.raw, hex('0001 80 0c 000000000000000000000000'));
  }
});

test('attribute-discard alone does not make the UPDATE a withdrawal', () => {
  const m = decodeUpdate(new Cursor(update(`${GOOD} 40 06 01 00`)), AS4);
  assert.equal(m.treatAsWithdraw, false);
  assert.equal(m.warnings[0].action, 'attribute-discard');
});

test('RFC 7606 5.3: a bad prefix in the UPDATE\'s own fields is a session-reset warning; earlier prefixes kept', () => {
  // Withdrawn: 10.0.0.0/8 then a /33. NLRI: 203.0.113.0/24 then a /24 cut short.
  const a = hex(GOOD);
  const body = new Uint8Array([0, 7, ...hex('08 0a 21 0a000000'), 0, a.length, ...a, ...hex('18 cb0071 18 0a')]);
  const m = decodeUpdate(new Cursor(body), AS4);
  assert.deepEqual(m.withdrawn, [{ prefix: pfx('10.0.0.0/8') }]);
  assert.deepEqual(m.nlri, [{ prefix: pfx('203.0.113.0/24') }]);
  assert.deepEqual(m.warnings.map((w) => [w.type, w.action, w.code]), [[0, 'session-reset', 'prefix-too-long'], [0, 'session-reset', 'prefix-truncated']]);
  assert.equal(m.treatAsWithdraw, false);
  assert.deepEqual(m.attributes.map((x) => x.kind), ['origin', 'as-path', 'next-hop']);
});

// RFC 7606 section 4: the Total Path Attribute Length fits the UPDATE, an attribute inside
// runs past it. [name, attribute bytes, type, code, kinds kept]
const MP_V6 = '80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8';
const FRAMING: [string, string, number, string, string[]][] = [
  ['attribute overruns the block', `${GOOD} c0 08 08 0000fde9`, 8, 'attr-overrun', ['origin', 'as-path', 'next-hop']],
  ['extended length cut', `${GOOD} d0 08 00`, 8, 'attr-length-truncated', ['origin', 'as-path', 'next-hop']],
  ['header cut after the type', `${GOOD} c0 08`, 8, 'attr-header-truncated', ['origin', 'as-path', 'next-hop']],
  ['header cut before the type', `${GOOD} c0`, 0, 'attr-header-truncated', ['origin', 'as-path', 'next-hop']],
  ['MP_REACH before the cut is kept', `${GOOD} ${MP_V6} 40 05 04 0000`, 5, 'attr-overrun', ['origin', 'as-path', 'next-hop', 'mp-reach']],
  ['MP_REACH that overruns cannot be located', `${GOOD} 80 0e 40 0002 01 10`, 14, 'attr-overrun', ['origin', 'as-path', 'next-hop']],
];

for (const [name, attrs, type, code, kinds] of FRAMING) {
  test(`RFC 7606 4: ${name} -> treat-as-withdraw (${code}); IPv4 NLRI still located`, () => {
    const m = decodeUpdate(new Cursor(update(attrs)), AS4);
    assert.deepEqual(m.warnings.map((w) => [w.kind, w.type, w.action, w.code, w.offset]), [['attr-warning', type, 'treat-as-withdraw', code, 4 + hex(GOOD).length + (kinds.length > 3 ? hex(MP_V6).length : 0)]]);
    assert.equal(m.treatAsWithdraw, true, 'treatAsWithdraw');
    assert.deepEqual(m.attributes.map((a) => a.kind), kinds);
    assert.deepEqual(m.nlri, [{ prefix: pfx('203.0.113.0/24') }]);
  });
}

test('decodePathAttributes: framing errors throw by default (MRT readers), treat-as-withdraw on request', () => {
  const block = hex(`${GOOD} c0 08 08 0000fde9`);
  assert.throws(
    () => decodePathAttributes(new Cursor(block), AS4),
    (e: unknown) => e instanceof DecodeError && e.code === 'attr-overrun' && e.offset === hex(GOOD).length,
  );
  const r = decodePathAttributes(new Cursor(block), AS4, { framing: 'treat-as-withdraw' });
  assert.deepEqual(r.warnings.map((w) => [w.type, w.action, w.code, w.offset]), [[8, 'treat-as-withdraw', 'attr-overrun', hex(GOOD).length]]);
  assert.deepEqual(r.attributes.map((a) => a.kind), ['origin', 'as-path', 'next-hop']);
  assert.equal(r.treatAsWithdraw, true, 'treatAsWithdraw');
});

test('a Total Path Attribute Length overrunning the UPDATE still throws (NLRI cannot be located)', () => {
  const body = new Uint8Array([0, 0, 0, 40, ...hex(GOOD)]);
  assert.throws(() => decodeUpdate(new Cursor(body), AS4), (e: unknown) => e instanceof DecodeError && e.code === 'attributes-overrun');
});
