// MrtRecord -> the lines `bgpdump -m` (RIPE NCC libbgpdump 1.6.2) prints, byte for byte.
// Pure: no I/O. The reference is bgpdump's behaviour, including its quirks, each noted
// where it is reproduced:
//
//   TABLE_DUMP|time|B|peer|peer_as|prefix|as_path|origin|next_hop|local_pref|med|communities|AG/NAG|aggregator|
//   TABLE_DUMP2|time|B|peer|peer_as|prefix|as_path|origin|next_hop|local_pref|med|communities|AG/NAG|aggregator|
//   TABLE_DUMP2_AP|time|B|peer|peer_as|prefix|path_id|as_path|...          (RFC 8050 RIB subtypes 8, 10)
//   BGP4MP|time|A|peer|peer_as|prefix|as_path|origin|next_hop|local_pref|med|communities|AG/NAG|aggregator|
//   BGP4MP|time|W|peer|peer_as|prefix
//   BGP4MP|time|STATE|peer|peer_as|old_state|new_state
//   BGP|time|A|... BGP|time|W|... BGP|time|STATE|...                          (deprecated type 5)
//
// BGP4MP_ET prints "BGP4MP_ET" and time as seconds.microseconds; _LOCAL and _ADDPATH
// subtypes print BGP4MP_LOCAL / BGP4MP_AP / BGP4MP_ET_LOCAL_AP ..., ADD-PATH lines carry
// the path id after the prefix. Only UPDATEs and state changes print; OPEN, KEEPALIVE,
// NOTIFICATION, PEER_INDEX_TABLE, multicast and RIB_GENERIC RIB records print nothing.
// LARGE_COMMUNITY and extended communities are never printed.
import type { Address } from '../../model/address.ts';
import type { Prefix } from '../../model/prefix.ts';
import { Cursor } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import { decodePathAttributes } from '../bgp/attrs/index.ts';
import { decodeNlri } from '../bgp/nlri.ts';
import type { AsPathSegment, AttrOf, DecodeContext, Nlri, PathAttribute } from '../bgp/types.ts';
import { ByteArena, ByteKeyCache } from './attr-cache.ts';
import { viewBgpMessage } from './bgp4mp.ts';
import { MRT_TYPE, type MrtHeader, type RawMrtRecord } from './framing.ts';
import type {
  Bgp4mpMessageRecord,
  Bgp4mpStateChangeRecord,
  LegacyBgpRecord,
  MrtRecord,
  PeerIndexEntry,
  RibRecord,
  TableDumpRecord,
} from './types.ts';

const OCTET: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** inet_ntoa, by table: no number formatting per octet. */
export function ipv4Text(b: Uint8Array, off = 0): string {
  return `${OCTET[b[off]]}.${OCTET[b[off + 1]]}.${OCTET[b[off + 2]]}.${OCTET[b[off + 3]]}`;
}

/**
 * IPv6 text as bgpdump's own fmt_ipv6 writes it, which is not glibc's inet_ntop: the
 * longest run of zero words is compressed even when it is a single word
 * ("2001:7f8:30::2:1:0:8447"), the leftmost run wins a tie, and IPv4-mapped/-compatible
 * addresses print as "::ffff:a.b.c.d" / "::a.b.c.d" (compatible: last word pair > 1).
 */
export function bgpdumpIPv6(b: Uint8Array, off = 0): string {
  let zero12 = true;
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) zero12 = false;
  if (zero12) {
    const mapped = b[off + 10] === 0xff && b[off + 11] === 0xff;
    const tail = ((b[off + 12] << 24) >>> 0) + ((b[off + 13] << 16) | (b[off + 14] << 8) | b[off + 15]);
    if (mapped) return `::ffff:${ipv4Text(b, off + 12)}`;
    if (b[off + 10] === 0 && b[off + 11] === 0 && tail > 1) return `::${ipv4Text(b, off + 12)}`;
  }
  const w = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) w[i] = (b[off + 2 * i] << 8) | b[off + 2 * i + 1];
  // Run length of zero words starting at each position; the first longest run is compressed.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; i++) {
    let n = 0;
    while (i + n < 8 && w[i + n] === 0) n++;
    if (n > bestLen) {
      best = i;
      bestLen = n;
    }
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += w[i].toString(16);
    if (i !== 7) s += ':';
  }
  return s;
}

function addrText(a: Address): string {
  return a.family === 4 ? ipv4Text(a.bytes) : bgpdumpIPv6(a.bytes);
}

/** bgpdump prints the prefix of a 4-byte address with inet_ntoa and of a 16-byte one with its fmt_ipv6. */
export function prefixText(p: Prefix): string {
  return `${p.family === 4 ? ipv4Text(p.bytes) : bgpdumpIPv6(p.bytes)}/${p.len}`;
}

// ---- attribute text, bgpdump's way ----------------------------------------------------

const MAX_ASPATH_TEXT = 8000;
const SEG_OPEN: Record<AsPathSegment['kind'], string> = { set: '{', sequence: '', 'confed-sequence': '(', 'confed-set': '[' };
const SEG_CLOSE: Record<AsPathSegment['kind'], string> = { set: '}', sequence: '', 'confed-sequence': ')', 'confed-set': ']' };

/**
 * bgpdump's AS path text (process_attr_aspath_string): sequences space-separated, sets
 * "{a,b}", confederation sequences "(a b)", confederation sets "[a,b]". A space separates
 * segments only when the previous one printed an AS number. Past ~7900 characters the
 * text ends in "..." with no closing bracket.
 */
export function asPathText(segments: readonly AsPathSegment[]): string {
  let s = '';
  let space = false;
  let prev: AsPathSegment['kind'] = 'sequence';
  for (const seg of segments) {
    s += SEG_CLOSE[prev];
    if (space) s += ' ';
    s += SEG_OPEN[seg.kind];
    space = false;
    const sep = seg.kind === 'set' || seg.kind === 'confed-set' ? ',' : ' ';
    for (const asn of seg.asns) {
      if (space) s += sep;
      else space = true;
      s += asn;
      if (s.length > MAX_ASPATH_TEXT - 100) return `${s}...`;
    }
    prev = seg.kind;
  }
  return s + SEG_CLOSE[prev];
}

/** bgpdump's AS count: sequences count their length (confederation ones too), sets 1. */
function asCount(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) n += s.kind === 'sequence' || s.kind === 'confed-sequence' ? s.asns.length : 1;
  return n;
}

/**
 * bgpdump's AS4_PATH merge (asn32_merge_paths): leading segments of AS_PATH until it has
 * count(AS_PATH) - count(AS4_PATH) ASes (the last sequence cut to fit), then all of AS4_PATH.
 * Differs from RFC 6793 in counting confederation segments; the text is bgpdump's.
 */
function mergeLikeBgpdump(path: readonly AsPathSegment[], newPath: readonly AsPathSegment[]): AsPathSegment[] {
  const want = asCount(path) - asCount(newPath);
  const out: AsPathSegment[] = [];
  let count = 0;
  let i = 0;
  while (count < want && i < path.length) {
    const seg = path[i++];
    if (seg.kind === 'set' || seg.kind === 'confed-set') {
      count += 1;
      out.push(seg);
    } else {
      count += seg.asns.length;
      out.push(count > want ? { kind: seg.kind, asns: seg.asns.slice(0, seg.asns.length - (count - want)) } : seg);
    }
  }
  return out.concat(newPath);
}

const COMMUNITY_NAMES = new Map<number, string>([
  [0xffffff01, 'no-export'],
  [0xffffff02, 'no-advertise'],
  // bgpdump names NO_EXPORT_SUBCONFED (RFC 1997) "local-AS".
  [0xffffff03, 'local-AS'],
]);

export function communitiesText(values: readonly number[]): string {
  let s = '';
  for (const v of values) {
    const name = COMMUNITY_NAMES.get(v);
    s += s === '' ? '' : ' ';
    s += name ?? `${v >>> 16}:${v & 0xffff}`;
  }
  return s;
}

/** What bgpdump's line printers read from one attribute block. */
export interface BgpdumpAttrs {
  readonly asPath: string;
  readonly origin: string;
  /** NEXT_HOP, or 255.255.255.255 (bgpdump's INADDR_NONE default) when absent. */
  readonly nextHop: string;
  readonly localPref: number;
  readonly med: number;
  /** "|communities|AG|aggregator|" — the common line end. */
  readonly end: string;
  readonly mpReach?: AttrOf<'mp-reach'>;
  readonly mpUnreach?: AttrOf<'mp-unreach'>;
  /** Problems met while decoding (the block was cut, an attribute was malformed). */
  readonly problems: readonly DecodeError[];
}

const ORIGIN_TEXT = ['IGP', 'EGP', 'INCOMPLETE'];

export function bgpdumpAttrs(attrs: readonly PathAttribute[], as4: boolean, problems: DecodeError[]): BgpdumpAttrs {
  let asPath: AttrOf<'as-path'> | undefined;
  let as4Path: AttrOf<'as4-path'> | undefined;
  let aggregator: AttrOf<'aggregator'> | undefined;
  let as4Aggregator: AttrOf<'as4-aggregator'> | undefined;
  let origin = 'INCOMPLETE'; // bgpdump's origin starts at -1, which it describes as INCOMPLETE
  let nextHop = '255.255.255.255';
  let localPref = 0;
  let med = 0;
  let communities = '';
  let atomic = false;
  let mpReach: AttrOf<'mp-reach'> | undefined;
  let mpUnreach: AttrOf<'mp-unreach'> | undefined;
  for (const a of attrs) {
    switch (a.kind) {
      case 'origin':
        origin = ORIGIN_TEXT[a.value] ?? 'INCOMPLETE';
        break;
      case 'as-path':
        asPath = a;
        break;
      case 'next-hop':
        nextHop = ipv4Text(a.address.bytes);
        break;
      case 'med':
        med = a.value;
        break;
      case 'local-pref':
        localPref = a.value;
        break;
      case 'atomic-aggregate':
        atomic = true;
        break;
      case 'aggregator':
        aggregator = a;
        break;
      case 'communities':
        communities = communitiesText(a.values);
        break;
      case 'as4-path':
        as4Path = a;
        break;
      case 'as4-aggregator':
        as4Aggregator = a;
        break;
      case 'mp-reach':
        mpReach = a;
        break;
      case 'mp-unreach':
        mpUnreach = a;
        break;
    }
  }
  // RFC 6793 reconstruction as bgpdump does it (process_asn32_trans): only for 2-byte-AS
  // messages; an AGGREGATOR that is not AS_TRANS next to an AS4_AGGREGATOR stops it all,
  // AS4_PATH included.
  let segments = asPath?.segments;
  let agg = aggregator ? { asn: aggregator.asn, address: aggregator.address } : undefined;
  let merge = !as4;
  if (merge && aggregator && as4Aggregator) {
    if (aggregator.asn !== 23456) merge = false;
    else agg = { asn: as4Aggregator.asn, address: as4Aggregator.address };
  }
  if (merge && as4Path && segments && asCount(segments) >= asCount(as4Path.segments)) {
    segments = mergeLikeBgpdump(segments, as4Path.segments);
  }
  let pathText = segments ? asPathText(segments) : '';
  // bgpdump prints "! Error !" for an AS_PATH with a bad segment type or an overrun; our
  // decoder reports those as warnings and leaves the attribute out.
  for (const p of problems) if (p.code === 'as-path-segment-type' || p.code === 'as-path-segment-overrun') pathText = '! Error !';
  const aggText = agg && !(agg.address.bytes[0] === 255 && agg.address.bytes[1] === 255 && agg.address.bytes[2] === 255 && agg.address.bytes[3] === 255)
    ? `${agg.asn} ${ipv4Text(agg.address.bytes)}`
    : '';
  return {
    asPath: pathText,
    origin,
    nextHop,
    localPref,
    med,
    end: `|${communities}|${atomic ? 'AG' : 'NAG'}|${aggText}|`,
    mpReach,
    mpUnreach,
    problems,
  };
}

/**
 * Decodes an attribute block with the BGP codec, bgpdump-style: an attribute running past
 * the block ends it (bgpdump warns and keeps what came before), malformed attributes are
 * reported and left out.
 */
export function decodeAttrsLenient(
  bytes: Uint8Array,
  ctx: DecodeContext,
): { attrs: readonly PathAttribute[]; problems: DecodeError[] } {
  const problems: DecodeError[] = [];
  let end = bytes.length;
  for (;;) {
    try {
      const r = decodePathAttributes(new Cursor(bytes, 0, end, 'attr'), ctx);
      for (const w of r.warnings) problems.push(new DecodeError('attr', w.code, w.offset, w.message));
      return { attrs: r.attributes, problems };
    } catch (e) {
      if (!(e instanceof DecodeError) || e.offset >= end) throw e;
      problems.push(e);
      end = e.offset; // keep the whole attributes before the cut one
    }
  }
}

/** NLRI list, bgpdump-style: a truncated or impossible prefix ends the list, keeping those before it. */
export function decodeNlriLenient(
  buf: Uint8Array,
  start: number,
  stop: number,
  family: 4 | 6,
  addPath: boolean,
  problems: DecodeError[],
): Nlri[] {
  let end = stop;
  for (;;) {
    try {
      return decodeNlri(new Cursor(buf, start, end, 'nlri'), family, addPath);
    } catch (e) {
      if (!(e instanceof DecodeError) || e.offset >= end || e.offset < start) throw e;
      problems.push(e);
      // The failing entry starts at or before e.offset; find the last whole entry boundary.
      end = lastBoundary(buf, start, e.offset, addPath);
    }
  }
}

function lastBoundary(buf: Uint8Array, start: number, limit: number, addPath: boolean): number {
  let p = start;
  let last = start;
  while (p < limit) {
    const lenAt = addPath ? p + 4 : p;
    if (lenAt >= limit) break;
    const next = lenAt + 1 + ((buf[lenAt] + 7) >>> 3);
    if (next > limit) break;
    last = next;
    p = next;
  }
  return last;
}

const ALL_ADDPATH: ReadonlySet<string> = new Set(['1/1', '1/2', '2/1', '2/2']);

// ---- the formatter ---------------------------------------------------------------------

/**
 * Where formatRaw writes: bytes `buf[0..pos)` are the output so far. ensure(n) makes room
 * for n more and keeps the bytes at their offsets; latin1(s) appends text, one byte per
 * UTF-16 unit (its low 8 bits). The caller supplies it (a Buffer writes text natively;
 * copying bytes with TypedArray.set/copyWithin beats JS byte loops several times on Node 20).
 */
export interface ByteOut {
  buf: Uint8Array;
  pos: number;
  ensure(n: number): void;
  latin1(s: string): void;
}

export interface BgpdumpTextOptions {
  /** Called for every record or part of one that bgpdump would skip or print partially. */
  onProblem?: (e: DecodeError, recordOffset: number) => void;
}

/**
 * Stateful: remembers the last PEER_INDEX_TABLE (as bgpdump does) and caches the text
 * of attribute blocks. `format` returns the lines for one record ('' when none).
 */
export class BgpdumpText {
  private peers: readonly PeerIndexEntry[] | undefined;
  private peerText: string[] = [];
  private peerBytes: Uint8Array[] = [];
  /** formatRaw's caches: attribute block -> the line's tail from the AS path on, latin1. */
  private readonly ribTails = [new ByteKeyCache<Uint8Array>(), new ByteKeyCache<Uint8Array>()];
  private readonly tailArena = new ByteArena();
  private readonly prefixScratch = new Uint8Array(16);
  private readonly caches = new Map<string, ByteKeyCache<BgpdumpAttrs>>();
  private readonly onProblem: (e: DecodeError, recordOffset: number) => void;
  /** updateRaw's caches: session (record head bytes) -> line heads; per [et/local] kind. */
  private readonly updPeers = [new ByteKeyCache<UpdSession>(), new ByteKeyCache<UpdSession>(), new ByteKeyCache<UpdSession>(), new ByteKeyCache<UpdSession>()];
  /** Attribute block (MP NLRI left out of the key) -> line tail, latin1; per [as4][has MP attributes]. */
  private readonly updTails = [new ByteKeyCache<Uint8Array>(), new ByteKeyCache<Uint8Array>(), new ByteKeyCache<Uint8Array>(), new ByteKeyCache<Uint8Array>()];
  private keyScratch = new Uint8Array(4096);
  private tailScratch = new Uint8Array(4096);

  constructor(opts: BgpdumpTextOptions = {}) {
    this.onProblem = opts.onProblem ?? (() => {});
  }

  format(rec: MrtRecord): string {
    switch (rec.kind) {
      case 'peer-index-table':
        this.peers = rec.peers;
        this.peerText = rec.peers.map((p) => `${addrText(p.address)}|${p.asn}|`);
        this.peerBytes = this.peerText.map(latin1Bytes);
        return '';
      case 'rib':
        return this.rib(rec);
      case 'table-dump':
        return this.tableDump(rec);
      case 'bgp4mp-state-change':
        return this.stateChange(rec);
      case 'bgp4mp-message':
        return this.message(rec);
      case 'bgp-legacy':
        return this.legacy(rec);
      case 'unknown':
        return '';
    }
  }

  /**
   * The fast path for TABLE_DUMP_V2 RIB_IPV4_UNICAST / RIB_IPV6_UNICAST (and their ADD-PATH
   * forms): writes the same lines as format() straight into `out` as latin1 bytes, reading
   * the body through a Cursor with no per-entry objects and the line tail cached as bytes
   * per distinct attribute block. Returns false, with `out` as it was, for every record
   * it does not take: other types, and any record where format() would report a problem
   * (damaged body, unknown peer, attribute problems). The caller then uses format(), so
   * the output is the same either way.
   */
  formatRaw(raw: RawMrtRecord, out: ByteOut): boolean {
    const h = raw.header;
    if (h.type === MRT_TYPE.BGP4MP || h.type === MRT_TYPE.BGP4MP_ET) {
      const st = h.subtype;
      if (st !== 1 && st !== 4 && st !== 6 && st !== 7) return false;
      const mark = out.pos;
      if (this.updateRaw(raw.body, h, st === 4 || st === 7, st >= 6, out)) return true;
      out.pos = mark;
      return false;
    }
    if (h.type !== MRT_TYPE.TABLE_DUMP_V2) return false;
    const st = h.subtype;
    if ((st !== 2 && st !== 4 && st !== 8 && st !== 10) || this.peers === undefined) return false;
    const mark = out.pos;
    try {
      if (this.ribRaw(raw.body, h.timestamp, st === 4 || st === 10, st >= 8, out)) return true;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
    out.pos = mark;
    return false;
  }

  private ribRaw(body: Uint8Array, timestamp: number, v6: boolean, addPath: boolean, out: ByteOut): boolean {
    const cur = new Cursor(body, 0, body.length, 'mrt');
    cur.u32('rib sequence');
    const len = cur.u8('rib prefix length');
    if (len > (v6 ? 128 : 32)) return false;
    const n = (len + 7) >>> 3;
    const at = cur.pos;
    cur.skip(n, 'rib prefix');
    // The prefix as model/prefix.ts builds it: full width, host bits cleared.
    const pb = this.prefixScratch;
    pb.fill(0);
    const whole = len >>> 3;
    for (let i = 0; i < whole; i++) pb[i] = body[at + i];
    if (len & 7) pb[whole] = body[at + whole] & (0xff << (8 - (len & 7)));
    const lead = `${addPath ? 'TABLE_DUMP2_AP' : 'TABLE_DUMP2'}|${timestamp}|B|`;
    const pfx = `${v6 ? bgpdumpIPv6(pb) : ipv4Text(pb)}/${len}|`;
    const count = cur.u16('rib entry count');
    const cache = this.ribTails[v6 ? 1 : 0];
    const peerBytes = this.peerBytes;
    // The first line writes the record's lead and prefix text; later lines copy those bytes
    // from it (copyWithin: ensure() keeps offsets, so they stay valid).
    let leadAt = -1;
    let pfxAt = 0;
    const fixed = lead.length + pfx.length + 11;
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
        out.pos = pfxAt;
        out.latin1(pfx);
        b = out.buf;
        p = out.pos;
      } else {
        b.copyWithin(p, leadAt, leadAt + lead.length);
        p += lead.length;
        b.set(peer, p);
        p += peer.length;
        b.copyWithin(p, pfxAt, pfxAt + pfx.length);
        p += pfx.length;
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
          const text = this.ribTail(body, astart, astart + alen, v6 ? 2 : 1);
          if (text === undefined) {
            cache.setRange(body, astart, astart + alen, HAS_PROBLEMS);
            return false;
          }
          out.latin1(text);
        }
        cache.setRange(body, astart, astart + alen, this.tailArena.copy(out.buf, p, out.pos));
      }
    }
    return true;
  }

  /**
   * The fast path for BGP4MP(_ET) MESSAGE, MESSAGE_AS4, MESSAGE_LOCAL, MESSAGE_AS4_LOCAL:
   * the lines message() would print, written straight from the record's bytes. The line
   * head (`BGP4MP|time|A|peer|peer_as|`) is kept per session and time; the tail after the
   * prefix (`|as_path|origin|next_hop|local_pref|med|communities|AG|aggregator|`) depends
   * on the attribute block only, so it is cached as bytes per distinct block, the key
   * leaving out the NLRI inside MP_REACH_NLRI / MP_UNREACH_NLRI (IPv6 updates carry their
   * prefixes there). Returns false (the caller resets `out` and uses format()) for any
   * record message() would report a problem for, and for the unusual ones: the old Zebra
   * OPEN form, a cut message, lengths that do not add up exactly, MP attributes for other
   * AFI/SAFIs, MP_REACH_NLRI next to IPv4 NLRI, the IPv6-withdrawal-on-IPv4-_LOCAL quirk.
   * ADD-PATH subtypes never come here.
   */
  private updateRaw(body: Uint8Array, h: MrtHeader, as4: boolean, local: boolean, out: ByteOut): boolean {
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
      const cache = this.updTails[(as4 ? 2 : 0) + (mp ? 1 : 0)];
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
    const s = this.updSession(body, sessEnd, afi, as4, local, h);
    // bgpdump's order: withdrawn routes, MP_UNREACH_NLRI, NLRI, MP_REACH_NLRI.
    if (wl > 0 && !nlriLines(body, wStart, wStart + wl, false, s.headW, NEWLINE, out)) return false;
    if (unAt >= 0 && !nlriLines(body, unNlri, unEnd, unV6, s.headW, NEWLINE, out)) return false;
    if (aEnd < end && !nlriLines(body, aEnd, end, false, s.headA, tail, out)) return false;
    if (reachAt >= 0 && !nlriLines(body, reachNlri, reachEnd, reachV6, s.headA, tail, out)) return false;
    return true;
  }

  /** The line heads of a session (the record's peer AS .. peer address) at the record's time. */
  private updSession(body: Uint8Array, sessEnd: number, afi: number, as4: boolean, local: boolean, h: MrtHeader): UpdSession {
    const et = h.type === MRT_TYPE.BGP4MP_ET;
    const cache = this.updPeers[(et ? 2 : 0) + (local ? 1 : 0)];
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
    if (w >= 0) return this.tailArena.copy(o, 0, w);
    const { attrs, problems } = decodeAttrsLenient(body.subarray(start, end), { as4 });
    if (problems.length > 0) return undefined;
    const a = bgpdumpAttrs(attrs, as4, problems);
    const mp = a.mpReach;
    let mid: string;
    if (mp === undefined) mid = `${a.nextHop}|${a.localPref}|${a.med}`;
    else if (mp.raw !== undefined) return undefined; // not reached: updateRaw declines these
    else if (mp.afi === 1) mid = `${mp.nextHops.length > 0 ? ipv4Text(mp.nextHops[0].bytes) : '0.0.0.0'}|${a.localPref | 0}|${a.med | 0}`;
    else mid = `${mp.nextHops.length > 0 ? bgpdumpIPv6(mp.nextHops[0].bytes) : '::'}|${a.localPref}|${a.med}`;
    const text = latin1Bytes(`|${a.asPath}|${a.origin}|${mid}${a.end}\n`);
    return this.tailArena.copy(text, 0, text.length);
  }

  /** `${asPath}|${origin}|${nextHop}|${localPref}|${med}${end}\n` of one RIB attribute block; undefined when format() would report problems. */
  private ribTail(body: Uint8Array, start: number, end: number, afi: number): string | undefined {
    const bytes = body.subarray(start, end);
    const { attrs, problems } = decodeAttrsLenient(bytes, { as4: true, mrtRibAfiSafi: { afi, safi: 1 } });
    if (problems.length > 0) return undefined;
    const a = bgpdumpAttrs(attrs, true, problems);
    return `${a.asPath}|${a.origin}|${ribNextHop(a)}|${a.localPref}|${a.med}${a.end}\n`;
  }

  private attrs(bytes: Uint8Array, ctx: DecodeContext, cacheKey: string, offset: number): BgpdumpAttrs {
    let cache = this.caches.get(cacheKey);
    if (!cache) {
      cache = new ByteKeyCache();
      this.caches.set(cacheKey, cache);
    }
    let a = cache.get(bytes);
    if (a === undefined) {
      const { attrs, problems } = decodeAttrsLenient(bytes, ctx);
      a = bgpdumpAttrs(attrs, ctx.as4, problems);
      cache.set(bytes, a);
    }
    for (const p of a.problems) this.onProblem(p, offset);
    return a;
  }

  private rib(rec: RibRecord): string {
    // bgpdump reads RIB_IPV4_UNICAST, RIB_IPV6_UNICAST and their ADD-PATH forms only.
    if (rec.generic || rec.safi !== 1 || !rec.prefix) return '';
    const peers = this.peers;
    if (!peers) {
      // bgpdump dereferences a missing peer table (and prints nothing); we report it.
      this.onProblem(new DecodeError('mrt', 'rib-without-peer-index', 0, 'RIB record before any PEER_INDEX_TABLE'), rec.offset);
      return '';
    }
    const head = `${rec.addPath ? 'TABLE_DUMP2_AP' : 'TABLE_DUMP2'}|${rec.header.timestamp}|B|`;
    const pfx = prefixText(rec.prefix);
    const ctx: DecodeContext = { as4: true, mrtRibAfiSafi: { afi: rec.afi, safi: rec.safi } };
    const key = `rib${rec.afi}`;
    let out = '';
    for (const e of rec.entries) {
      const peer = this.peerText[e.peerIndex];
      if (peer === undefined) {
        this.onProblem(
          new DecodeError('mrt', 'rib-peer-index', 0, `RIB entry names peer ${e.peerIndex}; the table has ${peers.length}`),
          rec.offset,
        );
        continue;
      }
      const a = this.attrs(e.attributes, ctx, key, rec.offset);
      const nh = ribNextHop(a);
      out += `${head}${peer}${pfx}|${rec.addPath ? `${e.pathId}|` : ''}${a.asPath}|${a.origin}|${nh}|${a.localPref}|${a.med}${a.end}\n`;
    }
    return out;
  }

  private tableDump(rec: TableDumpRecord): string {
    const st = rec.header.subtype;
    // bgpdump tests `subtype == AFI_IP6` for the text form: subtype 4 (IPv6 with 4-byte AS)
    // has its addresses printed by inet_ntoa, i.e. their first four bytes. Reproduced.
    const v6text = st === 2;
    const peer = v6text ? bgpdumpIPv6(rec.peerAddress.bytes) : ipv4Text(rec.peerAddress.bytes);
    const pfx = `${v6text ? bgpdumpIPv6(rec.prefix.bytes) : ipv4Text(rec.prefix.bytes)}/${rec.prefix.len}`;
    const afi = st === 2 || st === 4 ? 2 : 1;
    const ctx: DecodeContext = { as4: rec.as4, mrtRibAfiSafi: { afi, safi: 1 } };
    const a = this.attrs(rec.attributes, ctx, `td${st}`, rec.offset);
    return `TABLE_DUMP|${rec.header.timestamp}|B|${peer}|${rec.peerAs}|${pfx}|${a.asPath}|${a.origin}|${ribNextHop(a)}|${a.localPref}|${a.med}${a.end}\n`;
  }

  private stateChange(rec: Bgp4mpStateChangeRecord): string {
    const fmt = rec.header.type === MRT_TYPE.BGP4MP_ET ? 'BGP4MP_ET' : 'BGP4MP';
    const peer = rec.afi === 2 ? bgpdumpIPv6(rec.peerAddress.bytes) : ipv4Text(rec.peerAddress.bytes);
    return `${fmt}|${timeText(rec)}|STATE|${peer}|${rec.peerAs}|${rec.oldState}|${rec.newState}\n`;
  }

  private message(rec: Bgp4mpMessageRecord): string {
    const problems: DecodeError[] = [];
    const cur = new Cursor(rec.message, 0, rec.message.length, 'mrt');
    let view: ReturnType<typeof viewBgpMessage>;
    try {
      view = viewBgpMessage(cur);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.onProblem(e, rec.offset);
      return '';
    }
    if (view.type !== 2) return '';
    if (view.cutBytes > 0) {
      this.onProblem(new DecodeError('mrt', 'bgp4mp-message-cut', 0, `BGP message is ${view.cutBytes} byte(s) longer than its record`), rec.offset);
    }
    const et = rec.header.type === MRT_TYPE.BGP4MP_ET;
    const fmt = `BGP4MP${et ? '_ET' : ''}${rec.local ? '_LOCAL' : ''}${rec.addPath ? '_AP' : ''}`;
    const time = timeText(rec);
    // bgpdump always prints the first AS/address of the record (for _LOCAL ones too).
    const peer = `${rec.afi === 2 ? bgpdumpIPv6(rec.peerAddress.bytes) : ipv4Text(rec.peerAddress.bytes)}|${rec.peerAs}|`;
    const ctx: DecodeContext = rec.addPath ? { as4: rec.as4, addPath: ALL_ADDPATH } : { as4: rec.as4 };
    const u = splitUpdate(view.body, rec.addPath, problems);
    const a = this.attrs(u.attributes, ctx, `m${rec.as4 ? 4 : 2}${rec.addPath ? 'p' : ''}`, rec.offset);
    for (const p of problems) this.onProblem(p, rec.offset);
    return updateLines(`${fmt}|${time}|`, peer, u.withdrawn, u.nlri, a, rec.addPath, rec.afi !== 2 && rec.local);
  }

  private legacy(rec: LegacyBgpRecord): string {
    const time = `${rec.header.timestamp}`;
    if (rec.subtype === 3) {
      return `BGP|${time}|STATE|${ipv4Text(rec.peerAddress.bytes)}|${rec.peerAs}|${rec.oldState}|${rec.newState}\n`;
    }
    if (rec.subtype !== 1 || !rec.update) return '';
    const problems: DecodeError[] = [];
    const u = splitUpdate(rec.update, false, problems);
    const a = this.attrs(u.attributes, { as4: false }, 'legacy', rec.offset);
    for (const p of problems) this.onProblem(p, rec.offset);
    const head = `BGP|${time}|`;
    const peer = `${ipv4Text(rec.peerAddress.bytes)}|${rec.peerAs}|`;
    let out = '';
    // Type 5 ignores MP_REACH / MP_UNREACH (bgpdump's mrtd_table_line_* print the IPv4
    // fields only), and reproduces two bgpdump slips: a withdrawal prints the peer address
    // where the prefix address belongs (two inet_ntoa calls share one static buffer), and
    // an announcement has no "|" between MED and the communities.
    const ip = ipv4Text(rec.peerAddress.bytes);
    for (const n of u.withdrawn) out += `${head}W|${peer}${ip}/${n.prefix.len}\n`;
    const end = a.end.slice(1);
    for (const n of u.nlri) {
      out += `${head}A|${peer}${prefixText(n.prefix)}|${a.asPath}|${a.origin}|${a.nextHop}|${a.localPref}|${a.med}${end}\n`;
    }
    return out;
  }
}

/**
 * Writes the line tail ribTail() builds, for the common block, straight from the bytes
 * into `o` at `at`; returns the end position, or -1 (nothing meaningful written) when
 * the block is not the common kind: anything but ORIGIN, AS_PATH, NEXT_HOP, MED,
 * LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR, COMMUNITIES, LARGE_COMMUNITY and the
 * abbreviated MP_REACH_NLRI, each once, well formed, with the flags RFC 4271 wants, and
 * an AS path far from bgpdump's 8000-character cut. The general decoder then decides
 * (and reports problems). RIB entries have 4-byte ASNs, so bgpdump's AS4 merge never
 * applies. Reads are bounded by `end`; `o` must have room for (end - start) * 4 + 256.
 */
export function ribTailInto(b: Uint8Array, start: number, end: number, afi: number, o: Uint8Array, at: number): number {
  // Pass 1: check, and note where each value is.
  let seen = 0;
  let pathAt = -1;
  let pathEnd = 0;
  let origin = 2; // bgpdump's origin starts at -1, which it prints as INCOMPLETE
  let nhAt = -1;
  let v6At = -1;
  let lpAt = -1;
  let medAt = -1;
  let commAt = -1;
  let commEnd = 0;
  let atomic = false;
  let aggAt = -1;
  let p = start;
  while (p < end) {
    if (end - p < 3) return -1;
    const flags = b[p];
    const type = b[p + 1];
    let len: number;
    if (flags & 0x10) {
      if (end - p < 4) return -1;
      len = (b[p + 2] << 8) | b[p + 3];
      p += 4;
    } else {
      len = b[p + 2];
      p += 3;
    }
    if (len > end - p) return -1;
    const v = p;
    p += len;
    const bit = type === 32 ? 1 << 31 : 1 << type;
    if (type > 32 || (seen & bit) !== 0) return -1;
    seen |= bit;
    const ot = flags & 0xc0;
    switch (type) {
      case 1:
        if (ot !== 0x40 || len !== 1 || b[v] > 2) return -1;
        origin = b[v];
        break;
      case 2: {
        if (ot !== 0x40 || len > 2000) return -1; // far below the 8000-character cut
        let q = v;
        while (q < p) {
          if (p - q < 2) return -1;
          const st = b[q];
          const count = b[q + 1];
          q += 2;
          if (st < 1 || st > 4 || count === 0 || count * 4 > p - q) return -1;
          q += count * 4;
        }
        pathAt = v;
        pathEnd = p;
        break;
      }
      case 3:
        if (ot !== 0x40 || len !== 4) return -1;
        nhAt = v;
        break;
      case 4:
        if (ot !== 0x80 || len !== 4) return -1;
        medAt = v;
        break;
      case 5:
        if (ot !== 0x40 || len !== 4) return -1;
        lpAt = v;
        break;
      case 6:
        if (ot !== 0x40 || len !== 0) return -1;
        atomic = true;
        break;
      case 7:
        if (ot !== 0xc0 || len !== 8) return -1;
        aggAt = v;
        break;
      case 8:
        if (ot !== 0xc0 || len === 0 || (len & 3) !== 0) return -1;
        commAt = v;
        commEnd = p;
        break;
      case 14: {
        if (ot !== 0x80 || len === 0 || b[v] + 1 !== len) return -1;
        const nhLen = b[v];
        if (nhLen === 16 || nhLen === 32) v6At = v + 1;
        else if (nhLen !== 4 || afi !== 1) return -1;
        break;
      }
      case 32:
        if (ot !== 0xc0 || len === 0 || len % 12 !== 0) return -1;
        break; // never printed
      default:
        return -1;
    }
  }
  // Pass 2: `${asPath}|${origin}|${nextHop}|${localPref}|${med}|${communities}|AG/NAG|${aggregator}|\n`.
  let w = at;
  if (pathAt >= 0) {
    // asPathText: every segment has at least one AS, so segments are space-separated,
    // each closed when the next starts; sets "{a,b}", confed sequences "(a b)", confed sets "[a,b]".
    let close = 0;
    for (let q = pathAt; q < pathEnd; ) {
      const st = b[q];
      const count = b[q + 1];
      if (q > pathAt) {
        if (close !== 0) o[w++] = close;
        o[w++] = 0x20;
      }
      q += 2;
      if (st !== 2) o[w++] = st === 1 ? 0x7b : st === 3 ? 0x28 : 0x5b;
      const sep = st === 1 || st === 4 ? 0x2c : 0x20;
      for (let i = 0; i < count; i++, q += 4) {
        if (i > 0) o[w++] = sep;
        w = writeUint(((b[q] << 24) >>> 0) + ((b[q + 1] << 16) | (b[q + 2] << 8) | b[q + 3]), o, w);
      }
      close = st === 1 ? 0x7d : st === 3 ? 0x29 : st === 4 ? 0x5d : 0;
    }
    if (close !== 0) o[w++] = close;
  }
  o[w++] = 0x7c;
  w = writeAscii(ORIGIN_TEXT[origin], o, w);
  o[w++] = 0x7c;
  if (v6At >= 0) w = writeAscii(bgpdumpIPv6(b, v6At), o, w);
  else if (nhAt >= 0) w = writeIPv4(b, nhAt, o, w);
  else w = writeAscii('255.255.255.255', o, w);
  o[w++] = 0x7c;
  w = lpAt >= 0 ? writeUint(u32At(b, lpAt), o, w) : writeUint(0, o, w);
  o[w++] = 0x7c;
  w = medAt >= 0 ? writeUint(u32At(b, medAt), o, w) : writeUint(0, o, w);
  o[w++] = 0x7c;
  if (commAt >= 0) {
    for (let q = commAt; q < commEnd; q += 4) {
      if (q > commAt) o[w++] = 0x20;
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
  w = writeAscii(atomic ? 'AG' : 'NAG', o, w);
  o[w++] = 0x7c;
  if (aggAt >= 0 && !(b[aggAt + 4] === 255 && b[aggAt + 5] === 255 && b[aggAt + 6] === 255 && b[aggAt + 7] === 255)) {
    w = writeUint(u32At(b, aggAt), o, w);
    o[w++] = 0x20;
    w = writeIPv4(b, aggAt + 4, o, w);
  }
  o[w++] = 0x7c;
  o[w++] = 0x0a;
  return w;
}

/** A BGP4MP session as updateRaw's lines name it. */
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

const NEWLINE: Uint8Array = new Uint8Array([0x0a]);
const PREFIX_SCRATCH = new Uint8Array(16);

/**
 * One line per prefix of the NLRI list `b[p..end)` (IPv4 or IPv6, no path ids): head,
 * prefix text (host bits cleared, as decodeNlri does), tail. False when the list is
 * not well formed (a length over 32/128, a prefix running past `end`): decodeNlri would
 * fail, so message() reports it.
 */
function nlriLines(b: Uint8Array, p: number, end: number, v6: boolean, head: Uint8Array, tail: Uint8Array, out: ByteOut): boolean {
  const max = v6 ? 128 : 32;
  const room = head.length + tail.length + 48;
  while (p < end) {
    const len = b[p];
    const nb = (len + 7) >>> 3;
    if (len > max || nb > end - p - 1) return false;
    out.ensure(room);
    const o = out.buf;
    let w = out.pos;
    o.set(head, w);
    w += head.length;
    const bits = len & 7;
    if (!v6) {
      for (let i = 0; i < 4; i++) {
        let v = i < nb ? b[p + 1 + i] : 0;
        if (i === nb - 1 && bits !== 0) v &= 0xff << (8 - bits);
        w = writeOctet(v, o, w);
        o[w++] = i < 3 ? 0x2e : 0x2f;
      }
    } else {
      const s = PREFIX_SCRATCH;
      for (let i = 0; i < 16; i++) s[i] = i < nb ? b[p + 1 + i] : 0;
      if (bits !== 0) s[nb - 1] &= 0xff << (8 - bits);
      w = writeIPv6(s, 0, o, w);
      o[w++] = 0x2f;
    }
    w = writeOctet(len, o, w);
    o.set(tail, w);
    out.pos = w + tail.length;
    p += 1 + nb;
  }
  return true;
}

/** Decimal text of 0..255. */
function writeOctet(v: number, o: Uint8Array, w: number): number {
  if (v >= 100) {
    const h = (v / 100) | 0;
    const r = v - h * 100;
    const t = (r / 10) | 0;
    o[w] = 48 + h;
    o[w + 1] = 48 + t;
    o[w + 2] = 48 + r - t * 10;
    return w + 3;
  }
  if (v >= 10) {
    const t = (v / 10) | 0;
    o[w] = 48 + t;
    o[w + 1] = 48 + v - t * 10;
    return w + 2;
  }
  o[w] = 48 + v;
  return w + 1;
}

const HEX = latin1Bytes('0123456789abcdef');

/** bgpdumpIPv6(b, off), written as bytes. */
function writeIPv6(b: Uint8Array, off: number, o: Uint8Array, w: number): number {
  let zero10 = true;
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) zero10 = false;
  if (zero10) {
    const mapped = b[off + 10] === 0xff && b[off + 11] === 0xff;
    if (mapped || (b[off + 10] === 0 && b[off + 11] === 0 && u32At(b, off + 12) > 1)) {
      o[w++] = 0x3a;
      o[w++] = 0x3a;
      if (mapped) {
        for (let i = 0; i < 4; i++) o[w++] = 0x66;
        o[w++] = 0x3a;
      }
      return writeIPv4(b, off + 12, o, w);
    }
  }
  // The first longest run of zero words is compressed, even a single one.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; i++) {
    let k = 0;
    while (i + k < 8 && b[off + 2 * (i + k)] === 0 && b[off + 2 * (i + k) + 1] === 0) k++;
    if (k > bestLen) {
      best = i;
      bestLen = k;
    }
  }
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      if (i === 0) o[w++] = 0x3a;
      o[w++] = 0x3a;
      i += bestLen - 1;
      continue;
    }
    const v = (b[off + 2 * i] << 8) | b[off + 2 * i + 1];
    if (v >= 0x1000) o[w++] = HEX[v >>> 12];
    if (v >= 0x100) o[w++] = HEX[(v >>> 8) & 15];
    if (v >= 0x10) o[w++] = HEX[(v >>> 4) & 15];
    o[w++] = HEX[v & 15];
    if (i !== 7) o[w++] = 0x3a;
  }
  return w;
}

/** Signed decimal of a 32-bit value (C's %d). */
function writeInt32(v: number, o: Uint8Array, w: number): number {
  const s = v | 0;
  if (s >= 0) return writeUint(s, o, w);
  o[w++] = 0x2d;
  return writeUint(-s, o, w);
}

/**
 * updateTail()'s text for the common kind of UPDATE attribute block, written from its
 * bytes into `o` at `at`: `|as_path|origin|next_hop|local_pref|med|communities|AG|agg|\n`,
 * for the MP_REACH_NLRI prefixes when there is one (its next hop; local pref and MED
 * with %d for IPv4), else for the IPv4 NLRI. Returns the end, or -1 when the block is not
 * the common kind: anything but ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF,
 * ATOMIC_AGGREGATE, AGGREGATOR, COMMUNITIES, MP_REACH_NLRI / MP_UNREACH_NLRI for IPv4/IPv6
 * unicast/multicast (their NLRI well formed), EXTENDED_COMMUNITIES and LARGE_COMMUNITY
 * (never printed), each once, well formed, with the flags RFC 4271 wants, and an AS path
 * far from bgpdump's 8000-character cut. AS4_PATH / AS4_AGGREGATOR (bgpdump's merge on
 * 2-byte sessions) are left to the general decoder. `o` needs (end - start) * 4 + 256.
 */
export function updateTailInto(b: Uint8Array, start: number, end: number, as4: boolean, o: Uint8Array, at: number): number {
  const asz = as4 ? 4 : 2;
  let seen = 0;
  let pathAt = -1;
  let pathEnd = 0;
  let origin = 2; // bgpdump's origin starts at -1, which it prints as INCOMPLETE
  let nhAt = -1;
  let mpAfi = 0;
  let mpNh = -1;
  let lpAt = -1;
  let medAt = -1;
  let commAt = -1;
  let commEnd = 0;
  let atomic = false;
  let aggAt = -1;
  let p = start;
  while (p < end) {
    if (end - p < 3) return -1;
    const flags = b[p];
    const type = b[p + 1];
    let len: number;
    if (flags & 0x10) {
      if (end - p < 4) return -1;
      len = (b[p + 2] << 8) | b[p + 3];
      p += 4;
    } else {
      len = b[p + 2];
      p += 3;
    }
    if (len > end - p) return -1;
    const v = p;
    p += len;
    const bit = type === 32 ? 1 << 31 : 1 << type;
    if (type > 32 || (seen & bit) !== 0) return -1;
    seen |= bit;
    const ot = flags & 0xc0;
    switch (type) {
      case 1:
        if (ot !== 0x40 || len !== 1 || b[v] > 2) return -1;
        origin = b[v];
        break;
      case 2: {
        if (ot !== 0x40 || len > 2000) return -1; // far below the 8000-character cut
        let q = v;
        while (q < p) {
          if (p - q < 2) return -1;
          const st = b[q];
          const count = b[q + 1];
          q += 2;
          if (st < 1 || st > 4 || count === 0 || count * asz > p - q) return -1;
          q += count * asz;
        }
        pathAt = v;
        pathEnd = p;
        break;
      }
      case 3:
        if (ot !== 0x40 || len !== 4) return -1;
        nhAt = v;
        break;
      case 4:
        if (ot !== 0x80 || len !== 4) return -1;
        medAt = v;
        break;
      case 5:
        if (ot !== 0x40 || len !== 4) return -1;
        lpAt = v;
        break;
      case 6:
        if (ot !== 0x40 || len !== 0) return -1;
        atomic = true;
        break;
      case 7:
        if (ot !== 0xc0 || len !== 2 + asz + 2) return -1;
        aggAt = v;
        break;
      case 8:
        if (ot !== 0xc0 || len === 0 || (len & 3) !== 0) return -1;
        commAt = v;
        commEnd = p;
        break;
      case 14:
      case 15: {
        if (ot !== 0x80 || len < 3) return -1;
        const afi = (b[v] << 8) | b[v + 1];
        const safi = b[v + 2];
        if ((afi !== 1 && afi !== 2) || (safi !== 1 && safi !== 2)) return -1;
        let q = v + 3;
        if (type === 14) {
          if (len < 5) return -1;
          const nhLen = b[v + 3];
          if (nhLen + 1 > len - 4 || (nhLen !== 16 && nhLen !== 32 && !(nhLen === 4 && afi === 1))) return -1;
          mpAfi = afi;
          mpNh = v + 4;
          q = v + 5 + nhLen;
        }
        const max = afi === 1 ? 32 : 128;
        while (q < p) {
          const l = b[q];
          if (l > max || ((l + 7) >>> 3) > p - q - 1) return -1;
          q += 1 + ((l + 7) >>> 3);
        }
        break;
      }
      case 16:
        if (ot !== 0xc0 || len === 0 || (len & 7) !== 0) return -1;
        break; // never printed
      case 32:
        if (ot !== 0xc0 || len === 0 || len % 12 !== 0) return -1;
        break; // never printed
      default:
        return -1;
    }
  }
  let w = at;
  o[w++] = 0x7c;
  if (pathAt >= 0) {
    let close = 0;
    for (let q = pathAt; q < pathEnd; ) {
      const st = b[q];
      const count = b[q + 1];
      if (q > pathAt) {
        if (close !== 0) o[w++] = close;
        o[w++] = 0x20;
      }
      q += 2;
      if (st !== 2) o[w++] = st === 1 ? 0x7b : st === 3 ? 0x28 : 0x5b;
      const sep = st === 1 || st === 4 ? 0x2c : 0x20;
      for (let i = 0; i < count; i++, q += asz) {
        if (i > 0) o[w++] = sep;
        w = writeUint(as4 ? u32At(b, q) : (b[q] << 8) | b[q + 1], o, w);
      }
      close = st === 1 ? 0x7d : st === 3 ? 0x29 : st === 4 ? 0x5d : 0;
    }
    if (close !== 0) o[w++] = close;
  }
  o[w++] = 0x7c;
  w = writeAscii(ORIGIN_TEXT[origin], o, w);
  o[w++] = 0x7c;
  const lp = lpAt >= 0 ? u32At(b, lpAt) : 0;
  const med = medAt >= 0 ? u32At(b, medAt) : 0;
  if (mpNh >= 0) {
    if (mpAfi === 1) {
      w = writeIPv4(b, mpNh, o, w);
      o[w++] = 0x7c;
      w = writeInt32(lp, o, w);
      o[w++] = 0x7c;
      w = writeInt32(med, o, w);
    } else {
      w = writeIPv6(b, mpNh, o, w);
      o[w++] = 0x7c;
      w = writeUint(lp, o, w);
      o[w++] = 0x7c;
      w = writeUint(med, o, w);
    }
  } else {
    if (nhAt >= 0) w = writeIPv4(b, nhAt, o, w);
    else w = writeAscii('255.255.255.255', o, w);
    o[w++] = 0x7c;
    w = writeUint(lp, o, w);
    o[w++] = 0x7c;
    w = writeUint(med, o, w);
  }
  o[w++] = 0x7c;
  if (commAt >= 0) {
    for (let q = commAt; q < commEnd; q += 4) {
      if (q > commAt) o[w++] = 0x20;
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
  w = writeAscii(atomic ? 'AG' : 'NAG', o, w);
  o[w++] = 0x7c;
  const ip = aggAt + asz;
  if (aggAt >= 0 && !(b[ip] === 255 && b[ip + 1] === 255 && b[ip + 2] === 255 && b[ip + 3] === 255)) {
    w = writeUint(as4 ? u32At(b, aggAt) : (b[aggAt] << 8) | b[aggAt + 1], o, w);
    o[w++] = 0x20;
    w = writeIPv4(b, ip, o, w);
  }
  o[w++] = 0x7c;
  o[w++] = 0x0a;
  return w;
}

function u32At(b: Uint8Array, p: number): number {
  return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

function writeAscii(s: string, o: Uint8Array, at: number): number {
  for (let i = 0; i < s.length; i++) o[at + i] = s.charCodeAt(i);
  return at + s.length;
}

function writeIPv4(b: Uint8Array, off: number, o: Uint8Array, at: number): number {
  let w = writeUint(b[off], o, at);
  o[w++] = 0x2e;
  w = writeUint(b[off + 1], o, w);
  o[w++] = 0x2e;
  w = writeUint(b[off + 2], o, w);
  o[w++] = 0x2e;
  return writeUint(b[off + 3], o, w);
}

/** Marks a cached attribute block that format() reports problems for. */
const HAS_PROBLEMS = new Uint8Array(0);

function latin1Bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}


/** Decimal digits of a uint32 at `at`; returns the position after them. */
function writeUint(v: number, dst: Uint8Array, at: number): number {
  if (v < 10) {
    dst[at] = 48 + v;
    return at + 1;
  }
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  let p = at + digits;
  for (let t = v; p > at; t = Math.floor(t / 10)) dst[--p] = 48 + (t % 10);
  return at + digits;
}

function timeText(rec: MrtRecord): string {
  const h = rec.header;
  if (h.type !== MRT_TYPE.BGP4MP_ET) return `${h.timestamp}`;
  const us = `${h.microseconds}`;
  return `${h.timestamp}.${us.length >= 6 ? us : '000000'.slice(us.length) + us}`;
}

/**
 * The next hop bgpdump prints for RIB lines (TABLE_DUMP, TABLE_DUMP_V2): the IPv6 global
 * next hop when MP_REACH_NLRI is there for IPv6 unicast (the abbreviated RIB form always
 * counts as that), otherwise NEXT_HOP.
 */
function ribNextHop(a: BgpdumpAttrs): string {
  const mp = a.mpReach;
  if (mp && mp.nextHops.length > 0 && mp.nextHops[0].family === 6 && (mp.safi === 1 || mp.afi === 2)) {
    return bgpdumpIPv6(mp.nextHops[0].bytes);
  }
  return a.nextHop;
}

interface UpdateParts {
  withdrawn: Nlri[];
  attributes: Uint8Array;
  nlri: Nlri[];
}

/**
 * Splits an UPDATE body (RFC 4271 §4.3) the lenient way bgpdump reads it: a length that
 * runs past the message is cut to what is there.
 */
function splitUpdate(body: Uint8Array, addPath: boolean, problems: DecodeError[]): UpdateParts {
  const cur = new Cursor(body, 0, body.length, 'bgp');
  let withdrawn: Nlri[] = [];
  let attributes: Uint8Array = body.subarray(0, 0);
  let nlri: Nlri[] = [];
  if (cur.remaining < 2) {
    problems.push(new DecodeError('bgp', 'update-truncated', cur.pos, 'UPDATE has no withdrawn routes length'));
    return { withdrawn, attributes, nlri };
  }
  const wl = Math.min(cur.u16('withdrawn routes length'), cur.remaining);
  withdrawn = decodeNlriLenient(body, cur.pos, cur.pos + wl, 4, addPath, problems);
  cur.skip(wl, 'withdrawn routes');
  if (cur.remaining < 2) return { withdrawn, attributes, nlri };
  const al = Math.min(cur.u16('path attributes length'), cur.remaining);
  attributes = cur.bytes(al, 'path attributes');
  nlri = decodeNlriLenient(body, cur.pos, body.length, 4, addPath, problems);
  return { withdrawn, attributes, nlri };
}

function pid(n: Nlri, addPath: boolean): string {
  return addPath ? `|${n.pathId ?? 0}` : '';
}

/**
 * The A and W lines of one UPDATE, in bgpdump's order: withdrawn routes, MP_UNREACH_NLRI,
 * NLRI, MP_REACH_NLRI. `v4LocalQuirk`: bgpdump prints the peer of an IPv6 withdrawal in an
 * IPv4-session _LOCAL message with inet_ntop(AF_INET6) over the IPv4 address.
 */
function updateLines(
  head: string,
  peer: string,
  withdrawn: readonly Nlri[],
  nlri: readonly Nlri[],
  a: BgpdumpAttrs,
  addPath: boolean,
  v4LocalQuirk: boolean,
): string {
  let out = '';
  for (const n of withdrawn) out += `${head}W|${peer}${prefixText(n.prefix)}${pid(n, addPath)}\n`;
  const un = a.mpUnreach;
  if (un && un.raw === undefined) {
    let wpeer = peer;
    if (un.afi === 2 && v4LocalQuirk) {
      const b = new Uint8Array(16);
      const ip = peer.slice(0, peer.indexOf('|')).split('.').map(Number);
      b.set(ip, 0);
      wpeer = `${bgpdumpIPv6(b)}${peer.slice(peer.indexOf('|'))}`;
    }
    for (const n of un.withdrawn) out += `${head}W|${wpeer}${prefixText(n.prefix)}${pid(n, addPath)}\n`;
  }
  const tail = `|${a.asPath}|${a.origin}|`;
  for (const n of nlri) {
    out += `${head}A|${peer}${prefixText(n.prefix)}${pid(n, addPath)}${tail}${a.nextHop}|${a.localPref}|${a.med}${a.end}\n`;
  }
  const mp = a.mpReach;
  if (mp && mp.raw === undefined && mp.nlri.length > 0) {
    if (mp.afi === 1) {
      // table_line_announce_1 prints local-pref and MED with %d.
      const nh = mp.nextHops.length > 0 ? ipv4Text(mp.nextHops[0].bytes) : '0.0.0.0';
      const mid = `${nh}|${a.localPref | 0}|${a.med | 0}`;
      for (const n of mp.nlri) out += `${head}A|${peer}${prefixText(n.prefix)}${pid(n, addPath)}${tail}${mid}${a.end}\n`;
    } else {
      const nh = mp.nextHops.length > 0 ? bgpdumpIPv6(mp.nextHops[0].bytes) : '::';
      const mid = `${nh}|${a.localPref}|${a.med}`;
      for (const n of mp.nlri) out += `${head}A|${peer}${prefixText(n.prefix)}${pid(n, addPath)}${tail}${mid}${a.end}\n`;
    }
  }
  return out;
}
