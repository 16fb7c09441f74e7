// AS4_AGGREGATOR, type 18, optional transitive: RFC 6793 section 3.
//   value: AS (4) | IPv4 address (4)
// Malformed (length != 8): attribute-discard, RFC 6793 section 6.
import type { Cursor, Writer } from '../../cursor.ts';
import type { AttrOf } from '../types.ts';
import { expectLength, readIPv4 } from './common.ts';

export function decodeAs4Aggregator(cur: Cursor, flags: number): AttrOf<'as4-aggregator'> {
  expectLength(cur, 8, 'as4-aggregator-length', 'AS4_AGGREGATOR');
  const asn = cur.u32('aggregator AS');
  return { kind: 'as4-aggregator', flags, asn, address: readIPv4(cur, 'aggregator address') };
}

export function encodeAs4Aggregator(a: AttrOf<'as4-aggregator'>, w: Writer): void {
  w.u32(a.asn).bytes(a.address.bytes);
}
