// NLRI encoding: RFC 4271 section 4.3 (UPDATE NLRI / Withdrawn Routes), RFC 4760 section 5
// (MP_REACH/MP_UNREACH NLRI), RFC 7911 section 3 (ADD-PATH path identifier).
//
//   [ path id (4) ]   only when ADD-PATH receive is on for this AFI/SAFI
//   length (1)        prefix length in bits, 0..32 (IPv4) or 0..128 (IPv6)
//   prefix (ceil(length / 8))   trailing host bits are ignored (cleared on decode)
//
// The list runs to the end of the cursor. Every check throws a DecodeError with layer
// 'nlri' and its own code; callers inside an attribute turn it into an RFC 7606 warning.
import type { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import type { Family } from '../../model/address.ts';
import type { Prefix } from '../../model/prefix.ts';
import type { DecodeContext, Nlri } from './types.ts';

export function decodeNlri(cur: Cursor, family: Family, addPath: boolean): Nlri[] {
  const out: Nlri[] = [];
  decodeNlriInto(cur, family, addPath, out);
  return out;
}

/** As decodeNlri, appending to `out`; entries read before a failure stay in `out`. */
export function decodeNlriInto(cur: Cursor, family: Family, addPath: boolean, out: Nlri[]): void {
  const buf = cur.buf;
  const end = cur.end;
  const size = family === 4 ? 4 : 16;
  const maxLen = size * 8;
  while (cur.pos < end) {
    const at = cur.pos;
    let pathId = 0;
    if (addPath) {
      if (end - at < 5) {
        throw new DecodeError('nlri', 'path-id-truncated', at, `ADD-PATH NLRI needs 4-byte path id and length, ${end - at} byte(s) left`);
      }
      pathId = cur.u32('path id');
    }
    const len = cur.u8('prefix length');
    if (len > maxLen) {
      throw new DecodeError('nlri', 'prefix-too-long', cur.pos - 1, `IPv${family} prefix length ${len} > ${maxLen}`);
    }
    const n = (len + 7) >>> 3;
    if (n > end - cur.pos) {
      throw new DecodeError('nlri', 'prefix-truncated', cur.pos - 1, `/${len} needs ${n} byte(s), ${end - cur.pos} left`);
    }
    // Copy into a full-width address (4 or 16 bytes) so prefixes compare as bytes.
    const bytes = new Uint8Array(size);
    const p = cur.pos;
    for (let i = 0; i < n; i++) bytes[i] = buf[p + i];
    const bits = len & 7;
    if (bits !== 0) bytes[n - 1] &= 0xff << (8 - bits);
    cur.pos = p + n;
    const prefix: Prefix = { family, len, bytes };
    out.push(addPath ? { prefix, pathId } : { prefix });
  }
}

export function encodeNlri(list: readonly Nlri[], w: Writer, addPath: boolean): void {
  for (const { prefix, pathId } of list) {
    if (addPath) w.u32(pathId ?? 0);
    w.u8(prefix.len);
    w.bytes(prefix.bytes.subarray(0, (prefix.len + 7) >>> 3));
  }
}

// ADD-PATH keys of the interpreted AFI/SAFIs, prebuilt so the hot path builds no strings.
const ADD_PATH_KEYS = ['1/1', '1/2', '2/1', '2/2'];

/** Whether ctx says ADD-PATH receive is on for this AFI/SAFI (key `${afi}/${safi}`). */
export function addPathOn(ctx: DecodeContext, afi: number, safi: number): boolean {
  const set = ctx.addPath;
  if (set === undefined || set.size === 0) return false;
  const key = (afi === 1 || afi === 2) && (safi === 1 || safi === 2) ? ADD_PATH_KEYS[(afi - 1) * 2 + safi - 1] : `${afi}/${safi}`;
  return set.has(key);
}
