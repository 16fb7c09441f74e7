// MRT content as one BMP session (RFC 7854), for `smoketrace replay`: what a router
// exporting BMP would send if it held the routes the MRT files describe.
//
// - Initiation first (sysName, sysDescr), Termination last (reason 0, administratively
//   closed) — both built by the caller through initiation()/termination().
// - A Peer Up per MRT peer (PEER_INDEX_TABLE entry, TABLE_DUMP peer or BGP4MP peer), sent
//   when the peer's first route comes, with synthesized OPENs: both sides 4-octet AS
//   capable, multiprotocol IPv4 and IPv6 unicast and multicast, route refresh, and ADD-PATH
//   (send/receive, both families) when the peer's records carry path identifiers. The
//   monitored router's side uses `localAs` (BGP4MP's local AS when the file has it) and
//   the collector's BGP id; the peer's side its own AS and BGP id.
// - TABLE_DUMP_V2 / TABLE_DUMP entries: Route Monitoring in the post-policy Adj-RIB-In (L
//   flag; the RIB table mrt dump reports for them), prefixes of one peer with identical
//   attribute bytes packed into one UPDATE (up to ~4,000 bytes, so any collector can read
//   it); IPv4 unicast as classic NLRI with NEXT_HOP, everything else in a full
//   MP_REACH_NLRI rebuilt from the RIB entry's abbreviated one. At the end of a file's
//   RIB entries: End-of-RIB per peer and AFI/SAFI seen.
// - BGP4MP UPDATEs go out byte for byte as the peer sent them (pre-policy Adj-RIB-In; A
//   flag when the record's session was 2-octet AS; MESSAGE_LOCAL as post-policy
//   Adj-RIB-Out), timestamped with the record's time so the collector sees the recorded
//   times. A peer's table that first appears in an updates file starts empty, so its
//   End-of-RIB goes out right after its Peer Up (what follows is churn, not a transfer).
//   STATE_CHANGE out of Established is a Peer Down (the collector withdraws the peer's
//   routes); back to Established a fresh Peer Up.
// Pure: bytes out, no sockets or timers (cli/replay.ts sends and paces them).
//
// Speed (RIB dumps are millions of entries; the replay must outrun the collector): an
// attribute block is decoded once per distinct bytes (ByteKeyCache, no string keys), and
// encoded once, as the UPDATE will carry it (MP_REACH_NLRI and NEXT_HOP as above), into
// `AttrInfo.head`. Packs are found by attribute block and peer ordinal without building
// keys, hold IPv4 prefixes as numbers (no objects surviving into the old generation), and a packed UPDATE is written byte
// by byte into a large slab (per-peer header template + BGP header + the cached attribute
// bytes + NLRI): no Writer or message objects per route. The bytes are the same as the
// generic encoder's (test/cli/replay-equivalence.test.ts checks both ways on fixtures).
import { decodePathAttributes } from '../codec/bgp/attrs/index.ts';
import { AS_TRANS } from '../codec/bgp/as4.ts';
import type { Capability, DecodeContext, Nlri, OpenMessage, PathAttribute, UpdateMessage } from '../codec/bgp/types.ts';
import {
  FLAG_A,
  FLAG_L,
  FLAG_O,
  FLAG_V,
  INFO_SYS_DESCR,
  INFO_SYS_NAME,
  PEER_GLOBAL,
  type PerPeerHeader,
  encodeBmpMessage,
  peerUpOf,
  routeMonitoringOf,
  textTlv,
} from '../codec/bmp/index.ts';
import { Cursor, Writer } from '../codec/cursor.ts';
import { encodePathAttributes } from '../codec/bgp/attrs/index.ts';
import { encodePerPeerHeader } from '../codec/bmp/per-peer-header.ts';
import { ByteKeyCache } from '../codec/mrt/attr-cache.ts';
import { DecodeError } from '../codec/errors.ts';
import type { MrtRecord } from '../codec/mrt/types.ts';
import { type Address, formatAddress } from '../model/address.ts';
import type { Prefix } from '../model/prefix.ts';

export interface MrtBmpOptions {
  readonly sysName?: string;
  readonly sysDescr?: string;
  /** The monitored router's AS where the MRT file does not say (RIB dumps). */
  readonly localAs?: number;
  /** Build every packed UPDATE through the generic encoder (tests compare the two). */
  readonly genericEncoder?: boolean;
}

/** One BMP message, and the MRT time it stands for (BGP4MP updates only: what --speed paces). */
export interface ReplayMessage {
  readonly bytes: Uint8Array;
  readonly time?: number;
}

export interface ReplayStats {
  records: number;
  skippedRecords: number;
  problems: number;
  peers: number;
  peerUps: number;
  peerDowns: number;
  routeMonitoring: number;
  announced: number;
  withdrawn: number;
  endOfRib: number;
}

interface PeerState {
  readonly key: string;
  readonly address: Address;
  asn: number;
  bgpId: Address;
  up: boolean;
  /** Had a Peer Up at least once (counted in stats.peers). */
  used: boolean;
  addPath: boolean;
  /** End-of-RIB sent, by "flags afi/safi". */
  readonly eor: Set<string>;
  /** AFI/SAFIs with RIB entries in the current file, by flags. */
  readonly ribSeen: Map<number, Set<string>>;
  /** Index of the peer in this converter (packs are found by it). */
  readonly ord: number;
  /** The per-peer header (flags L, V as the address says; time zero) as encoded, and what it was built from. */
  header?: Uint8Array;
  headerAsn: number;
  headerId: Address | undefined;
}

/** One distinct attribute block (per AFI/SAFI and AS size) of RIB entries. */
interface AttrInfo {
  /** The decoded attributes, kept only where `head` is undefined (else decoded again if needed). */
  readonly attrs: readonly PathAttribute[] | undefined;
  readonly raw: Uint8Array | undefined;
  readonly as4: boolean;
  /** The block as a packed UPDATE carries it, without MP_REACH_NLRI; undefined: the generic encoder. */
  readonly head: Uint8Array | undefined;
  /** IPv4 unicast with NEXT_HOP: classic NLRI; else an MP_REACH_NLRI with `nextHop` goes after `head`. */
  readonly classic: boolean;
  readonly nextHop: Uint8Array;
  /** The open pack of each peer (by ordinal) for this block. */
  readonly packs: (Pack | undefined)[];
}

interface Pack {
  readonly peer: PeerState;
  readonly afi: number;
  readonly safi: number;
  readonly info: AttrInfo;
  /** IPv4 prefixes as numbers (length × 2^32 + address: nothing for the collector to trace)... */
  v4: number[];
  /** ...or, once a prefix of another family came, every prefix as an object, in order. */
  readonly objs: Prefix[];
  /** Path id per prefix (0 where there is none). */
  readonly pathIds: number[];
  bytes: number;
  readonly time: number;
  done: boolean;
}

const ZERO8 = new Uint8Array(8);
const ALL_ADDPATH: ReadonlySet<string> = new Set(['1/1', '1/2', '2/1', '2/2']);
const AFI_SAFIS: readonly (readonly [number, number])[] = [
  [1, 1],
  [2, 1],
  [1, 2],
  [2, 2],
];
/** Room for NLRI in a packed UPDATE: 4,096 minus header and a generous attribute block. */
const PACK_BYTES = 3000;
const MAX_PACKS = 20_000;
const ESTABLISHED = 6;
/** Distinct attribute blocks kept; past it the cache starts over. */
const ATTR_CACHE_LIMIT = 100_001;
const SLAB_BYTES = 1 << 20;

function zeroAddress(family: 4 | 6): Address {
  return { family, bytes: new Uint8Array(family === 4 ? 4 : 16) };
}

function nlriBytes(prefix: Prefix, addPath: boolean): number {
  return 1 + ((prefix.len + 7) >>> 3) + (addPath ? 4 : 0);
}

/** An IPv4 prefix from its packed number (see Pack.v4). */
function v4Prefix(n: number): Prefix {
  const a = n % 4294967296;
  return { family: 4, len: Math.floor(n / 4294967296), bytes: new Uint8Array([a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff]) };
}

export class MrtToBmp {
  /** peers: MRT peers that had routes (a PEER_INDEX_TABLE may list unused ones). */
  readonly stats: ReplayStats = { records: 0, skippedRecords: 0, problems: 0, peers: 0, peerUps: 0, peerDowns: 0, routeMonitoring: 0, announced: 0, withdrawn: 0, endOfRib: 0 };
  /** Problems met (undecodable attributes, unknown peer indexes), in words. */
  readonly problems: string[] = [];
  private readonly peers = new Map<string, PeerState>();
  private peerIndex: PeerState[] | undefined;
  private collectorId: Address = { family: 4, bytes: new Uint8Array([0, 0, 0, 1]) };
  private localAs: number;
  /** Open packs in the order they were opened (emitted ones are marked done and skipped). */
  private order: Pack[] = [];
  private openPacks = 0;
  private readonly attrCache = new ByteKeyCache<AttrInfo | DecodeError>(ATTR_CACHE_LIMIT);
  private keyBuf = new Uint8Array(4096);
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private slabAt = 0;

  constructor(private readonly o: MrtBmpOptions = {}) {
    this.localAs = o.localAs ?? 64511;
  }

  initiation(): Uint8Array {
    return encodeBmpMessage({
      kind: 'initiation',
      tlvs: [textTlv(INFO_SYS_DESCR, this.o.sysDescr ?? 'smoketrace replay of MRT files'), textTlv(INFO_SYS_NAME, this.o.sysName ?? 'smoketrace-replay')],
    });
  }

  termination(text = 'replay finished'): Uint8Array {
    const reason = new Uint8Array([0, 0]); // 0: session administratively closed
    return encodeBmpMessage({ kind: 'termination', tlvs: [{ type: 0, value: new TextEncoder().encode(text) }, { type: 1, value: reason }] });
  }

  /** The BMP messages for one MRT record (RIB entries may be held back for packing). */
  record(rec: MrtRecord, out: ReplayMessage[]): void {
    this.stats.records++;
    switch (rec.kind) {
      case 'peer-index-table':
        this.flushPacks(out);
        this.collectorId = rec.collectorId;
        this.peerIndex = rec.peers.map((p) => this.peer(p.address, p.asn, p.bgpId));
        return;
      case 'rib': {
        if (!rec.prefix) {
          this.stats.skippedRecords++;
          return;
        }
        if (!this.peerIndex) {
          this.problem(`record at byte ${rec.offset}: RIB record before any PEER_INDEX_TABLE`);
          return;
        }
        const time = rec.header.timestamp * 1000;
        for (const e of rec.entries) {
          const p = this.peerIndex[e.peerIndex];
          if (!p) {
            this.problem(`record at byte ${rec.offset}: RIB entry names peer ${e.peerIndex}; the table has ${this.peerIndex.length}`);
            continue;
          }
          this.ribEntry(p, rec.afi, rec.safi, rec.prefix, rec.addPath ? e.pathId : undefined, e.attributes, true, time, rec.offset, out);
        }
        return;
      }
      case 'table-dump': {
        const p = this.peer(rec.peerAddress, rec.peerAs, rec.peerAddress.family === 4 ? rec.peerAddress : zeroAddress(4));
        const afi = rec.prefix.family === 4 ? 1 : 2;
        this.ribEntry(p, afi, 1, rec.prefix, undefined, rec.attributes, rec.as4, rec.header.timestamp * 1000, rec.offset, out);
        return;
      }
      case 'bgp4mp-message': {
        this.flushPacks(out);
        const m = rec.message;
        if (m.length < 19 || m[18] !== 2) return; // OPEN, KEEPALIVE, NOTIFICATION: not routes
        const p = this.peer(rec.peerAddress, rec.peerAs, undefined);
        if (rec.localAs > 0) this.localAs = rec.localAs;
        const flags = (rec.local ? FLAG_O | FLAG_L : 0) | (rec.as4 ? 0 : FLAG_A);
        const time = rec.header.timestamp * 1000 + Math.floor(rec.header.microseconds / 1000);
        this.ensureUp(p, rec.addPath, time, out);
        this.startEmpty(p, flags, time, out);
        out.push({ bytes: encodeBmpMessage({ kind: 'route-monitoring', peer: this.header(p, flags, time), update: m }), time });
        this.stats.routeMonitoring++;
        return;
      }
      case 'bgp4mp-state-change': {
        this.flushPacks(out);
        const key = formatAddress(rec.peerAddress);
        const p = this.peers.get(key);
        const time = rec.header.timestamp * 1000;
        if (p?.up && rec.oldState === ESTABLISHED && rec.newState !== ESTABLISHED) {
          p.up = false;
          p.eor.clear();
          out.push({
            bytes: encodeBmpMessage({ kind: 'peer-down', peer: this.header(p, 0, time), reason: 2, data: { kind: 'fsm-event', event: 0 } }),
            time,
          });
          this.stats.peerDowns++;
        }
        return;
      }
      default:
        this.stats.skippedRecords++;
    }
  }

  /** The end of one file: packed RIB entries go out, then End-of-RIB per peer and AFI/SAFI dumped. */
  endFile(out: ReplayMessage[]): void {
    this.flushPacks(out);
    for (const p of this.peers.values()) {
      for (const [flags, set] of p.ribSeen) {
        for (const k of set) this.endOfRib(p, flags, Number(k.split('/')[0]), Number(k.split('/')[1]), 0, out);
      }
      p.ribSeen.clear();
    }
  }

  private problem(text: string): void {
    this.stats.problems++;
    if (this.problems.length < 1000) this.problems.push(text);
  }

  private peer(address: Address, asn: number, bgpId: Address | undefined): PeerState {
    const key = formatAddress(address);
    let p = this.peers.get(key);
    if (p === undefined) {
      p = {
        key,
        address,
        asn,
        bgpId: bgpId ?? (address.family === 4 ? address : zeroAddress(4)),
        up: false,
        used: false,
        addPath: false,
        eor: new Set(),
        ribSeen: new Map(),
        ord: this.peers.size,
        headerAsn: -1,
        headerId: undefined,
      };
      this.peers.set(key, p);
    } else {
      p.asn = asn;
      if (bgpId) p.bgpId = bgpId;
    }
    return p;
  }

  private header(p: PeerState, flags: number, time: number): PerPeerHeader {
    return {
      peerType: PEER_GLOBAL,
      flags: flags | (p.address.family === 6 ? FLAG_V : 0),
      distinguisher: ZERO8,
      address: p.address,
      asn: p.asn,
      bgpId: p.bgpId,
      seconds: Math.floor(time / 1000),
      microseconds: (time % 1000) * 1000,
    };
  }

  private open(asn: number, bgpId: Address, addPath: boolean): OpenMessage {
    const caps: Capability[] = AFI_SAFIS.map(([afi, safi]) => ({ code: 1, value: { kind: 'multiprotocol', afi, safi } }));
    caps.push({ code: 2, value: { kind: 'route-refresh' } });
    caps.push({ code: 65, value: { kind: 'as4', asn } });
    if (addPath) caps.push({ code: 69, value: { kind: 'add-path', entries: AFI_SAFIS.map(([afi, safi]) => ({ afi, safi, sendReceive: 3 })) } });
    return { kind: 'open', version: 4, myAs: asn > 0xffff ? AS_TRANS : asn, holdTime: 180, bgpId, capabilities: caps, otherParams: [] };
  }

  /** Peer Up (again, with ADD-PATH, if the peer turns out to use path ids). */
  private ensureUp(p: PeerState, addPath: boolean, time: number, out: ReplayMessage[]): void {
    if (p.up && (p.addPath || !addPath)) return;
    if (!p.used) this.stats.peers++;
    p.used = true;
    p.up = true;
    p.addPath = p.addPath || addPath;
    p.eor.clear();
    const m = peerUpOf({
      peer: this.header(p, 0, time),
      localAddress: zeroAddress(p.address.family),
      localPort: 179,
      remotePort: 0,
      sentOpen: this.open(this.localAs, this.collectorId, p.addPath),
      receivedOpen: this.open(p.asn, p.bgpId.family === 4 ? p.bgpId : zeroAddress(4), p.addPath),
    });
    out.push({ bytes: encodeBmpMessage(m) });
    this.stats.peerUps++;
  }

  /** A table that first shows up in an updates file is in sync (empty) at once. */
  private startEmpty(p: PeerState, flags: number, time: number, out: ReplayMessage[]): void {
    const base = flags & (FLAG_L | FLAG_O);
    if (p.eor.has(`${base} 1/1`)) return;
    this.endOfRib(p, base, 1, 1, time, out);
    this.endOfRib(p, base, 2, 1, time, out);
  }

  private endOfRib(p: PeerState, flags: number, afi: number, safi: number, time: number, out: ReplayMessage[]): void {
    const k = `${flags} ${afi}/${safi}`;
    if (p.eor.has(k)) return;
    p.eor.add(k);
    const update: UpdateMessage =
      afi === 1 && safi === 1
        ? { kind: 'update', withdrawn: [], attributes: [], nlri: [], warnings: [], treatAsWithdraw: false }
        : {
            kind: 'update',
            withdrawn: [],
            attributes: [{ kind: 'mp-unreach', flags: 0x80, afi, safi, withdrawn: [], raw: undefined }],
            nlri: [],
            warnings: [],
            treatAsWithdraw: false,
          };
    out.push({ bytes: encodeBmpMessage(routeMonitoringOf(this.header(p, flags, time), update, { as4: true })) });
    this.stats.endOfRib++;
  }

  private ribAttributes(bytes: Uint8Array, afi: number, safi: number, as4: boolean): AttrInfo | DecodeError {
    // Key: afi, safi, AS size, then the bytes (as the decoded attributes depend on all four).
    const n = bytes.length + 4;
    if (n > this.keyBuf.length) this.keyBuf = new Uint8Array(Math.max(n, 2 * this.keyBuf.length));
    const k = this.keyBuf;
    k[0] = afi >>> 8;
    k[1] = afi & 0xff;
    k[2] = safi;
    k[3] = as4 ? 4 : 2;
    k.set(bytes, 4);
    let v = this.attrCache.getRange(k, 0, n);
    if (v === undefined) {
      const ctx: DecodeContext = { as4, mrtRibAfiSafi: { afi, safi } };
      try {
        const r = decodePathAttributes(new Cursor(bytes, 0, bytes.length, 'attr'), ctx);
        v = this.attrInfo(
          r.attributes.map((a) => (a.kind === 'as-path' && !a.as4 ? { ...a, as4: true } : a.kind === 'aggregator' && !a.as4 ? { ...a, as4: true } : a)),
          afi,
          safi,
          bytes,
          as4,
        );
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        v = e;
      }
      this.attrCache.setRange(k, 0, n, v);
    }
    return v;
  }

  /** What emitPack needs of an attribute block, encoded once (the generic encoder's bytes). */
  private attrInfo(attrs: readonly PathAttribute[], afi: number, safi: number, raw: Uint8Array, as4: boolean): AttrInfo {
    const classic = afi === 1 && safi === 1 && attrs.some((a) => a.kind === 'next-hop');
    let head: Uint8Array | undefined;
    let nextHop: Uint8Array = new Uint8Array(0);
    if (!this.o.genericEncoder) {
      try {
        const w = new Writer(256);
        if (classic) {
          encodePathAttributes(
            attrs.filter((a) => a.kind !== 'mp-reach' && a.kind !== 'mp-unreach'),
            w,
            { as4: true },
          );
        } else {
          encodePathAttributes(
            attrs.filter((a) => a.kind !== 'mp-reach' && a.kind !== 'mp-unreach' && a.kind !== 'next-hop'),
            w,
            { as4: true },
          );
          const mp = attrs.find((a) => a.kind === 'mp-reach');
          const hops = mp && mp.kind === 'mp-reach' ? mp.nextHops : [];
          const nh = new Writer(32);
          for (const h of hops) nh.bytes(h.bytes);
          nextHop = nh.finish();
          if (nextHop.length > 255) throw new RangeError('next hop too long');
        }
        head = w.finish();
      } catch {
        head = undefined; // the generic encoder reports it, per UPDATE, as before
      }
    }
    return head === undefined
      ? { attrs, raw: undefined, as4: true, head, classic, nextHop, packs: [] }
      : { attrs: undefined, raw: raw.slice(), as4, head, classic, nextHop, packs: [] };
  }

  private ribEntry(
    p: PeerState,
    afi: number,
    safi: number,
    prefix: Prefix,
    pathId: number | undefined,
    attrBytes: Uint8Array,
    as4: boolean,
    time: number,
    offset: number,
    out: ReplayMessage[],
  ): void {
    const info = this.ribAttributes(attrBytes, afi, safi, as4);
    if (info instanceof DecodeError) {
      this.problem(`record at byte ${offset}: ${info.message}`);
      return;
    }
    // A peer already up keeps its session: a path id it was not set up for is dropped.
    this.ensureUp(p, !p.up && pathId !== undefined, time, out);
    const flags = FLAG_L;
    let seen = p.ribSeen.get(flags);
    if (!seen) p.ribSeen.set(flags, (seen = new Set()));
    const fam = afi === 1 && safi === 1 ? '1/1' : afi === 2 && safi === 1 ? '2/1' : `${afi}/${safi}`;
    if (!seen.has(fam)) seen.add(fam);
    const size = nlriBytes(prefix, p.addPath);
    // Packed by peer and attribute block (the block's cache entry is per AFI/SAFI).
    let pack = info.packs[p.ord];
    if (pack !== undefined && (pack.done || pack.bytes + size > PACK_BYTES)) {
      if (!pack.done) this.emitPack(pack, out);
      pack = undefined;
    }
    if (pack === undefined) {
      pack = { peer: p, afi, safi, info, v4: [], objs: [], pathIds: [], bytes: 0, time, done: false };
      info.packs[p.ord] = pack;
      this.order.push(pack);
      this.openPacks++;
      if (this.order.length > 2 * this.openPacks + 4096) this.order = this.order.filter((q) => !q.done);
    }
    if (prefix.family === 4 && pack.objs.length === 0) {
      const b = prefix.bytes;
      pack.v4.push(prefix.len * 4294967296 + (((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0));
    } else {
      if (pack.v4.length > 0) {
        for (const n of pack.v4) pack.objs.push(v4Prefix(n));
        pack.v4 = [];
      }
      pack.objs.push(prefix);
    }
    pack.pathIds.push(pathId ?? 0);
    pack.bytes += size;
    this.stats.announced++;
    if (this.openPacks > MAX_PACKS) this.flushPacks(out);
  }

  private emitPack(pack: Pack, out: ReplayMessage[]): void {
    pack.done = true;
    this.openPacks--;
    if (pack.info.packs[pack.peer.ord] === pack) pack.info.packs[pack.peer.ord] = undefined;
    if (pack.pathIds.length === 0) return;
    if (pack.info.head !== undefined && this.emitFast(pack, out)) return;
    const { peer: p, afi, safi } = pack;
    const prefixes = pack.objs.length > 0 ? pack.objs : pack.v4.map(v4Prefix);
    const nlriList: Nlri[] = prefixes.map((prefix, i) => (p.addPath ? { prefix, pathId: pack.pathIds[i] } : { prefix }));
    const attrs = pack.info.attrs ?? this.decodeAgain(pack.info, afi, safi);
    let attributes: PathAttribute[];
    let nlri: readonly Nlri[] = [];
    if (pack.info.classic) {
      attributes = attrs.filter((a) => a.kind !== 'mp-reach' && a.kind !== 'mp-unreach');
      nlri = nlriList;
    } else {
      const mp = attrs.find((a) => a.kind === 'mp-reach');
      const nextHops = mp && mp.kind === 'mp-reach' ? mp.nextHops : [];
      attributes = attrs.filter((a) => a.kind !== 'mp-reach' && a.kind !== 'mp-unreach' && a.kind !== 'next-hop');
      attributes.push({ kind: 'mp-reach', flags: 0x80, afi, safi, nextHops, nlri: nlriList, raw: undefined });
    }
    const update: UpdateMessage = { kind: 'update', withdrawn: [], attributes, nlri, warnings: [], treatAsWithdraw: false };
    const ctx: DecodeContext = p.addPath ? { as4: true, addPath: ALL_ADDPATH } : { as4: true };
    try {
      out.push({ bytes: encodeBmpMessage(routeMonitoringOf(this.header(p, FLAG_L, pack.time), update, ctx)) });
      this.stats.routeMonitoring++;
    } catch (e) {
      this.problem(`UPDATE for peer ${p.key} could not be built: ${(e as Error).message}`);
    }
  }

  private decodeAgain(info: AttrInfo, afi: number, safi: number): readonly PathAttribute[] {
    const raw = info.raw!;
    const r = decodePathAttributes(new Cursor(raw, 0, raw.length, 'attr'), { as4: info.as4, mrtRibAfiSafi: { afi, safi } });
    return r.attributes.map((a) => (a.kind === 'as-path' && !a.as4 ? { ...a, as4: true } : a.kind === 'aggregator' && !a.as4 ? { ...a, as4: true } : a));
  }

  /** The per-peer header of a packed RIB UPDATE, time left zero (emitFast writes it). */
  private peerHeader(p: PeerState): Uint8Array {
    if (p.header === undefined || p.headerAsn !== p.asn || p.headerId !== p.bgpId) {
      const w = new Writer(42);
      encodePerPeerHeader(this.header(p, FLAG_L, 0), w);
      p.header = w.finish();
      p.headerAsn = p.asn;
      p.headerId = p.bgpId;
    }
    return p.header;
  }

  /** A packed UPDATE as the generic encoder would write it, into the slab; false: too large, use that encoder. */
  private emitFast(pack: Pack, out: ReplayMessage[]): boolean {
    const info = pack.info;
    const head = info.head!;
    const p = pack.peer;
    const addPath = p.addPath;
    const objs = pack.objs;
    const v4 = pack.v4;
    const count = pack.pathIds.length;
    let nlriLen = 0;
    if (objs.length > 0) for (let i = 0; i < count; i++) nlriLen += nlriBytes(objs[i], addPath);
    else for (let i = 0; i < count; i++) nlriLen += 1 + ((Math.floor(v4[i] / 4294967296) + 7) >>> 3) + (addPath ? 4 : 0);
    let attrLen = head.length;
    let mpValue = 0;
    if (!info.classic) {
      mpValue = 5 + info.nextHop.length + nlriLen;
      if (mpValue > 0xffff) return false;
      attrLen += (mpValue > 255 ? 4 : 3) + mpValue;
    }
    if (attrLen > 0xffff) return false;
    const bgpLen = 19 + 2 + 2 + attrLen + (info.classic ? nlriLen : 0);
    if (bgpLen > 65535) return false;
    const total = 6 + 42 + bgpLen;
    if (this.slabAt + total > this.slab.length) {
      this.slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, total));
      this.slabAt = 0;
    }
    const b = this.slab;
    const start = this.slabAt;
    let o = start;
    b[o++] = 3; // BMP version
    b.writeUInt32BE(total, o);
    o += 4;
    b[o++] = 0; // Route Monitoring
    b.set(this.peerHeader(p), o);
    const seconds = Math.floor(pack.time / 1000);
    b.writeUInt32BE(seconds >>> 0, o + 34);
    b.writeUInt32BE(((pack.time % 1000) * 1000) >>> 0, o + 38);
    o += 42;
    b.fill(0xff, o, o + 16);
    o += 16;
    b[o++] = bgpLen >>> 8;
    b[o++] = bgpLen & 0xff;
    b[o++] = 2; // UPDATE
    b[o++] = 0; // withdrawn routes length
    b[o++] = 0;
    b[o++] = attrLen >>> 8;
    b[o++] = attrLen & 0xff;
    b.set(head, o);
    o += head.length;
    if (!info.classic) {
      if (mpValue > 255) {
        b[o++] = 0x90;
        b[o++] = 14;
        b[o++] = mpValue >>> 8;
        b[o++] = mpValue & 0xff;
      } else {
        b[o++] = 0x80;
        b[o++] = 14;
        b[o++] = mpValue;
      }
      b[o++] = pack.afi >>> 8;
      b[o++] = pack.afi & 0xff;
      b[o++] = pack.safi;
      b[o++] = info.nextHop.length;
      b.set(info.nextHop, o);
      o += info.nextHop.length;
      b[o++] = 0;
    }
    const pathIds = pack.pathIds;
    for (let i = 0; i < count; i++) {
      if (addPath) {
        b.writeUInt32BE(pathIds[i] >>> 0, o);
        o += 4;
      }
      if (objs.length > 0) {
        const pf = objs[i];
        b[o++] = pf.len;
        const nb = (pf.len + 7) >>> 3;
        const src = pf.bytes;
        for (let j = 0; j < nb; j++) b[o++] = src[j];
      } else {
        const n = v4[i];
        const len = Math.floor(n / 4294967296);
        const a = n % 4294967296;
        b[o++] = len;
        if (len > 0) b[o++] = a >>> 24;
        if (len > 8) b[o++] = (a >>> 16) & 0xff;
        if (len > 16) b[o++] = (a >>> 8) & 0xff;
        if (len > 24) b[o++] = a & 0xff;
      }
    }
    if (o - start !== total) throw new Error(`internal: packed UPDATE of ${o - start} bytes, expected ${total}`);
    this.slabAt = o;
    out.push({ bytes: b.subarray(start, o) });
    this.stats.routeMonitoring++;
    return true;
  }

  private flushPacks(out: ReplayMessage[]): void {
    const all = this.order;
    this.order = [];
    for (const pack of all) if (!pack.done) this.emitPack(pack, out);
    this.openPacks = 0;
  }
}
