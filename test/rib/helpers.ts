// Small builders for RIB tests: events from text prefixes and addresses.
import type { FeedEvent } from '../../src/model/feed-event.ts';
import type { PeerRef, RouteAttributes, RouteTable } from '../../src/model/route-event.ts';
import { addr as ip, pfx } from '../helpers/net.ts';

export { ip, pfx };



export function peer(addr: string, asn = 65001, extra: Partial<PeerRef> = {}): PeerRef {
  return { address: ip(addr), asn, ...extra };
}

export function attrs(asPath: RouteAttributes['asPath'], extra: Partial<RouteAttributes> = {}): RouteAttributes {
  return { asPath, nextHop: ip('192.0.2.1'), origin: 'igp', communities: [], largeCommunities: [], ...extra };
}

export interface Where {
  router?: string;
  table?: RouteTable;
  pathId?: number;
  time?: number;
}

export function announce(p: PeerRef, prefix: string, a: RouteAttributes, w: Where = {}): FeedEvent {
  return {
    kind: 'route',
    event: {
      kind: 'announce',
      source: 'bmp',
      router: w.router ?? 'r1',
      peer: p,
      table: w.table ?? 'adj-rib-in-post',
      prefix: pfx(prefix),
      ...(w.pathId !== undefined ? { pathId: w.pathId } : {}),
      time: w.time ?? 1_000_000,
      received: w.time ?? 1_000_000,
      attrs: a,
    },
  };
}

export function withdraw(p: PeerRef, prefix: string, w: Where = {}): FeedEvent {
  return {
    kind: 'route',
    event: {
      kind: 'withdraw',
      source: 'bmp',
      router: w.router ?? 'r1',
      peer: p,
      table: w.table ?? 'adj-rib-in-post',
      prefix: pfx(prefix),
      ...(w.pathId !== undefined ? { pathId: w.pathId } : {}),
      time: w.time ?? 1_000_000,
      received: w.time ?? 1_000_000,
    },
  };
}
