// RouteChange: the RIB's view of one event that changed one route (one prefix, one path
// id, of one peer's table on one router of one source). Events that change nothing (a
// duplicate announce, a withdraw of an unknown route) produce no RouteChange.
import type { Prefix } from './prefix.ts';
import type { PeerRef, RouteAttributes, RouteEvent, RouteTable } from './route-event.ts';

/**
 * What changed, most significant first: when the AS path and the next hop both change the
 * kind is 'path-change' and `nextHopChanged` is true.
 * - 'new': the route did not exist (before is absent).
 * - 'path-change': the AS path differs.
 * - 'next-hop-change': same AS path, another next hop.
 * - 'attribute-change': same path and next hop; something else (communities, MED, local-pref...).
 * - 'withdraw': the route is gone (after is absent).
 */
export type RouteChangeKind = 'new' | 'path-change' | 'next-hop-change' | 'attribute-change' | 'withdraw';

/**
 * Why it changed.
 * - 'update': an announce in a BGP UPDATE (or a RIB dump entry).
 * - 'withdraw': an explicit withdraw.
 * - 'peer-down': the peer's session went down (or came up again without a down first),
 *   so every route of that peer was dropped.
 * - 'router-down': the feed lost the router (BMP termination, TCP close, feed
 *   disconnected, or a second router-up without a down), so every route of the router was dropped.
 */
export type RouteChangeCause = 'update' | 'withdraw' | 'peer-down' | 'router-down';

export interface RouteChange {
  readonly kind: RouteChangeKind;
  readonly cause: RouteChangeCause;
  /** The feed the route came from. */
  readonly source: RouteEvent['source'];
  /** BMP router (sysName or address), RIS collector or MRT file, as in RouteEvent. */
  readonly router: string;
  /** The peer the route was learned from (the latest PeerRef seen for it). */
  readonly peer: PeerRef;
  readonly table: RouteTable;
  readonly prefix: Prefix;
  /** ADD-PATH path identifier; absent when the peer does not use ADD-PATH. */
  readonly pathId?: number;
  /** Attributes before the change; absent for 'new'. Interned: shared, never mutate. */
  readonly before?: RouteAttributes;
  /** Attributes after the change; absent for 'withdraw'. Interned: shared, never mutate. */
  readonly after?: RouteAttributes;
  /** For 'path-change': whether the next hop changed as well. */
  readonly nextHopChanged?: boolean;
  /** For 'peer-down' / 'router-down': the feed's reason text. */
  readonly reason?: string;
  /** The event's own timestamp (ms since epoch): when the change happened, as the feed says. */
  readonly time: number;
}
