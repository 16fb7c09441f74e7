// ORIGINATOR_ID, type 9, optional non-transitive: RFC 4456 section 8.
//   value: BGP identifier of the route's originator (4)
// Malformed (length != 4): treat-as-withdraw, RFC 7606 section 7.9.
import type { Cursor, Writer } from '../../cursor.ts';
import type { AttrOf } from '../types.ts';
import { expectLength, readIPv4 } from './common.ts';

export function decodeOriginatorId(cur: Cursor, flags: number): AttrOf<'originator-id'> {
  expectLength(cur, 4, 'originator-id-length', 'ORIGINATOR_ID');
  return { kind: 'originator-id', flags, address: readIPv4(cur, 'originator id') };
}

export function encodeOriginatorId(a: AttrOf<'originator-id'>, w: Writer): void {
  w.bytes(a.address.bytes);
}
