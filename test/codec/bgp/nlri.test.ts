import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writer } from '../../../src/codec/cursor.ts';
import { DecodeError } from '../../../src/codec/errors.ts';
import { decodeNlri, encodeNlri } from '../../../src/codec/bgp/nlri.ts';
import { cur, hex, pfx } from './util.ts';

test('IPv4 NLRI: /24, /0, /32 and host bits cleared', () => {
  const list = decodeNlri(cur('18 c0 00 02  00  20 0a 00 00 01  17 c6 33 65'), 4, false);
  assert.deepEqual(list, [
    { prefix: pfx('192.0.2.0/24') },
    { prefix: pfx('0.0.0.0/0') },
    { prefix: pfx('10.0.0.1/32') },
    { prefix: pfx('198.51.100.0/23') }, // 0x65 & 0xfe = 0x64
  ]);
});

test('IPv6 NLRI with ADD-PATH path ids', () => {
  const list = decodeNlri(cur('00000001 20 20010db8  0000002a 40 20010db8 00010002'), 6, true);
  assert.deepEqual(list, [
    { prefix: pfx('2001:db8::/32'), pathId: 1 },
    { prefix: pfx('2001:db8:1:2::/64'), pathId: 42 },
  ]);
});

test('NLRI round trip', () => {
  const list = [{ prefix: pfx('203.0.113.128/25'), pathId: 7 }, { prefix: pfx('0.0.0.0/0'), pathId: 0 }];
  const w = new Writer();
  encodeNlri(list, w, true);
  assert.deepEqual(decodeNlri(cur(w.finish()), 4, true), list);
});

const bad: [string, string, 4 | 6, boolean, string][] = [
  ['IPv4 length 33', '21 0a000000 00', 4, false, 'prefix-too-long'],
  ['IPv6 length 129', '81', 6, false, 'prefix-too-long'],
  ['prefix bytes missing', '18 c0 00', 4, false, 'prefix-truncated'],
  ['path id cut', '00 00 00', 4, true, 'path-id-truncated'],
  ['path id without length', '00 00 00 01', 4, true, 'path-id-truncated'],
];
for (const [name, bytes, family, addPath, code] of bad) {
  test(`NLRI error: ${name} -> nlri/${code}`, () => {
    assert.throws(
      () => decodeNlri(cur(hex(bytes)), family, addPath),
      (e: unknown) => e instanceof DecodeError && e.layer === 'nlri' && e.code === code,
    );
  });
}
