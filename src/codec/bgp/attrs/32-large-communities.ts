// LARGE_COMMUNITY, type 32, optional transitive: RFC 8092 section 3.
//   value: repeated { global administrator (4), local data part 1 (4), local data part 2 (4) }
// Malformed (length not a non-zero multiple of 12): treat-as-withdraw, RFC 8092 section 6.
import type { Cursor, Writer } from '../../cursor.ts';
import type { AttrOf } from '../types.ts';
import { expectMultiple } from './common.ts';

export function decodeLargeCommunities(cur: Cursor, flags: number): AttrOf<'large-communities'> {
  expectMultiple(cur, 12, 'large-communities-length', 'LARGE_COMMUNITY');
  const values: [number, number, number][] = [];
  while (cur.pos < cur.end) values.push([cur.u32('global admin'), cur.u32('local 1'), cur.u32('local 2')]);
  return { kind: 'large-communities', flags, values };
}

export function encodeLargeCommunities(a: AttrOf<'large-communities'>, w: Writer): void {
  for (const v of a.values) w.u32(v[0]).u32(v[1]).u32(v[2]);
}
