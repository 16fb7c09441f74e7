// One router's BMP session: bytes in (in whatever pieces TCP delivers them), FeedEvents
// out. No sockets here (feeds/bmp-collector.ts owns those), so tests and the replay tool
// can drive it directly.
//
// Per peer it remembers what the Peer Up's OPENs negotiated, because a Route Monitoring
// UPDATE cannot be read without it:
// - 4-octet AS: the per-peer header's A flag says how the router formatted the AS_PATH
//   (RFC 7854 4.2), so it decides. Only when it is clear (4-octet) while the OPENs show a
//   2-octet session, or when no Peer Up was seen, is a 2-octet reading tried as well if
//   the 4-octet one fails (some routers forward 2-octet paths as received).
// - ADD-PATH per AFI/SAFI (RFC 7911): for Adj-RIB-In the router must have said it can
//   receive (sent OPEN, bit 1) and the peer that it can send (received OPEN, bit 2); for
//   Adj-RIB-Out (RFC 8671) the other way round. A Loc-RIB Peer Up's OPENs are fabricated
//   by the router (RFC 9069 5.3) and describe the router itself, so there any ADD-PATH
//   entry in the sent OPEN counts. Without a Peer Up ("stateless" exporters, a capture
//   that starts late) we guess no ADD-PATH and retry with ADD-PATH if the NLRI do not parse.
//
// Events: Route Monitoring gives one 'route' event per prefix (MP_REACH/MP_UNREACH
// included; an RFC 7606 treat-as-withdraw UPDATE withdraws what it announced), or one
// 'end-of-rib'; Peer Up/Down, Stats, Initiation (router-up) and Termination (router-down)
// their own. A message that does not decode is a 'decode-error' event and the session
// goes on; a broken common header (bad version or length) loses the framing, which ends
// the session with router-down 'framing-lost: <code>'.
import { Cursor } from '../codec/cursor.ts';
import { DecodeError } from '../codec/errors.ts';
import { toRouteAttributes } from '../codec/bgp/route-attributes.ts';
import type { DecodeContext, UpdateMessage } from '../codec/bgp/types.ts';
import {
  DEFAULT_MAX_MESSAGE_LENGTH,
  FLAG_A,
  FLAG_F,
  FLAG_O,
  INFO_ADMIN_LABEL,
  INFO_STRING,
  INFO_SYS_DESCR,
  INFO_SYS_NAME,
  INFO_VRF_TABLE_NAME,
  type InfoTlv,
  MSG_INITIATION,
  type OpenFacts,
  PEER_LOC_RIB,
  type PeerDown,
  type PeerUp,
  type PerPeerHeader,
  type RouteMonitoring,
  TERM_STRING,
  type Termination,
  decodeBmpBody,
  decodeCommonHeader,
  decodeRouteMonitoringUpdate,
  distinguisherHex,
  infoText,
  openFacts,
  peerDownText,
  peerTable,
  peerTime,
  splitBmp,
  statCounters,
  terminationReason,
  terminationReasonText,
} from '../codec/bmp/index.ts';
import type { Address } from '../model/address.ts';
import type { FeedEvent } from '../model/feed-event.ts';
import type { AsPath, PeerRef, RouteAttributes, RouteEvent, RouteTable } from '../model/route-event.ts';
import type { Nlri } from '../codec/bgp/types.ts';

export interface BmpSessionOptions {
  /** Receive-time clock, ms since the epoch. */
  readonly clock?: () => number;
  /** Largest message accepted; a header declaring more loses the framing. */
  readonly maxMessageBytes?: number;
}

/** What the session has counted, for health and tests. */
export interface BmpSessionCounters {
  messages: number;
  bytes: number;
  routeMonitoring: number;
  routeMirroring: number;
  unknownMessages: number;
  decodeErrors: number;
  /** Peer Downs for a peer already down (FRR repeats them while a peer retries); not re-emitted. */
  repeatedPeerDowns: number;
  /** Adj-RIB-In AS paths from which FRR's own-AS prepend was removed. */
  frrPrependsRemoved: number;
  /** MP_REACH/MP_UNREACH of AFI/SAFIs without IP prefixes we report (VPN, labeled unicast, EVPN, ...). */
  uninterpretedNlri: number;
}

interface PeerState {
  /** Peer type, address family, RD (8), address (16, zero-padded). */
  readonly key: Uint8Array;
  next: PeerState | undefined;
  ref: PeerRef;
  /** A Peer Up was seen (its OPENs are the source of the contexts below). */
  up: boolean;
  down: boolean;
  /** The monitored router's AS towards this peer (sent OPEN), or -1. */
  localAs: number;
  /** Contexts indexed by [adj-rib-out ? 1 : 0][as4 ? 1 : 0]. */
  ctx: DecodeContext[][];
  /** Both OPENs show a 2-octet session. */
  twoOctetSession: boolean;
}

/** Bytes per address slab (see detach). */
const SLAB = 16 * 1024;
/** Where a Route Monitoring's UPDATE starts: after the common and per-peer headers. */
const UPDATE_AT = 6 + 42;
const NO_ADDPATH: ReadonlySet<string> = new Set();
const ALL_ADDPATH: ReadonlySet<string> = new Set(['1/1', '1/2', '2/1', '2/2']);
const DEFAULT_CTX: DecodeContext[][] = [
  [{ as4: false, extendedMessage: true }, { as4: true, extendedMessage: true }],
  [{ as4: false, extendedMessage: true }, { as4: true, extendedMessage: true }],
];

function contexts(inSet: ReadonlySet<string>, outSet: ReadonlySet<string>): DecodeContext[][] {
  const mk = (as4: boolean, s: ReadonlySet<string>): DecodeContext => (s.size > 0 ? { as4, addPath: s, extendedMessage: true } : { as4, extendedMessage: true });
  return [
    [mk(false, inSet), mk(true, inSet)],
    [mk(false, outSet), mk(true, outSet)],
  ];
}

/** ADD-PATH keys on for the receive side (`in`) and the send side (`out`) of the monitored router. */
function addPathSets(sent: OpenFacts, received: OpenFacts, locRib: boolean): { in: Set<string>; out: Set<string> } {
  const inSet = new Set<string>();
  const outSet = new Set<string>();
  for (const [k, mine] of sent.addPath) {
    if (locRib) {
      if (mine !== 0) inSet.add(k);
      continue;
    }
    const theirs = received.addPath.get(k) ?? 0;
    if ((mine & 1) !== 0 && (theirs & 2) !== 0) inSet.add(k);
    if ((mine & 2) !== 0 && (theirs & 1) !== 0) outSet.add(k);
  }
  return { in: inSet, out: outSet };
}

function copyAddress(a: { family: 4 | 6; bytes: Uint8Array }): { family: 4 | 6; bytes: Uint8Array } {
  return { family: a.family, bytes: a.bytes.slice() };
}

/** FRRouting names itself "FRRouting <version>" in sysDescr (bgpd/bgp_bmp.c). */
function isFrr(sysDescr: string | undefined): boolean {
  return sysDescr !== undefined && /^FRRouting\b/.test(sysDescr);
}

export class BmpSession {
  readonly counters: BmpSessionCounters = {
    messages: 0,
    bytes: 0,
    routeMonitoring: 0,
    routeMirroring: 0,
    unknownMessages: 0,
    decodeErrors: 0,
    repeatedPeerDowns: 0,
    frrPrependsRemoved: 0,
    uninterpretedNlri: 0,
  };
  private readonly clock: () => number;
  private readonly maxMessageBytes: number;
  /** Peers by hash of their key; collisions chained through PeerState.next. */
  private readonly peers = new Map<number, PeerState>();
  private readonly key = new Uint8Array(26);
  private info: Record<string, string> = {};
  private frr = false;
  private routerUp = false;
  private ended = false;
  /** Stream offset of the next byte fed. */
  private offset = 0;
  // A message that spans chunks: its first bytes (header) and then its whole body.
  private readonly head = new Uint8Array(5);
  private headLen = 0;
  private partial: Uint8Array | undefined;
  private partialLen = 0;

  constructor(
    readonly router: string,
    opts: BmpSessionOptions = {},
  ) {
    this.clock = opts.clock ?? Date.now;
    this.maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_LENGTH;
  }

  /** The session ended (Termination, framing lost or close()); further input is ignored. */
  get closed(): boolean {
    return this.ended;
  }

  /** Bytes held for a message not yet complete. */
  get bufferedBytes(): number {
    return this.partial !== undefined ? this.partialLen : this.headLen;
  }

  /**
   * Feeds the next piece of the stream; appends the events of every message it completes
   * to `out`. Returns false when the session ended (framing lost or Termination): the
   * caller closes the connection.
   */
  feed(chunk: Uint8Array, out: FeedEvent[]): boolean {
    if (this.ended) return false;
    // A node Buffer's slice() is a view, not a copy, and views of it stay Buffers: work on
    // a plain Uint8Array view so the copies below are copies and events hold Uint8Arrays.
    if (Object.getPrototypeOf(chunk) !== Uint8Array.prototype) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let pos = 0;
    if (this.headLen > 0 || this.partial !== undefined) {
      try {
        pos = this.fillPartial(chunk, out);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        this.framingLost(e, this.offset, out); // offsets relative to the pending message
        return false;
      }
    }
    const n = chunk.length;
    // Stream offset of chunk[0]; this.offset is always the start of the next message.
    const base = this.offset - pos;
    while (pos < n && !this.ended) {
      let len: number;
      try {
        len = splitBmp(chunk, pos, this.maxMessageBytes);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        this.framingLost(e, base, out);
        return false;
      }
      if (len === 0) {
        this.startPartial(chunk, pos);
        break;
      }
      this.message(chunk.subarray(pos, pos + len), out);
      pos += len;
      this.offset += len;
    }
    return !this.ended;
  }

  /** The connection closed (or was closed): router-down unless Termination or lost framing said so already. */
  close(reason: string, out: FeedEvent[]): void {
    if (this.ended) return;
    this.ended = true;
    if (this.headLen > 0 || this.partial !== undefined) {
      const have = this.partial !== undefined ? this.partialLen : this.headLen;
      this.problem(new DecodeError('bmp', 'incomplete-message', this.offset, `connection closed inside a message (${have} byte(s) received)`), out);
    }
    this.routerDown(reason, out);
  }

  // --- framing across chunks -------------------------------------------------------

  private startPartial(chunk: Uint8Array, pos: number): void {
    const left = chunk.length - pos;
    if (left < 5) {
      this.head.set(chunk.subarray(pos), 0);
      this.headLen = left;
      return;
    }
    const len = ((chunk[pos + 1] << 24) >>> 0) + ((chunk[pos + 2] << 16) | (chunk[pos + 3] << 8) | chunk[pos + 4]);
    // splitBmp has checked version and length; allocate the whole message once, so a big
    // message in small segments costs one copy, not one per segment.
    this.partial = new Uint8Array(len);
    this.partial.set(chunk.subarray(pos), 0);
    this.partialLen = left;
  }

  /** Completes the pending message from the front of `chunk`; returns how much of `chunk` it used. */
  private fillPartial(chunk: Uint8Array, out: FeedEvent[]): number {
    let pos = 0;
    if (this.partial === undefined) {
      const take = Math.min(5 - this.headLen, chunk.length);
      this.head.set(chunk.subarray(0, take), this.headLen);
      this.headLen += take;
      pos = take;
      splitBmp(this.head.subarray(0, this.headLen), 0, this.maxMessageBytes); // version and length checks
      if (this.headLen < 5) return pos;
      const h = this.head;
      const len = ((h[1] << 24) >>> 0) + ((h[2] << 16) | (h[3] << 8) | h[4]);
      this.partial = new Uint8Array(len);
      this.partial.set(h, 0);
      this.partialLen = 5;
      this.headLen = 0;
    }
    const p = this.partial;
    const take = Math.min(p.length - this.partialLen, chunk.length - pos);
    p.set(chunk.subarray(pos, pos + take), this.partialLen);
    this.partialLen += take;
    pos += take;
    if (this.partialLen === p.length) {
      this.partial = undefined;
      this.partialLen = 0;
      this.message(p, out);
      this.offset += p.length;
    }
    return pos;
  }

  private framingLost(e: DecodeError, base: number, out: FeedEvent[]): void {
    this.problem(new DecodeError(e.layer, e.code, base + e.offset, e.message), out);
    this.partial = undefined;
    this.headLen = 0;
    this.ended = true;
    this.routerDown(`framing-lost: ${e.code}`, out);
  }

  // --- one message ------------------------------------------------------------------

  /** One whole message (a view into the chunk, or our own buffer when it spanned chunks). */
  private message(bytes: Uint8Array, out: FeedEvent[]): void {
    this.counters.messages++;
    this.counters.bytes += bytes.length;
    const type = bytes[5];
    if (!this.routerUp && type !== MSG_INITIATION) {
      // RFC 7854 4.3 says Initiation comes first; a capture or exporter that skips it still gets a router-up.
      this.routerUp = true;
      out.push({ kind: 'router-up', source: 'bmp', router: this.router, info: { initiation: 'missing' }, time: this.clock() });
    }
    const cur = new Cursor(bytes, 0, bytes.length, 'bmp');
    try {
      const h = decodeCommonHeader(cur, this.maxMessageBytes);
      const m = decodeBmpBody(h.type, cur.sub(h.length - 6, 'message body'));
      switch (m.kind) {
        case 'route-monitoring': this.routeMonitoring(m, out); break;
        case 'initiation': this.initiation(m.tlvs, out); break;
        case 'termination': this.termination(m, out); break;
        case 'peer-up': this.peerUp(m, out); break;
        case 'peer-down': this.peerDown(m, out); break;
        case 'statistics': {
          const p = this.peer(m.peer);
          out.push({ kind: 'stats', source: 'bmp', router: this.router, peer: p.ref, counters: statCounters(m.stats), time: this.time(m.peer) });
          break;
        }
        case 'route-mirroring': this.counters.routeMirroring++; break;
        case 'unknown': this.counters.unknownMessages++; break;
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.problem(new DecodeError(e.layer, e.code, this.offset + e.offset, e.message), out);
    }
  }

  private initiation(tlvs: readonly InfoTlv[], out: FeedEvent[]): void {
    const info: Record<string, string> = {};
    for (const t of tlvs) {
      const text = infoText(t.value);
      const key = t.type === INFO_SYS_DESCR ? 'sysDescr' : t.type === INFO_SYS_NAME ? 'sysName' : t.type === INFO_STRING ? 'string' : `tlv${t.type}`;
      info[key] = info[key] === undefined ? text : `${info[key]}\n${text}`;
    }
    this.info = info;
    this.frr = isFrr(info.sysDescr);
    this.routerUp = true;
    out.push({ kind: 'router-up', source: 'bmp', router: this.router, info, time: this.clock() });
  }

  private termination(m: Termination, out: FeedEvent[]): void {
    let reason = `termination: ${terminationReasonText(terminationReason(m))}`;
    for (const t of m.tlvs) if (t.type === TERM_STRING) reason += `; ${infoText(t.value)}`;
    this.ended = true;
    this.routerDown(reason, out);
  }

  private routerDown(reason: string, out: FeedEvent[]): void {
    if (!this.routerUp) return; // nothing was announced for this router
    this.routerUp = false;
    out.push({ kind: 'router-down', source: 'bmp', router: this.router, reason, time: this.clock() });
  }

  private problem(e: DecodeError, out: FeedEvent[]): void {
    this.counters.decodeErrors++;
    out.push({
      kind: 'decode-error',
      source: 'bmp',
      router: this.router,
      problem: { layer: e.layer, code: e.code, offset: e.offset, message: e.message },
      time: this.clock(),
    });
  }

  private time(h: PerPeerHeader): number {
    const t = peerTime(h);
    return t === 0 ? this.clock() : t; // RFC 7854 4.2: zero means the router had no time
  }

  // --- peers ------------------------------------------------------------------------

  /** The state of the peer a per-peer header names (created on first sight). */
  private peer(h: PerPeerHeader): PeerState {
    // Key: peer type, RD and address (RFC 7854 4.2: the RD tells instances apart), as 26
    // bytes hashed to a number: no key string is built per message, and routers
    // interleave peers (FRR sends pre- and post-policy of every peer in turn).
    const k = this.key;
    k[0] = h.peerType;
    k[1] = h.address.family;
    k.set(h.distinguisher, 2);
    k.fill(0, 10);
    k.set(h.address.bytes, 10);
    let hash = 0x811c9dc5;
    for (let i = 0; i < 26; i++) hash = Math.imul(hash ^ k[i], 0x01000193);
    let p = this.peers.get(hash);
    while (p !== undefined && !sameKey(p.key, k)) p = p.next;
    if (p !== undefined && p.ref.asn === h.asn) return p;
    const ref: { address: PeerRef['address']; asn: number; bgpId: PeerRef['address']; distinguisher?: string } = {
      address: copyAddress(h.address),
      asn: h.asn,
      bgpId: copyAddress(h.bgpId),
    };
    const rd = distinguisherHex(h.distinguisher);
    if (rd !== undefined) ref.distinguisher = rd;
    if (p !== undefined) {
      // Same peer, new AS (reconfigured): a new PeerRef, the OPEN state stays.
      p.ref = ref;
      return p;
    }
    p = { key: k.slice(), next: this.peers.get(hash), ref, up: false, down: false, localAs: -1, ctx: DEFAULT_CTX, twoOctetSession: false };
    this.peers.set(hash, p);
    return p;
  }

  private peerUp(m: PeerUp, out: FeedEvent[]): void {
    const p = this.peer(m.peer);
    const sent = openFacts(m.sentOpen);
    const received = openFacts(m.receivedOpen);
    const locRib = m.peer.peerType === PEER_LOC_RIB;
    const sets = addPathSets(sent, received, locRib);
    p.up = true;
    p.down = false;
    p.localAs = sent.asn;
    p.twoOctetSession = !(sent.as4 && received.as4);
    p.ctx = sets.in.size === 0 && sets.out.size === 0 ? DEFAULT_CTX : contexts(sets.in, sets.out);
    const info: Record<string, string> = {};
    for (const t of m.info) {
      const key = t.type === INFO_STRING ? 'string' : t.type === INFO_VRF_TABLE_NAME ? 'table' : t.type === INFO_ADMIN_LABEL ? 'adminLabel' : `tlv${t.type}`;
      info[key] = infoText(t.value);
    }
    const detail: Record<string, unknown> = {
      localAddress: m.localAddress,
      localPort: m.localPort,
      remotePort: m.remotePort,
      localAs: sent.asn,
      peerAs: received.asn,
      holdTime: Math.min(sent.holdTime, received.holdTime),
      as4: !p.twoOctetSession,
      addPathIn: [...sets.in],
      addPathOut: [...sets.out],
      info,
    };
    if (locRib) detail.filtered = (m.peer.flags & FLAG_F) !== 0;
    const problems = [...sent.problems.map((s) => `sent OPEN: ${s}`), ...received.problems.map((s) => `received OPEN: ${s}`)];
    if (problems.length > 0) detail.openProblems = problems;
    const ev: { kind: 'peer-up'; source: 'bmp'; router: string; peer: PeerRef; table?: RouteTable; time: number; detail: Record<string, unknown> } = {
      kind: 'peer-up',
      source: 'bmp',
      router: this.router,
      peer: p.ref,
      time: this.time(m.peer),
      detail,
    };
    if (locRib) ev.table = 'loc-rib';
    out.push(ev);
  }

  private peerDown(m: PeerDown, out: FeedEvent[]): void {
    const p = this.peer(m.peer);
    if (p.down) {
      // FRR 8.4 repeats Peer Down while the peer keeps retrying; the first one withdrew everything.
      this.counters.repeatedPeerDowns++;
      return;
    }
    p.down = true;
    p.up = false;
    p.ctx = DEFAULT_CTX;
    const ev: { kind: 'peer-down'; source: 'bmp'; router: string; peer: PeerRef; table?: RouteTable; reason: string; time: number } = {
      kind: 'peer-down',
      source: 'bmp',
      router: this.router,
      peer: p.ref,
      reason: peerDownText(m),
      time: this.time(m.peer),
    };
    if (m.peer.peerType === PEER_LOC_RIB) ev.table = 'loc-rib';
    out.push(ev);
  }

  // --- Route Monitoring ---------------------------------------------------------------

  private routeMonitoring(m: RouteMonitoring, out: FeedEvent[]): void {
    this.counters.routeMonitoring++;
    const h = m.peer;
    const p = this.peer(h);
    p.down = false; // routes for it again: a later Peer Down is news
    const outSide = (h.flags & FLAG_O) !== 0 && h.peerType !== PEER_LOC_RIB ? 1 : 0;
    const legacy = (h.flags & FLAG_A) !== 0 && h.peerType !== PEER_LOC_RIB;
    const update = this.decodeUpdate(m, p, p.ctx[outSide][legacy ? 0 : 1], legacy, out);
    if (update === undefined) return;
    const table = peerTable(h.peerType, h.flags);
    const time = this.time(h);
    const received = this.clock();
    const router = this.router;
    const peer = p.ref;
    for (const w of update.warnings) {
      this.problem(new DecodeError('attr', w.code, this.offset + UPDATE_AT + w.offset, `${w.message} (${w.action})`), out);
    }
    const withdrawAll = update.treatAsWithdraw;
    let any = update.withdrawn.length > 0 || update.nlri.length > 0;
    for (const n of update.withdrawn) out.push(withdraw(router, peer, table, n, time, received));
    let v4: RouteAttributes | undefined;
    if (update.nlri.length > 0) {
      if (!withdrawAll) v4 = this.attrs(update, 1, h, p, table);
      for (const n of update.nlri) out.push(v4 === undefined ? withdraw(router, peer, table, n, time, received) : announce(router, peer, table, n, time, received, v4));
    }
    let eorAfi = -1;
    let eorSafi = -1;
    for (const a of update.attributes) {
      if (a.kind === 'mp-unreach') {
        if (a.withdrawn.length > 0) any = true;
        else if (a.raw !== undefined && a.raw.length > 3) {
          any = true;
          this.counters.uninterpretedNlri++;
        } else {
          eorAfi = a.afi;
          eorSafi = a.safi;
        }
        for (const n of a.withdrawn) out.push(withdraw(router, peer, table, n, time, received));
      } else if (a.kind === 'mp-reach') {
        if (a.raw !== undefined) {
          any = true; // an AFI/SAFI without IP prefixes (EVPN, VPN, labeled): nothing to report
          this.counters.uninterpretedNlri++;
        }
        if (a.nlri.length === 0) continue;
        any = true;
        let attrs: RouteAttributes | undefined;
        if (!withdrawAll) {
          attrs = this.attrs(update, a.afi, h, p, table);
          // IPv4 NLRI in MP_REACH take MP_REACH's next hop (RFC 4760 3, RFC 8950), not NEXT_HOP.
          if (a.afi === 1 && a.nextHops.length > 0) attrs = { ...attrs, nextHop: this.own(a.nextHops[0]) };
        }
        for (const n of a.nlri) out.push(attrs === undefined ? withdraw(router, peer, table, n, time, received) : announce(router, peer, table, n, time, received, attrs));
      }
    }
    if (any) return;
    // End-of-RIB (RFC 4724 2): an UPDATE with nothing in it is IPv4 unicast's; one whose
    // only content is an empty MP_UNREACH_NLRI is that AFI/SAFI's. An attributes block cut
    // by a framing error (treat-as-withdraw, RFC 7606 4) may decode to nothing: not one.
    if (withdrawAll) return;
    if (update.attributes.length === 0) {
      eorAfi = 1;
      eorSafi = 1;
    }
    if (eorAfi !== -1) {
      out.push({ kind: 'end-of-rib', source: 'bmp', router, peer, table, afi: eorAfi, safi: eorSafi, time });
    }
  }

  /** Decodes the UPDATE; on failure tries the other readings the module comment names. */
  private decodeUpdate(m: RouteMonitoring, p: PeerState, ctx: DecodeContext, legacy: boolean, out: FeedEvent[]): UpdateMessage | undefined {
    let first: UpdateMessage | DecodeError;
    try {
      first = decodeRouteMonitoringUpdate(m, ctx);
      if (!badReading(first)) return first;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      first = e;
    }
    const alternatives: DecodeContext[] = [];
    if (!p.up) alternatives.push({ ...ctx, addPath: ctx.addPath !== undefined && ctx.addPath.size > 0 ? NO_ADDPATH : ALL_ADDPATH });
    if (!legacy && (!p.up || p.twoOctetSession)) alternatives.push({ ...ctx, as4: false });
    for (const alt of alternatives) {
      try {
        const u = decodeRouteMonitoringUpdate(m, alt);
        if (!badReading(u)) return u;
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
      }
    }
    if (first instanceof DecodeError) {
      this.problem(new DecodeError(first.layer, first.code, this.offset + UPDATE_AT + first.offset, first.message), out);
      return undefined;
    }
    return first;
  }

  /**
   * The route attributes for prefixes of `afi`, with FRR's own-AS prepend removed.
   *
   * FRR before the fix of FRR PR #21815 (merged 2026-05; 8.x, 9.x and 10.x releases before
   * it, including the lab's 8.4) builds BMP Route Monitoring UPDATEs with its outbound
   * attribute writer, which prepends the router's own AS for an eBGP peer, so Adj-RIB-In
   * routes show [localAs, peerAs, ...] instead of the [peerAs, ...] the peer sent. An
   * eBGP peer cannot legitimately send a path starting with our AS followed by its own
   * (it puts its own AS first, and our AS first would be a loop we drop on receipt),
   * so the rule is safe even on a fixed FRR: there the pattern never appears. It is
   * still applied only to routers whose Initiation sysDescr says "FRRouting", only to
   * Adj-RIB-In (pre and post) of peer types 0-2, and only to peers whose Peer Up told us
   * the router's own AS (sent OPEN) and showed an eBGP session (peer AS differs). Any
   * FRR version is covered, because which release first has the fix is not settled and
   * the rule is a no-op where the AS is not prepended.
   */
  private attrs(update: UpdateMessage, afi: number, h: PerPeerHeader, p: PeerState, table: RouteTable): RouteAttributes {
    const attrs = this.detach(toRouteAttributes(update.attributes, afi));
    if (!this.frr || (table !== 'adj-rib-in-pre' && table !== 'adj-rib-in-post') || h.peerType === PEER_LOC_RIB) return attrs;
    const local = p.localAs;
    const path: AsPath = attrs.asPath;
    if (local < 0 || h.asn === local || path.length < 2 || path[0] !== local || path[1] !== h.asn) return attrs;
    this.counters.frrPrependsRemoved++;
    return { ...attrs, asPath: path.slice(1) };
  }

  /**
   * The decoded addresses (next hop, aggregator, originator, cluster list) are views into
   * the socket chunk; a route kept by the RIB would keep the whole chunk alive. They are
   * copied into a shared slab instead: one view each, no buffer per route, and a slab
   * holds thousands of addresses, so what a long-lived route retains is small.
   */
  private detach(a: RouteAttributes): RouteAttributes {
    const m = a as { -readonly [K in keyof RouteAttributes]: RouteAttributes[K] };
    if (m.nextHop !== undefined) m.nextHop = this.own(m.nextHop);
    if (m.aggregator !== undefined) m.aggregator = { asn: m.aggregator.asn, address: this.own(m.aggregator.address) };
    if (m.originatorId !== undefined) m.originatorId = this.own(m.originatorId);
    if (m.clusterList !== undefined) m.clusterList = m.clusterList.map((x) => this.own(x));
    return a;
  }

  private slab = new Uint8Array(SLAB);
  private slabPos = 0;

  private own(x: Address): Address {
    const n = x.bytes.length;
    if (this.slabPos + n > SLAB) {
      this.slab = new Uint8Array(SLAB);
      this.slabPos = 0;
    }
    const at = this.slabPos;
    this.slab.set(x.bytes, at);
    this.slabPos = at + n;
    return { family: x.family, bytes: this.slab.subarray(at, at + n) };
  }

  /** The router's Initiation information (sysName, sysDescr, ...). */
  routerInfo(): Readonly<Record<string, string>> {
    return this.info;
  }
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 26; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A reading that an UPDATE was probably decoded with the wrong context. */
function badReading(u: UpdateMessage): boolean {
  for (const w of u.warnings) if (w.action === 'session-reset' || w.type === 2) return true;
  return false;
}

function announce(router: string, peer: PeerRef, table: RouteTable, n: Nlri, time: number, received: number, attrs: RouteAttributes): FeedEvent {
  const event: RouteEvent =
    n.pathId === undefined
      ? { kind: 'announce', source: 'bmp', router, peer, table, prefix: n.prefix, time, received, attrs }
      : { kind: 'announce', source: 'bmp', router, peer, table, prefix: n.prefix, pathId: n.pathId, time, received, attrs };
  return { kind: 'route', event };
}

function withdraw(router: string, peer: PeerRef, table: RouteTable, n: Nlri, time: number, received: number): FeedEvent {
  const event: RouteEvent =
    n.pathId === undefined
      ? { kind: 'withdraw', source: 'bmp', router, peer, table, prefix: n.prefix, time, received }
      : { kind: 'withdraw', source: 'bmp', router, peer, table, prefix: n.prefix, pathId: n.pathId, time, received };
  return { kind: 'route', event };
}
