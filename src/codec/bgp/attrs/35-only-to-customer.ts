// ONLY_TO_CUSTOMER (OTC), type 35, optional transitive: RFC 9234 section 5.
//   value: AS number (4)
// Malformed (length != 4): treat-as-withdraw, RFC 9234 section 5.
import type { Cursor, Writer } from '../../cursor.ts';
import type { AttrOf } from '../types.ts';
import { expectLength } from './common.ts';

export function decodeOnlyToCustomer(cur: Cursor, flags: number): AttrOf<'only-to-customer'> {
  expectLength(cur, 4, 'otc-length', 'ONLY_TO_CUSTOMER');
  return { kind: 'only-to-customer', flags, asn: cur.u32('OTC AS') };
}

export function encodeOnlyToCustomer(a: AttrOf<'only-to-customer'>, w: Writer): void {
  w.u32(a.asn);
}
