// The line tail of an attribute block (`as_path|origin|next_hop|local_pref|med|
// communities|AG|aggregator|` and the newline) written straight from the block's bytes,
// for the common kind of block: the fast paths' answer on a cache miss. Both fast paths
// read the block the same way (scanAttrs) and write the same fields the same way; they
// differ in the MP_REACH_NLRI form (a RIB entry's abbreviated one, an UPDATE's full one),
// in the AS number size and in how the next hop, local pref and MED print. Anything
// uncommon returns -1, and the general decoder (attrs.ts) decides and reports problems.
import { writeIPv4, writeIPv6 } from './address-text.ts';
import { COMMUNITY_NAMES, ORIGIN_TEXT } from './attrs.ts';
import { u32At, writeAscii, writeInt32, writeUint } from './byte-out.ts';

/** Where scanAttrs found each value in the block; -1 (or the default) when absent. */
class AttrSpots {
  pathAt = -1;
  pathEnd = 0;
  origin = 2; // bgpdump's origin starts at -1, which it prints as INCOMPLETE
  nhAt = -1;
  /** MP_REACH_NLRI's next hop: its AFI and where it starts. */
  mpAfi = 0;
  mpNh = -1;
  lpAt = -1;
  medAt = -1;
  commAt = -1;
  commEnd = 0;
  atomic = false;
  aggAt = -1;
}

/** One instance, refilled by every scan: a miss allocates nothing. */
const spots = new AttrSpots();

/**
 * Checks that `b[start..end)` is the common kind of block and notes in `spots` where each
 * value is: ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR,
 * COMMUNITIES, LARGE_COMMUNITY (never printed) and MP_REACH_NLRI, each once, well formed,
 * with the flags RFC 4271 wants, and an AS path far from bgpdump's 8000-character cut.
 * `ribAfi` 1 or 2: a TABLE_DUMP_V2 RIB entry's block, whose MP_REACH_NLRI is the
 * abbreviated form (next hop only; an IPv6 one is noted, an IPv4 one only for IPv4 RIBs
 * and not printed). `ribAfi` 0: an UPDATE's block, whose MP_REACH_NLRI / MP_UNREACH_NLRI
 * are the full forms for IPv4/IPv6 unicast/multicast (their NLRI well formed), and
 * EXTENDED_COMMUNITIES (never printed) may be there too. `asz`: AS number size, 2 or 4.
 */
function scanAttrs(b: Uint8Array, start: number, end: number, asz: number, ribAfi: number): boolean {
  const s = spots;
  s.pathAt = -1;
  s.pathEnd = 0;
  s.origin = 2;
  s.nhAt = -1;
  s.mpAfi = 0;
  s.mpNh = -1;
  s.lpAt = -1;
  s.medAt = -1;
  s.commAt = -1;
  s.commEnd = 0;
  s.atomic = false;
  s.aggAt = -1;
  let seen = 0;
  let p = start;
  while (p < end) {
    if (end - p < 3) return false;
    const flags = b[p];
    const type = b[p + 1];
    let len: number;
    if (flags & 0x10) {
      if (end - p < 4) return false;
      len = (b[p + 2] << 8) | b[p + 3];
      p += 4;
    } else {
      len = b[p + 2];
      p += 3;
    }
    if (len > end - p) return false;
    const v = p;
    p += len;
    const bit = type === 32 ? 1 << 31 : 1 << type;
    if (type > 32 || (seen & bit) !== 0) return false;
    seen |= bit;
    const ot = flags & 0xc0;
    switch (type) {
      case 1:
        if (ot !== 0x40 || len !== 1 || b[v] > 2) return false;
        s.origin = b[v];
        break;
      case 2: {
        if (ot !== 0x40 || len > 2000) return false; // far below the 8000-character cut
        let q = v;
        while (q < p) {
          if (p - q < 2) return false;
          const st = b[q];
          const count = b[q + 1];
          q += 2;
          if (st < 1 || st > 4 || count === 0 || count * asz > p - q) return false;
          q += count * asz;
        }
        s.pathAt = v;
        s.pathEnd = p;
        break;
      }
      case 3:
        if (ot !== 0x40 || len !== 4) return false;
        s.nhAt = v;
        break;
      case 4:
        if (ot !== 0x80 || len !== 4) return false;
        s.medAt = v;
        break;
      case 5:
        if (ot !== 0x40 || len !== 4) return false;
        s.lpAt = v;
        break;
      case 6:
        if (ot !== 0x40 || len !== 0) return false;
        s.atomic = true;
        break;
      case 7:
        if (ot !== 0xc0 || len !== 2 + asz + 2) return false;
        s.aggAt = v;
        break;
      case 8:
        if (ot !== 0xc0 || len === 0 || (len & 3) !== 0) return false;
        s.commAt = v;
        s.commEnd = p;
        break;
      case 14:
        if (ribAfi !== 0) {
          if (ot !== 0x80 || len === 0 || b[v] + 1 !== len) return false;
          const nhLen = b[v];
          if (nhLen === 16 || nhLen === 32) {
            s.mpAfi = 2;
            s.mpNh = v + 1;
          } else if (nhLen !== 4 || ribAfi !== 1) return false;
          break;
        }
        if (!mpWellFormed(b, v, p, ot, true)) return false;
        s.mpAfi = (b[v] << 8) | b[v + 1];
        s.mpNh = v + 4;
        break;
      case 15:
        if (ribAfi !== 0 || !mpWellFormed(b, v, p, ot, false)) return false;
        break;
      case 16:
        if (ribAfi !== 0 || ot !== 0xc0 || len === 0 || (len & 7) !== 0) return false;
        break; // never printed
      case 32:
        if (ot !== 0xc0 || len === 0 || len % 12 !== 0) return false;
        break; // never printed
      default:
        return false;
    }
  }
  return true;
}

/** An UPDATE's MP_REACH_NLRI (`reach`) / MP_UNREACH_NLRI value `b[v..end)`: IPv4/IPv6 unicast/multicast, NLRI well formed. */
function mpWellFormed(b: Uint8Array, v: number, end: number, ot: number, reach: boolean): boolean {
  const len = end - v;
  if (ot !== 0x80 || len < 3) return false;
  const afi = (b[v] << 8) | b[v + 1];
  const safi = b[v + 2];
  if ((afi !== 1 && afi !== 2) || (safi !== 1 && safi !== 2)) return false;
  let q = v + 3;
  if (reach) {
    if (len < 5) return false;
    const nhLen = b[v + 3];
    if (nhLen + 1 > len - 4 || (nhLen !== 16 && nhLen !== 32 && !(nhLen === 4 && afi === 1))) return false;
    q = v + 5 + nhLen;
  }
  const max = afi === 1 ? 32 : 128;
  while (q < end) {
    const l = b[q];
    if (l > max || ((l + 7) >>> 3) > end - q - 1) return false;
    q += 1 + ((l + 7) >>> 3);
  }
  return true;
}

/**
 * asPathText from the AS_PATH bytes: every segment has at least one AS, so segments are
 * space-separated, each closed when the next starts; sets "{a,b}", confed sequences
 * "(a b)", confed sets "[a,b]". Then `|origin|`.
 */
function writePathOrigin(b: Uint8Array, asz: number, o: Uint8Array, w: number): number {
  const s = spots;
  if (s.pathAt >= 0) {
    let close = 0;
    for (let q = s.pathAt; q < s.pathEnd; ) {
      const st = b[q];
      const count = b[q + 1];
      if (q > s.pathAt) {
        if (close !== 0) o[w++] = close;
        o[w++] = 0x20;
      }
      q += 2;
      if (st !== 2) o[w++] = st === 1 ? 0x7b : st === 3 ? 0x28 : 0x5b;
      const sep = st === 1 || st === 4 ? 0x2c : 0x20;
      for (let i = 0; i < count; i++, q += asz) {
        if (i > 0) o[w++] = sep;
        w = writeUint(asz === 4 ? u32At(b, q) : (b[q] << 8) | b[q + 1], o, w);
      }
      close = st === 1 ? 0x7d : st === 3 ? 0x29 : st === 4 ? 0x5d : 0;
    }
    if (close !== 0) o[w++] = close;
  }
  o[w++] = 0x7c;
  w = writeAscii(ORIGIN_TEXT[s.origin], o, w);
  o[w++] = 0x7c;
  return w;
}

/** `|communities|AG/NAG|aggregator|\n`, the end every line shares (`asz`: the aggregator's AS size). */
function writeLineEnd(b: Uint8Array, asz: number, o: Uint8Array, w: number): number {
  const s = spots;
  o[w++] = 0x7c;
  if (s.commAt >= 0) {
    for (let q = s.commAt; q < s.commEnd; q += 4) {
      if (q > s.commAt) o[w++] = 0x20;
      const c = u32At(b, q);
      const name = COMMUNITY_NAMES.get(c);
      if (name !== undefined) w = writeAscii(name, o, w);
      else {
        w = writeUint(c >>> 16, o, w);
        o[w++] = 0x3a;
        w = writeUint(c & 0xffff, o, w);
      }
    }
  }
  o[w++] = 0x7c;
  w = writeAscii(s.atomic ? 'AG' : 'NAG', o, w);
  o[w++] = 0x7c;
  const aggAt = s.aggAt;
  const ip = aggAt + asz;
  if (aggAt >= 0 && !(b[ip] === 255 && b[ip + 1] === 255 && b[ip + 2] === 255 && b[ip + 3] === 255)) {
    w = writeUint(asz === 4 ? u32At(b, aggAt) : (b[aggAt] << 8) | b[aggAt + 1], o, w);
    o[w++] = 0x20;
    w = writeIPv4(b, ip, o, w);
  }
  o[w++] = 0x7c;
  o[w++] = 0x0a;
  return w;
}

/**
 * A RIB entry's tail `as_path|origin|next_hop|local_pref|med|communities|AG|aggregator|\n`
 * from the block `b[start..end)` into `o` at `at`: the end position, or -1 (nothing
 * meaningful written) when the block is not the common kind (scanAttrs). RIB entries
 * have 4-byte ASNs, so bgpdump's AS4 merge never applies; the next hop is the abbreviated
 * MP_REACH_NLRI's IPv6 one, else NEXT_HOP (ribNextHop). `o` needs (end - start) * 4 + 256.
 */
export function ribTailInto(b: Uint8Array, start: number, end: number, afi: number, o: Uint8Array, at: number): number {
  if (!scanAttrs(b, start, end, 4, afi)) return -1;
  const s = spots;
  let w = writePathOrigin(b, 4, o, at);
  if (s.mpNh >= 0) w = writeIPv6(b, s.mpNh, o, w);
  else if (s.nhAt >= 0) w = writeIPv4(b, s.nhAt, o, w);
  else w = writeAscii('255.255.255.255', o, w);
  o[w++] = 0x7c;
  w = s.lpAt >= 0 ? writeUint(u32At(b, s.lpAt), o, w) : writeUint(0, o, w);
  o[w++] = 0x7c;
  w = s.medAt >= 0 ? writeUint(u32At(b, s.medAt), o, w) : writeUint(0, o, w);
  return writeLineEnd(b, 4, o, w);
}

/**
 * An UPDATE's tail `|as_path|origin|next_hop|local_pref|med|communities|AG|agg|\n` from
 * the block `b[start..end)` into `o` at `at`, for the MP_REACH_NLRI prefixes when there
 * is one (its next hop; local pref and MED with %d for IPv4), else for the IPv4 NLRI.
 * The end position, or -1 when the block is not the common kind (scanAttrs). AS4_PATH /
 * AS4_AGGREGATOR (bgpdump's merge on 2-byte sessions) are left to the general decoder.
 * `o` needs (end - start) * 4 + 256.
 */
export function updateTailInto(b: Uint8Array, start: number, end: number, as4: boolean, o: Uint8Array, at: number): number {
  const asz = as4 ? 4 : 2;
  if (!scanAttrs(b, start, end, asz, 0)) return -1;
  const s = spots;
  let w = at;
  o[w++] = 0x7c;
  w = writePathOrigin(b, asz, o, w);
  const lp = s.lpAt >= 0 ? u32At(b, s.lpAt) : 0;
  const med = s.medAt >= 0 ? u32At(b, s.medAt) : 0;
  if (s.mpNh >= 0 && s.mpAfi === 1) {
    // table_line_announce_1 prints local pref and MED with %d.
    w = writeIPv4(b, s.mpNh, o, w);
    o[w++] = 0x7c;
    w = writeInt32(lp, o, w);
    o[w++] = 0x7c;
    w = writeInt32(med, o, w);
  } else {
    if (s.mpNh >= 0) w = writeIPv6(b, s.mpNh, o, w);
    else if (s.nhAt >= 0) w = writeIPv4(b, s.nhAt, o, w);
    else w = writeAscii('255.255.255.255', o, w);
    o[w++] = 0x7c;
    w = writeUint(lp, o, w);
    o[w++] = 0x7c;
    w = writeUint(med, o, w);
  }
  return writeLineEnd(b, asz, o, w);
}

/** Marks a cached attribute block that format() reports problems for: the fast paths decline it. */
export const HAS_PROBLEMS = new Uint8Array(0);
