// The fast path for BGP4MP(_ET) MESSAGE, MESSAGE_AS4, MESSAGE_LOCAL, MESSAGE_AS4_LOCAL
// UPDATEs: the lines BgpdumpText.format() prints, written straight from the record's
// bytes. The line head (`BGP4MP|time|A|peer|peer_as|`) is kept per session and time; the
// tail after the prefix (`|as_path|origin|next_hop|local_pref|med|communities|AG|
// aggregator|`) depends on the attribute block only, so it is cached as bytes per
// distinct block, the key leaving out the NLRI inside MP_REACH_NLRI / MP_UNREACH_NLRI
// (IPv6 updates carry their prefixes there).
import { ByteArena, ByteKeyCache } from '../attr-cache.ts';
import { MRT_TYPE, type MrtHeader } from '../framing.ts';
import { bgpdumpIPv6, ipv4Text, MAX_PREFIX_TEXT, writePrefix } from './address-text.ts';
import { HAS_PROBLEMS, updateTailInto } from './attr-tail.ts';
import { bgpdumpAttrs, decodeAttrsLenient } from './attrs.ts';
import { type ByteOut, latin1Bytes, NEWLINE, u32At } from './byte-out.ts';

export class UpdateFastPath {
  /** Session (record head bytes) -> line heads; per [et][local]. */
  private readonly sessions = [new ByteKeyCache<UpdSession>(), new ByteKeyCache<UpdSession>(), new ByteKeyCache<UpdSession>(), new ByteKeyCache<UpdSession>()];
  /** Attribute block (MP NLRI left out of the key) -> line tail, latin1; per [as4][has MP attributes]. */
  private readonly tails = [new ByteKeyCache<Uint8Array>(), new ByteKeyCache<Uint8Array>(), new ByteKeyCache<Uint8Array>(), new ByteKeyCache<Uint8Array>()];
  private keyScratch = new Uint8Array(4096);
  private tailScratch = new Uint8Array(4096);

  constructor(private readonly arena: ByteArena) {}

  /**
   * Writes the lines of one MESSAGE record's `body` into `out`. False (the caller resets
   * `out` and uses format()) for any record format() would report a problem for, and for
   * the unusual ones: the old Zebra OPEN form, a cut message, lengths that do not add up
   * exactly, MP attributes for other AFI/SAFIs, MP_REACH_NLRI next to IPv4 NLRI, the
   * IPv6-withdrawal-on-IPv4-_LOCAL quirk. ADD-PATH subtypes never come here.
   */
  write(body: Uint8Array, h: MrtHeader, as4: boolean, local: boolean, out: ByteOut): boolean {
    const n = body.length;
    const asz = as4 ? 4 : 2;
    let p = 2 * asz;
    if (n < p + 4) return false;
    const ifIndex = (body[p] << 8) | body[p + 1];
    const afi = (body[p + 2] << 8) | body[p + 3];
    if (afi !== 1 && afi !== 2) return false; // the old Zebra OPEN form (0xffff) too
    void ifIndex;
    const alen = afi === 1 ? 4 : 16;
    const sessEnd = p + 4 + alen;
    const msg = sessEnd + alen;
    if (n - msg < 19) return false;
    for (let i = 0; i < 16; i++) if (body[msg + i] !== 0xff) return false;
    const mlen = (body[msg + 16] << 8) | body[msg + 17];
    if (mlen < 19) return false;
    if (body[msg + 18] !== 2) return true; // OPEN, KEEPALIVE, NOTIFICATION...: nothing printed
    const end = msg + mlen;
    if (end > n) return false; // cut: reported by message()
    p = msg + 19;
    if (end - p < 2) return false;
    const wl = (body[p] << 8) | body[p + 1];
    p += 2;
    if (wl > end - p) return false;
    const wStart = p;
    p += wl;
    if (end - p < 2) return false;
    const al = (body[p] << 8) | body[p + 1];
    p += 2;
    if (al > end - p) return false;
    const aStart = p;
    const aEnd = p + al;
    // MP_REACH_NLRI / MP_UNREACH_NLRI: where their NLRI are.
    let reachAt = -1;
    let reachNlri = 0;
    let reachEnd = 0;
    let reachV6 = false;
    let unAt = -1;
    let unNlri = 0;
    let unEnd = 0;
    let unV6 = false;
    for (let q = aStart; q < aEnd; ) {
      if (aEnd - q < 3) return false;
      const flags = body[q];
      const type = body[q + 1];
      let v: number;
      let len: number;
      if (flags & 0x10) {
        if (aEnd - q < 4) return false;
        len = (body[q + 2] << 8) | body[q + 3];
        v = q + 4;
      } else {
        len = body[q + 2];
        v = q + 3;
      }
      if (len > aEnd - v) return false;
      if (type === 14 || type === 15) {
        if (len < 3) return false;
        const mafi = (body[v] << 8) | body[v + 1];
        const safi = body[v + 2];
        if ((mafi !== 1 && mafi !== 2) || (safi !== 1 && safi !== 2)) return false;
        if (type === 14) {
          if (reachAt >= 0 || len < 5) return false;
          const nhLen = body[v + 3];
          if (nhLen + 1 > len - 4 || (nhLen !== 16 && nhLen !== 32 && !(nhLen === 4 && mafi === 1))) return false;
          reachAt = q;
          reachNlri = v + 5 + nhLen;
          reachEnd = v + len;
          reachV6 = mafi === 2;
        } else {
          if (unAt >= 0) return false;
          if (mafi === 2 && local && afi === 1) return false; // bgpdump's inet_ntop quirk: message() does it
          unAt = q;
          unNlri = v + 3;
          unEnd = v + len;
          unV6 = mafi === 2;
        }
      }
      q = v + len;
    }
    if (reachAt >= 0 && aEnd < end) return false; // IPv4 NLRI next to MP_REACH_NLRI: rare, message() does it
    let tail: Uint8Array = NEWLINE;
    if (al > 0 || aEnd < end) {
      const mp = reachAt >= 0 || unAt >= 0;
      const cache = this.tails[(as4 ? 2 : 0) + (mp ? 1 : 0)];
      let kb = body;
      let ks = aStart;
      let ke = aEnd;
      if (mp) {
        // The key: the block with each MP attribute cut to flags, type and its fixed part
        // (AFI, SAFI; next hop and reserved byte for MP_REACH_NLRI); self-delimiting.
        if (this.keyScratch.length < al) this.keyScratch = new Uint8Array(al * 2);
        kb = this.keyScratch;
        ks = 0;
        ke = 0;
        let from = aStart;
        for (let pass = 0; pass < 2; pass++) {
          const at = reachAt >= 0 && (unAt < 0 || reachAt < unAt) ? (pass === 0 ? reachAt : unAt) : pass === 0 ? unAt : reachAt;
          if (at < 0) continue;
          for (let i = from; i < at; i++) kb[ke++] = body[i];
          kb[ke++] = body[at];
          kb[ke++] = body[at + 1];
          const v = at + (body[at] & 0x10 ? 4 : 3);
          const fixedEnd = at === reachAt ? reachNlri : unNlri;
          for (let i = v; i < fixedEnd; i++) kb[ke++] = body[i];
          from = at === reachAt ? reachEnd : unEnd;
        }
        for (let i = from; i < aEnd; i++) kb[ke++] = body[i];
      }
      const t = cache.getRange(kb, ks, ke);
      if (t === HAS_PROBLEMS) return false;
      if (t !== undefined) tail = t;
      else {
        const made = this.updateTail(body, aStart, aEnd, as4);
        cache.setRange(kb, ks, ke, made ?? HAS_PROBLEMS);
        if (made === undefined) return false;
        tail = made;
      }
    }
    const s = this.session(body, sessEnd, afi, as4, local, h);
    // bgpdump's order: withdrawn routes, MP_UNREACH_NLRI, NLRI, MP_REACH_NLRI.
    if (wl > 0 && !nlriLines(body, wStart, wStart + wl, false, s.headW, NEWLINE, out)) return false;
    if (unAt >= 0 && !nlriLines(body, unNlri, unEnd, unV6, s.headW, NEWLINE, out)) return false;
    if (aEnd < end && !nlriLines(body, aEnd, end, false, s.headA, tail, out)) return false;
    if (reachAt >= 0 && !nlriLines(body, reachNlri, reachEnd, reachV6, s.headA, tail, out)) return false;
    return true;
  }

  /** The line heads of a session (the record's peer AS .. peer address) at the record's time. */
  private session(body: Uint8Array, sessEnd: number, afi: number, as4: boolean, local: boolean, h: MrtHeader): UpdSession {
    const et = h.type === MRT_TYPE.BGP4MP_ET;
    const cache = this.sessions[(et ? 2 : 0) + (local ? 1 : 0)];
    let s = cache.getRange(body, 0, sessEnd);
    if (s === undefined) {
      const peerAs = as4 ? u32At(body, 0) : (body[0] << 8) | body[1];
      const ipAt = sessEnd - (afi === 1 ? 4 : 16);
      const peer = `${afi === 2 ? bgpdumpIPv6(body, ipAt) : ipv4Text(body, ipAt)}|${peerAs}|`;
      s = { peer, lead: `BGP4MP${et ? '_ET' : ''}${local ? '_LOCAL' : ''}|`, ts: -1, us: -1, headA: NEWLINE, headW: NEWLINE };
      cache.setRange(body, 0, sessEnd, s);
    }
    if (s.ts !== h.timestamp || s.us !== h.microseconds) {
      const us = `${h.microseconds}`;
      const time = et ? `${h.timestamp}.${us.length >= 6 ? us : '000000'.slice(us.length) + us}` : `${h.timestamp}`;
      s.ts = h.timestamp;
      s.us = h.microseconds;
      s.headA = latin1Bytes(`${s.lead}${time}|A|${s.peer}`);
      s.headW = latin1Bytes(`${s.lead}${time}|W|${s.peer}`);
    }
    return s;
  }

  /**
   * The line tail of an UPDATE's attribute block (for the MP_REACH_NLRI prefixes when the
   * block has one, else for the IPv4 NLRI), straight from the bytes when the block is the
   * common kind, else through the general decoder; undefined when format() would report
   * problems. A copy in the arena.
   */
  private updateTail(body: Uint8Array, start: number, end: number, as4: boolean): Uint8Array | undefined {
    const need = (end - start) * 4 + 256;
    if (this.tailScratch.length < need) this.tailScratch = new Uint8Array(need * 2);
    const o = this.tailScratch;
    const w = updateTailInto(body, start, end, as4, o, 0);
    if (w >= 0) return this.arena.copy(o, 0, w);
    const { attrs, problems } = decodeAttrsLenient(body.subarray(start, end), { as4 });
    if (problems.length > 0) return undefined;
    const a = bgpdumpAttrs(attrs, as4, problems);
    const mp = a.mpReach;
    let mid: string;
    if (mp === undefined) mid = `${a.nextHop}|${a.localPref}|${a.med}`;
    else if (mp.raw !== undefined) return undefined; // not reached: write() declines these
    else if (mp.afi === 1) mid = `${mp.nextHops.length > 0 ? ipv4Text(mp.nextHops[0].bytes) : '0.0.0.0'}|${a.localPref | 0}|${a.med | 0}`;
    else mid = `${mp.nextHops.length > 0 ? bgpdumpIPv6(mp.nextHops[0].bytes) : '::'}|${a.localPref}|${a.med}`;
    const text = latin1Bytes(`|${a.asPath}|${a.origin}|${mid}${a.end}\n`);
    return this.arena.copy(text, 0, text.length);
  }

}
/** A BGP4MP session as the fast path's lines name it. */
interface UpdSession {
  /** `${peer}|${peer_as}|` */
  readonly peer: string;
  /** `BGP4MP|`, `BGP4MP_LOCAL|`, `BGP4MP_ET|`... */
  readonly lead: string;
  ts: number;
  us: number;
  /** `${lead}${time}|A|${peer}`, latin1, for the time `ts`, `us`. */
  headA: Uint8Array;
  headW: Uint8Array;
}


/**
 * One line per prefix of the NLRI list `b[p..end)` (IPv4 or IPv6, no path ids): head,
 * prefix text (host bits cleared, as decodeNlri does), tail. False when the list is
 * not well formed (a length over 32/128, a prefix running past `end`): decodeNlri would
 * fail, so message() reports it.
 */
function nlriLines(b: Uint8Array, p: number, end: number, v6: boolean, head: Uint8Array, tail: Uint8Array, out: ByteOut): boolean {
  const max = v6 ? 128 : 32;
  const room = head.length + tail.length + MAX_PREFIX_TEXT;
  while (p < end) {
    const len = b[p];
    const nb = (len + 7) >>> 3;
    if (len > max || nb > end - p - 1) return false;
    out.ensure(room);
    const o = out.buf;
    let w = out.pos;
    o.set(head, w);
    w += head.length;
    w = writePrefix(b, p, v6, o, w);
    o.set(tail, w);
    out.pos = w + tail.length;
    p += 1 + nb;
  }
  return true;
}
