// MULTI_EXIT_DISC, type 4, optional non-transitive: RFC 4271 section 4.3 (d), 5.1.4.
//   value: metric (4)
// Malformed (length != 4): treat-as-withdraw, RFC 7606 section 7.4.
import type { Cursor, Writer } from '../../cursor.ts';
import type { AttrOf } from '../types.ts';
import { expectLength } from './common.ts';

export function decodeMed(cur: Cursor, flags: number): AttrOf<'med'> {
  expectLength(cur, 4, 'med-length', 'MULTI_EXIT_DISC');
  return { kind: 'med', flags, value: cur.u32('MED') };
}

export function encodeMed(a: AttrOf<'med'>, w: Writer): void {
  w.u32(a.value);
}
