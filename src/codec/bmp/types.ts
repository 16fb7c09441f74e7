// Decoded BMP values (RFC 7854, with RFC 8671 Adj-RIB-Out and RFC 9069 Loc-RIB).
// Discriminated unions with `kind`; what we do not interpret stays raw and re-encodes
// unchanged. BGP PDUs inside BMP are decoded by the BGP codec (codec/bgp).
import type { Address } from '../../model/address.ts';
import type { NotificationMessage } from '../bgp/types.ts';

export const BMP_VERSION = 3;
export const COMMON_HEADER_LENGTH = 6;
export const PER_PEER_HEADER_LENGTH = 42;

/** Message types, RFC 7854 4.1. */
export const MSG_ROUTE_MONITORING = 0;
export const MSG_STATISTICS = 1;
export const MSG_PEER_DOWN = 2;
export const MSG_PEER_UP = 3;
export const MSG_INITIATION = 4;
export const MSG_TERMINATION = 5;
export const MSG_ROUTE_MIRRORING = 6;

/** Peer types, RFC 7854 4.2 and RFC 9069 4.1. */
export const PEER_GLOBAL = 0;
export const PEER_RD_INSTANCE = 1;
export const PEER_LOCAL_INSTANCE = 2;
export const PEER_LOC_RIB = 3;

/** Per-peer header flags for peer types 0-2 (RFC 7854 4.2, RFC 8671 4). */
export const FLAG_V = 0x80; // peer address is IPv6
export const FLAG_L = 0x40; // post-policy
export const FLAG_A = 0x20; // legacy 2-byte AS_PATH
export const FLAG_O = 0x10; // Adj-RIB-Out
/** Per-peer header flag for peer type 3 (RFC 9069 4.2): the Loc-RIB is filtered. */
export const FLAG_F = 0x80;

export interface PerPeerHeader {
  readonly peerType: number;
  readonly flags: number;
  /** 8 bytes (RD for peer type 1, instance id for 2; zero for global). View into the message. */
  readonly distinguisher: Uint8Array;
  readonly address: Address;
  readonly asn: number;
  readonly bgpId: Address;
  readonly seconds: number;
  readonly microseconds: number;
}

/**
 * Information TLV of Initiation, Termination, Peer Up and (reason 6) Peer Down:
 *   type (2) | length (2) | value. Values stay bytes; `infoText` reads the string ones.
 */
export interface InfoTlv {
  readonly type: number;
  readonly value: Uint8Array;
}

/** Initiation / Peer Up information TLV types (RFC 7854 4.3 and 4.4, RFC 9069 5.1, RFC 8671 7). */
export const INFO_STRING = 0;
export const INFO_SYS_DESCR = 1;
export const INFO_SYS_NAME = 2;
export const INFO_VRF_TABLE_NAME = 3;
export const INFO_ADMIN_LABEL = 4;

/** Termination TLV types (RFC 7854 4.5). */
export const TERM_STRING = 0;
export const TERM_REASON = 1;

export interface RouteMonitoring {
  readonly kind: 'route-monitoring';
  readonly peer: PerPeerHeader;
  /**
   * The whole BGP UPDATE message, header included, as a view into the BMP message. It is
   * decoded on demand (decodeRouteMonitoringUpdate) because only the session knows the
   * 4-octet AS and ADD-PATH context from the peer's Peer Up.
   */
  readonly update: Uint8Array;
}

export type StatValue =
  | { readonly kind: 'counter'; readonly type: number; readonly value: number }
  | { readonly kind: 'gauge'; readonly type: number; readonly value: bigint }
  | { readonly kind: 'afi-safi-gauge'; readonly type: number; readonly afi: number; readonly safi: number; readonly value: bigint }
  | { readonly kind: 'unknown'; readonly type: number; readonly raw: Uint8Array };

export interface Statistics {
  readonly kind: 'statistics';
  readonly peer: PerPeerHeader;
  readonly stats: readonly StatValue[];
}

/** Peer Down reasons, RFC 7854 4.9 and RFC 9069 5.5 (6). */
export const DOWN_LOCAL_NOTIFICATION = 1;
export const DOWN_LOCAL_FSM = 2;
export const DOWN_REMOTE_NOTIFICATION = 3;
export const DOWN_REMOTE_NO_DATA = 4;
export const DOWN_DECONFIGURED = 5;
export const DOWN_LOCAL_TLV = 6;

export type PeerDownData =
  | { readonly kind: 'notification'; readonly notification: NotificationMessage }
  | { readonly kind: 'fsm-event'; readonly event: number }
  | { readonly kind: 'tlvs'; readonly tlvs: readonly InfoTlv[] }
  | { readonly kind: 'none' }
  /** An unknown reason's data, kept raw. */
  | { readonly kind: 'raw'; readonly raw: Uint8Array };

export interface PeerDown {
  readonly kind: 'peer-down';
  readonly peer: PerPeerHeader;
  readonly reason: number;
  readonly data: PeerDownData;
}

export interface PeerUp {
  readonly kind: 'peer-up';
  readonly peer: PerPeerHeader;
  readonly localAddress: Address;
  readonly localPort: number;
  readonly remotePort: number;
  /** The OPEN the monitored router sent to the peer: the whole BGP message, a view. */
  readonly sentOpen: Uint8Array;
  /** The OPEN the monitored router received from the peer: the whole BGP message, a view. */
  readonly receivedOpen: Uint8Array;
  readonly info: readonly InfoTlv[];
}

export interface Initiation {
  readonly kind: 'initiation';
  readonly tlvs: readonly InfoTlv[];
}

export interface Termination {
  readonly kind: 'termination';
  readonly tlvs: readonly InfoTlv[];
}

export interface RouteMirroring {
  readonly kind: 'route-mirroring';
  readonly peer: PerPeerHeader;
  /** type 0 = BGP message, 1 = information (RFC 7854 4.7); kept raw (we only count them). */
  readonly tlvs: readonly InfoTlv[];
}

export interface UnknownBmpMessage {
  readonly kind: 'unknown';
  readonly type: number;
  /** The body after the common header. */
  readonly raw: Uint8Array;
}

export type BmpMessage =
  | RouteMonitoring
  | Statistics
  | PeerDown
  | PeerUp
  | Initiation
  | Termination
  | RouteMirroring
  | UnknownBmpMessage;
