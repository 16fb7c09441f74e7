// COMMUNITIES, type 8, optional transitive: RFC 1997.
//   value: repeated community (4) = AS (2) : value (2)
// Malformed (length not a non-zero multiple of 4): treat-as-withdraw, RFC 7606 7.8.
import type { Cursor, Writer } from '../../cursor.ts';
import type { AttrOf } from '../types.ts';
import { expectMultiple } from './common.ts';

export function decodeCommunities(cur: Cursor, flags: number): AttrOf<'communities'> {
  expectMultiple(cur, 4, 'communities-length', 'COMMUNITIES');
  const values: number[] = [];
  while (cur.pos < cur.end) values.push(cur.u32('community'));
  return { kind: 'communities', flags, values };
}

export function encodeCommunities(a: AttrOf<'communities'>, w: Writer): void {
  for (const v of a.values) w.u32(v);
}
