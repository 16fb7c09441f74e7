// AGGREGATOR, type 7, optional transitive: RFC 4271 section 4.3 (g), 5.1.7; 4-octet AS
// form between NEW speakers, RFC 6793 section 4.
//   value: AS (2, or 4 when as4), IPv4 address of the aggregating speaker (4)
// Malformed (length != 6 / 8 for the session's AS size): attribute-discard, RFC 7606 7.7.
import type { Cursor, Writer } from '../../cursor.ts';
import type { AttrOf } from '../types.ts';
import { expectLength, readIPv4 } from './common.ts';

export function decodeAggregator(cur: Cursor, flags: number, as4: boolean): AttrOf<'aggregator'> {
  expectLength(cur, as4 ? 8 : 6, 'aggregator-length', as4 ? 'AGGREGATOR (4-octet AS)' : 'AGGREGATOR (2-octet AS)');
  const asn = as4 ? cur.u32('aggregator AS') : cur.u16('aggregator AS');
  return { kind: 'aggregator', flags, asn, address: readIPv4(cur, 'aggregator address'), as4 };
}

export function encodeAggregator(a: AttrOf<'aggregator'>, w: Writer): void {
  if (a.as4) w.u32(a.asn);
  else w.u16(a.asn > 0xffff ? 23456 : a.asn); // AS_TRANS, RFC 6793 4.2.2
  w.bytes(a.address.bytes);
}
