// The fast path for TABLE_DUMP_V2 RIB_IPV4_UNICAST / RIB_IPV6_UNICAST and their ADD-PATH
// forms (RFC 6396 §4.3.2, RFC 8050): the lines BgpdumpText.format() prints, written
// straight from the record's bytes, with each distinct attribute block's line tail
// cached as bytes.
import { Cursor } from '../../cursor.ts';
import { ByteArena, ByteKeyCache } from '../attr-cache.ts';
import { MAX_PREFIX_TEXT, writePrefix } from './address-text.ts';
import { HAS_PROBLEMS, ribTailInto } from './attr-tail.ts';
import { bgpdumpAttrs, decodeAttrsLenient, ribNextHop } from './attrs.ts';
import { type ByteOut, writeUint } from './byte-out.ts';

export class RibFastPath {
  /** Attribute block -> the line's tail from the AS path on, latin1; per [IPv4, IPv6]. */
  private readonly tails = [new ByteKeyCache<Uint8Array>(), new ByteKeyCache<Uint8Array>()];

  constructor(private readonly arena: ByteArena) {}

  /**
   * Writes the lines of one RIB record's `body` into `out`, reading it through a Cursor
   * with no per-entry objects. `peerBytes`: the PEER_INDEX_TABLE's `peer|peer_as|` texts,
   * latin1. False (with `out` partly written: the caller resets it) when format() would
   * report a problem: an unknown peer, attribute problems; a damaged body throws
   * DecodeError from the Cursor.
   */
  write(body: Uint8Array, timestamp: number, v6: boolean, addPath: boolean, peerBytes: readonly Uint8Array[], out: ByteOut): boolean {
    const cur = new Cursor(body, 0, body.length, 'mrt');
    cur.u32('rib sequence');
    const lenAt = cur.pos;
    const len = cur.u8('rib prefix length');
    if (len > (v6 ? 128 : 32)) return false;
    cur.skip((len + 7) >>> 3, 'rib prefix');
    const lead = `${addPath ? 'TABLE_DUMP2_AP' : 'TABLE_DUMP2'}|${timestamp}|B|`;
    const count = cur.u16('rib entry count');
    const cache = this.tails[v6 ? 1 : 0];
    // The first line writes the record's lead and prefix text; later lines copy those bytes
    // from it (copyWithin: ensure() keeps offsets, so they stay valid).
    let leadAt = -1;
    let pfxAt = 0;
    let pfxLen = 0;
    // Lead, prefix text and its "|", path id and its "|".
    const fixed = lead.length + MAX_PREFIX_TEXT + 1 + 11;
    for (let i = 0; i < count; i++) {
      const peerIndex = cur.u16('rib entry peer index');
      cur.skip(4, 'rib entry originated time');
      const pathId = addPath ? cur.u32('rib entry path identifier') : 0;
      const alen = cur.u16('rib entry attribute length');
      const astart = cur.pos;
      cur.skip(alen, 'rib entry attributes');
      const peer = peerBytes[peerIndex];
      if (peer === undefined) return false;
      const tail = cache.getRange(body, astart, astart + alen);
      if (tail === HAS_PROBLEMS) return false;
      out.ensure(fixed + peer.length + (tail === undefined ? 0 : tail.length));
      let b = out.buf;
      let p = out.pos;
      if (leadAt < 0) {
        leadAt = p;
        out.latin1(lead);
        b = out.buf;
        b.set(peer, out.pos);
        pfxAt = out.pos + peer.length;
        p = writePrefix(body, lenAt, v6, b, pfxAt);
        b[p++] = 0x7c; // '|'
        pfxLen = p - pfxAt;
      } else {
        b.copyWithin(p, leadAt, leadAt + lead.length);
        p += lead.length;
        b.set(peer, p);
        p += peer.length;
        b.copyWithin(p, pfxAt, pfxAt + pfxLen);
        p += pfxLen;
      }
      if (addPath) {
        p = writeUint(pathId, b, p);
        b[p++] = 0x7c; // '|'
      }
      if (tail !== undefined) {
        b.set(tail, p);
        out.pos = p + tail.length;
      } else {
        // First sight of this block: write its text (straight from the bytes when it is the
        // common kind, else through the general decoder), keep a copy of the bytes.
        out.pos = p;
        out.ensure(alen * 4 + 256);
        const w = ribTailInto(body, astart, astart + alen, v6 ? 2 : 1, out.buf, p);
        if (w >= 0) out.pos = w;
        else {
          const text = ribTailText(body, astart, astart + alen, v6 ? 2 : 1);
          if (text === undefined) {
            cache.setRange(body, astart, astart + alen, HAS_PROBLEMS);
            return false;
          }
          out.latin1(text);
        }
        cache.setRange(body, astart, astart + alen, this.arena.copy(out.buf, p, out.pos));
      }
    }
    return true;
  }
}

/** ribTailInto's text through the general decoder; undefined when format() would report problems. */
function ribTailText(body: Uint8Array, start: number, end: number, afi: number): string | undefined {
  const { attrs, problems } = decodeAttrsLenient(body.subarray(start, end), { as4: true, mrtRibAfiSafi: { afi, safi: 1 } });
  if (problems.length > 0) return undefined;
  const a = bgpdumpAttrs(attrs, true, problems);
  return `${a.asPath}|${a.origin}|${ribNextHop(a)}|${a.localPref}|${a.med}${a.end}\n`;
}
