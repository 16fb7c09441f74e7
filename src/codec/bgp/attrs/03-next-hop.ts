// NEXT_HOP, type 3, well-known mandatory when the UPDATE carries IPv4 NLRI:
// RFC 4271 section 4.3 (c), 5.1.3.
//   value: IPv4 address (4)
// Malformed (length != 4): treat-as-withdraw, RFC 7606 section 7.3.
import type { Cursor, Writer } from '../../cursor.ts';
import type { AttrOf } from '../types.ts';
import { expectLength, readIPv4 } from './common.ts';

export function decodeNextHop(cur: Cursor, flags: number): AttrOf<'next-hop'> {
  expectLength(cur, 4, 'next-hop-length', 'NEXT_HOP');
  return { kind: 'next-hop', flags, address: readIPv4(cur, 'next hop') };
}

export function encodeNextHop(a: AttrOf<'next-hop'>, w: Writer): void {
  w.bytes(a.address.bytes);
}
