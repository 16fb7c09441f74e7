// Peer tables: one per (source, router, peer, table), interned as small integers so a
// route record stores 31 bits instead of four references. A peer is identified by its
// address and BMP peer distinguisher (what RFC 7854 uses); the latest PeerRef seen (ASN,
// BGP id) is kept for display. Routers group their peer tables so router-down finds them.
import { formatAddress } from '../model/address.ts';
import type { FeedSource } from '../model/feed-event.ts';
import type { PeerRef, RouteTable } from '../model/route-event.ts';

export type SessionState = 'up' | 'down';

export interface PeerTable {
  readonly index: number;
  readonly source: FeedSource;
  readonly router: string;
  /** address + distinguisher: what identifies the peer on this router. */
  readonly peerKey: string;
  peer: PeerRef;
  readonly table: RouteTable;
  state: SessionState;
  /** Routes currently held. */
  routes: number;
  /** End-of-RIB seen since the last (re)start of this peer table. */
  endOfRib: boolean;
  /** Feed time (ms) of the last message about this peer table; 0 when none. */
  lastMessage: number;
  readonly owner: RouterState;
}

export interface RouterState {
  readonly source: FeedSource;
  readonly router: string;
  state: SessionState;
  info: Readonly<Record<string, string>>;
  lastMessage: number;
  /**
   * The router's own AS on each peer session (by peerKey), as its peer-up told it (the
   * BMP session's `detail.localAs`: the AS in the OPEN the router sent). Per peer, since
   * local-as can differ per peer / VRF. Used for eBGP-over-iBGP in best path.
   */
  readonly localAsns: Map<string, number>;
  readonly tables: PeerTable[];
}

export function peerKey(peer: PeerRef): string {
  const a = formatAddress(peer.address);
  return peer.distinguisher ? `${a}%${peer.distinguisher}` : a;
}

export function routerKey(source: FeedSource, router: string): string {
  return `${source}\u0000${router}`;
}

export class PeerTables {
  readonly all: PeerTable[] = [];
  private readonly byKey = new Map<string, number>();
  readonly routers = new Map<string, RouterState>();
  // One-entry cache: consecutive events of one feed mostly come from the same peer, with
  // the same PeerRef object, so the string key is built once per run of events.
  private lastPeer: PeerRef | undefined;
  private lastRouter = '';
  private lastTable: RouteTable | undefined;
  private lastSource: FeedSource | undefined;
  private lastIndex = -1;

  router(source: FeedSource, router: string): RouterState {
    const k = routerKey(source, router);
    let r = this.routers.get(k);
    if (r === undefined) {
      r = { source, router, state: 'up', info: {}, lastMessage: 0, localAsns: new Map(), tables: [] };
      this.routers.set(k, r);
    }
    return r;
  }

  /** The index of the peer table, created (state up) if new. */
  index(source: FeedSource, router: string, peer: PeerRef, table: RouteTable): number {
    if (peer === this.lastPeer && router === this.lastRouter && table === this.lastTable && source === this.lastSource) {
      return this.lastIndex;
    }
    const pk = peerKey(peer);
    const key = `${routerKey(source, router)}\u0000${pk}\u0000${table}`;
    let i = this.byKey.get(key);
    if (i === undefined) {
      i = this.all.length;
      const owner = this.router(source, router);
      const t: PeerTable = {
        index: i,
        source,
        router,
        peerKey: pk,
        peer,
        table,
        state: 'up',
        routes: 0,
        endOfRib: false,
        lastMessage: 0,
        owner,
      };
      this.all.push(t);
      this.byKey.set(key, i);
      owner.tables.push(t);
    } else this.all[i].peer = peer;
    this.lastPeer = peer;
    this.lastRouter = router;
    this.lastTable = table;
    this.lastSource = source;
    this.lastIndex = i;
    return i;
  }

  /** The router's peer tables for `peer` (every table, or just `table`). */
  ofPeer(source: FeedSource, router: string, peer: PeerRef, table?: RouteTable): PeerTable[] {
    const r = this.routers.get(routerKey(source, router));
    if (r === undefined) return [];
    const pk = peerKey(peer);
    return r.tables.filter((t) => t.peerKey === pk && (table === undefined || t.table === table));
  }
}
