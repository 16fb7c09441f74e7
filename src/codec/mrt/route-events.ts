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
      try {
        const r = decodePathAttributes(new Cursor(bytes, 0, bytes.length, 'attr'), ctx);
        v = toRouteAttributes(r.attributes, afi);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        v = e;
      }
      c.set(bytes, v);
    }
    return v;
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

  return {
    convert,
    /** Problems met since the last call (malformed attributes, unknown peers). */
    takeProblems(): DecodeError[] {
      const p = problems;
      problems = [];
      return p;
    },
  };
}
