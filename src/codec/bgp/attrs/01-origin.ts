// ORIGIN, type 1, well-known mandatory: RFC 4271 section 4.3 (a) and 5.1.1.
//   value: origin (1) = 0 IGP | 1 EGP | 2 INCOMPLETE
// Malformed (length != 1 or unknown value): treat-as-withdraw, RFC 7606 section 7.1.
import type { Cursor, Writer } from '../../cursor.ts';
import type { AttrOf, Origin } from '../types.ts';
import { expectLength } from './common.ts';

export function decodeOrigin(cur: Cursor, flags: number): AttrOf<'origin'> {
  expectLength(cur, 1, 'origin-length', 'ORIGIN');
  const v = cur.u8('origin');
  if (v > 2) cur.fail('origin-value', `ORIGIN value ${v} is not 0, 1 or 2`, cur.pos - 1);
  return { kind: 'origin', flags, value: v as Origin };
}

export function encodeOrigin(a: AttrOf<'origin'>, w: Writer): void {
  w.u8(a.value);
}
