// What every feed (BMP collector, RIS Live client, MRT file) yields. A malformed message
// is an event, not an exception: the feed carries on. Only a transport failure ends a
// feed's iterable. The RIB consumes these; peer-down and router-down withdraw every route
// learned from that peer / router (with the cause), so nothing stale survives.
import type { PeerRef, RouteEvent, RouteTable } from './route-event.ts';

export type FeedSource = RouteEvent['source'];

export interface DecodeProblem {
  readonly layer: string;
  readonly code: string;
  readonly offset: number;
  readonly message: string;
}

export type FeedEvent =
  | { readonly kind: 'route'; readonly event: RouteEvent }
  | {
      readonly kind: 'router-up';
      readonly source: FeedSource;
      readonly router: string;
      /** BMP Initiation TLVs (sysName, sysDescr, ...) or the feed's own description. */
      readonly info: Readonly<Record<string, string>>;
      readonly time: number;
    }
  | {
      readonly kind: 'router-down';
      readonly source: FeedSource;
      readonly router: string;
      /** 'termination' | 'connection-closed' | 'framing-lost' | 'feed-disconnected' ... plus detail. */
      readonly reason: string;
      readonly time: number;
    }
  | {
      readonly kind: 'peer-up';
      readonly source: FeedSource;
      readonly router: string;
      readonly peer: PeerRef;
      readonly table?: RouteTable;
      readonly time: number;
      readonly detail?: Readonly<Record<string, unknown>>;
    }
  | {
      readonly kind: 'peer-down';
      readonly source: FeedSource;
      readonly router: string;
      readonly peer: PeerRef;
      /** When absent, every table of that peer is withdrawn. */
      readonly table?: RouteTable;
      readonly reason: string;
      readonly time: number;
    }
  | {
      readonly kind: 'end-of-rib';
      readonly source: FeedSource;
      readonly router: string;
      readonly peer: PeerRef;
      readonly table: RouteTable;
      readonly afi: number;
      readonly safi: number;
      readonly time: number;
    }
  | {
      readonly kind: 'stats';
      readonly source: FeedSource;
      readonly router: string;
      readonly peer: PeerRef;
      readonly counters: Readonly<Record<string, number>>;
      readonly time: number;
    }
  | {
      readonly kind: 'decode-error';
      readonly source: FeedSource;
      readonly router: string;
      readonly problem: DecodeProblem;
      readonly time: number;
    }
  | {
      /** The feed was not listening from `from` to `to` (ms since epoch): recorded as a gap. */
      readonly kind: 'gap';
      readonly source: FeedSource;
      readonly router: string;
      readonly from: number;
      readonly to: number;
      readonly reason: string;
    };

export interface Feed {
  events(signal: AbortSignal): AsyncIterable<FeedEvent>;
}
