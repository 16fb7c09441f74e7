// Small readers shared by the MRT record decoders.
import { type Address, address } from '../../model/address.ts';
import { type Prefix, prefix } from '../../model/prefix.ts';
import type { Cursor } from '../cursor.ts';

export const AFI_IPV4 = 1;
export const AFI_IPV6 = 2;

/** Reads a 4- or 16-byte address for `afi`; other AFIs are a DecodeError with `code`. */
export function readAddress(cur: Cursor, afi: number, field: string, code: string): Address {
  if (afi === AFI_IPV4) return address(cur.bytes(4, field).slice());
  if (afi === AFI_IPV6) return address(cur.bytes(16, field).slice());
  return cur.fail(code, `${field}: address family ${afi} is not IPv4 (1) or IPv6 (2)`);
}

/**
 * Reads a prefix in BGP NLRI form (length in bits, then just enough bytes), as the
 * TABLE_DUMP_V2 RIB header stores it (RFC 6396 §4.3.2). Host bits are cleared.
 */
export function readPrefix(cur: Cursor, afi: number, field: string): Prefix {
  const at = cur.pos;
  const len = cur.u8(`${field} length`);
  const max = afi === AFI_IPV4 ? 32 : 128;
  if (len > max) cur.fail('prefix-length', `${field}: length ${len} exceeds ${max}`, at);
  const bytes = cur.bytes((len + 7) >>> 3, field);
  return prefix(afi === AFI_IPV4 ? 4 : 6, len, bytes);
}

export function writePrefix(p: Prefix, w: { u8(v: number): unknown; bytes(b: Uint8Array): unknown }): void {
  w.u8(p.len);
  w.bytes(p.bytes.subarray(0, (p.len + 7) >>> 3));
}
