// Decoded BGP values (RFC 4271 and extensions). Discriminated unions with `kind`;
// anything we do not interpret is kept raw and re-encodes unchanged.
import type { Address } from '../../model/address.ts';
import type { Prefix } from '../../model/prefix.ts';

export const AFI_IPV4 = 1;
export const AFI_IPV6 = 2;
export const SAFI_UNICAST = 1;
export const SAFI_MULTICAST = 2;

/** One NLRI entry. `pathId` is present only when ADD-PATH (RFC 7911) applies. */
export interface Nlri {
  readonly prefix: Prefix;
  readonly pathId?: number;
}

/** What the decoder must know that the bytes do not say. */
export interface DecodeContext {
  /** 4-octet AS numbers in AS_PATH / AGGREGATOR (RFC 6793). */
  readonly as4: boolean;
  /** ADD-PATH receive is on for this AFI/SAFI: key `${afi}/${safi}`. */
  readonly addPath?: ReadonlySet<string>;
  /** RFC 8654 extended messages (65,535 bytes). */
  readonly extendedMessage?: boolean;
  /**
   * Set when decoding the attributes of an MRT TABLE_DUMP_V2 RIB entry (RFC 6396 4.3.4):
   * there MP_REACH_NLRI may hold only the next hop length and next hop, and the AFI/SAFI
   * come from the RIB subtype. The full RFC 4760 form is still accepted.
   */
  readonly mrtRibAfiSafi?: { readonly afi: number; readonly safi: number };
}

export const DEFAULT_CONTEXT: DecodeContext = { as4: true };

export type AsPathSegmentKind = 'set' | 'sequence' | 'confed-sequence' | 'confed-set';

export interface AsPathSegment {
  readonly kind: AsPathSegmentKind;
  readonly asns: readonly number[];
}

export type Origin = 0 | 1 | 2; // IGP, EGP, INCOMPLETE

/** Attribute flag bits (RFC 4271 4.3). */
export const FLAG_OPTIONAL = 0x80;
export const FLAG_TRANSITIVE = 0x40;
export const FLAG_PARTIAL = 0x20;
export const FLAG_EXTENDED_LENGTH = 0x10;

export type PathAttribute =
  | { readonly kind: 'origin'; readonly flags: number; readonly value: Origin }
  | { readonly kind: 'as-path'; readonly flags: number; readonly segments: readonly AsPathSegment[]; readonly as4: boolean }
  | { readonly kind: 'next-hop'; readonly flags: number; readonly address: Address }
  | { readonly kind: 'med'; readonly flags: number; readonly value: number }
  | { readonly kind: 'local-pref'; readonly flags: number; readonly value: number }
  | { readonly kind: 'atomic-aggregate'; readonly flags: number }
  | { readonly kind: 'aggregator'; readonly flags: number; readonly asn: number; readonly address: Address; readonly as4: boolean }
  | { readonly kind: 'communities'; readonly flags: number; readonly values: readonly number[] }
  | { readonly kind: 'originator-id'; readonly flags: number; readonly address: Address }
  | { readonly kind: 'cluster-list'; readonly flags: number; readonly ids: readonly Address[] }
  | {
      readonly kind: 'mp-reach';
      readonly flags: number;
      readonly afi: number;
      readonly safi: number;
      /** Global and, for IPv6, link-local next hop. Empty when the AFI/SAFI is not interpreted. */
      readonly nextHops: readonly Address[];
      readonly nlri: readonly Nlri[];
      /** Set when AFI/SAFI is not IPv4/IPv6 unicast/multicast: the whole value, kept raw. */
      readonly raw?: Uint8Array;
    }
  | {
      readonly kind: 'mp-unreach';
      readonly flags: number;
      readonly afi: number;
      readonly safi: number;
      readonly withdrawn: readonly Nlri[];
      readonly raw?: Uint8Array;
    }
  | { readonly kind: 'extended-communities'; readonly flags: number; readonly values: readonly Uint8Array[] }
  | { readonly kind: 'as4-path'; readonly flags: number; readonly segments: readonly AsPathSegment[] }
  | { readonly kind: 'as4-aggregator'; readonly flags: number; readonly asn: number; readonly address: Address }
  | {
      readonly kind: 'large-communities';
      readonly flags: number;
      readonly values: readonly (readonly [number, number, number])[];
    }
  | { readonly kind: 'only-to-customer'; readonly flags: number; readonly asn: number }
  | { readonly kind: 'unknown'; readonly flags: number; readonly type: number; readonly raw: Uint8Array };

export type PathAttributeKind = PathAttribute['kind'];

/** The member of PathAttribute with kind K. */
export type AttrOf<K extends PathAttributeKind> = Extract<PathAttribute, { readonly kind: K }>;

/** RFC 7606 outcome for a malformed attribute. The message is still decoded around it. */
export type AttrAction = 'treat-as-withdraw' | 'attribute-discard' | 'session-reset';

export interface AttrWarning {
  readonly kind: 'attr-warning';
  /**
   * Attribute type code; 0 for the UPDATE's own withdrawn routes / NLRI fields (RFC 7606
   * 5.3), and for an attribute header cut before its type byte ('attr-header-truncated').
   */
  readonly type: number;
  readonly action: AttrAction;
  readonly code: string;
  readonly offset: number;
  readonly message: string;
}

export interface Capability {
  readonly code: number;
  readonly value:
    | { readonly kind: 'multiprotocol'; readonly afi: number; readonly safi: number }
    | { readonly kind: 'route-refresh' }
    | { readonly kind: 'extended-message' }
    | { readonly kind: 'as4'; readonly asn: number }
    | {
        readonly kind: 'add-path';
        readonly entries: readonly { readonly afi: number; readonly safi: number; readonly sendReceive: number }[];
      }
    | { readonly kind: 'unknown'; readonly raw: Uint8Array };
}

export interface OpenMessage {
  readonly kind: 'open';
  readonly version: number;
  /** The 2-octet "My AS" field (AS_TRANS 23456 when the real AS is in the as4 capability). */
  readonly myAs: number;
  readonly holdTime: number;
  readonly bgpId: Address;
  readonly capabilities: readonly Capability[];
  /** Optional parameters other than capabilities, kept raw. */
  readonly otherParams: readonly { readonly type: number; readonly raw: Uint8Array }[];
}

export interface UpdateMessage {
  readonly kind: 'update';
  readonly withdrawn: readonly Nlri[];
  readonly attributes: readonly PathAttribute[];
  readonly nlri: readonly Nlri[];
  readonly warnings: readonly AttrWarning[];
  /** True when an RFC 7606 warning says treat-as-withdraw: the announced NLRI are withdrawals. */
  readonly treatAsWithdraw: boolean;
}

export interface NotificationMessage {
  readonly kind: 'notification';
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

export interface KeepaliveMessage {
  readonly kind: 'keepalive';
}

export interface RouteRefreshMessage {
  readonly kind: 'route-refresh';
  readonly afi: number;
  readonly subtype: number;
  readonly safi: number;
  /** RFC 5291 ORF entries after a subtype-0 request, raw; absent when there are none. */
  readonly orf?: Uint8Array;
}

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;
