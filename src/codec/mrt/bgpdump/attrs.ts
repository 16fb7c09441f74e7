// The attribute fields of a bgpdump line, from decoded path attributes (the general
// path): AS path text with bgpdump's AS4_PATH merge, origin, next hop, local pref, MED,
// communities, atomic aggregate and aggregator, each the way bgpdump prints it.
import { Cursor } from '../../cursor.ts';
import { DecodeError } from '../../errors.ts';
import { decodePathAttributes } from '../../bgp/attrs/index.ts';
import type { AsPathSegment, AttrOf, DecodeContext, PathAttribute } from '../../bgp/types.ts';
import { bgpdumpIPv6, ipv4Text } from './address-text.ts';

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

export const COMMUNITY_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
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

export const ORIGIN_TEXT: readonly string[] = ['IGP', 'EGP', 'INCOMPLETE'];

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

/**
 * The next hop bgpdump prints for RIB lines (TABLE_DUMP, TABLE_DUMP_V2): the IPv6 global
 * next hop when MP_REACH_NLRI is there for IPv6 unicast (the abbreviated RIB form always
 * counts as that), otherwise NEXT_HOP.
 */
export function ribNextHop(a: BgpdumpAttrs): string {
  const mp = a.mpReach;
  if (mp && mp.nextHops.length > 0 && mp.nextHops[0].family === 6 && (mp.safi === 1 || mp.afi === 2)) {
    return bgpdumpIPv6(mp.nextHops[0].bytes);
  }
  return a.nextHop;
}
