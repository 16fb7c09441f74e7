// The common case of a TABLE_DUMP_V2 RIB entry's attribute block, straight to
// RouteAttributes: what decodePathAttributes + toRouteAttributes give (deep-equal, same
// key order) for blocks made only of well-formed ORIGIN, AS_PATH, NEXT_HOP, MED,
// LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR, COMMUNITIES, LARGE_COMMUNITY and the
// abbreviated MP_REACH_NLRI (RFC 6396 4.3.4), each once, with the flags RFC 4271 wants.
// Anything else (another type, a repeat, odd flags, a bad length or value, AS4_PATH, a
// full MP_REACH_NLRI) returns undefined and the caller takes the general path, which is
// where every RFC 7606 decision is made. RIB entries always carry 4-byte ASNs (RFC 6396
// 4.3.4), so AS4_PATH/AS4_AGGREGATOR never apply here; they are simply not taken.
//
// Every read is bounded by `end` (checked before it is made); nothing here throws.
import type { Address } from '../../model/address.ts';
import type { OriginName, RouteAttributes } from '../../model/route-event.ts';

const ORIGINS: readonly OriginName[] = ['igp', 'egp', 'incomplete'];

function u32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

/** `b[start..end)` is one attribute block; `afi`/`safi` come from the RIB subtype. */
export function ribRouteAttributes(b: Uint8Array, start: number, end: number, afi: number, safi: number): RouteAttributes | undefined {
  let seen = 0;
  let asPath: (number | readonly number[])[] = [];
  let nextHop: Address | undefined;
  let mpNextHop: Address | undefined;
  let origin: OriginName | undefined;
  let med: number | undefined;
  let localPref: number | undefined;
  let atomic = false;
  let aggregator: { asn: number; address: Address } | undefined;
  let communities: string[] = [];
  let largeCommunities: string[] = [];
  let p = start;
  while (p < end) {
    if (end - p < 3) return undefined;
    const flags = b[p];
    const type = b[p + 1];
    let len: number;
    if (flags & 0x10) {
      if (end - p < 4) return undefined;
      len = (b[p + 2] << 8) | b[p + 3];
      p += 4;
    } else {
      len = b[p + 2];
      p += 3;
    }
    if (len > end - p) return undefined;
    const v = p;
    p += len;
    // One bit per type taken (32 shares bit 31 with type 31, which is never taken).
    const bit = type === 32 ? 1 << 31 : 1 << type;
    if (type > 32 || (seen & bit) !== 0) return undefined;
    seen |= bit;
    const ot = flags & 0xc0;
    switch (type) {
      case 1:
        if (ot !== 0x40 || len !== 1 || b[v] > 2) return undefined;
        origin = ORIGINS[b[v]];
        break;
      case 2: {
        if (ot !== 0x40) return undefined;
        const path: (number | readonly number[])[] = [];
        let q = v;
        while (q < p) {
          if (p - q < 2) return undefined;
          const st = b[q];
          const count = b[q + 1];
          q += 2;
          if (st < 1 || st > 4 || count === 0 || count * 4 > p - q) return undefined;
          if (st === 2) {
            for (let i = 0; i < count; i++, q += 4) path.push(u32(b, q));
          } else if (st === 1) {
            const set: number[] = [];
            for (let i = 0; i < count; i++, q += 4) set.push(u32(b, q));
            path.push(set);
          } else q += count * 4; // confederation segments are left out (toAsPath)
        }
        asPath = path;
        break;
      }
      case 3:
        if (ot !== 0x40 || len !== 4) return undefined;
        nextHop = { family: 4, bytes: b.slice(v, v + 4) };
        break;
      case 4:
        if (ot !== 0x80 || len !== 4) return undefined;
        med = u32(b, v);
        break;
      case 5:
        if (ot !== 0x40 || len !== 4) return undefined;
        localPref = u32(b, v);
        break;
      case 6:
        if (ot !== 0x40 || len !== 0) return undefined;
        atomic = true;
        break;
      case 7:
        if (ot !== 0xc0 || len !== 8) return undefined;
        aggregator = { asn: u32(b, v), address: { family: 4, bytes: b.slice(v + 4, v + 8) } };
        break;
      case 8:
        if (ot !== 0xc0 || len === 0 || (len & 3) !== 0) return undefined;
        communities = [];
        for (let q = v; q < p; q += 4) communities.push(`${(b[q] << 8) | b[q + 1]}:${(b[q + 2] << 8) | b[q + 3]}`);
        break;
      case 14: {
        // Only the abbreviated form: next hop length, next hop.
        if (ot !== 0x80 || len === 0 || b[v] + 1 !== len) return undefined;
        const nhLen = b[v];
        if (nhLen === 4 && afi === 1) mpNextHop = { family: 4, bytes: b.slice(v + 1, v + 5) };
        else if (nhLen === 16 || nhLen === 32) mpNextHop = { family: 6, bytes: b.slice(v + 1, v + 17) };
        else return undefined;
        break;
      }
      case 32:
        if (ot !== 0xc0 || len === 0 || len % 12 !== 0) return undefined;
        largeCommunities = [];
        for (let q = v; q < p; q += 12) largeCommunities.push(`${u32(b, q)}:${u32(b, q + 4)}:${u32(b, q + 8)}`);
        break;
      default:
        return undefined;
    }
  }
  if (safi !== 1 && safi !== 2) return undefined;
  const out: { -readonly [K in keyof RouteAttributes]: RouteAttributes[K] } = { asPath, communities, largeCommunities };
  const nh = afi === 1 && nextHop !== undefined ? nextHop : (mpNextHop ?? nextHop);
  if (nh !== undefined) out.nextHop = nh;
  if (origin !== undefined) out.origin = origin;
  if (med !== undefined) out.med = med;
  if (localPref !== undefined) out.localPref = localPref;
  if (atomic) out.atomicAggregate = true;
  if (aggregator !== undefined) out.aggregator = aggregator;
  return out;
}
