// Decoded path attributes -> the domain's RouteAttributes (model/route-event.ts).
// AS path after the RFC 6793 4.2.3 AS4 merge: AS_SEQUENCE members as numbers, each
// AS_SET as a nested array. Confederation segments (RFC 5065) are left out: they are
// member-AS hops inside one operator, do not count in path length (RFC 5065 5.3), and
// would show up as extra AS hops when a path is compared with a traceroute.
// Communities "asn:value" (RFC 1997, well-known ones too, e.g. "65535:65281"), large
// communities "global:local1:local2" (RFC 8092), extended communities as 16 hex digits.
// Runs once per UPDATE or RIB entry, not per attribute byte, so strings are fine here.
import type { AsPath, OriginName, RouteAttributes } from '../../model/route-event.ts';
import type { Address } from '../../model/address.ts';
import { effectiveAggregator, effectiveAsPath } from './as4.ts';
import type { AsPathSegment, PathAttribute } from './types.ts';

const ORIGINS: readonly OriginName[] = ['igp', 'egp', 'incomplete'];
const HEX = '0123456789abcdef';

export function formatExtendedCommunity(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i] >>> 4] + HEX[b[i] & 15];
  return s;
}

/** The operator's AS path from segments (sequences flattened, sets nested, confederation segments dropped). */
export function toAsPath(segments: readonly AsPathSegment[]): AsPath {
  const out: (number | readonly number[])[] = [];
  for (const s of segments) {
    if (s.kind === 'sequence') for (const a of s.asns) out.push(a);
    else if (s.kind === 'set') out.push(s.asns.slice());
  }
  return out;
}

/**
 * `afi` is the AFI of the prefixes these attributes go with; it picks the next hop. For
 * 2 it is MP_REACH_NLRI's (global) next hop; for 1 NEXT_HOP, else an AFI-1 MP_REACH_NLRI
 * next hop (RFC 8950 IPv6 next hop). Without `afi`, MP_REACH_NLRI wins when present.
 */
export function toRouteAttributes(attributes: readonly PathAttribute[], afi?: number): RouteAttributes {
  let nextHop: Address | undefined;
  let mpNextHop: Address | undefined;
  let origin: OriginName | undefined;
  let med: number | undefined;
  let localPref: number | undefined;
  let atomicAggregate: boolean | undefined;
  let communities: string[] = [];
  let largeCommunities: string[] = [];
  let extendedCommunities: string[] | undefined;
  let originatorId: Address | undefined;
  let clusterList: readonly Address[] | undefined;
  let onlyToCustomer: number | undefined;
  for (const a of attributes) {
    switch (a.kind) {
      case 'origin': origin = ORIGINS[a.value]; break;
      case 'next-hop': nextHop = a.address; break;
      case 'med': med = a.value; break;
      case 'local-pref': localPref = a.value; break;
      case 'atomic-aggregate': atomicAggregate = true; break;
      case 'communities': communities = a.values.map((v) => `${v >>> 16}:${v & 0xffff}`); break;
      case 'large-communities': largeCommunities = a.values.map((v) => `${v[0]}:${v[1]}:${v[2]}`); break;
      case 'extended-communities': extendedCommunities = a.values.map(formatExtendedCommunity); break;
      case 'originator-id': originatorId = a.address; break;
      case 'cluster-list': clusterList = a.ids; break;
      case 'only-to-customer': onlyToCustomer = a.asn; break;
      case 'mp-reach':
        if (a.nextHops.length > 0 && (afi === undefined || a.afi === afi)) mpNextHop = a.nextHops[0];
        break;
      default: break;
    }
  }
  const aggregator = effectiveAggregator(attributes);
  const out: {
    -readonly [K in keyof RouteAttributes]: RouteAttributes[K];
  } = { asPath: toAsPath(effectiveAsPath(attributes)), communities, largeCommunities };
  const nh = afi === 1 && nextHop !== undefined ? nextHop : (mpNextHop ?? nextHop);
  if (nh !== undefined) out.nextHop = nh;
  if (origin !== undefined) out.origin = origin;
  if (med !== undefined) out.med = med;
  if (localPref !== undefined) out.localPref = localPref;
  if (atomicAggregate) out.atomicAggregate = true;
  if (aggregator !== undefined) out.aggregator = aggregator;
  if (extendedCommunities !== undefined) out.extendedCommunities = extendedCommunities;
  if (originatorId !== undefined) out.originatorId = originatorId;
  if (clusterList !== undefined) out.clusterList = clusterList;
  if (onlyToCustomer !== undefined) out.onlyToCustomer = onlyToCustomer;
  return out;
}
