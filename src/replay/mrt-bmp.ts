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
import { Cursor } from '../codec/cursor.ts';
import { DecodeError } from '../codec/errors.ts';
import type { MrtRecord } from '../codec/mrt/types.ts';
import { type Address, formatAddress } from '../model/address.ts';
import type { Prefix } from '../model/prefix.ts';

export interface MrtBmpOptions {
  readonly sysName?: string;
  readonly sysDescr?: string;
  /** The monitored router's AS where the MRT file does not say (RIB dumps). */
  readonly localAs?: number;
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
}

interface Pack {
  readonly peer: PeerState;
  readonly afi: number;
  readonly safi: number;
  readonly attrs: readonly PathAttribute[];
  readonly nlri: Nlri[];
  bytes: number;
  readonly time: number;
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

function zeroAddress(family: 4 | 6): Address {
  return { family, bytes: new Uint8Array(family === 4 ? 4 : 16) };
}

function nlriBytes(n: Nlri, addPath: boolean): number {
  return 1 + ((n.prefix.len + 7) >>> 3) + (addPath ? 4 : 0);
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
  private readonly packs = new Map<string, Pack>();
  private readonly attrCache = new Map<string, readonly PathAttribute[] | DecodeError>();

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

  private ribAttributes(bytes: Uint8Array, afi: number, safi: number, as4: boolean): readonly PathAttribute[] | DecodeError {
    const key = `${afi}/${safi}/${as4 ? 4 : 2}/${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1')}`;
    let v = this.attrCache.get(key);
    if (v === undefined) {
      const ctx: DecodeContext = { as4, mrtRibAfiSafi: { afi, safi } };
      try {
        const r = decodePathAttributes(new Cursor(bytes, 0, bytes.length, 'attr'), ctx);
        v = r.attributes.map((a) => (a.kind === 'as-path' && !a.as4 ? { ...a, as4: true } : a.kind === 'aggregator' && !a.as4 ? { ...a, as4: true } : a));
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        v = e;
      }
      if (this.attrCache.size > 100_000) this.attrCache.clear();
      this.attrCache.set(key, v);
    }
    return v;
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
    const attrs = this.ribAttributes(attrBytes, afi, safi, as4);
    if (attrs instanceof DecodeError) {
      this.problem(`record at byte ${offset}: ${attrs.message}`);
      return;
    }
    // A peer already up keeps its session: a path id it was not set up for is dropped.
    this.ensureUp(p, !p.up && pathId !== undefined, time, out);
    const flags = FLAG_L;
    let seen = p.ribSeen.get(flags);
    if (!seen) p.ribSeen.set(flags, (seen = new Set()));
    seen.add(`${afi}/${safi}`);
    const n: Nlri = p.addPath ? { prefix, pathId: pathId ?? 0 } : { prefix };
    const size = nlriBytes(n, p.addPath);
    // Packed by peer, AFI/SAFI and attribute set (the cache hands out one object per distinct bytes).
    const key = `${p.key} ${afi}/${safi} ${this.packId(attrs)}`;
    let pack = this.packs.get(key);
    if (pack !== undefined && pack.bytes + size > PACK_BYTES) {
      this.packs.delete(key);
      this.emitPack(pack, out);
      pack = undefined;
    }
    if (pack === undefined) {
      pack = { peer: p, afi, safi, attrs, nlri: [], bytes: 0, time };
      this.packs.set(key, pack);
    }
    pack.nlri.push(n);
    pack.bytes += size;
    this.stats.announced++;
    if (this.packs.size > MAX_PACKS) this.flushPacks(out);
  }

  private readonly packIds = new WeakMap<readonly PathAttribute[], number>();
  private nextPackId = 0;

  private packId(attrs: readonly PathAttribute[]): number {
    let id = this.packIds.get(attrs);
    if (id === undefined) {
      id = this.nextPackId++;
      this.packIds.set(attrs, id);
    }
    return id;
  }

  private emitPack(pack: Pack, out: ReplayMessage[]): void {
    if (pack.nlri.length === 0) return;
    const { peer: p, afi, safi } = pack;
    const classic = afi === 1 && safi === 1 && pack.attrs.some((a) => a.kind === 'next-hop');
    let attributes: PathAttribute[];
    let nlri: readonly Nlri[] = [];
    if (classic) {
      attributes = pack.attrs.filter((a) => a.kind !== 'mp-reach' && a.kind !== 'mp-unreach');
      nlri = pack.nlri;
    } else {
      const mp = pack.attrs.find((a) => a.kind === 'mp-reach');
      const nextHops = mp && mp.kind === 'mp-reach' ? mp.nextHops : [];
      attributes = pack.attrs.filter((a) => a.kind !== 'mp-reach' && a.kind !== 'mp-unreach' && a.kind !== 'next-hop');
      attributes.push({ kind: 'mp-reach', flags: 0x80, afi, safi, nextHops, nlri: pack.nlri, raw: undefined });
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

  private flushPacks(out: ReplayMessage[]): void {
    const all = [...this.packs.values()];
    this.packs.clear();
    for (const pack of all) this.emitPack(pack, out);
  }
}
