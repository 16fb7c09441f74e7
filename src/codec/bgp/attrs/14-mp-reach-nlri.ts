// MP_REACH_NLRI, type 14, optional non-transitive: RFC 4760 section 3.
//   AFI (2) | SAFI (1) | next hop length (1) | next hop (length) | reserved (1) | NLRI ...
// Interpreted for AFI 1/2 x SAFI 1/2; the next hop is 4 bytes (IPv4), 16 (IPv6 global,
// or an IPv6 next hop for IPv4 NLRI, RFC 8950) or 32 (global + link-local, RFC 2545 3).
// Any other AFI/SAFI keeps the whole value in `raw` and is never an error.
// The reserved byte (formerly the SNPA count) is ignored on decode and written as 0.
// NLRI carry a path id when ADD-PATH is on for `${afi}/${safi}` (RFC 7911).
// In an MRT TABLE_DUMP_V2 RIB entry the value may be only next hop length + next hop
// (RFC 6396 4.3.4); ctx.mrtRibAfiSafi then supplies AFI/SAFI.
// Malformed (truncated, next hop length wrong for the AFI, bad NLRI): session-reset
// (or AFI/SAFI disable), RFC 7606 sections 7.11 and 5.3.
import type { Cursor, Writer } from '../../cursor.ts';
import type { Address } from '../../../model/address.ts';
import { addPathOn, decodeNlri, encodeNlri } from '../nlri.ts';
import type { AttrOf, DecodeContext, Nlri } from '../types.ts';
import { readIPv4, readIPv6 } from './common.ts';

const NO_NLRI: readonly Nlri[] = [];
const NO_NEXT_HOPS: readonly Address[] = [];

export function isInterpretedAfiSafi(afi: number, safi: number): boolean {
  return (afi === 1 || afi === 2) && (safi === 1 || safi === 2);
}

function readNextHops(cur: Cursor, afi: number, nhLen: number): Address[] {
  if (nhLen === 4 && afi === 1) return [readIPv4(cur, 'next hop')];
  if (nhLen === 16) return [readIPv6(cur, 'next hop')];
  if (nhLen === 32) return [readIPv6(cur, 'next hop'), readIPv6(cur, 'link-local next hop')];
  return cur.fail('mp-reach-next-hop-length', `MP_REACH_NLRI next hop length ${nhLen} is not valid for AFI ${afi}`, cur.pos - 1);
}

export function decodeMpReach(cur: Cursor, flags: number, ctx: DecodeContext): AttrOf<'mp-reach'> {
  const start = cur.pos;
  const rib = ctx.mrtRibAfiSafi;
  if (rib !== undefined && cur.end - start >= 1 && cur.buf[start] + 1 === cur.end - start) {
    // Abbreviated TABLE_DUMP_V2 form. A full form starts with the AFI's high byte (0), so it
    // could only match here with a 1-byte value, which the full form never has.
    const nhLen = cur.u8('next hop length');
    if (!isInterpretedAfiSafi(rib.afi, rib.safi)) {
      return { kind: 'mp-reach', flags, afi: rib.afi, safi: rib.safi, nextHops: NO_NEXT_HOPS, nlri: NO_NLRI, raw: cur.buf.subarray(start, cur.end) };
    }
    const nextHops = readNextHops(cur, rib.afi, nhLen);
    return { kind: 'mp-reach', flags, afi: rib.afi, safi: rib.safi, nextHops, nlri: NO_NLRI, raw: undefined };
  }
  if (cur.end - start < 5) cur.fail('mp-reach-truncated', `MP_REACH_NLRI of ${cur.end - start} byte(s) is shorter than its 5 fixed bytes`);
  const afi = cur.u16('AFI');
  const safi = cur.u8('SAFI');
  if (!isInterpretedAfiSafi(afi, safi)) {
    const raw = cur.buf.subarray(start, cur.end);
    cur.pos = cur.end;
    return { kind: 'mp-reach', flags, afi, safi, nextHops: NO_NEXT_HOPS, nlri: NO_NLRI, raw };
  }
  const nhLen = cur.u8('next hop length');
  if (nhLen + 1 > cur.end - cur.pos) {
    cur.fail('mp-reach-next-hop-overrun', `MP_REACH_NLRI next hop length ${nhLen} overruns the attribute`, cur.pos - 1);
  }
  const nextHops = readNextHops(cur, afi, nhLen);
  cur.u8('reserved');
  const nlri = decodeNlri(cur, afi === 1 ? 4 : 6, addPathOn(ctx, afi, safi));
  return { kind: 'mp-reach', flags, afi, safi, nextHops, nlri, raw: undefined };
}

export function encodeMpReach(a: AttrOf<'mp-reach'>, w: Writer, ctx: DecodeContext): void {
  if (a.raw !== undefined) {
    w.bytes(a.raw);
    return;
  }
  w.u16(a.afi).u8(a.safi);
  let nhLen = 0;
  for (const nh of a.nextHops) nhLen += nh.bytes.length;
  w.u8(nhLen);
  for (const nh of a.nextHops) w.bytes(nh.bytes);
  w.u8(0);
  encodeNlri(a.nlri, w, addPathOn(ctx, a.afi, a.safi));
}
