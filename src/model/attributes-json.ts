// RouteAttributes as JSON, the one shape the store writes and the API returns:
//   { asPath, nextHop, origin, med, localPref, communities, largeCommunities,
//     atomicAggregate?, aggregator?, extendedCommunities?, originatorId?, clusterList?,
//     onlyToCustomer? }
// asPath: numbers for AS_SEQUENCE members, a nested array per AS_SET. The five attributes
// every route may have (nextHop, origin, med, localPref) are always present, null when the
// route does not carry them; the rarer ones are present only when the route carries them.
import { formatAddress } from './address.ts';
import type { AsPath, OriginName, RouteAttributes } from './route-event.ts';

export interface AttributesJson {
  asPath: AsPath;
  nextHop: string | null;
  origin: OriginName | null;
  med: number | null;
  localPref: number | null;
  communities: readonly string[];
  largeCommunities: readonly string[];
  atomicAggregate?: true;
  aggregator?: { asn: number; address: string };
  extendedCommunities?: readonly string[];
  originatorId?: string;
  clusterList?: string[];
  onlyToCustomer?: number;
}

const cache = new WeakMap<RouteAttributes, AttributesJson>();

/** Cached per attribute set: the RIB interns them, so one object serves every route sharing it. */
export function attributesJson(a: RouteAttributes): AttributesJson {
  const hit = cache.get(a);
  if (hit !== undefined) return hit;
  const o: AttributesJson = {
    asPath: a.asPath,
    nextHop: a.nextHop ? formatAddress(a.nextHop) : null,
    origin: a.origin ?? null,
    med: a.med ?? null,
    localPref: a.localPref ?? null,
    communities: a.communities,
    largeCommunities: a.largeCommunities,
  };
  if (a.atomicAggregate) o.atomicAggregate = true;
  if (a.aggregator) o.aggregator = { asn: a.aggregator.asn, address: formatAddress(a.aggregator.address) };
  if (a.extendedCommunities && a.extendedCommunities.length > 0) o.extendedCommunities = a.extendedCommunities;
  if (a.originatorId) o.originatorId = formatAddress(a.originatorId);
  if (a.clusterList) o.clusterList = a.clusterList.map(formatAddress);
  if (a.onlyToCustomer !== undefined) o.onlyToCustomer = a.onlyToCustomer;
  cache.set(a, o);
  return o;
}
