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
//
// Two byte-level fast paths (rib-fast.ts, update-fast.ts) write the same lines for the
// bulk of a file straight into an output buffer; formatRaw() picks them.
import { Cursor } from '../../cursor.ts';
import { DecodeError } from '../../errors.ts';
import type { DecodeContext } from '../../bgp/types.ts';
import { ByteArena, ByteKeyCache } from '../attr-cache.ts';
import { viewBgpMessage } from '../bgp4mp.ts';
import { MRT_TYPE, type RawMrtRecord } from '../framing.ts';
import type {
  Bgp4mpMessageRecord,
  Bgp4mpStateChangeRecord,
  LegacyBgpRecord,
  MrtRecord,
  PeerIndexEntry,
  RibRecord,
  TableDumpRecord,
} from '../types.ts';
import { addrText, bgpdumpIPv6, ipv4Text, prefixText } from './address-text.ts';
import { type BgpdumpAttrs, bgpdumpAttrs, decodeAttrsLenient, ribNextHop } from './attrs.ts';
import { type ByteOut, latin1Bytes } from './byte-out.ts';
import { RibFastPath } from './rib-fast.ts';
import { splitUpdate, updateLines } from './update-lines.ts';
import { UpdateFastPath } from './update-fast.ts';

export type { ByteOut } from './byte-out.ts';

const ALL_ADDPATH: ReadonlySet<string> = new Set(['1/1', '1/2', '2/1', '2/2']);

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
  private readonly caches = new Map<string, ByteKeyCache<BgpdumpAttrs>>();
  private readonly onProblem: (e: DecodeError, recordOffset: number) => void;
  /** The fast paths' cached line tails live in one arena. */
  private readonly tailArena = new ByteArena();
  private readonly ribFast = new RibFastPath(this.tailArena);
  private readonly updateFast = new UpdateFastPath(this.tailArena);

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
   * Writes the same lines as format() straight into `out` as latin1 bytes, for the records
   * a fast path takes: TABLE_DUMP_V2 RIB_IPV4_UNICAST / RIB_IPV6_UNICAST (and their
   * ADD-PATH forms), BGP4MP(_ET) MESSAGE(_AS4)(_LOCAL). Returns false, with `out` as it
   * was, for every record it does not take: other types, and any record where format()
   * would report a problem. The caller then uses format(), so the output is the same
   * either way.
   */
  formatRaw(raw: RawMrtRecord, out: ByteOut): boolean {
    const h = raw.header;
    if (h.type === MRT_TYPE.BGP4MP || h.type === MRT_TYPE.BGP4MP_ET) {
      const st = h.subtype;
      if (st !== 1 && st !== 4 && st !== 6 && st !== 7) return false;
      const mark = out.pos;
      if (this.updateFast.write(raw.body, h, st === 4 || st === 7, st >= 6, out)) return true;
      out.pos = mark;
      return false;
    }
    if (h.type !== MRT_TYPE.TABLE_DUMP_V2) return false;
    const st = h.subtype;
    if ((st !== 2 && st !== 4 && st !== 8 && st !== 10) || this.peers === undefined) return false;
    const mark = out.pos;
    try {
      if (this.ribFast.write(raw.body, h.timestamp, st === 4 || st === 10, st >= 8, this.peerBytes, out)) return true;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
    out.pos = mark;
    return false;
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

function timeText(rec: MrtRecord): string {
  const h = rec.header;
  if (h.type !== MRT_TYPE.BGP4MP_ET) return `${h.timestamp}`;
  const us = `${h.microseconds}`;
  return `${h.timestamp}.${us.length >= 6 ? us : '000000'.slice(us.length) + us}`;
}
