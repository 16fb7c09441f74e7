// EXTENDED_COMMUNITIES, type 16, optional transitive: RFC 4360 section 2.
//   value: repeated 8-byte community = type (1) | sub-type (1) | value (6)
// Each community is kept as an 8-byte view; its meaning depends on type/sub-type and is
// left to the reader. Malformed (length not a non-zero multiple of 8): treat-as-withdraw,
// RFC 7606 section 7.14.
import type { Cursor, Writer } from '../../cursor.ts';
import type { AttrOf } from '../types.ts';
import { expectMultiple } from './common.ts';

export function decodeExtendedCommunities(cur: Cursor, flags: number): AttrOf<'extended-communities'> {
  expectMultiple(cur, 8, 'extended-communities-length', 'EXTENDED_COMMUNITIES');
  const values: Uint8Array[] = [];
  while (cur.pos < cur.end) values.push(cur.bytes(8, 'extended community'));
  return { kind: 'extended-communities', flags, values };
}

export function encodeExtendedCommunities(a: AttrOf<'extended-communities'>, w: Writer): void {
  for (const v of a.values) w.bytes(v);
}
