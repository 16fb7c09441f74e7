// The typed MRT record union. Attribute blocks and BGP messages stay as byte views: the
// consumers (bgpdump text, RouteEvents) decode them with the BGP codec, through a cache,
// because in RIB dumps the same attribute bytes repeat across thousands of prefixes.
import type { Address } from '../../model/address.ts';
import type { Prefix } from '../../model/prefix.ts';
import type { MrtHeader } from './framing.ts';

interface RecordBase {
  readonly header: MrtHeader;
  /** Offset of the record header in the (decompressed) stream. */
  readonly offset: number;
}

/** TABLE_DUMP (type 12), RFC 6396 §4.2. Subtype is the AFI (1 IPv4, 2 IPv6). */
export interface TableDumpRecord extends RecordBase {
  readonly kind: 'table-dump';
  readonly view: number;
  readonly sequence: number;
  readonly prefix: Prefix;
  readonly status: number;
  readonly originated: number;
  readonly peerAddress: Address;
  readonly peerAs: number;
  /** Subtypes 3/4 (non-standard, written by some tools): 4-byte peer AS and AS_PATH. */
  readonly as4: boolean;
  readonly attributes: Uint8Array;
}

export interface PeerIndexEntry {
  /** Peer type bits: 0x01 IPv6 address, 0x02 4-byte AS. */
  readonly peerType: number;
  readonly bgpId: Address;
  readonly address: Address;
  readonly asn: number;
}

/** TABLE_DUMP_V2 PEER_INDEX_TABLE (13/1), RFC 6396 §4.3.1. */
export interface PeerIndexTableRecord extends RecordBase {
  readonly kind: 'peer-index-table';
  readonly collectorId: Address;
  readonly viewName: string;
  readonly peers: readonly PeerIndexEntry[];
}

export interface RibEntry {
  readonly peerIndex: number;
  readonly originatedTime: number;
  /** RFC 8050 ADD-PATH subtypes only. */
  readonly pathId?: number;
  readonly attributes: Uint8Array;
}

/**
 * TABLE_DUMP_V2 RIB_{IPV4,IPV6}_{UNICAST,MULTICAST}[_ADDPATH] (13/2-5, 8-11), RFC 6396
 * §4.3.2 and RFC 8050 §4, and RIB_GENERIC[_ADDPATH] (13/6, 12) when its AFI/SAFI is an
 * IP one; other RIB_GENERIC records keep their NLRI raw.
 */
export interface RibRecord extends RecordBase {
  readonly kind: 'rib';
  readonly afi: number;
  readonly safi: number;
  readonly addPath: boolean;
  readonly generic: boolean;
  readonly sequence: number;
  /** Undefined for RIB_GENERIC of a non-IP AFI/SAFI (then `rawNlri` is set). */
  readonly prefix?: Prefix;
  readonly rawNlri?: Uint8Array;
  readonly entries: readonly RibEntry[];
}

/** BGP4MP(_ET) STATE_CHANGE(_AS4) (16|17 / 0, 5), RFC 6396 §4.4.1 and §4.4.4. */
export interface Bgp4mpStateChangeRecord extends RecordBase {
  readonly kind: 'bgp4mp-state-change';
  readonly as4: boolean;
  readonly peerAs: number;
  readonly localAs: number;
  readonly ifIndex: number;
  readonly afi: number;
  readonly peerAddress: Address;
  readonly localAddress: Address;
  readonly oldState: number;
  readonly newState: number;
  /** An 8-byte record (old Zebra bug): no interface, AFI or addresses were written. */
  readonly short: boolean;
}

/** BGP4MP(_ET) MESSAGE* (16|17 / 1, 4, 6, 7, 8-11), RFC 6396 §4.4.2-3, §4.4.5-6, RFC 8050 §3. */
export interface Bgp4mpMessageRecord extends RecordBase {
  readonly kind: 'bgp4mp-message';
  readonly as4: boolean;
  /** _LOCAL subtypes: a message we sent, not one we received. */
  readonly local: boolean;
  readonly addPath: boolean;
  readonly peerAs: number;
  readonly localAs: number;
  readonly ifIndex: number;
  readonly afi: number;
  readonly peerAddress: Address;
  readonly localAddress: Address;
  /** The whole BGP message, from its marker. */
  readonly message: Uint8Array;
}

/** Deprecated MRT type 5 "BGP" (MRTd), subtypes UPDATE (1), STATE_CHANGE (3), KEEPALIVE (7). */
export interface LegacyBgpRecord extends RecordBase {
  readonly kind: 'bgp-legacy';
  readonly subtype: number;
  readonly peerAs: number;
  readonly peerAddress: Address;
  readonly localAs: number;
  readonly localAddress: Address;
  /** UPDATE: the message body (no marker, length or type). */
  readonly update?: Uint8Array;
  readonly oldState?: number;
  readonly newState?: number;
}

/** A type or subtype this reader does not interpret: skipped and counted. */
export interface UnknownRecord extends RecordBase {
  readonly kind: 'unknown';
  readonly body: Uint8Array;
}

export type MrtRecord =
  | TableDumpRecord
  | PeerIndexTableRecord
  | RibRecord
  | Bgp4mpStateChangeRecord
  | Bgp4mpMessageRecord
  | LegacyBgpRecord
  | UnknownRecord;
