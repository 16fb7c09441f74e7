// ATOMIC_AGGREGATE, type 6, well-known discretionary: RFC 4271 section 4.3 (f), 5.1.6.
//   value: empty
// Malformed (length != 0): attribute-discard, RFC 7606 section 7.6.
import type { Cursor, Writer } from '../../cursor.ts';
import type { AttrOf } from '../types.ts';
import { expectLength } from './common.ts';

export function decodeAtomicAggregate(cur: Cursor, flags: number): AttrOf<'atomic-aggregate'> {
  expectLength(cur, 0, 'atomic-aggregate-length', 'ATOMIC_AGGREGATE');
  return { kind: 'atomic-aggregate', flags };
}

export function encodeAtomicAggregate(_a: AttrOf<'atomic-aggregate'>, _w: Writer): void {
  // no value
}
