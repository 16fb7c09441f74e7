// The JSON of routes and attributes, with their typebox schemas (so the OpenAPI document
// names every field), and the query-parameter parsers the BGP resources share.
//
// A route (GET /api/routes, /api/lookup):
//   { "router": "192.0.2.1", "peer": { "address": "10.77.12.2", "asn": 65002 },
//     "table": "adj-rib-in-pre", "asPath": [65002, 65004, [64512, 64513]],
//     "nextHop": "10.77.12.2", "origin": "igp", "med": 0, "localPref": 100,
//     "communities": ["65002:100"], "largeCommunities": [], "since": "2024-05-01T12:00:00.000Z" }
// An AS_SET is a nested array. nextHop, origin, med and localPref are always present and
// null when the route does not carry the attribute.
import { type Static, Type } from '@fastify/type-provider-typebox';
import { parseDuration, cidr } from '../config/values.ts';
import { describe } from '../config/validate.ts';
import { type Address, formatAddress, parseAddress } from '../model/address.ts';
import type { Prefix } from '../model/prefix.ts';
import type { RouteView } from '../rib/rib.ts';
import { attributesJson } from '../store/attributes-json.ts';
import { ApiError } from './errors.ts';

export const RouteTableSchema = Type.Union(
  [
    Type.Literal('adj-rib-in-pre'),
    Type.Literal('adj-rib-in-post'),
    Type.Literal('adj-rib-out-pre'),
    Type.Literal('adj-rib-out-post'),
    Type.Literal('loc-rib'),
  ],
  { description: 'Which RIB of the router the route is in (BMP peer flags; RFC 7854, 8671, 9069)' },
);

export const PeerSchema = Type.Object(
  {
    address: Type.String({ description: 'The BGP peer the route was learned from' }),
    asn: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

const AsPathSchema = Type.Array(Type.Union([Type.Integer(), Type.Array(Type.Integer())]), {
  description: 'AS_SEQUENCE members as numbers, each AS_SET as a nested array',
});
const OriginSchema = Type.Union([Type.Literal('igp'), Type.Literal('egp'), Type.Literal('incomplete'), Type.Null()]);

const commonAttributes = {
  asPath: AsPathSchema,
  nextHop: Type.Union([Type.String(), Type.Null()]),
  origin: OriginSchema,
  med: Type.Union([Type.Integer(), Type.Null()]),
  localPref: Type.Union([Type.Integer(), Type.Null()]),
  communities: Type.Array(Type.String(), { description: '"asn:value"' }),
  largeCommunities: Type.Array(Type.String(), { description: '"global:local1:local2"' }),
};

export const RouteSchema = Type.Object(
  {
    router: Type.String({ description: 'BMP router (its address), RIS collector or MRT source' }),
    peer: PeerSchema,
    table: RouteTableSchema,
    ...commonAttributes,
    since: Type.String({ format: 'date-time', description: 'Since when the route has had these attributes (whole seconds)' }),
  },
  { additionalProperties: false, description: 'One route of one peer' },
);
export type RouteJson = Static<typeof RouteSchema>;

export const AttributesSchema = Type.Object(
  {
    ...commonAttributes,
    atomicAggregate: Type.Optional(Type.Boolean()),
    aggregator: Type.Optional(Type.Object({ asn: Type.Integer(), address: Type.String() })),
    extendedCommunities: Type.Optional(Type.Array(Type.String(), { description: '16 hex digits each' })),
    originatorId: Type.Optional(Type.String()),
    clusterList: Type.Optional(Type.Array(Type.String())),
    onlyToCustomer: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false, description: 'Every attribute of a route; the rarer ones only when present' },
);

export function routeJson(r: RouteView): RouteJson {
  const a = attributesJson(r.attrs);
  return {
    router: r.router,
    peer: { address: formatAddress(r.peer.address), asn: r.peer.asn },
    table: r.table,
    asPath: a.asPath as RouteJson['asPath'],
    nextHop: a.nextHop,
    origin: a.origin,
    med: a.med,
    localPref: a.localPref,
    communities: [...a.communities],
    largeCommunities: [...a.largeCommunities],
    since: new Date(r.since).toISOString(),
  };
}

/** Routes in a stable order: router, peer address, table. */
export function sortedRoutes(routes: readonly RouteView[]): RouteJson[] {
  return routes
    .map(routeJson)
    .sort((x, y) => cmp(x.router, y.router) || cmp(x.peer.address, y.peer.address) || cmp(x.table, y.table) || x.peer.asn - y.peer.asn);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A query parameter that must be a prefix; 400 naming the parameter and what was given. */
export function prefixParam(name: string, raw: string): Prefix {
  const r = cidr.parse(raw);
  if (r.ok) return r.value;
  throw new ApiError('BAD_REQUEST', `${name}: expected ${r.problems[0].expected}, got ${describe(raw)}`);
}

export function addressParam(name: string, raw: string): Address {
  const a = parseAddress(raw);
  if (a) return a;
  throw new ApiError('BAD_REQUEST', `${name}: expected an IP address like "192.0.2.1" or "2001:db8::1", got ${describe(raw)}`);
}

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** An ISO-8601 date(-time), or a duration ("90m", "7d") meaning that long before `now`. */
export function timeParam(name: string, raw: string, now: number): number {
  const d = parseDuration(raw);
  // A duration longer than the calendar reaches back ("104000000d") is no time at all:
  // every handler prints its times, and toISOString() throws on such a date.
  if (d !== undefined && !Number.isNaN(new Date(now - d).getTime())) return now - d;
  if (d === undefined && ISO.test(raw)) {
    const t = Date.parse(raw);
    if (!Number.isNaN(t)) return t;
  }
  throw new ApiError('BAD_REQUEST', `${name}: expected an ISO-8601 time like "2024-05-01T12:00:00Z" or a duration like "6h" (that long ago), got ${describe(raw)}`);
}

/** Query parameters arrive as text; these bounds stop hostile lengths before any parsing. */
export const PrefixText = Type.String({ minLength: 1, maxLength: 64, description: 'A prefix like "198.51.100.0/24" or "2001:db8::/32"' });
