// MrtRecord -> RouteEvent[]: the one element every feed produces.
//
// Which table an MRT route belongs to (model/route-event.ts RouteTable):
// - BGP4MP MESSAGE (received): the UPDATE exactly as the peer sent it on the wire, before
//   any inbound policy: 'adj-rib-in-pre'.
// - BGP4MP MESSAGE_LOCAL (sent by the dumping speaker): what it advertised after its
//   outbound policy: 'adj-rib-out-post'.
// - TABLE_DUMP / TABLE_DUMP_V2 RIB entries: one path per peer as the dumping speaker holds
//   it in its table. A route collector (RIS, RouteViews) keeps every peer's routes, i.e.
//   its Adj-RIB-In per peer, and what it keeps is what survived its (usually accept-all)
//   import policy; FRR's `dump bgp routes-mrt` likewise writes its post-policy paths. It is
//   not a Loc-RIB (that would be one best path per prefix, from no particular peer), so:
//   'adj-rib-in-post'.
// RFC 7606 treat-as-withdraw UPDATEs become withdrawals of their announced prefixes.
// Attributes: the BGP codec's toRouteAttributes, once per distinct RIB attribute block.
import type { PeerRef, RouteAttributes, RouteEvent, RouteTable } from '../../model/route-event.ts';
import { Cursor } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import { decodePathAttributes } from '../bgp/attrs/index.ts';
import { decodeBgpMessage } from '../bgp/message.ts';
import { toRouteAttributes } from '../bgp/route-attributes.ts';
import type { DecodeContext, Nlri } from '../bgp/types.ts';
import { ByteKeyCache } from './attr-cache.ts';
import { readPrefix } from './common.ts';
import { MRT_TYPE, type RawMrtRecord } from './framing.ts';
import { decodeMrtRecord } from './index.ts';
import { ribRouteAttributes } from './rib-attrs.ts';
import type { MrtRecord, PeerIndexEntry } from './types.ts';

export interface MrtRouteEventsOptions {
  /** RouteEvent.router: the MRT file name. */
  readonly router: string;
  /** Receive-time clock (ms). */
  readonly received: () => number;
}

const ALL_ADDPATH: ReadonlySet<string> = new Set(['1/1', '1/2', '2/1', '2/2']);

/** Stateful converter (it remembers the PEER_INDEX_TABLE). */
export function mrtRouteEvents(opts: MrtRouteEventsOptions) {
  let peers: PeerRef[] | undefined;
  let problems: DecodeError[] = [];
  const caches = new Map<string, ByteKeyCache<RouteAttributes | DecodeError>>();
  // convertRaw's caches, by (afi - 1) * 2 + safi - 1.
  const rawGood: ByteKeyCache<RouteAttributes>[] = [];
  const rawBad: ByteKeyCache<DecodeError>[] = [];
  const source = 'mrt' as const;
  const router = opts.router;

  function ribAttrs(bytes: Uint8Array, ctx: DecodeContext, afi: number, key: string): RouteAttributes | DecodeError {
    let c = caches.get(key);
    if (!c) {
      c = new ByteKeyCache();
      caches.set(key, c);
    }
    let v = c.get(bytes);
    if (v === undefined) {
      v = attrsOf(bytes, ctx, afi);
      c.set(bytes, v);
    }
    return v;
  }

  function attrsOf(bytes: Uint8Array, ctx: DecodeContext, afi: number): RouteAttributes | DecodeError {
    try {
      const r = decodePathAttributes(new Cursor(bytes, 0, bytes.length, 'attr'), ctx);
      return toRouteAttributes(r.attributes, afi);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return e;
    }
  }

  function announce(peer: PeerRef, table: RouteTable, n: Nlri, time: number, received: number, attrs: RouteAttributes): RouteEvent {
    return n.pathId === undefined
      ? { kind: 'announce', source, router, peer, table, prefix: n.prefix, time, received, attrs }
      : { kind: 'announce', source, router, peer, table, prefix: n.prefix, pathId: n.pathId, time, received, attrs };
  }

  function withdraw(peer: PeerRef, table: RouteTable, n: Nlri, time: number, received: number): RouteEvent {
    return n.pathId === undefined
      ? { kind: 'withdraw', source, router, peer, table, prefix: n.prefix, time, received }
      : { kind: 'withdraw', source, router, peer, table, prefix: n.prefix, pathId: n.pathId, time, received };
  }

  function convert(rec: MrtRecord): RouteEvent[] {
    const out: RouteEvent[] = [];
    const received = opts.received();
    switch (rec.kind) {
      case 'peer-index-table':
        peers = rec.peers.map((p: PeerIndexEntry) => ({ address: p.address, asn: p.asn, bgpId: p.bgpId }));
        break;
      case 'rib': {
        if (!rec.prefix) break; // non-IP RIB_GENERIC: no Prefix to report
        if (!peers) {
          problems.push(new DecodeError('mrt', 'rib-without-peer-index', rec.offset, 'RIB record before any PEER_INDEX_TABLE'));
          break;
        }
        const ctx: DecodeContext = { as4: true, mrtRibAfiSafi: { afi: rec.afi, safi: rec.safi } };
        const key = `${rec.afi}/${rec.safi}`;
        const time = rec.header.timestamp * 1000;
        for (const e of rec.entries) {
          const peer = peers[e.peerIndex];
          if (!peer) {
            problems.push(new DecodeError('mrt', 'rib-peer-index', rec.offset, `RIB entry names peer ${e.peerIndex}; the table has ${peers.length}`));
            continue;
          }
          const a = ribAttrs(e.attributes, ctx, rec.afi, key);
          if (a instanceof DecodeError) {
            problems.push(a);
            continue;
          }
          out.push(announce(peer, 'adj-rib-in-post', { prefix: rec.prefix, pathId: e.pathId }, time, received, a));
        }
        break;
      }
      case 'table-dump': {
        const afi = rec.prefix.family === 4 ? 1 : 2;
        const a = ribAttrs(rec.attributes, { as4: rec.as4, mrtRibAfiSafi: { afi, safi: 1 } }, afi, `td${rec.header.subtype}`);
        if (a instanceof DecodeError) problems.push(a);
        else {
          const peer: PeerRef = { address: rec.peerAddress, asn: rec.peerAs };
          out.push(announce(peer, 'adj-rib-in-post', { prefix: rec.prefix }, rec.header.timestamp * 1000, received, a));
        }
        break;
      }
      case 'bgp4mp-message': {
        const ctx: DecodeContext = rec.addPath ? { as4: rec.as4, addPath: ALL_ADDPATH, extendedMessage: true } : { as4: rec.as4, extendedMessage: true };
        let msg: ReturnType<typeof decodeBgpMessage>;
        try {
          msg = decodeBgpMessage(rec.message, ctx);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          problems.push(e);
          break;
        }
        if (msg.kind !== 'update') break;
        const peer: PeerRef = { address: rec.peerAddress, asn: rec.peerAs };
        const table: RouteTable = rec.local ? 'adj-rib-out-post' : 'adj-rib-in-pre';
        const time = rec.header.timestamp * 1000 + Math.floor(rec.header.microseconds / 1000);
        for (const w of msg.warnings) problems.push(new DecodeError('attr', w.code, w.offset, `${w.message} (${w.action})`));
        for (const n of msg.withdrawn) out.push(withdraw(peer, table, n, time, received));
        for (const a of msg.attributes) if (a.kind === 'mp-unreach') for (const n of a.withdrawn) out.push(withdraw(peer, table, n, time, received));
        const v4 = toRouteAttributes(msg.attributes, 1);
        const withdrawAll = msg.treatAsWithdraw;
        for (const n of msg.nlri) out.push(withdrawAll ? withdraw(peer, table, n, time, received) : announce(peer, table, n, time, received, v4));
        for (const a of msg.attributes) {
          if (a.kind !== 'mp-reach' || a.nlri.length === 0) continue;
          const attrs = toRouteAttributes(msg.attributes, a.afi);
          const mpAttrs = a.afi === 1 && a.nextHops.length > 0 ? { ...attrs, nextHop: a.nextHops[0] } : attrs;
          for (const n of a.nlri) out.push(withdrawAll ? withdraw(peer, table, n, time, received) : announce(peer, table, n, time, received, mpAttrs));
        }
        break;
      }
      case 'bgp-legacy':
      case 'bgp4mp-state-change':
      case 'unknown':
        break;
    }
    return out;
  }

  /**
   * convert(decodeMrtRecord(raw)), the same events, problems and DecodeErrors, without
   * the intermediate record for TABLE_DUMP_V2 RIB_{IPV4,IPV6}_* records: the entries are
   * read straight from the body through one Cursor, every event of a record shares its
   * Prefix and PeerRef objects, and entries with identical attribute bytes share one
   * RouteAttributes (cached per distinct block). A record whose body does not decode is
   * handed to the general path, which throws what it always throws.
   */
  function convertRaw(raw: RawMrtRecord): RouteEvent[] {
    const h = raw.header;
    const st = h.subtype;
    if (h.type === MRT_TYPE.TABLE_DUMP_V2 && peers !== undefined && ((st >= 2 && st <= 5) || (st >= 8 && st <= 11))) {
      const out: RouteEvent[] = [];
      try {
        ribRaw(raw, out);
        return out;
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
      }
    }
    return convert(decodeMrtRecord(raw));
  }

  function ribRaw(raw: RawMrtRecord, out: RouteEvent[]): void {
    const st = raw.header.subtype;
    const ps = peers as PeerRef[];
    const afi = st === 2 || st === 3 || st === 8 || st === 9 ? 1 : 2;
    const safi = st === 3 || st === 5 || st === 9 || st === 11 ? 2 : 1;
    const addPath = st >= 8;
    const body = raw.body;
    const cur = new Cursor(body, 0, body.length, 'mrt');
    cur.u32('rib sequence');
    const prefix = readPrefix(cur, afi, 'rib prefix');
    const count = cur.u16('rib entry count');
    // Bounds first, as decodeRib reads every entry before any event exists: a damaged
    // record throws here, before the clock is read or a problem is recorded.
    const first = cur.pos;
    for (let i = 0; i < count; i++) {
      cur.skip(addPath ? 10 : 6, 'rib entry header');
      cur.skip(cur.u16('rib entry attribute length'), 'rib entry attributes');
    }
    cur.pos = first;
    const received = opts.received();
    const time = raw.header.timestamp * 1000;
    // Good blocks and bad ones in separate caches: a hit is then known good without
    // touching the cached object (an instanceof is a cache miss per entry).
    const k = (afi - 1) * 2 + safi - 1;
    const good = (rawGood[k] ??= new ByteKeyCache());
    const bad = (rawBad[k] ??= new ByteKeyCache());
    let ctx: DecodeContext | undefined;
    for (let i = 0; i < count; i++) {
      const peerIndex = cur.u16('rib entry peer index');
      cur.skip(4, 'rib entry originated time');
      const pathId = addPath ? cur.u32('rib entry path identifier') : 0;
      const alen = cur.u16('rib entry attribute length');
      const astart = cur.pos;
      cur.skip(alen, 'rib entry attributes');
      const peer = ps[peerIndex];
      if (!peer) {
        problems.push(new DecodeError('mrt', 'rib-peer-index', raw.offset, `RIB entry names peer ${peerIndex}; the table has ${ps.length}`));
        continue;
      }
      let a = good.getRange(body, astart, astart + alen);
      if (a === undefined) {
        let err = bad.getRange(body, astart, astart + alen);
        if (err === undefined) {
          const v =
            ribRouteAttributes(body, astart, astart + alen, afi, safi) ??
            attrsOf(body.subarray(astart, astart + alen), (ctx ??= { as4: true, mrtRibAfiSafi: { afi, safi } }), afi);
          if (v instanceof DecodeError) {
            err = v;
            bad.setRange(body, astart, astart + alen, v);
          } else {
            a = v;
            good.setRange(body, astart, astart + alen, v);
          }
        }
        if (err !== undefined) {
          problems.push(err);
          continue;
        }
      }
      const attrs = a as RouteAttributes;
      out.push(
        addPath
          ? { kind: 'announce', source, router, peer, table: 'adj-rib-in-post', prefix, pathId, time, received, attrs }
          : { kind: 'announce', source, router, peer, table: 'adj-rib-in-post', prefix, time, received, attrs },
      );
    }
  }

  return {
    convert,
    convertRaw,
    /** Problems met since the last call (malformed attributes, unknown peers). */
    takeProblems(): DecodeError[] {
      const p = problems;
      problems = [];
      return p;
    },
  };
}
