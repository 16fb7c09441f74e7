// RouteEvent: one announce or withdraw of one prefix from one peer of one source.
// Every feed (BMP, RIS Live, MRT) produces exactly this.
import type { Address } from './address.ts';
import type { Prefix } from './prefix.ts';

/** An AS path as operators read it: numbers for AS_SEQUENCE members, a nested array for each AS_SET. */
export type AsPath = readonly (number | readonly number[])[];

export type OriginName = 'igp' | 'egp' | 'incomplete';

export interface RouteAttributes {
  readonly asPath: AsPath;
  readonly nextHop?: Address;
  readonly origin?: OriginName;
  readonly med?: number;
  readonly localPref?: number;
  readonly atomicAggregate?: boolean;
  readonly aggregator?: { readonly asn: number; readonly address: Address };
  /** "asn:value" strings, e.g. "65002:100"; well-known ones keep numeric form. */
  readonly communities: readonly string[];
  /** "global:local1:local2" strings. */
  readonly largeCommunities: readonly string[];
  /** Extended communities as 16-hex-digit strings (8 bytes). */
  readonly extendedCommunities?: readonly string[];
  readonly originatorId?: Address;
  readonly clusterList?: readonly Address[];
  readonly onlyToCustomer?: number;
}

export type RouteTable = 'adj-rib-in-pre' | 'adj-rib-in-post' | 'adj-rib-out-pre' | 'adj-rib-out-post' | 'loc-rib';

export interface PeerRef {
  readonly address: Address;
  readonly asn: number;
  /** BGP identifier of the peer, when the source says. */
  readonly bgpId?: Address;
  /** BMP peer distinguisher (RD), hex, when not zero. */
  readonly distinguisher?: string;
}

interface RouteEventBase {
  /** 'bmp' | 'ris-live' | 'mrt' */
  readonly source: 'bmp' | 'ris-live' | 'mrt';
  /** The router (BMP sysName or address), RIS collector ("rrc00") or MRT file. */
  readonly router: string;
  readonly peer: PeerRef;
  readonly table: RouteTable;
  readonly prefix: Prefix;
  readonly pathId?: number;
  /** The feed's own timestamp (ms since epoch). */
  readonly time: number;
  /** When we received it (ms since epoch). */
  readonly received: number;
}

export interface Announce extends RouteEventBase {
  readonly kind: 'announce';
  readonly attrs: RouteAttributes;
}

export interface Withdraw extends RouteEventBase {
  readonly kind: 'withdraw';
}

export type RouteEvent = Announce | Withdraw;
